/// One reply from Redis, typed as the server sent it (RESP2).
///
/// Typed commands such as ``RedisClient/get(_:)`` unwrap replies for you; ``RedisClient/send(command:)``,
/// pipelines and transactions hand them out as they are. An error reply inside a pipeline or a
/// transaction's results is the value ``error(_:)``; a single command's error reply is thrown as a
/// ``RedisError`` of kind ``RedisError/Kind/server`` instead.
public enum RedisValue: Sendable, Hashable, CustomStringConvertible {
    /// A bulk string: binary-safe bytes (a value stored with SET, a hash field, ...).
    case bulkString([UInt8])
    /// An integer reply (INCR, DEL, EXISTS, TTL, ...).
    case integer(Int64)
    /// An array of replies (HGETALL, EXEC, a script returning a table, ...).
    case array([RedisValue])
    /// The null reply: a missing key for GET, a SET NX that did not set, ...
    case null
    /// A simple status reply such as `OK`, `PONG` or `QUEUED`.
    case status(String)
    /// An error reply, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`.
    case error(String)

    /// The bytes of a bulk string or a status; nil for other replies.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// A bulk string or status decoded as UTF-8 (invalid sequences replaced), an integer in
    /// decimal; nil for null, arrays and errors.
    public var string: String? {
        switch self {
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        case .integer(let value): String(value)
        default: nil
        }
    }

    /// An integer reply, or a bulk string holding a decimal integer (what GET returns for a
    /// counter); nil otherwise.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulkString(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The elements of an array reply; nil otherwise.
    public var array: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is the null reply.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The message of an error reply; nil otherwise.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// A short, log-friendly rendering (bulk strings are shown as text, truncated at 64 bytes).
    public var description: String {
        switch self {
        case .bulkString(let bytes):
            let text = String(decoding: bytes.prefix(64), as: UTF8.self)
            return "\"\(text)\"" + (bytes.count > 64 ? "…(\(bytes.count) bytes)" : "")
        case .integer(let value): return "(integer) \(value)"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .null: return "(nil)"
        case .status(let text): return text
        case .error(let message): return "(error) \(message)"
        }
    }
}
