/// Typed commands: each sends one command and unwraps its reply. They throw ``RedisError`` as
/// ``RedisClient/send(_:)`` does, and ``RedisError/Kind/unexpectedReply`` when the reply has
/// another type than the command promises (e.g. `WRONGTYPE` arrives as a server error instead).
extension RedisClient {
    // MARK: Strings

    /// `GET`: the value as UTF-8 text, or nil when the key is missing.
    public func get(_ key: String) async throws -> String? {
        try await getBytes(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `GET`: the value's bytes, or nil when the key is missing.
    public func getBytes(_ key: String) async throws -> [UInt8]? {
        switch try await execute(.get(key)) {
        case .bulkString(let bytes): return bytes
        case .null: return nil
        case let other: throw RedisError.unexpected(other, from: "GET")
        }
    }

    /// `SET` with an optional expiry (`EX`/`PX`) and condition (`NX`/`XX`).
    /// - Returns: Whether the value was written (false only when `condition` prevented it).
    @discardableResult
    public func set(_ key: String, to value: RedisArgument, expiry: RedisExpiry? = nil,
                    condition: RedisSetCondition = .always) async throws -> Bool {
        switch try await execute(.set(key, to: value, expiry: expiry, condition: condition)) {
        case .status: return true
        case .null: return false
        case let other: throw RedisError.unexpected(other, from: "SET")
        }
    }

    /// `SET` of a text value (see the ``RedisArgument`` overload).
    @discardableResult
    public func set(_ key: String, to value: String, expiry: RedisExpiry? = nil,
                    condition: RedisSetCondition = .always) async throws -> Bool {
        try await set(key, to: .string(value), expiry: expiry, condition: condition)
    }

    /// `SET` of raw bytes (see the ``RedisArgument`` overload).
    @discardableResult
    public func set(_ key: String, to value: [UInt8], expiry: RedisExpiry? = nil,
                    condition: RedisSetCondition = .always) async throws -> Bool {
        try await set(key, to: .bytes(value), expiry: expiry, condition: condition)
    }

    /// `DEL`: how many of the keys existed and were removed.
    @discardableResult
    public func delete(_ keys: String...) async throws -> Int {
        try await integer(.delete(keys))
    }

    /// `EXISTS`: how many of the keys exist.
    public func exists(_ keys: String...) async throws -> Int {
        try await integer(.exists(keys))
    }

    /// `EXPIRE`/`PEXPIRE`: whether the key existed and now expires after `expiry`.
    @discardableResult
    public func expire(_ key: String, after expiry: RedisExpiry) async throws -> Bool {
        try await integer(.expire(key, after: expiry)) == 1
    }

    /// `TTL`: the key's remaining time to live in seconds, or that it has none or is missing.
    public func timeToLive(_ key: String) async throws -> RedisTimeToLive {
        switch try await integer(.timeToLive(key)) {
        case -2: .keyMissing
        case -1: .noExpiry
        case let seconds: .seconds(seconds)
        }
    }

    /// `INCR`/`INCRBY`: the value after adding `amount` (a missing key counts from 0).
    @discardableResult
    public func increment(_ key: String, by amount: Int = 1) async throws -> Int {
        try await integer(.increment(key, by: amount))
    }

    // MARK: Hashes

    /// `HGET`: the field's value as UTF-8 text, or nil when the key or field is missing.
    public func hashGet(_ key: String, field: String) async throws -> String? {
        switch try await execute(.hashGet(key, field: field)) {
        case .bulkString(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .null: return nil
        case let other: throw RedisError.unexpected(other, from: "HGET")
        }
    }

    /// `HSET` of several fields at once: how many of them were new.
    @discardableResult
    public func hashSet(_ key: String, fields: [String: RedisArgument]) async throws -> Int {
        try await integer(.hashSet(key, fields: fields.map { (field: $0.key, value: $0.value) }))
    }

    /// `HSET` of one field: whether it was new.
    @discardableResult
    public func hashSet(_ key: String, field: String, to value: RedisArgument) async throws -> Bool {
        try await integer(.hashSet(key, fields: [(field: field, value: value)])) == 1
    }

    /// `HGETALL`: every field and its value as UTF-8 text; empty when the key is missing.
    public func hashGetAll(_ key: String) async throws -> [String: String] {
        let reply = try await execute(.hashGetAll(key))
        guard let elements = reply.array, elements.count % 2 == 0 else { throw RedisError.unexpected(reply, from: "HGETALL") }
        var fields: [String: String] = [:]
        fields.reserveCapacity(elements.count / 2)
        for index in stride(from: 0, to: elements.count, by: 2) {
            guard let field = elements[index].string, let value = elements[index + 1].string else {
                throw RedisError.unexpected(reply, from: "HGETALL")
            }
            fields[field] = value
        }
        return fields
    }

    /// `HDEL`: how many of the fields existed and were removed.
    @discardableResult
    public func hashDelete(_ key: String, fields: String...) async throws -> Int {
        try await integer(.hashDelete(key, fields: fields))
    }

    // MARK: Helpers

    /// Sends `command` and expects an integer reply.
    func integer(_ command: RedisCommand) async throws -> Int {
        let reply = try await execute(command)
        guard case .integer(let value) = reply else { throw RedisError.unexpected(reply, from: command.name) }
        return Int(value)
    }
}
