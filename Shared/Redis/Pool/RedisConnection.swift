import CHiredis
import Foundation

/// One blocking hiredis connection (`redisContext`), owned and used by exactly one pool thread.
///
/// It connects lazily, authenticates and selects the database, sends whole batches of
/// pre-encoded requests in one write, and reads their replies. Any I/O, protocol or timeout
/// failure frees the context: the connection's state is unknown after it, and the next batch
/// connects afresh. The pointer never leaves this class; the class never leaves its thread.
final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?
    private let configuration: RedisConfiguration

    init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    deinit {
        close()
    }

    /// Whether a context is open.
    var isConnected: Bool { context != nil }

    /// Frees the context, closing the socket.
    func close() {
        if let context {
            redisFree(context)
            self.context = nil
        }
    }

    /// Opens the connection: TCP connect within the connect timeout, then the command timeout on
    /// the socket, TCP keep-alive, `AUTH` and `SELECT` as configured.
    func connect() throws(RedisError) {
        close()
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port), Self.makeTimeval(configuration.connectTimeout)) else {
            throw RedisError(kind: .connection, message: "hiredis could not allocate a connection")
        }
        if context.pointee.err != 0 {
            let error = Self.error(of: context, errorNumber: errno, doing: "connecting to \(endpoint)")
            redisFree(context)
            throw error
        }
        self.context = context
        _ = redisSetTimeout(context, Self.makeTimeval(configuration.commandTimeout))
        _ = redisEnableKeepAlive(context)
        var setup: [RedisCommand] = []
        if let password = configuration.password {
            setup.append(RedisCommand("AUTH", (configuration.username.map { [RedisArgument.string($0)] } ?? []) + [.string(password)]))
        }
        if configuration.database != 0 {
            setup.append(RedisCommand("SELECT", [.integer(configuration.database)]))
        }
        guard !setup.isEmpty else { return }
        var request: [UInt8] = []
        for command in setup { command.encode(to: &request) }
        let replies = try execute(request: request, replyCount: setup.count)
        for (command, reply) in zip(setup, replies) {
            if case .error(let message) = reply {
                close()
                throw RedisError(kind: .server, message: "\(command.name) failed on \(endpoint): \(message)")
            }
        }
    }

    /// Drops a connection the server has closed since its last batch (after a restart, or its idle
    /// `timeout`), so the next batch reconnects instead of failing on a dead socket.
    ///
    /// Checked before every batch, not only after some idle time: one non-blocking `poll(2)` costs
    /// far less than the batch's own write and read, and a time threshold would let a restart
    /// quicker than the threshold reach the caller as an error.
    func dropIfClosedByServer() {
        guard let context else { return }
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        // An idle connection has nothing to read: readable means end of file or an error.
        if poll(&descriptor, 1, 0) > 0 {
            close()
        }
    }

    /// Appends `request` (one or more encoded commands) to the output buffer; the next read sends it.
    func append(request: [UInt8]) throws(RedisError) {
        guard let context else { throw RedisError(kind: .connection, message: "not connected to \(endpoint)") }
        let result = request.withUnsafeBytes { bytes in
            redisAppendFormattedCommand(context, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        if result != REDIS_OK {
            let error = Self.error(of: context, errorNumber: errno, doing: "buffering a command for \(endpoint)")
            close()
            throw error
        }
    }

    /// Reads the next reply, first writing whatever is buffered. A failure closes the connection.
    func readReply() throws(RedisError) -> RedisValue {
        guard let context else { throw RedisError(kind: .connection, message: "not connected to \(endpoint)") }
        var reply: UnsafeMutableRawPointer?
        if redisGetReply(context, &reply) != REDIS_OK || reply == nil {
            let error = Self.error(of: context, errorNumber: errno, doing: "talking to \(endpoint)")
            if let reply { freeReplyObject(reply) }
            close()
            throw error
        }
        defer { freeReplyObject(reply) }
        // hiredis' default reply functions build `redisReply` objects.
        return Self.value(of: reply!.assumingMemoryBound(to: redisReply.self))
    }

    /// Sends `request` and reads `replyCount` replies (used while setting up the connection).
    func execute(request: [UInt8], replyCount: Int) throws(RedisError) -> [RedisValue] {
        try append(request: request)
        var replies: [RedisValue] = []
        replies.reserveCapacity(replyCount)
        for _ in 0..<replyCount { replies.append(try readReply()) }
        return replies
    }

    /// `host:port`, for messages.
    var endpoint: String { "\(configuration.host):\(configuration.port)" }

    /// Copies a hiredis reply tree into a ``RedisValue``.
    static func value(of reply: UnsafePointer<redisReply>) -> RedisValue {
        let reply = reply.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .bulkString(bytes(reply.str, reply.len))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(reply.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                if let element = reply.element[index] { elements.append(value(of: element)) } else { elements.append(.null) }
            }
            return .array(elements)
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(reply.str, reply.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(reply.str, reply.len), as: UTF8.self))
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// The error hiredis recorded on `context`; `errorNumber` is `errno` right after the failing
    /// call (hiredis 0.14 reports a socket timeout as an I/O error with `EAGAIN`).
    static func error(of context: UnsafeMutablePointer<redisContext>, errorNumber: Int32, doing activity: String) -> RedisError {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let code = context.pointee.err
        if code == REDIS_ERR_IO, errorNumber == EAGAIN || errorNumber == EWOULDBLOCK || errorNumber == ETIMEDOUT || text.contains("timed out") {
            return RedisError(kind: .timeout, message: "\(activity): no answer in time (\(text))")
        }
        let reason = switch code {
        case REDIS_ERR_EOF: "the server closed the connection"
        case REDIS_ERR_PROTOCOL: "protocol error: \(text)"
        case REDIS_ERR_OOM: "out of memory"
        default: text.isEmpty ? "I/O error \(errorNumber)" : text
        }
        return RedisError(kind: .connection, message: "\(activity): \(reason)")
    }

    /// A `timeval` for `duration` (at least one millisecond).
    static func makeTimeval(_ duration: Duration) -> timeval {
        let microseconds = max(duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000, 1000)
        return timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
    }
}
