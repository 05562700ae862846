import BazaarContracts
import Foundation
import Metrics

/// The order service's business metrics in `/metrics`. Orders per minute is
/// `rate(order_orders_placed_total[1m]) * 60`; revenue `increase(order_revenue_minor_units_total{currency="EUR"}[1d]) / 100`;
/// conversion from checkout to paid order `increase(order_orders_confirmed_total) / increase(order_orders_placed_total)`
/// (with the cart's `cart_carts_created_total`, the whole funnel).
///
/// Counted in the transaction that makes the change, before it commits: a commit that fails after
/// the count (rare; the event is then applied again) counts twice.
struct OrderMetrics: Sendable {
    let factory: any MetricsFactory
    let placed: Counter
    let confirmed: Counter
    let placedToConfirmed: Metrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        placed = Counter(label: "order_orders_placed_total", factory: factory)
        confirmed = Counter(label: "order_orders_confirmed_total", factory: factory)
        placedToConfirmed = Metrics.Timer(label: "order_placed_to_confirmed_seconds", factory: factory)
    }

    /// Counts what `announcements` say happened to `order`.
    func record(_ announcements: [Announcement], for order: Order, at time: Date) {
        for announcement in announcements {
            switch announcement {
            case .placed:
                placed.increment()
            case .confirmed:
                confirmed.increment()
                Counter(label: "order_revenue_minor_units_total", dimensions: [("currency", order.currency.code)], factory: factory)
                    .increment(by: Int(order.totals.total.minorUnits))
                placedToConfirmed.recordNanoseconds(Int64(max(0, time.timeIntervalSince(order.placedAt)) * 1_000_000_000))
            case .cancelled:
                // A late payment's refund request is a second order.cancelled: count the cancellation once.
                if order.history.last?.reason != "late_payment_refund_requested" {
                    Counter(label: "order_orders_cancelled_total", dimensions: [("reason", order.cancellationReason?.rawValue ?? "unknown")],
                            factory: factory).increment()
                }
            case .paymentRequested, .shipped, .delivered:
                break
            }
        }
    }
}
