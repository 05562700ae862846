import BazaarContracts
import BazaarCore
@testable import BazaarOrder
import BazaarTestSupport
import Foundation
import Testing

/// The saga against the real dev broker and Postgres: the test publishes what the cart, the
/// inventory and the payment service would, and reads what the order service publishes.
@Suite("Order: the saga", .timeLimit(.minutes(3)))
struct OrderSagaTests {
    typealias Harness = OrderHarness

    @Test("checkout → placed → stock reserved → payment requested → authorized → confirmed, each announced once, with the history")
    func happyPath() async throws {
        try await Harness.run { orders in
            try await orders.service.publish([Harness.checkout("o-1")], ids: ["ev-checkout"])
            let pending = try await orders.waitFor("o-1", status: "pending")
            #expect((pending["total"] as? [String: Any])?["minorUnits"] as? Int == 2_990)
            #expect((pending["vatIncluded"] as? [String: Any])?["minorUnits"] as? Int == 477)
            let placed = try #require(try await orders.published(OrderPlaced.self, order: "o-1").first)
            #expect(placed.data.total == Harness.euro(2_990) && placed.data.lines.count == 1 && placed.data.email == "u-1@example.com")

            try await orders.service.publish([Harness.reserved("o-1")], ids: ["ev-reserved"])
            try await orders.waitFor("o-1", status: "awaiting_payment")
            let requested = try #require(try await orders.published(OrderPaymentRequested.self, order: "o-1").first)
            #expect(requested.data.amount == Harness.euro(2_990) && requested.data.paymentMethod == "tok_visa")

            try await orders.service.publish([Harness.authorized("o-1")], ids: ["ev-authorized"])
            let confirmed = try await orders.waitFor("o-1", status: "confirmed")
            let event = try #require(try await orders.published(OrderConfirmed.self, order: "o-1").first)
            #expect(event.data.paymentId == "pay-o-1" && event.data.vatIncluded == Harness.euro(477))
            let history = try #require(confirmed["history"] as? [[String: Any]])
            #expect(history.map { $0["status"] as? String } == ["pending", "awaiting_payment", "confirmed"])
            #expect(history.map { $0["eventId"] as? String } == ["ev-checkout", "ev-reserved", "ev-authorized"])
            #expect(confirmed["payBy"] == nil)

            let metrics = try await orders.send(.get, "/metrics").text
            #expect(metrics.contains("order_orders_placed_total 1"))
            #expect(metrics.contains("order_orders_confirmed_total 1"))
            #expect(metrics.contains(#"order_revenue_minor_units_total{currency="EUR"} 2990"#))
            #expect(metrics.contains("order_placed_to_confirmed_seconds_count 1"))
        }
    }

    @Test("out of stock and a declined payment cancel with their reasons; nothing is refunded")
    func cancellations() async throws {
        try await Harness.run { orders in
            try await orders.service.publish([Harness.checkout("o-stock"), Harness.checkout("o-card")])
            try await orders.waitFor("o-stock", status: "pending")
            try await orders.waitFor("o-card", status: "pending")
            try await orders.service.publish([Harness.rejected("o-stock")])
            try await orders.service.publish([Harness.reserved("o-card")])
            try await orders.waitFor("o-card", status: "awaiting_payment")
            try await orders.service.publish([Harness.failed("o-card")])
            #expect(try await orders.waitFor("o-stock", status: "cancelled")["cancellationReason"] as? String == "out_of_stock")
            #expect(try await orders.waitFor("o-card", status: "cancelled")["cancellationReason"] as? String == "payment_failed")
            let stock = try #require(try await orders.published(OrderCancelled.self, order: "o-stock").first)
            let card = try #require(try await orders.published(OrderCancelled.self, order: "o-card").first)
            #expect(stock.data.reason == .outOfStock && !stock.data.refundDue)
            #expect(card.data.reason == .paymentFailed && !card.data.refundDue)
            let metrics = try await orders.send(.get, "/metrics").text
            #expect(metrics.contains(#"order_orders_cancelled_total{reason="out_of_stock"} 1"#))
            #expect(metrics.contains(#"order_orders_cancelled_total{reason="payment_failed"} 1"#))
        }
    }

    @Test("duplicate deliveries of every event (same or new event id) change nothing and announce nothing more")
    func duplicates() async throws {
        try await Harness.run { orders in
            let checkout = Harness.checkout("o-dup")
            try await orders.service.publish([checkout, checkout], ids: ["c-1", "c-1"])
            try await orders.service.publish([checkout], ids: ["c-2"])  // the cart's relay re-sent it under another id
            try await orders.waitFor("o-dup", status: "pending")
            try await orders.service.publish([Harness.reserved("o-dup"), Harness.reserved("o-dup")])
            try await orders.waitFor("o-dup", status: "awaiting_payment")
            try await orders.service.publish([Harness.authorized("o-dup"), Harness.authorized("o-dup")])
            try await orders.waitFor("o-dup", status: "confirmed")
            try await orders.service.publish([Harness.reserved("o-dup")])
            try await orders.service.publish([Harness.failed("o-dup")])
            try await orders.service.publish([Harness.released("o-dup", reason: .expired)])
            try await orders.service.publish([Harness.refunded("o-dup", refundId: "rf-1", amount: 500), Harness.refunded("o-dup", refundId: "rf-1", amount: 500)])
            // The last events must have been applied (or skipped) before counting: the refund shows.
            let order = try await eventuallyValue("the refund is recorded") {
                let order = try await orders.order("o-dup")
                return ((order?["payment"] as? [String: Any])?["refunded"] as? [String: Any])?["minorUnits"] as? Int == 500 ? order : nil
            }
            #expect(order["status"] as? String == "confirmed")
            let messages = try await orders.published { messages in
                ((try? events(OrderConfirmed.self, in: messages)) ?? []).count >= 1
            }
            #expect(try events(OrderPlaced.self, in: messages).count == 1)
            #expect(try events(OrderPaymentRequested.self, in: messages).count == 1)
            #expect(try events(OrderConfirmed.self, in: messages).count == 1)
        }
    }

    @Test("a confirmation that found its expired hold's units sold (stock.rejected after confirmed) cancels with a refund due")
    func rejectedAfterConfirmation() async throws {
        try await Harness.run { orders in
            try await orders.service.publish([Harness.checkout("o-late")])
            try await orders.waitFor("o-late", status: "pending")
            try await orders.service.publish([Harness.reserved("o-late")])
            try await orders.waitFor("o-late", status: "awaiting_payment")
            try await orders.service.publish([Harness.authorized("o-late")])
            try await orders.waitFor("o-late", status: "confirmed")
            try await orders.service.publish([Harness.released("o-late", reason: .expired)])
            try await orders.service.publish([Harness.rejected("o-late")])
            #expect(try await orders.waitFor("o-late", status: "cancelled")["cancellationReason"] as? String == "out_of_stock")
            let cancelled = try #require(try await orders.published(OrderCancelled.self, order: "o-late").first)
            #expect(cancelled.data.refundDue)
        }
    }

    @Test("an unpaid order times out; a payment arriving afterwards keeps it cancelled and asks for a refund once")
    func timeoutThenLatePayment() async throws {
        try await Harness.run(["ORDER_PAYMENT_TIMEOUT_SECONDS": "1"]) { orders in
            try await orders.service.publish([Harness.checkout("o-slow")])
            try await orders.waitFor("o-slow", status: "pending")
            try await orders.service.publish([Harness.reserved("o-slow")])
            let cancelled = try await orders.waitFor("o-slow", status: "cancelled")
            #expect(cancelled["cancellationReason"] as? String == "timeout")
            try await orders.service.publish([Harness.authorized("o-slow"), Harness.authorized("o-slow")])
            let refunds = try await orders.published(OrderCancelled.self, order: "o-slow", count: 2)
            #expect(refunds.map(\.data.refundDue) == [false, true])
            #expect(refunds.allSatisfy { $0.data.reason == .timeout })
            let order = try #require(try await orders.order("o-slow"))
            #expect(order["status"] as? String == "cancelled")
            #expect((order["history"] as? [[String: Any]])?.last?["reason"] as? String == "late_payment_refund_requested")
            let metrics = try await orders.send(.get, "/metrics").text
            #expect(metrics.contains(#"order_orders_cancelled_total{reason="timeout"} 1"#))
        }
    }

    @Test("a hold that expired cancels an unpaid order with timeout; stock reserved for an order already cancelled leaves it cancelled")
    func expiredHoldAndLateReservation() async throws {
        try await Harness.run { orders in
            try await orders.service.publish([Harness.checkout("o-exp"), Harness.checkout("o-gone")])
            try await orders.waitFor("o-exp", status: "pending")
            try await orders.waitFor("o-gone", status: "pending")
            try await orders.service.publish([Harness.reserved("o-exp")])
            try await orders.waitFor("o-exp", status: "awaiting_payment")
            try await orders.service.publish([Harness.released("o-exp", reason: .expired)])
            #expect(try await orders.waitFor("o-exp", status: "cancelled")["cancellationReason"] as? String == "timeout")

            let cancel = try await orders.send(.post, "/api/orders/o-gone/cancel", token: orders.customerToken)
            #expect(cancel.status == .ok)
            try await orders.service.publish([Harness.reserved("o-gone")], ids: ["late-reserved"])
            try await eventually("the late reservation was handled") {
                let history = try await orders.order("o-gone")?["history"] as? [[String: Any]]
                let processed = try await orders.service.processed(eventID: "late-reserved")
                return processed && history?.count == 2
            }
            #expect(try await orders.order("o-gone")?["status"] as? String == "cancelled")
            let messages = try await orders.published { ((try? events(OrderCancelled.self, in: $0)) ?? []).contains { $0.subject == "o-gone" } }
            #expect(try events(OrderPaymentRequested.self, in: messages).filter { $0.subject == "o-gone" }.isEmpty)
        }
    }

    @Test("a checkout whose totals do not add up becomes a cancelled order (invalid_checkout) and nothing is reserved")
    func invalidCheckout() async throws {
        try await Harness.run { orders in
            try await orders.service.publish([Harness.checkout("o-bad", total: 100)])
            let order = try await orders.waitFor("o-bad", status: "cancelled")
            #expect(order["cancellationReason"] as? String == "invalid_checkout")
            let detail = (order["history"] as? [[String: Any]])?.last?["detail"] as? String
            #expect(detail?.contains("total 100 EUR should be 2990 EUR") == true, "\(detail ?? "")")
            let cancelled = try #require(try await orders.published(OrderCancelled.self, order: "o-bad").first)
            #expect(cancelled.data.reason == .invalidCheckout)
            // order.placed would have been written before the cancellation, in the same transaction.
            let messages = try await orders.published { ((try? events(OrderCancelled.self, in: $0)) ?? []).contains { $0.subject == "o-bad" } }
            #expect(try events(OrderPlaced.self, in: messages).isEmpty)
        }
    }
}
