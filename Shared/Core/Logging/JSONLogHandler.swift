public import Logging
import Foundation
import Glibc
import Synchronization

/// Where finished log lines go. The standard sink writes to standard output; tests capture lines.
public protocol LogSink: Sendable {
    /// Writes one complete line (without the trailing newline).
    func write(line: String)
}

/// Writes each line to standard output under a lock, so lines from concurrent tasks never interleave.
public struct StandardOutputLogSink: LogSink {
    private static let lock = Mutex<Void>(())

    public init() {}

    public func write(line: String) {
        Self.lock.withLock { _ in
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    // A closed or broken stdout cannot be reported anywhere else; drop the line.
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}

/// A swift-log handler that writes one JSON object per line:
/// `time`, `level`, `service`, `message`, then `request_id`, `trace_id` and any other metadata
/// as top-level fields, so log shippers can index them without parsing free text.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let service: String
    private let sink: any LogSink

    /// Fields the handler writes itself; metadata with these names is prefixed to stay distinct.
    private static let reservedKeys: Set<String> = ["time", "level", "service", "message", "source"]
    /// Hummingbird's internal request counter; our own `request_id` replaces it in logs.
    private static let droppedKeys: Set<String> = ["hb.request.id"]

    public init(service: String, level: Logger.Level = .info, sink: any LogSink = StandardOutputLogSink(), metadataProvider: Logger.MetadataProvider? = nil) {
        self.service = service
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = .string(String(describing: error))
        }
        var line = "{"
        JSONText.appendField("time", JSONText.quoted(Self.timestamp()), to: &line, first: true)
        JSONText.appendField("level", JSONText.quoted(event.level.rawValue), to: &line)
        JSONText.appendField("service", JSONText.quoted(service), to: &line)
        JSONText.appendField("message", JSONText.quoted(event.message.description), to: &line)
        if event.level >= .warning {
            JSONText.appendField("source", JSONText.quoted("\(event.file):\(event.line)"), to: &line)
        }
        for key in merged.keys.sorted() where !Self.droppedKeys.contains(key) {
            let name = Self.reservedKeys.contains(key) ? "meta_\(key)" : key
            JSONText.appendField(name, JSONText.encode(merged[key]!), to: &line)
        }
        line += "}"
        sink.write(line: line)
    }

    /// RFC 3339 UTC time with milliseconds, e.g. `2026-11-22T10:00:00.123Z`.
    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Minimal JSON text building for log lines, where Codable would allocate far more per line.
enum JSONText {
    static func appendField(_ name: String, _ value: String, to line: inout String, first: Bool = false) {
        if !first { line += "," }
        line += quoted(name)
        line += ":"
        line += value
    }

    static func encode(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): return quoted(string)
        case .stringConvertible(let convertible): return quoted(convertible.description)
        case .array(let values): return "[" + values.map(encode).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            return "{" + dictionary.keys.sorted().map { quoted($0) + ":" + encode(dictionary[$0]!) }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ string: String) -> String {
        var result = "\""
        result.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        result += "\""
        return result
    }
}
