/// When a key set with ``RedisCommand/set(_:to:expiry:condition:)`` or given to
/// ``RedisCommand/expire(_:after:)`` expires.
public enum RedisExpiry: Sendable, Hashable {
    /// After whole seconds (`EX` / `EXPIRE`).
    case seconds(Int)
    /// After milliseconds (`PX` / `PEXPIRE`).
    case milliseconds(Int)

    /// After `duration`, in whole seconds when it is a whole number of seconds, otherwise in
    /// milliseconds rounded up (at least 1 ms).
    public static func after(_ duration: Duration) -> RedisExpiry {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0, seconds > 0 { return .seconds(Int(seconds)) }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return .milliseconds(Int(max(milliseconds, 1)))
    }
}

/// Which existing state lets ``RedisCommand/set(_:to:expiry:condition:)`` write.
public enum RedisSetCondition: Sendable, Hashable {
    /// Always set (plain `SET`).
    case always
    /// Only when the key does not exist yet (`NX`): locks, idempotency keys, first writer wins.
    case ifNotExists
    /// Only when the key already exists (`XX`).
    case ifExists
}

/// The remaining time to live of a key, as `TTL` reports it.
public enum RedisTimeToLive: Sendable, Hashable {
    /// The key does not exist (`-2`).
    case keyMissing
    /// The key exists and never expires (`-1`).
    case noExpiry
    /// The key expires in this many whole seconds.
    case seconds(Int)
}

extension RedisCommand {
    /// `GET key`: a bulk string, or null when the key is missing.
    public static func get(_ key: String) -> RedisCommand {
        RedisCommand("GET", [.string(key)])
    }

    /// `SET key value [EX s | PX ms] [NX | XX]`: `OK`, or null when `condition` prevented the write.
    public static func set(_ key: String, to value: RedisArgument, expiry: RedisExpiry? = nil,
                           condition: RedisSetCondition = .always) -> RedisCommand {
        var arguments: [RedisArgument] = [.string(key), value]
        switch expiry {
        case .seconds(let seconds): arguments += ["EX", .integer(seconds)]
        case .milliseconds(let milliseconds): arguments += ["PX", .integer(milliseconds)]
        case nil: break
        }
        switch condition {
        case .always: break
        case .ifNotExists: arguments.append("NX")
        case .ifExists: arguments.append("XX")
        }
        return RedisCommand("SET", arguments)
    }

    /// `DEL key...`: how many of the keys existed.
    public static func delete(_ keys: [String]) -> RedisCommand {
        RedisCommand("DEL", keys.map(RedisArgument.string))
    }

    /// `EXISTS key...`: how many of the keys exist (a key named twice counts twice).
    public static func exists(_ keys: [String]) -> RedisCommand {
        RedisCommand("EXISTS", keys.map(RedisArgument.string))
    }

    /// `EXPIRE key s` or `PEXPIRE key ms`: 1 when the timeout was set, 0 when the key is missing.
    public static func expire(_ key: String, after expiry: RedisExpiry) -> RedisCommand {
        switch expiry {
        case .seconds(let seconds): RedisCommand("EXPIRE", [.string(key), .integer(seconds)])
        case .milliseconds(let milliseconds): RedisCommand("PEXPIRE", [.string(key), .integer(milliseconds)])
        }
    }

    /// `TTL key`: seconds left, `-1` without expiry, `-2` when missing.
    public static func timeToLive(_ key: String) -> RedisCommand {
        RedisCommand("TTL", [.string(key)])
    }

    /// `INCR key` (or `INCRBY key amount`): the new value; a missing key counts from 0.
    public static func increment(_ key: String, by amount: Int = 1) -> RedisCommand {
        amount == 1 ? RedisCommand("INCR", [.string(key)]) : RedisCommand("INCRBY", [.string(key), .integer(amount)])
    }

    /// `HGET key field`: the field's value, or null.
    public static func hashGet(_ key: String, field: String) -> RedisCommand {
        RedisCommand("HGET", [.string(key), .string(field)])
    }

    /// `HSET key field value [field value ...]`: how many fields were new.
    public static func hashSet(_ key: String, fields: [(field: String, value: RedisArgument)]) -> RedisCommand {
        var arguments: [RedisArgument] = [.string(key)]
        arguments.reserveCapacity(1 + fields.count * 2)
        for (field, value) in fields { arguments += [.string(field), value] }
        return RedisCommand("HSET", arguments)
    }

    /// `HGETALL key`: fields and values, alternating; empty when the key is missing.
    public static func hashGetAll(_ key: String) -> RedisCommand {
        RedisCommand("HGETALL", [.string(key)])
    }

    /// `HDEL key field...`: how many fields were removed.
    public static func hashDelete(_ key: String, fields: [String]) -> RedisCommand {
        RedisCommand("HDEL", [.string(key)] + fields.map(RedisArgument.string))
    }
}
