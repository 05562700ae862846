import BazaarContracts
import BazaarCore
import BazaarKafka
@testable import BazaarPayment
import BazaarPostgres
import BazaarTestSupport
import Foundation
import Testing

/// Charging through the simulated provider against the real broker and Postgres: each test
/// token's outcome, and one charge per order whatever the redeliveries, replicas or crashes.
@Suite("Payment charges", .serialized)
struct ChargeTests {
    @Test("each test token ends as the provider says: captured, declined with a reason, by webhook, or after retries as processing_error")
    func tokens() async throws {
        try await PaymentHarness.run(["PAYMENT_MAX_ATTEMPTS": "3"]) { payments in
            let cases: [(order: String, token: String, status: String, code: String?, brand: String?, last4: String?)] = [
                ("o-visa", "tok_visa", "captured", nil, "visa", "4242"),
                ("o-mc", "tok_mastercard", "captured", nil, "mastercard", "4444"),
                ("o-declined", "tok_chargeDeclined", "failed", "card_declined", "visa", "0002"),
                ("o-funds", "tok_insufficientFunds", "failed", "insufficient_funds", "visa", "9995"),
                ("o-slow", "tok_slow", "captured", nil, "visa", "3220"),
                ("o-error", "tok_error", "failed", "processing_error", nil, nil),
                ("o-unknown", "tok_nothing", "failed", "invalid_payment_method", nil, nil),
            ]
            try await payments.publish(cases.map { PaymentHarness.requested($0.order, method: $0.token) })
            for item in cases {
                let payment = try await payments.waitForPayment(order: item.order, status: item.status)
                #expect(payment["failureCode"] as? String == item.code, "\(item.token): \(payment)")
                let card = payment["card"] as? [String: Any]
                #expect(card?["brand"] as? String == item.brand && card?["last4"] as? String == item.last4, "\(item.token): \(payment)")
                if item.status == "failed" {
                    #expect(!(payment["failureMessage"] as? String ?? "").isEmpty, "a shopper is told why: \(payment)")
                    #expect((payment["captured"] as? [String: Any])?["minorUnits"] as? Int == 0)
                } else {
                    #expect((payment["captured"] as? [String: Any])?["minorUnits"] as? Int == 2_990)
                }
                let answer = item.status == "captured" ? "bazaar.payment.authorized.v1" : "bazaar.payment.failed.v1"
                #expect(try await payments.announced(answer, order: item.order) == 1, "\(item.token)")
            }
            // tok_error was tried PAYMENT_MAX_ATTEMPTS times under one key, then given up.
            #expect(try await payments.providerCharges(order: "o-error") == (calls: 3, charges: 0))
            // The answers reach the payments topic for the order service.
            let messages = try await payments.published { messages in
                ((try? events(PaymentAuthorized.self, in: messages).count) ?? 0) >= 3 && ((try? events(PaymentFailed.self, in: messages).count) ?? 0) >= 4
            }
            let failed = try events(PaymentFailed.self, in: messages)
            #expect(Set(failed.map(\.data.reasonCode)) == ["card_declined", "insufficient_funds", "processing_error", "invalid_payment_method"])
            // The ledger tells each payment's story; no card number anywhere in the database.
            let visa = try #require(try await payments.payment(order: "o-visa"))
            let ledger = try await payments.send(.get, "/api/payments/\(visa["id"] as? String ?? "")/ledger", token: payments.adminToken)
            let kinds = (try ledger.jsonObject()["entries"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds == ["created", "captured"], "\(kinds)")
            #expect(try await payments.number("SELECT count(*)::int FROM payments WHERE payment_method ~ '[0-9]{12,}'") == 0)
        }
    }

    @Test("a payment request delivered again, or sent again with another event id, charges once and answers once")
    func duplicates() async throws {
        try await PaymentHarness.run { payments in
            let request = PaymentHarness.requested("o-dup")
            try await payments.publish([request, request, request], ids: ["e-1", "e-1", "e-2"])
            try await payments.waitForPayment(order: "o-dup", status: "captured")
            try await eventually("both event ids were consumed") {
                let first = try await payments.service.processed(eventID: "e-1")
                let second = try await payments.service.processed(eventID: "e-2")
                return first && second
            }
            #expect(try await payments.number("SELECT count(*)::int FROM payments WHERE order_id = 'o-dup'") == 1)
            #expect(try await payments.providerCharges(order: "o-dup") == (calls: 1, charges: 1))
            #expect(try await payments.announced("bazaar.payment.authorized.v1", order: "o-dup") == 1)
        }
    }

    @Test("two replicas that both receive every payment request charge each order once")
    func replicas() async throws {
        try await TestDatabase.withFresh { database in
            let prefix = TestKafka.uniquePrefix()
            try await PaymentHarness.run(["PAYMENT_CONSUMER_GROUP": "payment-a"], database: database, topicPrefix: prefix) { first in
                try await PaymentHarness.run(["PAYMENT_CONSUMER_GROUP": "payment-b"], database: database, topicPrefix: prefix) { second in
                    let orders = (1...20).map { "o-rep-\($0)" }
                    try await first.publish(orders.map { PaymentHarness.requested($0) })
                    try await eventually("both replicas consumed every request and every payment is captured") {
                        let consumed = try await first.number("SELECT count(*)::int FROM inbox WHERE event_type = 'bazaar.order.payment_requested.v1'")
                        let captured = try await first.number("SELECT count(*)::int FROM payments WHERE status = 'captured'")
                        return consumed == 40 && captured == 20
                    }
                    for order in orders {
                        #expect(try await first.providerCharges(order: order) == (calls: 1, charges: 1), "\(order)")
                        #expect(try await second.announced("bazaar.payment.authorized.v1", order: order) == 1, "\(order)")
                    }
                }
            }
        }
    }

    @Test("a service stopped between the provider's charge and its own commit charges once: the next one asks again under the same key")
    func crashBetweenChargeAndCommit() async throws {
        try await TestDatabase.withFresh { database in
            let prefix = TestKafka.uniquePrefix()
            // The first service charges, then stalls before recording the answer, and is stopped.
            try await PaymentHarness.run(["PAYMENT_SIMULATOR_STALL_AFTER_CHARGE": "true", "PAYMENT_LEASE_SECONDS": "1"], database: database, topicPrefix: prefix) { payments in
                try await payments.publish([PaymentHarness.requested("o-crash")])
                try await eventually("the provider charged") { try await payments.providerCharges(order: "o-crash").charges == 1 }
                #expect(try await payments.number("SELECT count(*)::int FROM payments WHERE order_id = 'o-crash' AND status = 'processing'") == 1)
            }
            // Its replacement takes the payment over once the hold runs out.
            try await PaymentHarness.run(["PAYMENT_LEASE_SECONDS": "1"], database: database, topicPrefix: prefix) { payments in
                try await payments.waitForPayment(order: "o-crash", status: "captured")
                let provider = try await payments.providerCharges(order: "o-crash")
                #expect(provider.calls >= 2 && provider.charges == 1, "\(provider)")
                #expect(try await payments.number("SELECT count(*)::int FROM payment_simulator.operations WHERE order_id = 'o-crash'") == 1)
                #expect(try await payments.announced("bazaar.payment.authorized.v1", order: "o-crash") == 1)
            }
        }
    }
}
