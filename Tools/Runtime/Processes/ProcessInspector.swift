import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Looks at and signals processes that are not (or no longer) our children, by pid, as recorded
/// in the state file. Liveness checks compare kernel start times where the system exposes them
/// (Linux `/proc`), so a pid reused after a reboot or crash is never signalled by mistake.
public enum ProcessInspector {
    /// Kernel start time of `pid` in clock ticks since boot, or nil if unknown (no `/proc`, or gone).
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let fields = statFields(of: pid), fields.count > 19 else { return nil }
        // Fields after the command name start at field 3 (state); starttime is field 22.
        return UInt64(fields[19])
    }

    /// Whether the recorded process still runs: it exists, is not a zombie, and (when both are known)
    /// started at the recorded time.
    public static func isAlive(_ record: ProcessRecord) -> Bool {
        guard record.pid > 0 else { return false }
        if kill(record.pid, 0) != 0 && errno != EPERM { return false }
        if let fields = statFields(of: record.pid) {
            if fields.first == "Z" || fields.first == "X" { return false }
            if let recorded = record.startTime, fields.count > 19, let actual = UInt64(fields[19]) {
                return recorded == actual
            }
        }
        return true
    }

    /// The command line of `pid` with arguments separated by spaces, or nil where unavailable.
    public static func commandLine(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// Sends `signal` to the recorded process, and to its whole process group when it leads one
    /// (Foundation's `Process` starts every child as a group leader, so helpers such as nginx
    /// workers receive the signal too).
    static func send(_ signal: Int32, to record: ProcessRecord) {
        guard isAlive(record) else { return }
        if getpgid(record.pid) == record.pid {
            kill(-record.pid, signal)
        } else {
            kill(record.pid, signal)
        }
    }

    /// Waits (without blocking a thread) until none of `records` is alive or `timeout` passes;
    /// returns the records still alive.
    static func waitForExit(of records: [ProcessRecord], timeout: Duration) async -> [ProcessRecord] {
        let deadline = ContinuousClock.now + timeout
        var remaining = records.filter(isAlive)
        while !remaining.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
            remaining = remaining.filter(isAlive)
        }
        return remaining
    }

    /// Stops `records`: `signal` (SIGTERM by default), then SIGKILL for those still alive after
    /// `gracePeriod`. Returns the records that survived even SIGKILL.
    static func terminate(
        _ records: [ProcessRecord],
        signal: Int32 = SIGTERM,
        gracePeriod: Duration = .seconds(10)
    ) async -> [ProcessRecord] {
        let alive = records.filter(isAlive)
        guard !alive.isEmpty else { return [] }
        alive.forEach { send(signal, to: $0) }
        let stubborn = await waitForExit(of: alive, timeout: gracePeriod)
        guard !stubborn.isEmpty else { return [] }
        stubborn.forEach { send(SIGKILL, to: $0) }
        return await waitForExit(of: stubborn, timeout: .seconds(5))
    }

    /// The fields of `/proc/<pid>/stat` after the parenthesised command name (which may hold spaces).
    private static func statFields(of pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let closing = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: closing)...].split(separator: " ").map(String.init)
    }
}
