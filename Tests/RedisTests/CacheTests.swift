import BazaarCore
import BazaarRedis
import BazaarTestSupport
import Foundation
import Synchronization
import Testing

@Suite("Cache-aside")
struct CacheTests {
    struct Product: Codable, Sendable, Equatable {
        var id: String
        var name: String
        var priceMinorUnits: Int64
    }

    /// Counts calls of a load function.
    final class LoadCounter: Sendable {
        private let storage = Atomic<Int>(0)
        var count: Int { storage.load(ordering: .relaxed) }
        @discardableResult func increment() -> Int { storage.add(1, ordering: .relaxed).newValue }
    }

    @Test("a value is loaded once, then served from Redis")
    func cachesValues() async throws {
        try await RedisFixture.withClient { redis async throws in
            let cache = Cache(client: redis, prefix: RedisFixture.uniquePrefix())
            let loads = LoadCounter()
            let key = CacheKey(namespace: "products", id: "42")
            for _ in 0..<3 {
                let product = try await cache.getOrLoad(key: key, ttl: .seconds(60)) {
                    loads.increment()
                    return Product(id: "42", name: "Teapot", priceMinorUnits: 2_499)
                }
                #expect(product == Product(id: "42", name: "Teapot", priceMinorUnits: 2_499))
            }
            #expect(loads.count == 1)
        }
    }

    @Test("100 concurrent misses of one key make exactly one load")
    func singleFlight() async throws {
        try await RedisFixture.withClient { redis async throws in
            let cache = Cache(client: redis, prefix: RedisFixture.uniquePrefix())
            let loads = LoadCounter()
            let key = CacheKey(namespace: "products", id: "hot")
            let results = try await withThrowingTaskGroup(of: Product.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await cache.getOrLoad(key: key, ttl: .seconds(60)) {
                            loads.increment()
                            try await Task.sleep(for: .milliseconds(200))
                            return Product(id: "hot", name: "Kettle", priceMinorUnits: 3_999)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 100)
            #expect(results.allSatisfy { $0.name == "Kettle" })
            #expect(loads.count == 1)
        }
    }

    @Test("invalidating a namespace reloads its entries and leaves other namespaces alone")
    func namespaceInvalidation() async throws {
        try await RedisFixture.withClient { redis async throws in
            let cache = Cache(client: redis, prefix: RedisFixture.uniquePrefix())
            let loads = LoadCounter()
            func product(_ id: String) async throws -> Product {
                try await cache.getOrLoad(key: CacheKey(namespace: "products", id: id), ttl: .seconds(60)) {
                    Product(id: id, name: "version \(loads.increment())", priceMinorUnits: 100)
                }
            }
            let otherLoads = LoadCounter()
            func category() async throws -> [UInt8] {
                try await cache.getOrLoadBytes(key: CacheKey(namespace: "categories", id: "all"), ttl: .seconds(60)) {
                    otherLoads.increment()
                    return Array(#"[{"id":"kitchen"}]"#.utf8)
                }
            }
            #expect(try await product("1").name == "version 1")
            #expect(try await product("2").name == "version 2")
            _ = try await category()
            #expect(try await product("1").name == "version 1")

            try await cache.invalidate(namespace: "products")
            #expect(try await product("1").name == "version 3")
            #expect(try await product("2").name == "version 4")
            #expect(try await product("1").name == "version 3")
            #expect(try await category() == Array(#"[{"id":"kitchen"}]"#.utf8))
            #expect(otherLoads.count == 1)
        }
    }

    @Test("already-encoded bytes are served as stored, and expire with their TTL")
    func bytesAndExpiry() async throws {
        try await RedisFixture.withClient { redis async throws in
            let cache = Cache(client: redis, prefix: RedisFixture.uniquePrefix())
            let loads = LoadCounter()
            let key = CacheKey(namespace: "pages", id: "/products?page=1")
            let body = Array(#"{"items":[1,2,3]}"#.utf8) + [0, 255]
            for _ in 0..<2 {
                let bytes = try await cache.getOrLoadBytes(key: key, ttl: .seconds(40)) {
                    loads.increment()
                    return body
                }
                #expect(bytes == body)
            }
            #expect(loads.count == 1)
            // The entry carries the TTL it was given; Redis expires it then. Rather than wait
            // 40 s, the test brings its expiry forward and waits until Redis dropped it.
            let entries = try #require(try await redis.send(command: ["KEYS", "\(cache.prefix):*pages*"]).array?.compactMap(\.string))
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            guard case .seconds(let remaining) = try await redis.timeToLive(entry) else {
                Issue.record("the cached entry has no expiry")
                return
            }
            #expect((1...40).contains(remaining))
            #expect(try await redis.expire(entry, after: .milliseconds(1)))
            try await eventually("the entry to expire") { try await redis.exists(entry) == 0 }
            _ = try await cache.getOrLoadBytes(key: key, ttl: .seconds(60)) {
                loads.increment()
                return body
            }
            #expect(loads.count == 2)
        }
    }

    @Test("an entry that no longer decodes is reloaded and replaced")
    func undecodableEntry() async throws {
        try await RedisFixture.withClient { redis async throws in
            let cache = Cache(client: redis, prefix: RedisFixture.uniquePrefix())
            let key = CacheKey(namespace: "products", id: "7")
            _ = try await cache.getOrLoadBytes(key: key, ttl: .seconds(60)) { Array("not json".utf8) }
            let product = try await cache.getOrLoad(key: key, ttl: .seconds(60)) {
                Product(id: "7", name: "Mug", priceMinorUnits: 800)
            }
            #expect(product.name == "Mug")
            let again = try await cache.getOrLoad(Product.self, key: key, ttl: .seconds(60)) {
                Issue.record("the replaced entry should have been served")
                return Product(id: "7", name: "Other", priceMinorUnits: 0)
            }
            #expect(again.name == "Mug")
        }
    }

    @Test("an error thrown by the loader reaches the caller")
    func loaderErrors() async throws {
        struct SourceDown: Error {}
        try await RedisFixture.withClient { redis async throws in
            let cache = Cache(client: redis, prefix: RedisFixture.uniquePrefix())
            await #expect(throws: SourceDown.self) {
                try await cache.getOrLoad(Product.self, key: CacheKey(namespace: "products", id: "x"), ttl: .seconds(5)) {
                    throw SourceDown()
                }
            }
        }
    }
}
