public import Foundation

/// Stock for every line of an order is reserved until `expiresAt`.
public struct StockReserved: EventPayload {
    public static let eventType = EventType(name: "bazaar.stock.reserved.v1", topic: TopicCatalog.inventory,
                                            summary: "Stock for an order was reserved until the given time.")
    public var orderId: String
    public var reservationId: String
    public var lines: [StockLine]
    public var expiresAt: Date
    public var reservedAt: Date

    public init(orderId: String, reservationId: String, lines: [StockLine], expiresAt: Date, reservedAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.lines = lines
        self.expiresAt = expiresAt
        self.reservedAt = reservedAt
    }

    public var subject: String { orderId }
    public static let example = StockReserved(orderId: "o-2026-000123", reservationId: "r-31aa",
                                              lines: [StockLine(sku: "CBL-NYM-3G15-50", quantity: 2), StockLine(sku: "SW-RCD-40A-30", quantity: 1)],
                                              expiresAt: Date(timeIntervalSince1970: 1_795_002_901), reservedAt: Date(timeIntervalSince1970: 1_795_002_001))
}

/// One SKU an order wanted more of than is available.
public struct StockShortage: Codable, Sendable, Hashable {
    public var sku: String
    public var requested: Int
    public var available: Int

    public init(sku: String, requested: Int, available: Int) {
        self.sku = sku
        self.requested = requested
        self.available = available
    }
}

/// An order could not be reserved; nothing was reserved for it. Also sent for an order confirmed
/// after its hold expired when its units were sold meanwhile: the order service cancels and refunds.
public struct StockRejected: EventPayload {
    public static let eventType = EventType(name: "bazaar.stock.rejected.v1", topic: TopicCatalog.inventory,
                                            summary: "Stock for an order could not be reserved, or could not be taken again for a confirmation that came after its hold expired; lists the shortages.")
    public var orderId: String
    public var shortages: [StockShortage]
    public var rejectedAt: Date

    public init(orderId: String, shortages: [StockShortage], rejectedAt: Date) {
        self.orderId = orderId
        self.shortages = shortages
        self.rejectedAt = rejectedAt
    }

    public var subject: String { orderId }
    public static let example = StockRejected(orderId: "o-2026-000124", shortages: [StockShortage(sku: "SW-RCD-40A-30", requested: 3, available: 1)],
                                              rejectedAt: Date(timeIntervalSince1970: 1_795_002_101))
}

/// A reservation was given back (order cancelled or reservation expired).
public struct StockReleased: EventPayload {
    public static let eventType = EventType(name: "bazaar.stock.released.v1", topic: TopicCatalog.inventory,
                                            summary: "Reserved stock was released back to sale.")
    public enum Reason: String, Codable, Sendable, CaseIterable {
        case orderCancelled = "order_cancelled"
        case expired
    }

    public var orderId: String
    public var reservationId: String
    public var lines: [StockLine]
    public var reason: Reason
    public var releasedAt: Date

    public init(orderId: String, reservationId: String, lines: [StockLine], reason: Reason, releasedAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.lines = lines
        self.reason = reason
        self.releasedAt = releasedAt
    }

    public var subject: String { orderId }
    public static let example = StockReleased(orderId: "o-2026-000123", reservationId: "r-31aa", lines: [StockLine(sku: "CBL-NYM-3G15-50", quantity: 2)],
                                              reason: .expired, releasedAt: Date(timeIntervalSince1970: 1_795_002_902))
}

/// Available stock of a SKU fell to or below its threshold; admins are alerted.
public struct StockLow: EventPayload {
    public static let eventType = EventType(name: "bazaar.stock.low.v1", topic: TopicCatalog.inventory,
                                            summary: "A SKU's available stock fell to or below its low-stock threshold.")
    public var sku: String
    public var available: Int
    public var threshold: Int
    public var occurredAt: Date

    public init(sku: String, available: Int, threshold: Int, occurredAt: Date) {
        self.sku = sku
        self.available = available
        self.threshold = threshold
        self.occurredAt = occurredAt
    }

    public var subject: String { sku }
    public static let example = StockLow(sku: "SW-RCD-40A-30", available: 4, threshold: 5, occurredAt: Date(timeIntervalSince1970: 1_795_002_002))
}
