/// An error from Redis or from talking to it: what went wrong, the message of the server or of
/// hiredis, and whether trying again can help.
///
/// - Connection problems (``Kind/connection``, ``Kind/timeout``) are retriable: the connection
///   was dropped and the next command opens a new one. A command that failed this way may or may
///   not have run on the server, so retry only what is safe to repeat.
/// - Error replies (``Kind/server``, e.g. `WRONGTYPE ...`) keep the server's message and its
///   code (the first word, such as `WRONGTYPE` or `NOSCRIPT`); they are not retriable, except for
///   the few codes that describe a passing state (`LOADING`, `BUSY`, `TRYAGAIN`, `MASTERDOWN`).
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: String, Sendable, Hashable {
        /// No connection could be made, or the connection broke (hiredis I/O, EOF or protocol error).
        case connection
        /// The server did not answer within the command (or connect) timeout; the connection was dropped.
        case timeout
        /// The server answered with an error reply.
        case server
        /// The reply had a type the typed command did not expect.
        case unexpectedReply
        /// The command cannot run on a pooled, shared connection (MULTI, SELECT, SUBSCRIBE, ...).
        case unsupportedCommand
        /// The client was shut down.
        case shutDown
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The server's error message, or hiredis' description of the failure.
    public let message: String
    /// For ``Kind/server``: the error code, i.e. the first word of the message (`ERR`,
    /// `WRONGTYPE`, `NOSCRIPT`, `EXECABORT`, ...). Nil for other kinds.
    public let code: String?
    /// Whether the same command may succeed if tried again later.
    public let isRetriable: Bool

    /// `Redis <kind> error: <message>`, marked `[retriable]` when it is.
    public var description: String {
        "Redis \(kind.rawValue) error: \(message)" + (isRetriable ? " [retriable]" : "")
    }

    /// An error of `kind` with `message`; retriable for connection problems and passing server states.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
        switch kind {
        case .server:
            let code = message.prefix { $0 != " " }
            self.code = code.isEmpty ? nil : String(code)
            self.isRetriable = Self.transientServerCodes.contains(String(code))
        case .connection, .timeout:
            self.code = nil
            self.isRetriable = true
        case .unexpectedReply, .unsupportedCommand, .shutDown:
            self.code = nil
            self.isRetriable = false
        }
    }

    /// Server error codes that describe a state that passes (a replica loading its data set, a
    /// busy script, a cluster reconfiguring).
    static let transientServerCodes: Set<String> = ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN"]

    /// The error for a reply of the wrong type.
    public static func unexpected(_ reply: RedisValue, from command: String) -> RedisError {
        RedisError(kind: .unexpectedReply, message: "unexpected reply to \(command): \(reply)")
    }

    /// The error for using the client after ``RedisClient/shutdown()``.
    static let shutDown = RedisError(kind: .shutDown, message: "the Redis client was shut down")
}
