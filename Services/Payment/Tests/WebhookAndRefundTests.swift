import BazaarContracts
import BazaarCore
@testable import BazaarPayment
import BazaarTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Payment webhooks and refunds", .serialized)
struct WebhookAndRefundTests {
    static let signer = WebhookSignature(secrets: [PaymentHarness.webhookSecret])

    static func euro(_ minor: Int64) -> [String: any Sendable] { ["minorUnits": minor, "currency": "EUR"] }

    static func webhook(_ payments: PaymentHarness, body: String, signature: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let signature { headers[HTTPField.Name(WebhookSignature.headerName)!] = signature }
        return try await payments.send(.post, "/api/payments/webhook", raw: body, headers: headers)
    }

    static func event(id: String, paymentId: String, type: String = "charge.succeeded") -> String {
        let failure = type == "charge.failed" ? #","failure":{"code":"card_declined","message":"Declined."}"# : ""
        return #"{"id":"\#(id)","type":"\#(type)","created":\#(Int(Date().timeIntervalSince1970)),"data":{"paymentId":"\#(paymentId)","reference":"sim_ch_test","card":{"brand":"visa","last4":"3220"}\#(failure)}}"#
    }

    @Test("a webhook needs a valid, fresh signature and a provider event; a replayed event id changes nothing")
    func webhooks() async throws {
        // The simulator's own webhook is far off: the test sends the provider's news itself.
        try await PaymentHarness.run(["PAYMENT_SIMULATOR_WEBHOOK_DELAY_MILLISECONDS": "3600000"]) { payments in
            try await payments.publish([PaymentHarness.requested("o-hook", method: "tok_slow")])
            let waiting = try await payments.waitForPayment(order: "o-hook", status: "awaiting_provider")
            let paymentId = try #require(waiting["id"] as? String)
            let body = Self.event(id: "evt-1", paymentId: paymentId)
            let data = Data(body.utf8)
            let ledgerBefore = try await payments.number("SELECT count(*)::int FROM ledger")

            let refusals: [(String, String?)] = [
                ("no signature", nil),
                ("another secret", WebhookSignature(secrets: ["another-secret-0123456789"]).header(for: data)),
                ("six minutes old", Self.signer.header(for: data, at: Date().addingTimeInterval(-360))),
                ("six minutes ahead", Self.signer.header(for: data, at: Date().addingTimeInterval(360))),
                ("signed over another body", Self.signer.header(for: Data((body + " ").utf8))),
                ("no v1", "t=\(Int(Date().timeIntervalSince1970))"),
            ]
            for (why, signature) in refusals {
                let response = try await Self.webhook(payments, body: body, signature: signature)
                #expect(response.status == .badRequest, "\(why): \(response.status) \(response.text)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(why)")
            }
            for bad in ["not json", #"{"id":"evt-x"}"#, Self.event(id: "evt-2", paymentId: "pay_missing"), Self.event(id: "evt-3", paymentId: paymentId, type: "charge.refunded")] {
                let response = try await Self.webhook(payments, body: bad, signature: Self.signer.header(for: Data(bad.utf8)))
                #expect(response.status == .badRequest, "\(bad): \(response.status) \(response.text)")
            }
            #expect(try await payments.number("SELECT count(*)::int FROM ledger") == ledgerBefore, "refused webhooks change nothing")
            #expect(try await payments.number("SELECT count(*)::int FROM webhook_events") == 0)
            #expect(try await payments.payment(order: "o-hook")?["status"] as? String == "awaiting_provider")

            let accepted = try await Self.webhook(payments, body: body, signature: Self.signer.header(for: data))
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(try accepted.jsonObject()["duplicate"] as? Bool == false)
            #expect(try await payments.payment(order: "o-hook")?["status"] as? String == "captured")
            let ledgerAfter = try await payments.number("SELECT count(*)::int FROM ledger")

            let replayed = try await Self.webhook(payments, body: body, signature: Self.signer.header(for: data))
            #expect(replayed.status == .ok)
            #expect(try replayed.jsonObject()["duplicate"] as? Bool == true)
            // A new event id about the settled payment is recorded but changes no money either.
            let late = Self.event(id: "evt-4", paymentId: paymentId, type: "charge.failed")
            #expect(try await Self.webhook(payments, body: late, signature: Self.signer.header(for: Data(late.utf8))).status == .ok)
            #expect(try await payments.number("SELECT count(*)::int FROM ledger") == ledgerAfter)
            #expect(try await payments.announced("bazaar.payment.authorized.v1", order: "o-hook") == 1)
            #expect(try await payments.announced("bazaar.payment.failed.v1", order: "o-hook") == 0)
        }
    }

    @Test("a cancelled order with a refund due gets its captured money back once, announced as payment.refunded")
    func cancellationRefund() async throws {
        try await PaymentHarness.run { payments in
            try await payments.publish([PaymentHarness.requested("o-cancel")])
            let captured = try await payments.waitForPayment(order: "o-cancel", status: "captured")
            let cancelled = PaymentHarness.cancelled("o-cancel", refundDue: true)
            // The cancellation redelivered, and announced twice (as a late payment's refund request is).
            try await payments.publish([cancelled, cancelled, cancelled], ids: ["c-1", "c-1", "c-2"])
            try await eventually("the refund succeeded") {
                let payment = try await payments.payment(order: "o-cancel")
                return (payment?["refunded"] as? [String: Any])?["minorUnits"] as? Int == 2_990
            }
            try await eventually("both cancellations were consumed") {
                let first = try await payments.service.processed(eventID: "c-1")
                let second = try await payments.service.processed(eventID: "c-2")
                return first && second
            }
            #expect(try await payments.number("SELECT count(*)::int FROM refunds") == 1)
            #expect(try await payments.number("SELECT count(*)::int FROM payment_simulator.operations WHERE kind = 'refund'") == 1)
            let messages = try await payments.published { messages in ((try? events(PaymentRefunded.self, in: messages).count) ?? 0) >= 1 }
            let refunded = try events(PaymentRefunded.self, in: messages)
            #expect(refunded.map(\.data.amount) == [PaymentHarness.euro(2_990)])
            #expect(refunded.first?.data.paymentId == captured["id"] as? String)
            let report = try await payments.reconciliation()
            #expect((report["mismatches"] as? [Any])?.isEmpty == true, "\(report)")
        }
    }

    @Test("partial refunds: Idempotency-Key replays, bad input refused without effect, and concurrent requests never exceed the capture")
    func partialRefunds() async throws {
        try await PaymentHarness.run { payments in
            try await payments.publish([PaymentHarness.requested("o-part")])
            let paymentId = try #require(try await payments.waitForPayment(order: "o-part", status: "captured")["id"] as? String)
            let path = "/api/payments/\(paymentId)/refunds"
            @Sendable func refund(_ json: [String: any Sendable]?, raw: String? = nil, key: String? = UUID().uuidString, token: String? = nil) async throws -> TestResponse {
                var headers: HTTPFields = [:]
                if let key { headers[IdempotencyKey.header] = key }
                return try await payments.send(.post, path, json: json, raw: raw, token: token ?? payments.adminToken, headers: headers)
            }

            // Refused, each changing nothing.
            var refusals: [(String, TestResponse, HTTPResponse.Status)] = []
            refusals.append(("no key", try await refund(["amount": Self.euro(100), "reason": "goodwill"], key: nil), .badRequest))
            refusals.append(("customer", try await refund(["amount": Self.euro(100), "reason": "goodwill"], token: payments.customerToken), .forbidden))
            refusals.append(("no token", try await payments.send(.post, path, json: ["amount": Self.euro(100), "reason": "x"], headers: [IdempotencyKey.header: "k"]), .unauthorized))
            refusals.append(("zero", try await refund(["amount": Self.euro(0), "reason": "goodwill"]), .badRequest))
            refusals.append(("negative", try await refund(["amount": Self.euro(-5), "reason": "goodwill"]), .badRequest))
            refusals.append(("no reason", try await refund(["amount": Self.euro(100)]), .badRequest))
            refusals.append(("another currency", try await refund(["amount": ["minorUnits": 100, "currency": "USD"] as [String: any Sendable], "reason": "goodwill"]), .badRequest))
            refusals.append(("unknown currency", try await refund(["amount": ["minorUnits": 100, "currency": "XYZ"] as [String: any Sendable], "reason": "goodwill"]), .badRequest))
            refusals.append(("malformed currency", try await refund(["amount": ["minorUnits": 100, "currency": "euro"] as [String: any Sendable], "reason": "goodwill"]), .badRequest))
            refusals.append(("amount as text", try await refund(["amount": ["minorUnits": "100", "currency": "EUR"] as [String: any Sendable], "reason": "goodwill"]), .badRequest))
            refusals.append(("beyond 64 bits", try await refund(nil, raw: #"{"amount":{"minorUnits":1e30,"currency":"EUR"},"reason":"x"}"#), .badRequest))
            refusals.append(("more than captured", try await refund(["amount": Self.euro(9_000_000_000_000_000_000), "reason": "goodwill"]), .conflict))
            refusals.append(("not json", try await refund(nil, raw: "{"), .badRequest))
            for (why, response, status) in refusals {
                #expect(response.status == status, "\(why): \(response.status) \(response.text)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(why)")
            }
            #expect(try await refund(["amount": Self.euro(100), "reason": "x"], token: payments.adminToken).status == .created)
            #expect(try await payments.send(.post, "/api/payments/pay_nothing/refunds", json: ["amount": Self.euro(100), "reason": "x"],
                                            token: payments.adminToken, headers: [IdempotencyKey.header: "k-x"]).status == .notFound)
            #expect(try await payments.number("SELECT count(*)::int FROM refunds") == 1, "only the valid request refunded")

            // The same key: the same refund; the same key with another body: 422.
            let first = try await refund(["amount": Self.euro(200), "reason": "scratched"], key: "key-1")
            #expect(first.status == .created, "\(first.text)")
            #expect(try first.jsonObject()["status"] as? String == "succeeded")
            let again = try await refund(["amount": Self.euro(200), "reason": "scratched"], key: "key-1")
            let firstId = try first.jsonObject()["id"] as? String
            let againId = try again.jsonObject()["id"] as? String
            #expect(again.status == .ok && againId == firstId)
            #expect(try await refund(["amount": Self.euro(300), "reason": "scratched"], key: "key-1").status == .unprocessableContent)

            // 2,990 captured, 300 refunded: of 12 concurrent refunds of 500, five fit.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<12 { group.addTask { try await refund(["amount": Self.euro(500), "reason": "concurrent"]).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 5, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            try await eventually("every accepted refund went through") {
                try await payments.number("SELECT count(*)::int FROM refunds WHERE status = 'processing'") == 0
            }
            let payment = try #require(try await payments.payment(order: "o-part"))
            #expect((payment["refunded"] as? [String: Any])?["minorUnits"] as? Int == 2_800)
            #expect(try await payments.number("SELECT coalesce(-sum(amount_minor), 0)::int FROM ledger WHERE kind = 'refunded'") == 2_800)
            #expect(try await payments.number("SELECT coalesce(sum(amount_minor), 0)::int FROM payment_simulator.operations WHERE kind = 'refund' AND outcome = 'succeeded'") == 2_800)
        }
    }
}
