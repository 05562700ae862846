import BazaarContracts
import BazaarCore
@testable import BazaarOrder
import BazaarTestSupport
import Foundation
import Testing

/// The customer's and the administrators' endpoints against the real service and Postgres.
@Suite("Order: endpoints", .timeLimit(.minutes(3)))
struct OrderRoutesTests {
    typealias Harness = OrderHarness

    /// Publishes checkouts and the stock and payment answers until each order is confirmed.
    static func confirmed(_ ids: [String], userId: String = "u-1", in orders: Harness) async throws {
        try await orders.service.publish(ids.map { Harness.checkout($0, userId: userId) })
        for id in ids { try await orders.waitFor(id, status: "pending") }
        try await orders.service.publish(ids.map(Harness.reserved))
        for id in ids { try await orders.waitFor(id, status: "awaiting_payment") }
        try await orders.service.publish(ids.map { Harness.authorized($0) })
        for id in ids { try await orders.waitFor(id, status: "confirmed") }
    }

    @Test("customers list and read only their own orders, newest first; another user's order is a 404; bad parameters are 400")
    func ownOrders() async throws {
        try await Harness.run { orders in
            try await orders.service.publish([Harness.checkout("o-a")])
            try await orders.waitFor("o-a", status: "pending")
            try await orders.service.publish([Harness.checkout("o-b"), Harness.checkout("o-other", userId: "u-2")])
            try await orders.waitFor("o-b", status: "pending")
            try await orders.waitFor("o-other", status: "pending")

            let mine = try await orders.send(.get, "/api/orders", token: orders.customerToken)
            #expect(mine.status == .ok)
            let page = try mine.jsonObject()
            #expect(page["total"] as? Int == 2)
            #expect((page["items"] as? [[String: Any]])?.map { $0["id"] as? String } == ["o-b", "o-a"])
            #expect((page["items"] as? [[String: Any]])?.first?["itemCount"] as? Int == 2)
            #expect(try await orders.send(.get, "/api/orders/", token: orders.customerToken).status == .ok)
            #expect(try await orders.order("o-other", token: orders.customerToken) == nil)
            #expect(try await orders.order("o-other", token: orders.otherCustomerToken)?["userId"] as? String == "u-2")
            #expect(try await orders.send(.get, "/api/orders/o-a").status == .unauthorized)
            #expect(try await orders.send(.get, "/api/orders/no%20such", token: orders.customerToken).status == .notFound)
            #expect(try await orders.send(.post, "/api/orders/o-other/cancel", token: orders.customerToken).status == .notFound)
            #expect(try await orders.order("o-other")?["status"] as? String == "pending")

            let filtered = try await orders.send(.get, "/api/orders?status=cancelled", token: orders.customerToken).jsonObject()
            #expect(filtered["total"] as? Int == 0)
            let paged = try await orders.send(.get, "/api/orders?limit=1&page=2", token: orders.customerToken).jsonObject()
            #expect((paged["items"] as? [[String: Any]])?.map { $0["id"] as? String } == ["o-a"] && paged["total"] as? Int == 2)
            let beyond = try await orders.send(.get, "/api/orders?limit=1&page=5", token: orders.customerToken).jsonObject()
            #expect((beyond["items"] as? [Any])?.isEmpty == true && beyond["total"] as? Int == 2)
            let bad = try await orders.send(.get, "/api/orders?status=lost&limit=0", token: orders.customerToken)
            #expect(bad.status == .badRequest)
            #expect(bad.headers[.contentType] == "application/problem+json")
            #expect(bad.text.contains("status"))
        }
    }

    @Test("administrators see every order (by status and user), ship and deliver; each step is announced; wrong steps are 409")
    func orderDesk() async throws {
        try await Harness.run { orders in
            try await Self.confirmed(["o-ship"], in: orders)
            try await orders.service.publish([Harness.checkout("o-open", userId: "u-2")])
            try await orders.waitFor("o-open", status: "pending")

            #expect(try await orders.send(.get, "/api/orders/all", token: orders.customerToken).status == .forbidden)
            let all = try await orders.send(.get, "/api/orders/all", token: orders.adminToken).jsonObject()
            #expect(all["total"] as? Int == 2)
            let confirmed = try await orders.send(.get, "/api/orders/all?status=confirmed&userId=u-1", token: orders.adminToken).jsonObject()
            #expect((confirmed["items"] as? [[String: Any]])?.map { $0["id"] as? String } == ["o-ship"])

            #expect(try await orders.send(.post, "/api/orders/o-ship/ship", json: ["carrier": "DHL", "trackingNumber": "T-1"],
                                          token: orders.customerToken).status == .forbidden)
            let missing = try await orders.send(.post, "/api/orders/o-ship/ship", json: ["carrier": "  "], token: orders.adminToken)
            #expect(missing.status == .badRequest && missing.text.contains("trackingNumber") && missing.text.contains("carrier"))
            #expect(try await orders.send(.post, "/api/orders/o-open/ship", json: ["carrier": "DHL", "trackingNumber": "T-2"],
                                          token: orders.adminToken).status == .conflict)
            #expect(try await orders.send(.post, "/api/orders/o-ship/deliver", token: orders.adminToken).status == .conflict)
            let shipped = try await orders.send(.post, "/api/orders/o-ship/ship", json: ["carrier": "DHL", "trackingNumber": "T-1"], token: orders.adminToken)
            #expect(shipped.status == .ok)
            #expect((try shipped.jsonObject()["shipment"] as? [String: Any])?["trackingNumber"] as? String == "T-1")
            let cancelShipped = try await orders.send(.post, "/api/orders/o-ship/cancel", token: orders.customerToken)
            #expect(cancelShipped.status == .conflict && cancelShipped.text.contains("shipped"))
            #expect(try await orders.send(.post, "/api/orders/o-ship/deliver", token: orders.adminToken).status == .ok)
            #expect(try await orders.order("o-ship")?["status"] as? String == "delivered")

            let adminCancel = try await orders.send(.post, "/api/orders/o-open/cancel", token: orders.adminToken)
            #expect(adminCancel.status == .ok)
            #expect(try adminCancel.jsonObject()["cancellationReason"] as? String == "admin")
            #expect(try await orders.send(.post, "/api/orders/o-open/cancel", token: orders.adminToken).status == .conflict)

            let shippedEvent = try #require(try await orders.published(OrderShipped.self, order: "o-ship").first)
            #expect(shippedEvent.data.carrier == "DHL" && shippedEvent.data.trackingNumber == "T-1")
            #expect(try await orders.published(OrderDelivered.self, order: "o-ship").count == 1)
            #expect(try await orders.published(OrderCancelled.self, order: "o-open").first?.data.reason == .admin)
        }
    }

    @Test("a customer cancelling a confirmed order gets it cancelled with a refund due; the refund shows on the order")
    func cancelAfterConfirmation() async throws {
        try await Harness.run { orders in
            try await Self.confirmed(["o-regret"], in: orders)
            let response = try await orders.send(.post, "/api/orders/o-regret/cancel", token: orders.customerToken)
            #expect(response.status == .ok)
            #expect(try response.jsonObject()["cancellationReason"] as? String == "customer_request")
            let cancelled = try #require(try await orders.published(OrderCancelled.self, order: "o-regret").first)
            #expect(cancelled.data.refundDue && cancelled.data.reason == .customerRequest)
            try await orders.service.publish([Harness.refunded("o-regret", refundId: "rf-1")])
            try await eventually("the refund is on the order") {
                let payment = try await orders.order("o-regret")?["payment"] as? [String: Any]
                return (payment?["refunded"] as? [String: Any])?["minorUnits"] as? Int == 2_990
            }
        }
    }

    @Test("every route is in the OpenAPI document")
    func documented() async throws {
        try await Harness.run { orders in
            #expect(orders.service.undocumentedRoutes.isEmpty, "\(orders.service.undocumentedRoutes)")
        }
    }
}
