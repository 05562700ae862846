import BazaarContracts
import BazaarCore
@testable import BazaarInventory
import BazaarKafka
import BazaarTestSupport
import Foundation
import HTTPTypes
import PostgresNIO
import Testing

@Suite("Inventory: stock learned from the catalog, administration, availability", .timeLimit(.minutes(3)))
struct StockTests {
    typealias Harness = InventoryHarness

    @Test("product events make SKUs known (zero units, or the demo quantity), deletion stops their sale, older snapshots change nothing")
    func learnsFromCatalog() async throws {
        try await Harness.run(["INVENTORY_DEMO_STOCK": "true"]) { inventory in
            let kept = Harness.product(), deleted = Harness.product()
            try await inventory.learn([kept, deleted])
            let stock = try await inventory.stock(kept.sku)
            #expect(stock["onHand"] as? Int == DemoStock.quantity(for: kept.sku))
            #expect(stock["reserved"] as? Int == 0 && stock["lowStockThreshold"] as? Int == 10 && stock["sellable"] as? Bool == true)
            let ledger = try await inventory.send(.get, "/api/inventory/stock/\(kept.sku)/ledger", token: inventory.adminToken).jsonObject()
            let entries = try #require(ledger["items"] as? [[String: Any]])
            #expect(entries.count == 1 && entries[0]["kind"] as? String == "initial" && entries[0]["actor"] as? String == "catalog")
            #expect(entries.first?["onHandAfter"] as? Int == DemoStock.quantity(for: kept.sku))

            try await inventory.service.publish([ProductDeleted(productId: deleted.productId, sku: deleted.sku, version: 3, occurredAt: Date())])
            try await eventually("the deleted product's SKU is no longer sold") {
                try await inventory.stock(deleted.sku)["sellable"] as? Bool == false
            }
            // A snapshot older than the deletion (redelivered late) does not bring the SKU back;
            // a newer one of the kept product applies.
            var stale = deleted
            stale.version = 2
            let staleID = UUID().uuidString.lowercased()
            try await inventory.service.publish([ProductUpdated(product: stale, occurredAt: Date())], ids: [staleID])
            var later = kept
            later.version = 5
            try await inventory.service.publish([ProductUpdated(product: later, occurredAt: Date())])
            try await eventually("the stale snapshot was consumed") { try await inventory.service.processed(eventID: staleID) }
            #expect(try await inventory.stock(deleted.sku)["sellable"] as? Bool == false)
            try await eventually("the newer snapshot of the kept product applied") {
                (try await inventory.stock(kept.sku)["version"] as? Int ?? 0) > (stock["version"] as? Int ?? 0)
            }
            let answer = try await inventory.send(.get, "/api/inventory/availability?skus=\(deleted.sku),\(kept.sku)").jsonObject()
            let availability = try #require(answer["availability"] as? [String: [String: Any]])
            #expect(availability[deleted.sku]?["available"] as? Int == 0 && availability[deleted.sku]?["inStock"] as? Bool == false)
            #expect(availability[kept.sku]?["available"] as? Int == DemoStock.quantity(for: kept.sku))
        }
    }

    @Test("without demo stock a new SKU starts at zero; a product whose SKU changed stops selling the old one")
    func skuChange() async throws {
        try await Harness.run { inventory in
            let original = Harness.product()
            try await inventory.learn([original])
            #expect(try await inventory.stock(original.sku)["onHand"] as? Int == 0)
            let renamed = Harness.product(id: original.productId, version: 2)
            try await inventory.learn([renamed])
            try await eventually("the old SKU is retired") { try await inventory.stock(original.sku)["sellable"] as? Bool == false }
            #expect(try await inventory.stock(renamed.sku)["sellable"] as? Bool == true)
        }
    }

    @Test("availability: known SKUs with what can be sold, unknown ones listed; bad lists are 400 problems")
    func availability() async throws {
        try await Harness.run { inventory in
            let product = Harness.product()
            try await inventory.learn([product])
            let adjusted = try await inventory.send(.post, "/api/inventory/stock/\(product.sku)/adjustments", json: ["delta": 7, "reason": "delivery"],
                                                    token: inventory.adminToken)
            #expect(adjusted.status == .ok, "\(adjusted.text)")
            let answer = try await inventory.send(.get, "/api/inventory/availability?skus=\(product.sku),NO-SUCH-SKU,\(product.sku)")
            #expect(answer.status == .ok, "\(answer.text)")
            let body = try answer.jsonObject()
            let entry = try #require((body["availability"] as? [String: [String: Any]])?[product.sku])
            #expect(entry["available"] as? Int == 7 && entry["inStock"] as? Bool == true)
            #expect(body["unknown"] as? [String] == ["NO-SUCH-SKU"])

            let tooMany = (0...100).map { "S-\($0)" }.joined(separator: ",")
            for query in ["", "?skus=", "?skus=a,,b", "?skus=bad%20sku", "?skus=\(tooMany)", "?skus=\(String(repeating: "A", count: 65))"] {
                let refused = try await inventory.send(.get, "/api/inventory/availability\(query)")
                #expect(refused.status == .badRequest, "\(query): \(refused.status)")
                #expect(refused.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                #expect((try refused.jsonObject()["errors"] as? [[String: Any]])?.first?["field"] as? String == "skus", "\(query)")
            }
            #expect(inventory.undocumentedRoutes.isEmpty, "\(inventory.undocumentedRoutes)")
        }
    }

    @Test("administration needs the admin role")
    func adminOnly() async throws {
        try await Harness.run { inventory in
            let routes: [(HTTPRequest.Method, String)] = [(.get, "/api/inventory/stock"), (.get, "/api/inventory/stock/A-1"), (.put, "/api/inventory/stock/A-1"),
                                                          (.post, "/api/inventory/stock/A-1/adjustments"), (.get, "/api/inventory/stock/A-1/ledger")]
            for (method, path) in routes {
                let anonymous = try await inventory.send(method, path, json: [:])
                #expect(anonymous.status == .unauthorized, "\(method) \(path)")
                let customer = try await inventory.send(method, path, json: [:], token: inventory.customerToken)
                #expect(customer.status == .forbidden, "\(method) \(path)")
            }
            let unknown = try await inventory.send(.get, "/api/inventory/stock/NOT-KNOWN", token: inventory.adminToken)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("setting stock needs the current ETag: none is 428, a stale one 412; bad values are 400; none of these change anything")
    func setWithIfMatch() async throws {
        try await Harness.run { inventory in
            let product = Harness.product()
            try await inventory.learn([product])
            let path = "/api/inventory/stock/\(product.sku)"
            let current = try await inventory.send(.get, path, token: inventory.adminToken)
            let etag = try #require(current.headers[.eTag])
            let body: [String: any Sendable] = ["onHand": 40, "lowStockThreshold": 5, "reason": "stock count"]

            #expect(try await inventory.send(.put, path, json: body, token: inventory.adminToken).status.code == 428)
            #expect(try await inventory.send(.put, path, json: body, token: inventory.adminToken, headers: [.ifMatch: "\"999\""]).status == .preconditionFailed)
            for bad: [String: any Sendable] in [["onHand": -1, "lowStockThreshold": 5], ["onHand": 5], ["onHand": "many", "lowStockThreshold": 5],
                                                ["onHand": 100_000_001, "lowStockThreshold": 5], ["onHand": 5, "lowStockThreshold": 2_000_000]] {
                let refused = try await inventory.send(.put, path, json: bad, token: inventory.adminToken, headers: [.ifMatch: etag])
                #expect(refused.status == .badRequest, "\(bad): \(refused.status)")
            }
            let malformed = try await inventory.send(.put, path, raw: "{\"onHand\": 5,", token: inventory.adminToken, headers: [.ifMatch: etag])
            #expect(malformed.status == .badRequest)
            // A request wrong in itself is a 400 whatever its If-Match: the body is checked first.
            let nullReason = try await inventory.send(.put, path, raw: #"{"onHand":5,"lowStockThreshold":5,"reason":null}"#, token: inventory.adminToken,
                                                      headers: [.ifMatch: "\"999\""])
            #expect(nullReason.status == .badRequest, "a null reason is not \"no reason\": \(nullReason.status)")
            for ifMatch in [nil, "\"999\"", "W/\"x\""] {
                let refused = try await inventory.send(.put, path, json: ["onHand": -1, "lowStockThreshold": 5], token: inventory.adminToken,
                                                       headers: ifMatch.map { [.ifMatch: $0] } ?? [:])
                #expect(refused.status == .badRequest, "\(ifMatch ?? "no If-Match"): \(refused.status)")
            }
            #expect(try await inventory.stock(product.sku)["version"] as? Int == Int(etag.filter(\.isNumber)))

            let set = try await inventory.send(.put, path, json: body, token: inventory.adminToken, headers: [.ifMatch: etag])
            #expect(set.status == .ok, "\(set.text)")
            #expect(set.headers[.eTag] != etag)
            let level = try set.jsonObject()
            #expect(level["onHand"] as? Int == 40 && level["lowStockThreshold"] as? Int == 5 && level["available"] as? Int == 40)
            // The same (now stale) ETag again: 412, nothing changes.
            #expect(try await inventory.send(.put, path, json: ["onHand": 1, "lowStockThreshold": 5], token: inventory.adminToken,
                                             headers: [.ifMatch: etag]).status == .preconditionFailed)
            #expect(try await inventory.stock(product.sku)["onHand"] as? Int == 40)
            let ledger = try await inventory.send(.get, "\(path)/ledger", token: inventory.adminToken).jsonObject()
            let newest = try #require((ledger["items"] as? [[String: Any]])?.first)
            #expect(newest["kind"] as? String == "set" && newest["reason"] as? String == "stock count" && newest["delta"] as? Int == 40)
            #expect((newest["actor"] as? String)?.hasPrefix("admin-1") == true)
            #expect(ledger["total"] as? Int == 2)
        }
    }

    @Test("adjustments: concurrent ones all count, each with a ledger row; below zero is 409; absurd deltas are 400; refusals change nothing")
    func adjustments() async throws {
        try await Harness.run { inventory in
            let product = Harness.product()
            try await inventory.learn([product])
            let path = "/api/inventory/stock/\(product.sku)"
            // Ten at once, each waiting for the SKU's row lock: enough to prove none is lost, few
            // enough that the last one's wait stays far from the test client's 20 s read timeout
            // on a busy machine (twenty once reached it).
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        try await inventory.send(.post, "\(path)/adjustments", json: ["delta": 1, "reason": "delivery \(index)"], token: inventory.adminToken).status
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
            #expect(try await inventory.stock(product.sku)["onHand"] as? Int == 10)

            let below = try await inventory.send(.post, "\(path)/adjustments", json: ["delta": -11, "reason": "theft"], token: inventory.adminToken)
            #expect(below.status == .conflict, "\(below.text)")
            for bad in [#"{"delta": 0, "reason": "x"}"#, #"{"delta": 5}"#, #"{"delta": 5, "reason": ""}"#, #"{"delta": 100000001, "reason": "x"}"#,
                        #"{"delta": 9223372036854775807, "reason": "x"}"#, #"{"delta": 1e30, "reason": "x"}"#, #"{"delta": "5", "reason": "x"}"#,
                        #"{"delta": 1.5, "reason": "x"}"#, #"[1]"#] {
                let refused = try await inventory.send(.post, "\(path)/adjustments", raw: bad, token: inventory.adminToken)
                #expect(refused.status == .badRequest, "\(bad): \(refused.status) \(refused.text)")
                #expect(refused.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            }
            let level = try await inventory.stock(product.sku)
            #expect(level["onHand"] as? Int == 10)
            let ledger = try await inventory.send(.get, "\(path)/ledger?limit=100", token: inventory.adminToken).jsonObject()
            let entries = try #require(ledger["items"] as? [[String: Any]])
            #expect(entries.count == 11)
            #expect(Set(entries.compactMap { $0["onHandAfter"] as? Int }) == Set(0...10))
            #expect(try await inventory.send(.post, "/api/inventory/stock/NOT-KNOWN/adjustments", json: ["delta": 1, "reason": "x"],
                                             token: inventory.adminToken).status == .notFound)
        }
    }

    @Test("an adjustment waits for a concurrent change of the same SKU and builds on it, never overwriting it")
    func adjustmentWaitsForRowLock() async throws {
        try await Harness.run { inventory in
            let product = Harness.product()
            try await inventory.learn([product])
            let database = try #require(inventory.service.database)
            let adjustment = try await TestDatabase.withStore(database) { store in
                try await store.transaction { connection in
                    // Another writer holds the row, uncommitted, with 100 more units on hand.
                    try await connection.query("UPDATE stock_items SET on_hand = on_hand + 100 WHERE sku = \(product.sku)", logger: store.logger)
                    let adjustment = Task {
                        try await inventory.send(.post, "/api/inventory/stock/\(product.sku)/adjustments", json: ["delta": 1, "reason": "delivery"],
                                                 token: inventory.adminToken).status
                    }
                    try await eventually("the adjustment waits for the row") {
                        try await store.withConnection { other in
                            let rows = try await other.query("""
                                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                                """, logger: store.logger)
                            for try await count in rows.decode(Int.self) { return count > 0 }
                            return false
                        }
                    }
                    return adjustment
                }
            }
            #expect(try await adjustment.value == .ok)
            #expect(try await inventory.stock(product.sku)["onHand"] as? Int == 101)
        }
    }

    @Test("stock.low is published once per fall to the threshold, in the change's transaction; a clean start logs no warning")
    func lowStockEvents() async throws {
        try await Harness.run { inventory in
            let product = Harness.product()
            try await inventory.learn([product])
            let path = "/api/inventory/stock/\(product.sku)/adjustments"
            // 0 → 15 (above 10) → 10 (falls: alert) → 8 (still low: none) → 20 (back above) → 9 (falls again: alert) → 30 → 10 (alert)
            for delta in [15, -5, -2, 12, -11, 21, -20] {
                let response = try await inventory.send(.post, path, json: ["delta": delta, "reason": "test"], token: inventory.adminToken)
                try #require(response.status == .ok, "\(delta): \(response.text)")
            }
            let messages = try await TestKafka.collect([inventory.inventoryTopic], count: 3, timeout: .seconds(60))
            let lows = try events(StockLow.self, in: messages)
            #expect(lows.map(\.data.available) == [10, 9, 10])
            #expect(lows.allSatisfy { $0.data.sku == product.sku && $0.data.threshold == 10 })
            // A first start on an empty database, consumer, relay and expiry sweep at work: nothing to warn about.
            let loud = try inventory.service.logs.entries().filter { ["warning", "error", "critical"].contains($0["level"] as? String ?? "") }
            #expect(loud.isEmpty, "\(loud)")
        }
    }
}
