import Foundation

/// The answer of `bazaar status`: every recorded process, whether it is alive, and its health.
public struct RuntimeStatus: Sendable {
    /// One line of the report.
    public struct Row: Sendable {
        /// The recorded process.
        public var record: ProcessRecord
        /// Whether the process still runs.
        public var alive: Bool
        /// Outcome of its health check, such as `ready (200)`; nil when it has none.
        public var health: String?
        /// Whether the health check passed (true when there is none).
        public var healthy: Bool
    }

    /// The recorded run, or nil when none was ever recorded.
    public var state: RunState?
    /// One row per process, launcher first.
    public var rows: [Row]

    /// Whether a launcher is alive, the run is ready, and every process is alive and healthy.
    public var isHealthy: Bool {
        guard let state, state.phase == .ready else { return false }
        return rows.allSatisfy { $0.alive && $0.healthy }
    }

    /// Whether the recorded launcher still runs.
    public var isRunning: Bool { rows.first { $0.record.kind == .launcher }?.alive ?? false }

    /// Whether any recorded process is alive (children may outlive a killed launcher).
    public var hasLiveProcesses: Bool { rows.contains { $0.alive } }

    /// Inspects the run recorded in `runDirectory`, probing the health of every live process:
    /// services with `GET /health/ready`, the gateway and its health checker with `GET /health/live`, Postgres with `pg_isready`.
    public static func inspect(_ runDirectory: RunDirectory) async throws -> RuntimeStatus {
        guard let state = try RunStateStore(runDirectory: runDirectory).load() else {
            return RuntimeStatus(state: nil, rows: [])
        }
        var rows: [Row] = []
        for record in state.allProcesses {
            let alive = ProcessInspector.isAlive(record)
            let (health, healthy) = alive ? await probe(record) : (nil, false)
            rows.append(Row(record: record, alive: alive, health: health, healthy: healthy))
        }
        return RuntimeStatus(state: state, rows: rows)
    }

    /// The report as text: a header line, then a table.
    public func rendered(runDirectory: RunDirectory) -> String {
        guard let state else { return "No Bazaar runtime has run from \(runDirectory.path)." }
        let situation = if isRunning {
            state.phase.rawValue
        } else if hasLiveProcesses {
            "launcher dead, but some of its processes are alive; stop them with: bazaar down --run-dir \(runDirectory.path)"
        } else {
            "not running (last phase: \(state.phase.rawValue))"
        }
        var lines = ["Run directory \(runDirectory.path): `bazaar \(state.mode.subcommand)`, \(situation)"]
        if let failure = state.failure { lines.append("Failure: \(failure)") }
        let table = [["NAME", "KIND", "PID", "PORT", "PROCESS", "HEALTH"]] + rows.map { row in
            [
                row.record.name, row.record.kind.rawValue, String(row.record.pid),
                row.record.port.map(String.init) ?? "-", row.alive ? "alive" : "dead", row.health ?? "-",
            ]
        }
        let widths = (0..<6).map { column in table.map { $0[column].count }.max() ?? 0 }
        for cells in table {
            let line = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            lines.append(String(line.reversed().drop { $0 == " " }.reversed()))
        }
        if state.mode == .full {
            let notBuilt = ServiceRegistry.all.filter { $0.executableName == nil }.map(\.name)
            if !notBuilt.isEmpty { lines.append("Not started (no executable yet): \(notBuilt.joined(separator: ", "))") }
        }
        return lines.joined(separator: "\n")
    }

    private static func probe(_ record: ProcessRecord) async -> (String?, Bool) {
        guard let port = record.port else { return (nil, true) }
        switch record.kind {
        case .launcher:
            return (nil, true)
        case .infrastructure:
            guard record.name == PostgresCluster.processName,
                  let pgIsReady = ExecutableLocator.find("pg_isready", fallbackDirectories: ExecutableLocator.postgresVersionDirectories())
            else {
                // Other stores: something must be listening on their port.
                let listening = !HealthProbe.isPortAvailable(port)
                return (listening ? "listening" : "not listening", listening)
            }
            let ready = await PostgresCluster.isReady(port: port, pgIsReady: pgIsReady)
            return (ready ? "accepting connections" : "not accepting connections", ready)
        case .service:
            return httpHealth(await HealthProbe.httpStatus(port: port, path: "/health/ready"))
        case .gateway:
            // The gateway's own liveness: its `/health` is the services' readiness, shown in their rows.
            return httpHealth(await HealthProbe.httpStatus(port: port, path: "/health/live"))
        }
    }

    private static func httpHealth(_ status: Int?) -> (String?, Bool) {
        guard let status else { return ("no answer", false) }
        return (status == 200 ? "ready (200)" : "not ready (\(status))", status == 200)
    }
}
