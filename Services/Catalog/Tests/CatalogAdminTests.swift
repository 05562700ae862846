@testable import BazaarCatalog
import BazaarContracts
import BazaarCore
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("catalog administration")
struct CatalogAdminTests {
    @Test("admin endpoints: 401 without a token, 403 for a customer")
    func roles() async throws {
        try await CatalogHarness.run(seed: false) { catalog async throws in
            let body = CatalogHarness.newProduct()
            #expect(try await catalog.send(.post, "/api/catalog/products", json: body).status == .unauthorized)
            #expect(try await catalog.send(.post, "/api/catalog/products", json: body, token: catalog.customerToken).status == .forbidden)
            #expect(try await catalog.send(.delete, "/api/catalog/categories/c-x", token: catalog.customerToken).status == .forbidden)
            #expect(try await catalog.send(.post, "/api/catalog/brands", json: ["name": "X"], token: catalog.customerToken).status == .forbidden)
        }
    }

    @Test("creating a product validates fields, refuses a duplicate SKU or slug (409) and publishes product.created once")
    func create() async throws {
        try await CatalogHarness.run { catalog in
            let invalid = try await catalog.send(.post, "/api/catalog/products", json: [
                "sku": "bad sku!", "name": "", "categoryIds": ["c-nope"], "price": ["minorUnits": -5, "currency": "EUR"] as [String: any Sendable],
            ], token: catalog.adminToken)
            #expect(invalid.status == .badRequest)
            let body = CatalogHarness.newProduct(sku: "TST-NEW-1")
            let created = try await catalog.send(.post, "/api/catalog/products", json: body, token: catalog.adminToken)
            #expect(created.status == .created, "\(created.text)")
            let product = try created.jsonObject()
            let id = try #require(product["id"] as? String)
            #expect(created.headers[.location] == "/api/catalog/products/\(id)")
            #expect(product["version"] as? Int == 1)
            #expect(product["slug"] as? String == "test-cable-3-x-2-5-mm2-25-m")
            #expect(try await catalog.send(.post, "/api/catalog/products", json: body, token: catalog.adminToken).status == .conflict)
            var sameSlug = CatalogHarness.newProduct(sku: "TST-NEW-2")
            sameSlug["slug"] = product["slug"] as? String
            #expect(try await catalog.send(.post, "/api/catalog/products", json: sameSlug, token: catalog.adminToken).status == .conflict)
            // Readable at once (the write invalidated the cached pages).
            let search = try await catalog.get("/api/catalog/products?q=TST-NEW-1")
            #expect(search["total"] as? Int == 1)
            let messages = try await TestKafka.collect([catalog.catalogTopic], count: DemoCatalog.products.count + 1, timeout: .seconds(40), settle: .seconds(1))
            let created1 = try events(ProductCreated.self, in: messages).filter { $0.data.product.sku == "TST-NEW-1" }
            #expect(created1.count == 1)
            #expect(created1.first?.data.product.price == Money(minorUnits: 3_990, currency: "EUR"))
        }
    }

    @Test("a price change is visible at once, publishes product.updated with the price, and a stale If-Match is 412")
    func updateAndConcurrency() async throws {
        try await CatalogHarness.run { catalog in
            let product = try #require(DemoCatalog.products.first { $0.active })
            let path = "/api/catalog/products/\(product.id)"
            // Warm the caches first, so the test proves invalidation.
            let before = try await catalog.get(path)
            _ = try await catalog.get("/api/catalog/products?q=\(product.sku)")
            let etag = try #require(try await catalog.send(.get, path).headers[.eTag])
            let patched = try await catalog.send(.patch, path, json: ["price": ["minorUnits": 12_345, "currency": "EUR"] as [String: any Sendable]], token: catalog.adminToken,
                                                 headers: [.ifMatch: etag])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(try patched.jsonObject()["version"] as? Int == 2)
            let after = try await catalog.get(path)
            #expect(((after["product"] as? [String: Any])?["price"] as? [String: Any])?["minorUnits"] as? Int == 12_345)
            #expect(NSDictionary(dictionary: before) != NSDictionary(dictionary: after))
            let listed = try await catalog.get("/api/catalog/products?q=\(product.sku)")
            #expect((((listed["items"] as? [[String: Any]])?.first)?["price"] as? [String: Any])?["minorUnits"] as? Int == 12_345)
            // A second admin still holding the old ETag loses: 412, nothing changes.
            let stale = try await catalog.send(.patch, path, json: ["name": "Overwritten"], token: catalog.adminToken, headers: [.ifMatch: etag])
            #expect(stale.status == .preconditionFailed)
            #expect(((try await catalog.get(path))["product"] as? [String: Any])?["name"] as? String == product.name)
            // Null is only "clear it" for brand and compareAtPrice; for any other field it is a 400,
            // as is an invalid value, found before the stale If-Match; nothing changes.
            let overlongAttribute = #"{"attributes":{"colour":"\#(String(repeating: "x", count: 201))"}}"#
            for body in [#"{"featured":null}"#, #"{"name":null,"price":{"minorUnits":1,"currency":"EUR"}}"#, #"{"slug":null}"#, overlongAttribute] {
                let refused = try await catalog.service.send(.patch, path, raw: body, token: catalog.adminToken, headers: [.ifMatch: etag])
                #expect(refused.status == .badRequest, "\(body): \(refused.text)")
            }
            #expect(try await catalog.get(path)["product"].flatMap { ($0 as? [String: Any])?["version"] as? Int } == 2)
            let messages = try await TestKafka.collect([catalog.catalogTopic], count: DemoCatalog.products.count + 1, timeout: .seconds(40), settle: .seconds(1))
            let updates = try events(ProductUpdated.self, in: messages)
            #expect(updates.count == 1)
            #expect(updates.first?.data.product.price.minorUnits == 12_345)
            #expect(updates.first?.data.product.version == 2)
        }
    }

    @Test("deleting a product withdraws it (inactive), publishes product.deleted, and hides it from lists")
    func softDelete() async throws {
        try await CatalogHarness.run { catalog in
            let product = try #require(DemoCatalog.products.first { $0.active })
            let before = try await catalog.get("/api/catalog/products?limit=1")
            #expect(try await catalog.send(.delete, "/api/catalog/products/\(product.id)", token: catalog.adminToken).status == .noContent)
            let after = try await catalog.get("/api/catalog/products?limit=1")
            #expect(after["total"] as? Int == (before["total"] as? Int ?? 0) - 1)
            let page = try await catalog.get("/api/catalog/products/\(product.id)")
            #expect((page["product"] as? [String: Any])?["active"] as? Bool == false)
            let messages = try await TestKafka.collect([catalog.catalogTopic], count: DemoCatalog.products.count + 1, timeout: .seconds(40), settle: .seconds(1))
            let deleted = try events(ProductDeleted.self, in: messages)
            #expect(deleted.map(\.data.productId) == [product.id])
        }
    }

    @Test("categories: a category with products cannot be deleted (409); an empty one can; cycles are refused")
    func categories() async throws {
        try await CatalogHarness.run { catalog in
            let used = try #require(DemoCatalog.products.first?.categoryIds.first)
            #expect(try await catalog.send(.delete, "/api/catalog/categories/\(used)", token: catalog.adminToken).status == .conflict)
            let parent = try #require(CategoryTree(DemoCatalog.categories).roots.first)
            let created = try await catalog.send(.post, "/api/catalog/categories", json: ["name": "Test Sockets", "parentId": parent.id],
                                                 token: catalog.adminToken)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try created.jsonObject()["id"] as? String)
            let tree = try await catalog.get("/api/catalog/categories")
            #expect(String(describing: tree).contains("Test Sockets"))
            let cycle = try await catalog.send(.patch, "/api/catalog/categories/\(parent.id)", json: ["parentId": id], token: catalog.adminToken)
            #expect(cycle.status == .badRequest)
            #expect(try await catalog.send(.delete, "/api/catalog/categories/\(id)", token: catalog.adminToken).status == .noContent)
            #expect(try await catalog.send(.delete, "/api/catalog/categories/\(id)", token: catalog.adminToken).status == .notFound)
        }
    }

    @Test("brands: a renamed brand is searchable by its new name at once; a brand with products cannot be deleted (409)")
    func brands() async throws {
        try await CatalogHarness.run { catalog in
            let brand = try #require(DemoCatalog.brands.first { brand in DemoCatalog.products.contains { $0.brand == brand.id && $0.active } })
            let owned = DemoCatalog.products.filter { $0.brand == brand.id && $0.active }.count
            #expect(try await catalog.send(.delete, "/api/catalog/brands/\(brand.id)", token: catalog.adminToken).status == .conflict)
            _ = try await catalog.get("/api/catalog/products?q=zephyrion")
            let renamed = try await catalog.send(.patch, "/api/catalog/brands/\(brand.id)", json: ["name": "Zephyrion Electric"], token: catalog.adminToken)
            #expect(renamed.status == .ok, "\(renamed.text)")
            let nullSlug = try await catalog.service.send(.patch, "/api/catalog/brands/\(brand.id)", raw: #"{"slug":null}"#, token: catalog.adminToken)
            #expect(nullSlug.status == .badRequest, "\(nullSlug.text)")
            #expect(try await catalog.get("/api/catalog/products?q=zephyrion&limit=100")["total"] as? Int == owned)
            let brands = try #require(try await catalog.get("/api/catalog/brands")["items"] as? [[String: Any]])
            #expect(brands.contains { $0["name"] as? String == "Zephyrion Electric" })
            let created = try await catalog.send(.post, "/api/catalog/brands", json: ["name": "Empty Brand"], token: catalog.adminToken)
            let id = try #require(try created.jsonObject()["id"] as? String)
            #expect(try await catalog.send(.delete, "/api/catalog/brands/\(id)", token: catalog.adminToken).status == .noContent)
        }
    }

    @Test("with Redis unreachable the catalog answers from MongoDB and stays ready, reporting Redis degraded")
    func redisDown() async throws {
        try await CatalogHarness.run(["REDIS_URL": "redis://127.0.0.1:1/0"]) { catalog in
            let page = try await catalog.get("/api/catalog/products?limit=3")
            #expect((page["items"] as? [[String: Any]])?.count == 3)
            let created = try await catalog.send(.post, "/api/catalog/products", json: CatalogHarness.newProduct(sku: "TST-NOREDIS"), token: catalog.adminToken)
            #expect(created.status == .created)
            #expect(try await catalog.get("/api/catalog/products?q=TST-NOREDIS")["total"] as? Int == 1)
            let ready = try await catalog.send(.get, "/health/ready")
            #expect(ready.status == .ok, "\(ready.text)")
            let checks = try ready.jsonObject()["checks"] as? [String: [String: Any]]
            #expect(checks?["redis"]?["status"] as? String != "connected")
        }
    }

    @Test("bazaar-catalog republish publishes every product's current state at its version: updated for those on sale, deleted for withdrawn ones")
    func republish() async throws {
        try await CatalogHarness.run { catalog in
            var ids: [String] = []
            for sku in ["TST-REPUB-1", "TST-REPUB-2"] {
                var body = CatalogHarness.newProduct(sku: sku, name: "Republished cable \(sku)")
                body["images"] = [["url": "https://img.test/\(sku).jpg", "alt": "front"] as [String: any Sendable]]
                let created = try await catalog.send(.post, "/api/catalog/products", json: body, token: catalog.adminToken)
                try #require(created.status == .created, "\(created.status)")
                ids.append(try #require(try created.jsonObject()["id"] as? String))
            }
            #expect(try await catalog.send(.delete, "/api/catalog/products/\(ids[1])", token: catalog.adminToken).status == .noContent)
            let report = try await CatalogService.republish(settings: Settings(catalog.service.settings))
            #expect(report == "queued the current state of \(DemoCatalog.products.count + 2) products for publishing")
            let ours = Set(ids)
            let republishedTypes: Set<String> = [ProductUpdated.eventType.name, ProductDeleted.eventType.name]
            let expected = DemoCatalog.products.count + 3
            let messages = try await TestKafka.collect([catalog.catalogTopic], until: { messages in
                messages.filter { republishedTypes.contains($0.headerString("ce_type") ?? "") }.count >= expected
            }, timeout: .seconds(60))
            #expect(try events(ProductUpdated.self, in: messages).count + (try events(ProductDeleted.self, in: messages).count)
                        == expected, "every product republished once, plus the one withdrawn")
            let updated = try events(ProductUpdated.self, in: messages).filter { ours.contains($0.subject) }
            let deleted = try events(ProductDeleted.self, in: messages).filter { ours.contains($0.subject) }
            #expect(updated.map(\.data.product.productId) == [ids[0]])
            #expect(updated.first?.data.product.version == 1)
            #expect(updated.first?.data.product.imageUrl == "https://img.test/TST-REPUB-1.jpg")
            #expect(deleted.map(\.data.productId) == [ids[1], ids[1]])
            #expect(Set(deleted.map(\.data.version)) == [2])
        }
    }
}
