import Foundation

/// One SKU's stock: what is on the shelf, what is held for orders, and when to warn.
/// Pure value; the store keeps it and the database's CHECK constraints repeat the invariants
/// (`onHand >= 0`, `reserved >= 0`, `reserved <= onHand`).
struct StockLevel: Sendable, Equatable {
    var sku: String
    var productId: String
    var onHand: Int
    var reserved: Int
    var lowStockThreshold: Int
    /// False once the product was deleted from the catalog: nothing more can be reserved.
    var sellable: Bool
    /// Whether `stock.low` was announced for the current stretch at or below the threshold.
    var lowAlerted: Bool
    var version: Int
    var updatedAt: Date

    /// What can still be reserved.
    var available: Int { onHand - reserved }
    /// At or below the low-stock threshold.
    var isLow: Bool { available <= lowStockThreshold }
}

/// The limits every stock change is checked against.
enum StockLimits {
    /// Largest quantity on hand of one SKU (well inside Postgres `integer`).
    static let maximumOnHand = 100_000_000
    /// Largest low-stock threshold.
    static let maximumThreshold = 1_000_000
    /// Threshold a newly learned SKU gets.
    static let defaultThreshold = 10
}

/// Why a change to a stock level was refused.
enum StockChangeError: Error, Equatable {
    /// The change would leave less on hand than is reserved for orders.
    case belowReserved(onHand: Int, reserved: Int)
    /// The change would leave more on hand than ``StockLimits/maximumOnHand``.
    case aboveMaximum(onHand: Int)
}

extension StockLevel {
    /// This level with `delta` units added to (or, negative, taken from) the shelf.
    func adjusted(by delta: Int) throws(StockChangeError) -> StockLevel {
        let (onHand, overflow) = self.onHand.addingReportingOverflow(delta)
        if overflow || onHand > StockLimits.maximumOnHand { throw .aboveMaximum(onHand: overflow ? Int.max : onHand) }
        return try replaced(onHand: onHand, lowStockThreshold: lowStockThreshold)
    }

    /// This level with `onHand` and `lowStockThreshold` set.
    func replaced(onHand: Int, lowStockThreshold: Int) throws(StockChangeError) -> StockLevel {
        guard onHand <= StockLimits.maximumOnHand else { throw .aboveMaximum(onHand: onHand) }
        guard onHand >= reserved else { throw .belowReserved(onHand: onHand, reserved: reserved) }
        var changed = self
        changed.onHand = onHand
        changed.lowStockThreshold = lowStockThreshold
        return changed
    }

    /// Whether `stock.low` is due for this level, coming from `previous`, and the level with its
    /// alert state brought up to date: announced once per fall to or below the threshold, and
    /// again only after available stock went back above it.
    func watchingLowStock(after previous: StockLevel) -> (level: StockLevel, announce: Bool) {
        var level = self
        guard isLow else {
            level.lowAlerted = false
            return (level, false)
        }
        let announce = !previous.lowAlerted
        level.lowAlerted = true
        return (level, announce)
    }

    /// A SKU first learned from the catalog with `onHand` units. A SKU that starts at or below
    /// its threshold has not fallen there, so it starts as already announced.
    static func learned(sku: String, productId: String, onHand: Int, now: Date) -> StockLevel {
        var level = StockLevel(sku: sku, productId: productId, onHand: onHand, reserved: 0, lowStockThreshold: StockLimits.defaultThreshold,
                               sellable: true, lowAlerted: false, version: 1, updatedAt: now)
        level.lowAlerted = level.isLow
        return level
    }
}
