import BazaarCore
import BazaarRedis
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Read responses as already-encoded JSON with an `ETag`, kept in Redis (when caching is on) so
/// hot pages are served without touching MongoDB or encoding anything.
struct CachedResponses: Sendable {
    /// Nil when `CATALOG_CACHE=off`: every response is built from MongoDB.
    let cache: Cache?
    let logger: Logger

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    enum Namespace: String, CaseIterable {
        case productLists = "product-lists"
        case productDetails = "products"
        case categories
        case brands

        var ttl: Duration {
            switch self {
            case .productLists: .seconds(300)
            case .productDetails: .seconds(600)
            case .categories, .brands: .seconds(3600)
            }
        }
    }

    /// A body and its entity tag.
    struct Entity: Sendable {
        let etag: String
        let body: [UInt8]
    }

    /// The cached entity for `id` in `namespace`, or the one `load` builds (then cached).
    /// `tag` (e.g. a version) goes in front of the content hash in the `ETag`.
    func entity(_ namespace: Namespace, id: String, load: @escaping @Sendable () async throws -> (value: any Encodable & Sendable, tag: String?)) async throws -> Entity {
        let build: @Sendable () async throws -> [UInt8] = {
            let (value, tag) = try await load()
            let body = Array(try Self.encoder.encode(value))
            let hash = SHA256.hash(data: body).prefix(8).hexString
            let etag = "\"" + (tag.map { "\($0)-" } ?? "") + hash + "\""
            return Array(etag.utf8) + [0x0A] + body
        }
        let stored: [UInt8]
        if let cache {
            stored = try await cache.getOrLoadBytes(key: CacheKey(namespace: namespace.rawValue, id: id), ttl: namespace.ttl, load: build)
        } else {
            stored = try await build()
        }
        guard let newline = stored.firstIndex(of: 0x0A) else { throw CachedEntityError() }
        return Entity(etag: String(decoding: stored[..<newline], as: UTF8.self), body: Array(stored[(newline + 1)...]))
    }

    /// 304 when the client already holds this version, else the body; both with `ETag` and a
    /// `Cache-Control` that makes clients revalidate every time (a changed price shows at once).
    static func response(_ entity: Entity, for request: Request) -> Response {
        var headers: HTTPFields = [.eTag: entity.etag, .cacheControl: "public, no-cache"]
        if let ifNoneMatch = request.headers[.ifNoneMatch],
           ifNoneMatch.split(separator: ",").contains(where: { tag in
               let tag = tag.trimmingOptionalWhitespace
               return tag == "*" || (tag.hasPrefix("W/") ? tag.dropFirst(2) : tag) == entity.etag
           }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: entity.body)))
    }

    /// Makes the cached answers of `namespaces` stale, before the write's response is sent. If
    /// Redis cannot be told, entries would outlive the change until their TTL, so it is retried
    /// in the background and logged.
    func invalidate(_ namespaces: [Namespace]) async {
        guard let cache else { return }
        var failed: [Namespace] = []
        for namespace in namespaces {
            do {
                try await cache.invalidate(namespace: namespace.rawValue)
            } catch {
                failed.append(namespace)
                logger.error("could not invalidate cached responses; retrying", metadata: ["namespace": .string(namespace.rawValue), "error": .string("\(error)")])
            }
        }
        guard !failed.isEmpty else { return }
        let logger = self.logger
        Task {
            for attempt in 1...30 {
                try await Task.sleep(for: .seconds(min(attempt, 10)))
                do {
                    for namespace in failed { try await cache.invalidate(namespace: namespace.rawValue) }
                    logger.notice("invalidated cached responses after a Redis failure")
                    return
                } catch {
                    continue
                }
            }
            logger.error("gave up invalidating cached responses; they expire with their TTL")
        }
    }

    struct CachedEntityError: Error, CustomStringConvertible {
        var description: String { "a cached response has no entity tag" }
    }
}

