import Foundation
import Logging
import Metrics

/// Names one cached entry: a namespace (what ``Cache/invalidate(namespace:)`` clears at once,
/// e.g. `products`) and an id within it (`42`, `list:page=2`).
public struct CacheKey: Sendable, Hashable, CustomStringConvertible {
    /// The group the entry is invalidated with.
    public let namespace: String
    /// The entry's id within its namespace.
    public let id: String

    /// The entry `id` of `namespace`.
    public init(namespace: String, id: String) {
        self.namespace = namespace
        self.id = id
    }

    /// `namespace/id`.
    public var description: String { "\(namespace)/\(id)" }
}

/// Cache-aside on Redis: return the cached value, or load it from the source, store it with a
/// time to live and return it.
///
/// ```swift
/// let cache = Cache(client: redis, prefix: "catalog")
/// let product = try await cache.getOrLoad(key: CacheKey(namespace: "products", id: id), ttl: .seconds(300)) {
///     try await store.product(id: id)
/// }
/// try await cache.invalidate(namespace: "products")   // after a product changed
/// ```
///
/// - **Values**: Codable values are stored as JSON; ``getOrLoadBytes(key:ttl:load:)`` stores bytes
///   as they are, so a hot path can cache an already-encoded response body and serve it without
///   decoding and re-encoding.
/// - **Invalidation** by namespace version: each namespace has a counter (`<prefix>:{<namespace>}:version`)
///   that is part of every entry's key (`<prefix>:{<namespace>}:v<version>:<id>`).
///   ``invalidate(namespace:)`` increments it, so every entry of the namespace is unreachable at
///   once and expires by its TTL; nothing is scanned or deleted (no `KEYS`/`SCAN`). A load that
///   raced with an invalidation writes under the old version, which nobody reads any more.
///   Reading the version and the entry is one round trip (a Lua script).
/// - **Single flight**: concurrent misses of one key within the process share one Redis lookup and
///   one load.
/// - **Fail open**: when Redis fails, the value is loaded from the source and returned; the
///   failure is counted in `cache_failures_total{cache,operation}` and logged (at most every few
///   seconds), never thrown. Errors thrown by `load` itself do reach the caller.
///
/// Hits and misses are counted in `cache_lookups_total{cache,result}`.
public final class Cache: Sendable {
    /// The client whose Redis holds the entries.
    public let client: RedisClient
    /// The first part of every key, naming the cache (e.g. the service: `catalog`).
    public let prefix: String
    private let flights = SingleFlight<Loaded>()
    private let failures: FailureReporter
    private let hits: Counter
    private let misses: Counter

    /// A cache keeping its entries under `prefix` in `client`'s Redis.
    public init(client: RedisClient, prefix: String) {
        self.client = client
        self.prefix = prefix
        self.failures = FailureReporter(counter: "cache_failures_total", dimensions: [("cache", prefix)],
                                        factory: client.metricsFactory, logger: client.logger)
        self.hits = Counter(label: "cache_lookups_total", dimensions: [("cache", prefix), ("result", "hit")], factory: client.metricsFactory)
        self.misses = Counter(label: "cache_lookups_total", dimensions: [("cache", prefix), ("result", "miss")], factory: client.metricsFactory)
    }

    /// The cached value of `key`, or the value `load` returns (then cached for `ttl`), as JSON.
    ///
    /// A cached entry that no longer decodes as `Value` (its type changed) counts as a miss and
    /// is replaced.
    /// - Throws: Only what `load` throws; Redis failures are absorbed (see the type's documentation).
    public func getOrLoad<Value: Codable & Sendable>(_ type: Value.Type = Value.self, key: CacheKey, ttl: Duration,
                                                     load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let loaded = try await lookUp(key: key, ttl: ttl) {
            let value = try await load()
            return Loaded(bytes: Array(try JSONEncoder().encode(value)), value: value)
        }
        if let value = loaded.value as? Value { return value }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(loaded.bytes))
        } catch {
            failures.report("cached value does not decode; loading it again", operation: "decode", error: error,
                            metadata: ["cache_key": .string(key.description)])
            let value = try await load()
            // As on a miss: a value that does not encode is an error for the caller, not silently uncached.
            let bytes = Array(try JSONEncoder().encode(value))
            // `store` reports its own Redis failures; the cache stays fail-open.
            try? await store(bytes, key: key, version: nil, ttl: ttl)
            return value
        }
    }

    /// The cached bytes of `key`, or the bytes `load` returns (then cached for `ttl`) as they are.
    /// - Throws: Only what `load` throws; Redis failures are absorbed.
    public func getOrLoadBytes(key: CacheKey, ttl: Duration, load: @escaping @Sendable () async throws -> [UInt8]) async throws -> [UInt8] {
        try await lookUp(key: key, ttl: ttl) {
            Loaded(bytes: try await load(), value: nil)
        }.bytes
    }

    /// Makes every entry of `namespace` stale at once by incrementing its version.
    /// - Throws: ``RedisError`` when Redis could not be told: entries then stay valid until their
    ///   TTL ends, so retry (e.g. through the event handler's retries) when that matters.
    public func invalidate(namespace: String) async throws {
        try await client.increment(versionKey(namespace))
    }

    // MARK: - Lookup

    /// What a lookup produced: the stored bytes and, when this process loaded them, the value.
    struct Loaded: Sendable {
        let bytes: [UInt8]
        let value: (any Sendable)?
    }

    private func lookUp(key: CacheKey, ttl: Duration, load: @escaping @Sendable () async throws -> Loaded) async throws -> Loaded {
        try await flights.run(key: "\(key.namespace)\u{0}\(key.id)") { [self] in
            var version: String?
            do {
                let reply = try await client.evaluate(Self.readScript, keys: [versionKey(key.namespace)],
                                                      arguments: [.string(entryKeyPrefix(key.namespace)), .string(entryID(key.id))])
                guard let parts = reply.array, parts.count == 2, let currentVersion = parts[0].string else {
                    throw RedisError.unexpected(reply, from: "cache read script")
                }
                version = currentVersion
                if case .bulkString(let bytes) = parts[1] {
                    hits.increment()
                    return Loaded(bytes: bytes, value: nil)
                }
            } catch {
                failures.report("cache read failed; loading from the source", operation: "get", error: error,
                                metadata: ["cache_key": .string(key.description)])
            }
            misses.increment()
            let loaded = try await load()
            // Without the version the entry's key is unknown; writing under a guessed one could
            // resurrect an invalidated value, so a value loaded while Redis failed is not stored.
            if let version {
                try? await store(loaded.bytes, key: key, version: version, ttl: ttl)
            }
            return loaded
        }.value
    }

    /// Stores `bytes` as `key`'s entry for `ttl` under `version` (read now when nil); failures are
    /// reported and rethrown.
    private func store(_ bytes: [UInt8], key: CacheKey, version: String?, ttl: Duration) async throws {
        do {
            let resolvedVersion: String
            if let version { resolvedVersion = version } else { resolvedVersion = try await client.get(versionKey(key.namespace)) ?? "0" }
            try await client.set(entryKeyPrefix(key.namespace) + resolvedVersion + ":" + entryID(key.id), to: bytes, expiry: .after(ttl))
        } catch {
            failures.report("cache write failed", operation: "set", error: error, metadata: ["cache_key": .string(key.description)])
            throw error
        }
    }

    // MARK: - Keys

    /// `<prefix>:{<namespace>}:version`; the braces keep a namespace's keys in one cluster slot.
    func versionKey(_ namespace: String) -> String { "\(prefix):{\(namespace)}:version" }

    /// `<prefix>:{<namespace>}:v`, followed by the version, `:` and the id.
    func entryKeyPrefix(_ namespace: String) -> String { "\(prefix):{\(namespace)}:v" }

    /// The id as it appears in the key; an id longer than 128 bytes is replaced by its SHA-1.
    func entryID(_ id: String) -> String { id.utf8.count > 128 ? "sha1:" + SHA1.hexDigest(of: id.utf8) : id }

    /// Reads a namespace's version and the entry under it in one round trip.
    /// KEYS: the version key. ARGV: the entry key prefix, the id. Returns {version, entry or nil}.
    static let readScript = RedisScript("""
        local version = redis.call('GET', KEYS[1]) or '0'
        return {version, redis.call('GET', ARGV[1] .. version .. ':' .. ARGV[2])}
        """)
}
