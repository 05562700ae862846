@testable import BazaarCart
import BazaarContracts
import BazaarCore
import BazaarKafka
import BazaarRedis
import BazaarTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite("Carts (real Redis as the cart store, real broker)")
struct CartTests {
    @Test("a guest gets a token with the first answer and keeps one cart with it: add, change, remove, empty")
    func guestCart() async throws {
        try await CartHarness.run { cart in
            let product = CartHarness.product(price: 1_250)
            try await cart.announce([product])
            let first = try await cart.send(.get, "/api/cart")
            let token = try #require(first.headers[CartRoutes.cartTokenHeader])
            #expect(try first.cart().lines.isEmpty)

            let added = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 2], cartToken: token).cart()
            #expect(added.lines.count == 1)
            let line = try #require(added.lines.first)
            #expect(line["name"] as? String == product.name)
            #expect(line["sku"] as? String == product.sku)
            #expect(line["imageUrl"] as? String == product.imageUrl)
            #expect(line["quantity"] as? Int == 2)
            #expect(added.minor("subtotal") == 2_500)
            #expect(added.minor("shipping") == 490)
            #expect(added.minor("total") == 2_990)
            #expect(added.minor("vatIncluded") == 477)

            // The same token is the same cart; another token is another (empty) cart.
            #expect(try await cart.send(.get, "/api/cart", cartToken: token).cart().lines.count == 1)
            #expect(try await cart.send(.get, "/api/cart", cartToken: OpaqueToken.generate().value).cart().lines.isEmpty)

            let changed = try await cart.send(.patch, "/api/cart/items/\(product.productId)", json: ["quantity": 5], cartToken: token).cart()
            #expect(changed.lines.first?["quantity"] as? Int == 5)
            #expect(changed.minor("shipping") == 0, "6,250 is above the free-shipping threshold")
            let removed = try await cart.send(.delete, "/api/cart/items/\(product.productId)", cartToken: token).cart()
            #expect(removed.lines.isEmpty)
            #expect(try await cart.send(.delete, "/api/cart/items/\(product.productId)", cartToken: token).status == .notFound)
            #expect(try await cart.send(.patch, "/api/cart/items/\(product.productId)", json: ["quantity": 1], cartToken: token).status == .notFound)

            _ = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 1], cartToken: token).cart()
            #expect(try await cart.send(.delete, "/api/cart", cartToken: token).status == .noContent)
            #expect(try await cart.send(.get, "/api/cart", cartToken: token).cart().lines.isEmpty)
            #expect(cart.undocumentedRoutes.isEmpty, "\(cart.undocumentedRoutes)")
        }
    }

    @Test("quantities outside 1–99, a 100th unit and a 51st product are 422s naming the field; malformed input is a 400; nothing changes")
    func limits() async throws {
        try await CartHarness.run { cart in
            let products = (0...50).map { CartHarness.product("p-limit-\($0)") }
            try await cart.announce(products)
            let token = try await cart.token()
            for quantity in [0, -1, 100] {
                let response = try await cart.send(.post, "/api/cart/items", json: ["productId": products[0].productId, "quantity": quantity], token: token)
                #expect(response.status == .unprocessableContent, "\(quantity): \(response.text)")
                #expect(response.text.contains("\"field\":\"quantity\""))
            }
            _ = try await cart.send(.post, "/api/cart/items", json: ["productId": products[0].productId, "quantity": 99], token: token).cart()
            let above = try await cart.send(.post, "/api/cart/items", json: ["productId": products[0].productId, "quantity": 1], token: token)
            #expect(above.status == .unprocessableContent)
            #expect(above.text.contains("\"field\":\"quantity\""))
            for product in products[1..<50] {
                _ = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 1], token: token).cart()
            }
            let fiftyFirst = try await cart.send(.post, "/api/cart/items", json: ["productId": products[50].productId, "quantity": 1], token: token)
            #expect(fiftyFirst.status == .unprocessableContent)
            #expect(fiftyFirst.text.contains("\"field\":\"productId\""))
            #expect(try await cart.send(.patch, "/api/cart/items/\(products[1].productId)", json: ["quantity": 100], token: token).status == .unprocessableContent)

            for body in ["not json", "{\"productId\": 5, \"quantity\": 1}", "{\"quantity\": 1}", "{\"productId\": \"a b\", \"quantity\": 1}",
                         "{\"productId\": \"\(products[1].productId)\", \"quantity\": \"2\"}"] {
                let response = try await cart.send(.post, "/api/cart/items", raw: body, token: token)
                #expect(response.status == .badRequest, "\(body): \(response.status) \(response.text)")
            }
            let unknown = try await cart.send(.post, "/api/cart/items", json: ["productId": "p-never-announced", "quantity": 1], token: token)
            #expect(unknown.status == .unprocessableContent)
            #expect(try await cart.send(.get, "/api/cart", cartToken: "too-short").status == .badRequest)
            // Signed in too: a malformed guest token is the client's bug to see, not something to ignore.
            #expect(try await cart.send(.delete, "/api/cart", token: token, cartToken: "too-short").status == .badRequest)

            let after = try await cart.send(.get, "/api/cart", token: token).cart()
            #expect(after.lines.count == 50)
            #expect(after["itemCount"] as? Int == 99 + 49)
        }
    }

    @Test("50 concurrent adds of one product from one client all count")
    func concurrentAdds() async throws {
        try await CartHarness.run { cart in
            let product = CartHarness.product()
            try await cart.announce([product])
            let token = try await cart.token()
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 1], token: token).status }
                }
                for try await status in group { #expect(status == .ok) }
            }
            let result = try await cart.send(.get, "/api/cart", token: token).cart()
            #expect(result.lines.first?["quantity"] as? Int == 50)
        }
    }

    @Test("after product.updated the cart shows the new price and the old one; inactive and deleted products are flagged and left out of the totals")
    func livePrices() async throws {
        try await CartHarness.run { cart in
            let cheap = CartHarness.product(price: 2_000)
            let paused = CartHarness.product(price: 500)
            let withdrawn = CartHarness.product(price: 700)
            try await cart.announce([cheap, paused, withdrawn])
            let token = try await cart.token()
            for product in [cheap, paused, withdrawn] {
                _ = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 1], token: token).cart()
            }
            var dearer = cheap
            dearer.price = Money(minorUnits: 2_400, currency: "EUR")
            dearer.version = 2
            var inactive = paused
            inactive.active = false
            inactive.version = 2
            try await cart.announce([dearer, inactive])
            try await cart.service.publish([ProductDeleted(productId: withdrawn.productId, sku: withdrawn.sku, version: 2, occurredAt: Date())])
            try await cart.waitForProjection([{ var gone = withdrawn; gone.version = 2; return gone }()])
            // An older snapshot arriving late changes nothing.
            try await cart.service.publish([ProductUpdated(product: cheap, occurredAt: Date())])

            let shown = try await cart.send(.get, "/api/cart", token: token).cart()
            let lines = Dictionary(uniqueKeysWithValues: shown.lines.map { ($0["productId"] as! String, $0) })
            let repriced = try #require(lines[cheap.productId])
            #expect(repriced.minor("unitPrice") == 2_400)
            #expect(repriced.minor("previousUnitPrice") == 2_000)
            #expect(repriced["priceChanged"] as? Bool == true)
            #expect(lines[paused.productId]?["problem"] as? String == "inactive")
            #expect(lines[withdrawn.productId]?["problem"] as? String == "deleted")
            #expect(lines[withdrawn.productId]?["available"] as? Bool == false)
            // Withdrawn, the product keeps the name, image and price the carts showed.
            #expect(lines[withdrawn.productId]?["name"] as? String == withdrawn.name)
            #expect(lines[withdrawn.productId]?["imageUrl"] as? String == withdrawn.imageUrl)
            #expect(lines[withdrawn.productId]?.minor("unitPrice") == 700)
            #expect(Set(shown["unavailableProductIds"] as? [String] ?? []) == [paused.productId, withdrawn.productId])
            #expect(shown.minor("subtotal") == 2_400)
            #expect(try await cart.send(.post, "/api/cart/items", json: ["productId": paused.productId, "quantity": 1], token: token).status
                        == .unprocessableContent)
            // The late, older snapshot of `cheap` was consumed after the deletion; it did not win.
            try await eventually("the late snapshot was consumed") {
                try await ProductProjection(redis: cart.redis).product(cheap.productId)?.price?.minorUnits == 2_400
            }
        }
    }

    @Test("carts live 30 days signed in and 7 days as a guest, renewed on use; an expired cart is gone")
    func expiry() async throws {
        try await CartHarness.run(["CART_GUEST_TTL_SECONDS": "1"]) { cart in
            let product = CartHarness.product()
            try await cart.announce([product])
            let token = try await cart.token(user: "ttl-user")
            _ = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 1], token: token).cart()
            let userTTL = try await cart.redis.send(command: ["PTTL", "cart:u:ttl-user"]).integer ?? 0
            #expect(userTTL > 29 * 86_400_000 && userTTL <= 30 * 86_400_000)

            let guest = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 1])
            let guestToken = try #require(guest.headers[CartRoutes.cartTokenHeader])
            #expect(try guest.cart().lines.count == 1)
            // Watched in the store: every read of the cart would renew it.
            let key = "cart:g:\(CartRoutes.digest(guestToken))"
            try await eventually("the guest cart expired") { try await cart.redis.exists(key) == 0 }
            #expect(try await cart.send(.get, "/api/cart", cartToken: guestToken).cart().lines.isEmpty)
        }
        try await CartHarness.run { cart in
            let product = CartHarness.product()
            try await cart.announce([product])
            let guest = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 1])
            let digest = CartRoutes.digest(try #require(guest.headers[CartRoutes.cartTokenHeader]))
            let guestTTL = try await cart.redis.send(command: ["PTTL", "cart:g:\(digest)"]).integer ?? 0
            #expect(guestTTL > 6 * 86_400_000 && guestTTL <= 7 * 86_400_000)
        }
    }

    @Test("signing in merges the guest cart: quantities added and capped at 99, lines beyond 50 dropped, the guest cart deleted")
    func merge() async throws {
        try await CartHarness.run { cart in
            let products = (0..<52).map { CartHarness.product("p-merge-\($0)") }
            try await cart.announce(products)
            let token = try await cart.token(user: "merging-user")
            _ = try await cart.send(.post, "/api/cart/items", json: ["productId": products[0].productId, "quantity": 60], token: token).cart()
            for product in products[1..<49] {
                _ = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 1], token: token).cart()
            }
            let first = try await cart.send(.post, "/api/cart/items", json: ["productId": products[0].productId, "quantity": 50])
            let guestToken = try #require(first.headers[CartRoutes.cartTokenHeader])
            for product in products[49..<52] {
                _ = try await cart.send(.post, "/api/cart/items", json: ["productId": product.productId, "quantity": 2], cartToken: guestToken).cart()
            }
            #expect(try await cart.send(.post, "/api/cart/merge", token: token).status == .badRequest)
            let merged = try await cart.send(.post, "/api/cart/merge", token: token, cartToken: guestToken).cart()
            #expect(merged.lines.count == 50)
            #expect(merged["droppedLines"] as? Int == 2)
            #expect(merged.lines.first { $0["productId"] as? String == products[0].productId }?["quantity"] as? Int == 99)
            #expect(try await cart.send(.get, "/api/cart", cartToken: guestToken).cart().lines.isEmpty)
            #expect(try await cart.redis.exists("cart:g:\(CartRoutes.digest(guestToken))") == 0)
            #expect(try await cart.send(.post, "/api/cart/merge", cartToken: guestToken).status == .unauthorized)
        }
    }

    @Test("a fresh cart store beside a catalog that already announced its products catches up from the topic")
    func projectionCatchesUp() async throws {
        let products = (0..<20).map { CartHarness.product("p-early-\($0)", version: 3) }
        let prefix = TestKafka.uniquePrefix()
        try await TestKafka.withProducer { producer in
            for product in products {
                let event = CloudEvent(ProductUpdated(product: product, occurredAt: Date()), source: "bazaar/catalog")
                _ = try await producer.send(KafkaOutgoingMessage(topic: ProductUpdated.eventType.topic.name(prefix: prefix), key: event.subject,
                                                                 value: try EventCodec.encode(event), headers: [("ce_type", Array(event.type.utf8))]))
            }
        }
        try await CartHarness.run(["KAFKA_TOPIC_PREFIX": prefix]) { cart in
            try await cart.waitForProjection(products)
            let token = try await cart.token()
            let added = try await cart.send(.post, "/api/cart/items", json: ["productId": products[7].productId, "quantity": 1], token: token).cart()
            #expect(added.lines.first?["name"] as? String == products[7].name)
        }
    }
}
