/// One argument of a Redis command: text, raw bytes or an integer. Redis sees each as a
/// binary-safe bulk string, so keys and values may hold any bytes.
///
/// String literals (also interpolated) and integer literals convert implicitly:
/// `client.send(command: ["HINCRBY", "cart:\(id)", "sku-9", 2])`.
public enum RedisArgument: Sendable, Hashable, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral {
    /// Text, sent as its UTF-8 bytes.
    case string(String)
    /// Raw bytes (an already-encoded document, a binary id, ...).
    case bytes([UInt8])
    /// An integer, sent in decimal.
    case integer(Int)

    /// A text argument from a string literal.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// A text argument from an interpolated string literal.
    public init(stringInterpolation: DefaultStringInterpolation) {
        self = .string(String(stringInterpolation: stringInterpolation))
    }

    /// An integer argument from an integer literal.
    public init(integerLiteral value: Int) {
        self = .integer(value)
    }

    /// The bytes Redis receives.
    var encodedBytes: [UInt8] {
        switch self {
        case .string(let text): Array(text.utf8)
        case .bytes(let bytes): bytes
        case .integer(let value): Array(String(value).utf8)
        }
    }

    /// Appends `$<length>\r\n<bytes>\r\n`.
    func appendBulkString(to buffer: inout [UInt8]) {
        switch self {
        case .string(var text):
            // Contiguous UTF-8 lets us copy without an intermediate array.
            text.withUTF8 { utf8 in RESP.appendBulk(UnsafeRawBufferPointer(utf8), to: &buffer) }
        case .bytes(let bytes):
            bytes.withUnsafeBytes { RESP.appendBulk($0, to: &buffer) }
        case .integer(let value):
            var text = String(value)
            text.withUTF8 { utf8 in RESP.appendBulk(UnsafeRawBufferPointer(utf8), to: &buffer) }
        }
    }
}

/// A Redis command: its name and arguments, e.g. `RedisCommand("HSET", ["cart:42", "sku-1", 3])`.
///
/// Build commands for ``RedisClient/pipeline(_:)`` and ``RedisClient/transaction(_:)`` with the
/// static constructors (`.get("key")`, `.set("key", to: "value", expiry: .seconds(60))`, ...),
/// or spell any other command out.
public struct RedisCommand: Sendable, Hashable, CustomStringConvertible {
    /// Every word of the command, name first.
    public let arguments: [RedisArgument]

    /// A command named `name` with `arguments`.
    public init(_ name: String, _ arguments: [RedisArgument] = []) {
        self.arguments = [.string(name)] + arguments
    }

    /// A command given as all of its words, name first (what ``RedisClient/send(command:)`` takes).
    public init(words: [RedisArgument]) {
        self.arguments = words
    }

    /// The command name in upper case, e.g. `SET`.
    public var name: String {
        guard let first = arguments.first else { return "" }
        return String(decoding: first.encodedBytes, as: UTF8.self).uppercased()
    }

    /// The command name and how many arguments it has (never the arguments: they may be secrets).
    public var description: String { "\(name) (\(max(arguments.count - 1, 0)) arguments)" }

    /// The command in the Redis protocol: `*<count>\r\n` and one bulk string per word.
    func encode(to buffer: inout [UInt8]) {
        RESP.appendHeader(UInt8(ascii: "*"), arguments.count, to: &buffer)
        for argument in arguments { argument.appendBulkString(to: &buffer) }
    }

    /// Commands that change the state of the connection they run on. Connections are shared by
    /// every caller and commands from several callers may be pipelined together, so these are
    /// refused; use ``RedisClient/transaction(_:)`` for MULTI/EXEC.
    static let connectionStateCommands: Set<String> = [
        "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "AUTH", "HELLO", "RESET", "QUIT",
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
        "MONITOR", "SYNC", "PSYNC", "REPLCONF",
    ]

    /// Throws when the command must not run on a shared connection (see ``connectionStateCommands``).
    func validateForSharedConnection() throws(RedisError) {
        guard !arguments.isEmpty else {
            throw RedisError(kind: .unsupportedCommand, message: "empty command")
        }
        let name = self.name
        if Self.connectionStateCommands.contains(name) {
            throw RedisError(kind: .unsupportedCommand,
                             message: "\(name) changes the state of a pooled connection and is not supported here"
                                 + (name == "MULTI" || name == "EXEC" ? "; use RedisClient.transaction" : ""))
        }
        if name == "CLIENT", arguments.count > 1,
           String(decoding: arguments[1].encodedBytes, as: UTF8.self).uppercased() == "REPLY" {
            throw RedisError(kind: .unsupportedCommand, message: "CLIENT REPLY is not supported on pooled connections")
        }
    }
}

/// Writing the Redis serialisation protocol (RESP2) requests by hand: hiredis then sends the
/// bytes as they are, and the blocking threads do no formatting work.
enum RESP {
    static let crlf: [UInt8] = [13, 10]

    /// Appends `<marker><count>\r\n`.
    static func appendHeader(_ marker: UInt8, _ count: Int, to buffer: inout [UInt8]) {
        buffer.append(marker)
        appendDecimal(count, to: &buffer)
        buffer.append(contentsOf: crlf)
    }

    /// Appends `$<length>\r\n<bytes>\r\n`.
    static func appendBulk(_ bytes: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        appendHeader(UInt8(ascii: "$"), bytes.count, to: &buffer)
        buffer.append(contentsOf: bytes)
        buffer.append(contentsOf: crlf)
    }

    /// Appends a non-negative integer in decimal (a small string: no allocation).
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(value).utf8)
    }
}
