import BazaarCore
import Foundation
import Hummingbird

/// A SKU's stock as administrators see it.
struct StockView: Codable, Sendable, ResponseEncodable {
    var sku: String
    var productId: String
    var onHand: Int
    var reserved: Int
    var available: Int
    var lowStockThreshold: Int
    var low: Bool
    var sellable: Bool
    var version: Int
    var updatedAt: Date
    /// Units held for orders, each hold with its expiry (only in the single-SKU view).
    var reservations: [Hold]?

    struct Hold: Codable, Sendable {
        var orderId: String
        var quantity: Int
        var expiresAt: Date
    }

    init(_ level: StockLevel) {
        sku = level.sku
        productId = level.productId
        onHand = level.onHand
        reserved = level.reserved
        available = level.available
        lowStockThreshold = level.lowStockThreshold
        low = level.isLow
        sellable = level.sellable
        version = level.version
        updatedAt = level.updatedAt
    }
}

/// One ledger row as administrators see it.
struct LedgerView: Codable, Sendable {
    var id: Int
    var kind: String
    var delta: Int
    var reason: String
    var actor: String
    var onHandBefore: Int
    var onHandAfter: Int
    var reservedBefore: Int
    var reservedAfter: Int
    var requestId: String?
    var recordedAt: Date

    init(_ entry: LedgerEntry) {
        id = entry.id
        kind = entry.kind.rawValue
        delta = entry.delta
        reason = entry.reason
        actor = entry.actor
        onHandBefore = entry.onHandBefore
        onHandAfter = entry.onHandAfter
        reservedBefore = entry.reservedBefore
        reservedAfter = entry.reservedAfter
        requestId = entry.requestID
        recordedAt = entry.recordedAt
    }
}

/// `GET /api/inventory/availability`: what can be sold of each SKU asked for.
struct AvailabilityView: Codable, Sendable, ResponseEncodable {
    struct Entry: Codable, Sendable, Equatable {
        var available: Int
        var inStock: Bool
    }

    /// Known SKUs (a deleted product's SKU shows 0, not in stock).
    var availability: [String: Entry]
    /// SKUs asked for that the inventory does not know, in the order asked.
    var unknown: [String]
}
