import BazaarContracts
import BazaarMessaging
import BazaarPostgresMessaging
import Foundation
import Logging
import PostgresNIO

/// Every event the order service publishes, built here from the order and nowhere else. Each is
/// appended to the outbox on `connection`, inside the transaction that saves the change.
struct OrderAnnouncer: Sendable {
    let outbox: Outbox

    func announce(_ announcements: [Announcement], for order: Order, at time: Date, context: EventContext, on connection: PostgresConnection,
                  logger: Logger) async throws {
        for announcement in announcements {
            switch announcement {
            case .placed:
                try await outbox.append(OrderPlaced(orderId: order.id, userId: order.userId, email: order.email, lines: order.lines,
                                                    subtotal: order.totals.subtotal, shippingCost: order.totals.shipping,
                                                    vatIncluded: order.totals.vatIncluded, total: order.totals.total,
                                                    shippingAddress: order.shippingAddress, placedAt: order.placedAt),
                                        context: context, on: connection, logger: logger)
            case .paymentRequested:
                try await outbox.append(OrderPaymentRequested(orderId: order.id, userId: order.userId, amount: order.totals.total,
                                                              paymentMethod: order.paymentMethod, payBy: order.payBy, requestedAt: time),
                                        context: context, on: connection, logger: logger)
            case .confirmed:
                try await outbox.append(OrderConfirmed(orderId: order.id, userId: order.userId, email: order.email, lines: order.lines,
                                                       subtotal: order.totals.subtotal, shippingCost: order.totals.shipping,
                                                       vatIncluded: order.totals.vatIncluded, total: order.totals.total,
                                                       shippingAddress: order.shippingAddress, paymentId: order.payment?.paymentId ?? "",
                                                       confirmedAt: time),
                                        context: context, on: connection, logger: logger)
            case .cancelled(let refundDue):
                try await outbox.append(OrderCancelled(orderId: order.id, userId: order.userId, email: order.email,
                                                       reason: order.cancellationReason ?? .admin, lines: order.lines, total: order.totals.total,
                                                       refundDue: refundDue, cancelledAt: time),
                                        context: context, on: connection, logger: logger)
            case .shipped:
                try await outbox.append(OrderShipped(orderId: order.id, userId: order.userId, email: order.email,
                                                     carrier: order.shipment?.carrier ?? "", trackingNumber: order.shipment?.trackingNumber ?? "",
                                                     shippedAt: time),
                                        context: context, on: connection, logger: logger)
            case .delivered:
                try await outbox.append(OrderDelivered(orderId: order.id, userId: order.userId, email: order.email, deliveredAt: time),
                                        context: context, on: connection, logger: logger)
            }
        }
    }
}
