import BazaarContracts
import BazaarCore
@testable import BazaarInventory
import BazaarKafka
import BazaarTestSupport
import Foundation
import Testing

@Suite("Inventory: reservations for the order saga", .timeLimit(.minutes(3)))
struct ReservationTests {
    typealias Harness = InventoryHarness

    @Test("order.placed holds every line or none; a repeated order.placed holds nothing more and announces the same answer")
    func placeAllOrNothing() async throws {
        try await Harness.run { inventory in
            let a = Harness.product(), b = Harness.product()
            try await inventory.learn([a, b])
            try await inventory.setOnHand(a.sku, 5)
            try await inventory.setOnHand(b.sku, 1)
            let placed = Harness.placed("o-1", [(a.sku, 2), (b.sku, 1), (a.sku, 1)])
            try await inventory.service.publish([placed, placed])
            // Different orders may be handled in any order (other partitions): o-2 only after o-1 holds b.
            try await eventually("o-1 holds its units") { try await inventory.stock(b.sku)["reserved"] as? Int == 1 }
            try await inventory.service.publish([Harness.placed("o-2", [(a.sku, 1), (b.sku, 1)]), Harness.placed("o-3", [("NO-SUCH-SKU", 1)])])
            let messages = try await inventory.sagaEvents(count: 4)
            let reserved = try events(StockReserved.self, in: messages)
            let rejected = try events(StockRejected.self, in: messages)
            #expect(reserved.map(\.data.orderId) == ["o-1", "o-1"])
            #expect(Set(reserved.map(\.data.reservationId)).count == 1)
            #expect(reserved.first?.data.lines == [StockLine(sku: a.sku, quantity: 3), StockLine(sku: b.sku, quantity: 1)].sorted { $0.sku < $1.sku })
            #expect(Set(rejected.map(\.data.orderId)) == ["o-2", "o-3"])
            #expect(rejected.first { $0.data.orderId == "o-2" }?.data.shortages == [StockShortage(sku: b.sku, requested: 1, available: 0)])
            #expect(rejected.first { $0.data.orderId == "o-3" }?.data.shortages == [StockShortage(sku: "NO-SUCH-SKU", requested: 1, available: 0)])
            let stockA = try await inventory.stock(a.sku)
            #expect(stockA["reserved"] as? Int == 3 && stockA["onHand"] as? Int == 5 && stockA["available"] as? Int == 2)
            #expect((stockA["reservations"] as? [[String: Any]])?.map { $0["orderId"] as? String } == ["o-1"])
            #expect(try await inventory.stock(b.sku)["reserved"] as? Int == 1)
            // While units are held, the shelf cannot be counted below them.
            let below = try await inventory.send(.post, "/api/inventory/stock/\(a.sku)/adjustments", json: ["delta": -3, "reason": "count"],
                                                 token: inventory.adminToken)
            #expect(below.status == .conflict)
        }
    }

    @Test("confirmation commits held units, cancellation releases them or restocks a confirmed order; repeats change nothing")
    func confirmAndCancel() async throws {
        try await Harness.run { inventory in
            let a = Harness.product()
            try await inventory.learn([a])
            try await inventory.setOnHand(a.sku, 10)
            try await inventory.service.publish([Harness.placed("o-1", [(a.sku, 2)]), Harness.placed("o-2", [(a.sku, 3)])])
            _ = try await inventory.sagaEvents(count: 2)
            try await inventory.service.publish([Harness.confirmed("o-1", [(a.sku, 2)]), Harness.confirmed("o-1", [(a.sku, 2)])])
            try await inventory.service.publish([Harness.cancelled("o-2", [(a.sku, 3)]), Harness.cancelled("o-2", [(a.sku, 3)])])
            try await eventually("o-1 committed and o-2 released") {
                let level = try await inventory.stock(a.sku)
                return level["onHand"] as? Int == 8 && level["reserved"] as? Int == 0
            }
            try await inventory.service.publish([Harness.cancelled("o-1", [(a.sku, 2)])])
            let messages = try await inventory.sagaEvents(count: 4)
            let released = try events(StockReleased.self, in: messages)
            #expect(released.count == 2 && Set(released.map(\.data.orderId)) == ["o-1", "o-2"])
            #expect(released.allSatisfy { $0.data.reason == .orderCancelled })
            let level = try await inventory.stock(a.sku)
            #expect(level["onHand"] as? Int == 10 && level["reserved"] as? Int == 0)
            let ledger = try await inventory.send(.get, "/api/inventory/stock/\(a.sku)/ledger?limit=100", token: inventory.adminToken).jsonObject()
            let kinds = (ledger["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.first == "restock", "\(kinds)")
            #expect(kinds.sorted() == ["commit", "initial", "release", "reserve", "reserve", "restock", "set"], "\(kinds)")
        }
    }

    @Test("holds expire (stock.released, reason expired); a confirmation after that takes the units again if they are there, else stock.rejected")
    func expiry() async throws {
        try await Harness.run(["RESERVATION_TTL_SECONDS": "1", "RESERVATION_SWEEP_MILLISECONDS": "100"]) { inventory in
            let a = Harness.product()
            try await inventory.learn([a])
            try await inventory.setOnHand(a.sku, 3)
            try await inventory.service.publish([Harness.placed("o-1", [(a.sku, 2)]), Harness.placed("o-2", [(a.sku, 1)])])
            let expired = try events(StockReleased.self, in: try await inventory.sagaEvents(count: 4))
            #expect(Set(expired.map(\.data.orderId)) == ["o-1", "o-2"] && expired.allSatisfy { $0.data.reason == .expired })
            #expect(try await inventory.stock(a.sku)["reserved"] as? Int == 0)
            // The units of o-2 went to someone else meanwhile; o-1's are still there.
            try await inventory.setOnHand(a.sku, 2)
            try await inventory.service.publish([Harness.confirmed("o-1", [(a.sku, 2)])])
            try await eventually("o-1 committed from available stock") { try await inventory.stock(a.sku)["onHand"] as? Int == 0 }
            try await inventory.service.publish([Harness.confirmed("o-2", [(a.sku, 1)])])
            let messages = try await inventory.sagaEvents(count: 5)
            let rejected = try events(StockRejected.self, in: messages)
            #expect(rejected.map(\.data.orderId) == ["o-2"])
            #expect(rejected.first?.data.shortages == [StockShortage(sku: a.sku, requested: 1, available: 0)])
            let level = try await inventory.stock(a.sku)
            #expect(level["onHand"] as? Int == 0 && level["reserved"] as? Int == 0)
        }
    }

    @Test("an order.placed with a non-positive quantity goes to the dead-letter topic and holds nothing")
    func malformedOrderIsDeadLettered() async throws {
        try await Harness.run { inventory in
            let a = Harness.product()
            try await inventory.learn([a])
            try await inventory.setOnHand(a.sku, 5)
            try await inventory.service.publish([Harness.placed("o-bad", [(a.sku, 0)]), Harness.placed("o-neg", [(a.sku, -2)])])
            let dead = try await TestKafka.collect([inventory.service.topic("orders.dlq")], count: 2, timeout: .seconds(60))
            #expect(dead.count == 2)
            #expect(try await inventory.stock(a.sku)["reserved"] as? Int == 0)
        }
    }

    @Test("200 concurrent orders against 50 units of a hot SKU: exactly 50 held, never below zero, every order answered once, arithmetic intact")
    func hotSKUInvariant() async throws {
        try await Harness.run { inventory in
            let hot = Harness.product(sku: "HOT-\(UUID().uuidString.prefix(6))")
            let others = (0..<4).map { _ in Harness.product() }
            try await inventory.learn([hot] + others)
            try await inventory.setOnHand(hot.sku, 50)
            for other in others { try await inventory.setOnHand(other.sku, 1_000) }
            var generator = SystemRandomNumberGenerator()
            var orders: [OrderPlaced] = []
            var hotWanted: [String: Int] = [:]
            for index in 0..<200 {
                var lines: [(sku: String, quantity: Int)] = [(hot.sku, Int.random(in: 1...3, using: &generator))]
                for other in others.shuffled(using: &generator).prefix(Int.random(in: 0...2, using: &generator)) {
                    lines.append((other.sku, Int.random(in: 1...3, using: &generator)))
                }
                hotWanted["o-\(index)"] = lines[0].quantity
                orders.append(Harness.placed("o-\(index)", lines.shuffled(using: &generator)))
            }
            try await inventory.service.publish(orders)
            let messages = try await inventory.sagaEvents(count: 200)
            let reserved = try events(StockReserved.self, in: messages)
            let rejected = try events(StockRejected.self, in: messages)
            let answered = reserved.map(\.data.orderId) + rejected.map(\.data.orderId)
            #expect(answered.count == 200 && Set(answered).count == 200, "\(answered.count) answers")
            let held = reserved.reduce(0) { $0 + (hotWanted[$1.data.orderId] ?? 0) }
            let level = try await inventory.stock(hot.sku)
            #expect(level["reserved"] as? Int == held)
            #expect(level["onHand"] as? Int == 50)
            #expect((level["available"] as? Int ?? -1) >= 0)
            // Every rejected order wanted more of the hot SKU than was left when it was decided:
            // with 1–3 per order, at most 2 units can stay unsold.
            #expect(held >= 48 && held <= 50, "held \(held)")
            for other in others {
                let otherLevel = try await inventory.stock(other.sku)
                let otherHeld = reserved.flatMap(\.data.lines).filter { $0.sku == other.sku }.reduce(0) { $0 + $1.quantity }
                #expect(otherLevel["reserved"] as? Int == otherHeld && otherLevel["onHand"] as? Int == 1_000)
            }
            // Confirm half the held orders, cancel the rest: stock conserved.
            let heldOrders = reserved.map(\.data)
            let confirmed = heldOrders.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            let cancelled = heldOrders.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            try await inventory.service.publish(confirmed.map { Harness.confirmed($0.orderId, $0.lines.map { ($0.sku, $0.quantity) }) })
            try await inventory.service.publish(cancelled.map { Harness.cancelled($0.orderId, $0.lines.map { ($0.sku, $0.quantity) }) })
            let sold = confirmed.flatMap(\.lines).filter { $0.sku == hot.sku }.reduce(0) { $0 + $1.quantity }
            try await eventually("every confirmation and cancellation applied") {
                let level = try await inventory.stock(hot.sku)
                return level["reserved"] as? Int == 0 && level["onHand"] as? Int == 50 - sold
            }
        }
    }

    @Test("commits, releases and expiries together keep the arithmetic: on hand = start − sold, nothing left held")
    func arithmeticWithExpiries() async throws {
        try await Harness.run(["RESERVATION_TTL_SECONDS": "2", "RESERVATION_SWEEP_MILLISECONDS": "100"]) { inventory in
            let hot = Harness.product(sku: "HOT-\(UUID().uuidString.prefix(6))")
            try await inventory.learn([hot])
            // Enough for every order (60 × at most 3): a hold that expires early must not free
            // units for another order, or a late confirmation could find none and the sale
            // would rightly be refused — the arithmetic below would then depend on the machine's speed.
            try await inventory.setOnHand(hot.sku, 200)
            let orders = (0..<60).map { Harness.placed("o-\($0)", [(hot.sku, 1 + $0 % 3)]) }
            try await inventory.service.publish(orders)
            let answerTypes: Set<String> = [StockReserved.eventType.name, StockRejected.eventType.name]
            let messages = try await TestKafka.collect([inventory.inventoryTopic], until: { messages in
                messages.filter { $0.headers.contains { name, value in name == "ce_type" && answerTypes.contains(String(decoding: value, as: UTF8.self)) } }
                    .count >= 60
            }, timeout: .seconds(60))
            let reserved = try events(StockReserved.self, in: messages).map(\.data)
            #expect(reserved.count + (try events(StockRejected.self, in: messages)).count == 60)
            // A third confirmed, a third cancelled, a third left to expire; holds may expire before
            // their confirmation or cancellation arrives, whatever the machine's speed.
            let confirmed = reserved.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
            let cancelled = reserved.enumerated().filter { $0.offset % 3 == 1 }.map(\.element)
            try await inventory.service.publish(confirmed.map { Harness.confirmed($0.orderId, $0.lines.map { ($0.sku, $0.quantity) }) })
            try await inventory.service.publish(cancelled.map { Harness.cancelled($0.orderId, $0.lines.map { ($0.sku, $0.quantity) }) })
            let sold = confirmed.flatMap(\.lines).reduce(0) { $0 + $1.quantity }
            try await eventually("every hold committed, released or expired") {
                let level = try await inventory.stock(hot.sku)
                return level["reserved"] as? Int == 0 && level["onHand"] as? Int == 200 - sold
            }
            let level = try await inventory.stock(hot.sku)
            #expect(level["available"] as? Int == 200 - sold && level["sellable"] as? Bool == true)
            #expect(reserved.count == 60, "every order was held")
        }
    }
}
