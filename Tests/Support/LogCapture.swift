public import BazaarCore
import Foundation
import Synchronization

/// Collects the log lines a service writes, so tests can assert on structured logs.
public final class LogCapture: LogSink, Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    public func write(line: String) {
        storage.withLock { $0.append(line) }
    }

    /// Every line so far.
    public var lines: [String] { storage.withLock { $0 } }

    /// Every line so far, parsed as JSON objects (a line that is not one fails the parse).
    public func entries() throws -> [[String: Any]] {
        try lines.map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw LogCaptureError(line: line)
            }
            return object
        }
    }

    struct LogCaptureError: Error, CustomStringConvertible {
        let line: String
        var description: String { "log line is not a JSON object: \(line)" }
    }
}
