import Foundation
@testable import BazaarInventory
import Testing

@Suite("Stock levels (pure)")
struct StockDomainTests {
    static func level(onHand: Int, reserved: Int = 0, threshold: Int = 10, alerted: Bool = false) -> StockLevel {
        StockLevel(sku: "S-1", productId: "p-1", onHand: onHand, reserved: reserved, lowStockThreshold: threshold, sellable: true,
                   lowAlerted: alerted, version: 1, updatedAt: Date(timeIntervalSince1970: 0))
    }

    @Test("an adjustment may not leave fewer units on hand than are reserved, nor fewer than none")
    func belowReserved() throws {
        let level = Self.level(onHand: 10, reserved: 4)
        #expect(try level.adjusted(by: -6).onHand == 4)
        #expect(throws: StockChangeError.belowReserved(onHand: 3, reserved: 4)) { try level.adjusted(by: -7) }
        #expect(throws: StockChangeError.belowReserved(onHand: -1, reserved: 0)) { try Self.level(onHand: 0).adjusted(by: -1) }
        #expect(throws: StockChangeError.belowReserved(onHand: 3, reserved: 4)) { try level.replaced(onHand: 3, lowStockThreshold: 10) }
    }

    @Test("quantities beyond the maximum, and additions that would overflow, are refused")
    func maximum() throws {
        let level = Self.level(onHand: StockLimits.maximumOnHand - 1)
        #expect(try level.adjusted(by: 1).onHand == StockLimits.maximumOnHand)
        #expect(throws: StockChangeError.aboveMaximum(onHand: StockLimits.maximumOnHand + 1)) { try level.adjusted(by: 2) }
        #expect(throws: StockChangeError.aboveMaximum(onHand: Int.max)) { try Self.level(onHand: 5).adjusted(by: Int.max) }
    }

    @Test("stock.low is due once per fall to or below the threshold, again only after it went back above")
    func lowStockOncePerCrossing() throws {
        var level = Self.level(onHand: 15)
        var announcements: [Int] = []
        for delta in [-4, -1, -1, +8, -2, -3, +1, -20] {   // available: 11, 10, 9, 17, 15, 12, 13, -7→refused
            guard let next = try? level.adjusted(by: delta) else { continue }
            let (watched, announce) = next.watchingLowStock(after: level)
            if announce { announcements.append(watched.available) }
            level = watched
        }
        #expect(announcements == [10])
        let (fallen, announce) = try level.adjusted(by: -3).watchingLowStock(after: level)
        #expect(announce && fallen.available == 10 && fallen.lowAlerted)
    }

    @Test("a SKU learned at or below its threshold has not fallen there: no alert until it rises and falls again")
    func learnedLowIsAlreadyAlerted() throws {
        let empty = StockLevel.learned(sku: "S-2", productId: "p-2", onHand: 0, now: Date())
        #expect(empty.lowAlerted && empty.isLow)
        let plenty = StockLevel.learned(sku: "S-3", productId: "p-3", onHand: 50, now: Date())
        #expect(!plenty.lowAlerted && !plenty.isLow)
        #expect(try !empty.adjusted(by: 2).watchingLowStock(after: empty).announce)
    }

    @Test("demo quantities are deterministic: mostly plenty, a few low, very few at zero")
    func demoQuantities() {
        #expect(DemoStock.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(DemoStock.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)   // the published FNV-1a 64 test vector
        let quantities = (0..<2_000).map { DemoStock.quantity(for: "SKU-\($0)") }
        #expect(quantities == (0..<2_000).map { DemoStock.quantity(for: "SKU-\($0)") })
        let zero = quantities.filter { $0 == 0 }.count
        let low = quantities.filter { (1...9).contains($0) }.count
        let plenty = quantities.filter { (20...200).contains($0) }.count
        #expect(zero + low + plenty == quantities.count)
        #expect((10...80).contains(zero), "\(zero) at zero")
        #expect((70...210).contains(low), "\(low) low")
    }

    @Test("an order's lines merge per SKU in SKU order; unusable lines make the whole order unusable")
    func mergingLines() {
        #expect(ReservationRules.merged([("B", 2), ("A", 1), ("B", 3)]) == [.init(sku: "A", quantity: 1), .init(sku: "B", quantity: 5)])
        #expect(ReservationRules.merged([("A", 0)]) == nil)
        #expect(ReservationRules.merged([("A", -1), ("B", 1)]) == nil)
        #expect(ReservationRules.merged([("", 1)]) == nil)
        #expect(ReservationRules.merged([]) == nil)
        #expect(ReservationRules.merged([("A", ReservationRules.maximumQuantity), ("A", 1)]) == nil)
        #expect(ReservationRules.merged([("A", Int.max)]) == nil)
    }

    @Test("shortages: what is short, with unknown and deleted products' SKUs counting as nothing available")
    func shortages() {
        var deleted = Self.level(onHand: 9)
        deleted.sku = "D"
        deleted.sellable = false
        var plenty = Self.level(onHand: 9, reserved: 4)
        plenty.sku = "P"
        let levels = ["D": deleted, "P": plenty]
        let lines: [Reservation.Line] = [.init(sku: "D", quantity: 1), .init(sku: "P", quantity: 5), .init(sku: "U", quantity: 2)]
        #expect(ReservationRules.shortages(lines, levels: levels)
                == [.init(sku: "D", requested: 1, available: 0), .init(sku: "U", requested: 2, available: 0)])
        #expect(ReservationRules.shortages([.init(sku: "P", quantity: 6)], levels: levels) == [.init(sku: "P", requested: 6, available: 5)])
    }
}
