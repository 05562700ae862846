import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the launcher's own messages and its children's output lines to standard output, each
/// line prefixed with its source (`postgres | ...`), coloured per source when standard output is a
/// terminal. Lines from different threads never interleave.
public final class ConsoleOutput: Sendable {
    /// Prefix of the launcher's own messages.
    public static let launcherName = "bazaar"

    private struct State {
        var colours: [String: String] = [:]
    }

    private static let palette = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"]
    private static let prefixWidth = 12

    private let descriptor: Int32
    private let usesColour: Bool
    private let state = Mutex(State())

    /// Output to standard output; colour is used only on a terminal and unless `NO_COLOR` is set.
    public init() {
        descriptor = STDOUT_FILENO
        let environment = ProcessInfo.processInfo.environment
        usesColour = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// Prints a message of the launcher itself.
    public func announce(_ message: String) {
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            emit(source: Self.launcherName, line: String(line), bold: true)
        }
    }

    /// Prints one output line of the child called `source`.
    public func line(from source: String, _ text: String) {
        emit(source: source, line: text, bold: false)
    }

    /// Prints text as is, without prefix (summaries meant to be copied).
    public func plain(_ text: String) {
        state.withLock { _ in
            _ = FileSystem.writeAll(Array((text.hasSuffix("\n") ? text : text + "\n").utf8), to: descriptor)
        }
    }

    private func emit(source: String, line: String, bold: Bool) {
        let padded = source.padding(toLength: max(Self.prefixWidth, source.count), withPad: " ", startingAt: 0)
        state.withLock { state in
            var prefix = "\(padded) | "
            if usesColour {
                let colour = state.colours[source] ?? (bold ? "1" : Self.palette[state.colours.count % Self.palette.count])
                state.colours[source] = colour
                prefix = "\u{1B}[\(colour)m\(padded) |\u{1B}[0m "
            }
            _ = FileSystem.writeAll(Array((prefix + line + "\n").utf8), to: descriptor)
        }
    }
}
