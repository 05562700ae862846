import BazaarContracts
import BazaarCore
@testable import BazaarPayment
import BazaarTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("Payment ledger, reconciliation and routes", .serialized)
struct ReconciliationTests {
    @Test("reconciliation matches money with order outcomes, finds a deliberately broken order, and the command exits 1 for it")
    func reconciliation() async throws {
        try await PaymentHarness.run { payments in
            try await payments.publish(["o-kept", "o-back", "o-open", "o-broken", "o-unrefunded"].map { PaymentHarness.requested($0) }
                                       + [PaymentHarness.requested("o-failed", method: "tok_chargeDeclined")])
            var ids: [String: String] = [:]
            for order in ["o-kept", "o-back", "o-open", "o-broken", "o-unrefunded"] {
                ids[order] = try await payments.waitForPayment(order: order, status: "captured")["id"] as? String
            }
            try await payments.waitForPayment(order: "o-failed", status: "failed")
            try await payments.publish([PaymentHarness.confirmed("o-kept", paymentId: ids["o-kept"]!), PaymentHarness.confirmed("o-broken", paymentId: ids["o-broken"]!),
                                        PaymentHarness.confirmed("o-unrefunded", paymentId: ids["o-unrefunded"]!)],
                                       ids: ["k-1", "k-2", "k-3"])
            try await payments.publish([PaymentHarness.cancelled("o-back", refundDue: true), PaymentHarness.cancelled("o-failed", refundDue: false)],
                                       ids: ["k-4", "k-5"])
            try await eventually("the outcomes and the refund are recorded") {
                let outcomes = try await payments.number("SELECT count(*)::int FROM order_outcomes")
                let refunds = try await payments.number("SELECT count(*)::int FROM refunds WHERE status = 'succeeded'")
                return outcomes == 5 && refunds == 1
            }
            var report = try await payments.reconciliation()
            #expect((report["mismatches"] as? [Any])?.isEmpty == true, "\(report)")
            #expect(report["checked"] as? Int == 6 && report["open"] as? Int == 1, "\(report)")
            let clean = try await PaymentService.reconcile(settings: payments.database)
            #expect(clean.contains("0 mismatches"), "\(clean)")

            // Broken on purpose: a second capture in the ledger, and a kept order cancelled afterwards without its refund.
            try await payments.execute("""
                INSERT INTO ledger (payment_id, order_id, kind, amount_minor, currency, detail)
                VALUES (\(ids["o-broken"]!), 'o-broken', 'captured', 2990, 'EUR', 'a double capture, on purpose')
                """)
            try await payments.publish([PaymentHarness.cancelled("o-unrefunded", refundDue: false)], ids: ["k-6"])
            try await eventually("the cancellation is recorded") { try await payments.service.processed(eventID: "k-6") }
            report = try await payments.reconciliation()
            let findings = report["mismatches"] as? [[String: Any]] ?? []
            #expect(Set(findings.compactMap { $0["orderId"] as? String }) == ["o-broken", "o-unrefunded"], "\(report)")
            let broken = findings.first { $0["orderId"] as? String == "o-broken" }
            #expect(Set(broken?["problems"] as? [String] ?? []) == ["ledger_differs", "captured_differs_from_amount"], "\(String(describing: broken))")
            let unrefunded = findings.first { $0["orderId"] as? String == "o-unrefunded" }
            #expect(unrefunded?["problems"] as? [String] == ["refund_outstanding"], "\(String(describing: unrefunded))")
            await #expect(throws: PaymentService.ReconciliationFailed.self) { try await PaymentService.reconcile(settings: payments.database) }
            do {
                _ = try await PaymentService.reconcile(settings: payments.database)
            } catch {
                #expect("\(error)".contains("o-broken") && "\(error)".contains("o-unrefunded"), "\(error)")
            }
        }
    }

    @Test("the ledger refuses UPDATE, DELETE and TRUNCATE")
    func appendOnlyLedger() async throws {
        try await PaymentHarness.run { payments in
            try await payments.publish([PaymentHarness.requested("o-ledger")])
            try await payments.waitForPayment(order: "o-ledger", status: "captured")
            let entries = try await payments.number("SELECT count(*)::int FROM ledger")
            for statement: PostgresQuery in ["UPDATE ledger SET amount_minor = 0", "DELETE FROM ledger", "TRUNCATE ledger CASCADE"] {
                await #expect(throws: (any Error).self, "\(statement.sql)") { try await payments.execute(statement) }
            }
            #expect(try await payments.number("SELECT count(*)::int FROM ledger") == entries)
            #expect(try await payments.number("SELECT count(*)::int FROM ledger WHERE amount_minor = 2990") == 1)
        }
    }

    @Test("customers see their own payments only; lists filter and page; every route is documented")
    func routes() async throws {
        try await PaymentHarness.run { payments in
            #expect(payments.service.undocumentedRoutes.isEmpty, "\(payments.service.undocumentedRoutes)")
            try await payments.publish([PaymentHarness.requested("o-mine-1"), PaymentHarness.requested("o-mine-2"),
                                        PaymentHarness.requested("o-theirs", userId: "u-2")])
            let mine = try await payments.waitForPayment(order: "o-mine-1", status: "captured")
            try await payments.waitForPayment(order: "o-mine-2", status: "captured")
            try await payments.waitForPayment(order: "o-theirs", status: "captured")
            let id = try #require(mine["id"] as? String)

            #expect(try await payments.send(.get, "/api/payments/\(id)", token: payments.customerToken).status == .ok)
            #expect(try await payments.send(.get, "/api/payments/\(id)", token: payments.otherCustomerToken).status == .notFound)
            #expect(try await payments.send(.get, "/api/payments/\(id)").status == .unauthorized)
            #expect(try await payments.send(.get, "/api/payments/nope%20x", token: payments.customerToken).status == .notFound)
            let own = try await payments.send(.get, "/api/payments?limit=1", token: payments.customerToken)
            #expect(try own.jsonObject()["total"] as? Int == 2 && (try own.jsonObject()["items"] as? [Any])?.count == 1)
            let one = try await payments.send(.get, "/api/payments?orderId=o-mine-2", token: payments.customerToken)
            #expect(try one.jsonObject()["total"] as? Int == 1)
            let foreign = try await payments.send(.get, "/api/payments?orderId=o-theirs", token: payments.customerToken)
            #expect(try foreign.jsonObject()["total"] as? Int == 0, "another customer's order id finds nothing")
            #expect(try await payments.send(.get, "/api/payments?status=paid", token: payments.customerToken).status == .badRequest)
            // An id filter that cannot be an id (a NUL, which Postgres refuses in text) is a 400, never a 500.
            for filter in ["orderId=o%00x", "orderId=o%20x", "orderId=\(String(repeating: "o", count: 101))"] {
                let refused = try await payments.send(.get, "/api/payments?\(filter)", token: payments.customerToken)
                #expect(refused.status == .badRequest, "\(filter): \(refused.status)")
                let all = try await payments.send(.get, "/api/payments/all?\(filter.replacingOccurrences(of: "orderId", with: "userId"))", token: payments.adminToken)
                #expect(all.status == .badRequest, "\(filter): \(all.status)")
            }
            #expect(try await payments.send(.get, "/api/payments?limit=0", token: payments.customerToken).status == .badRequest)
            #expect(try await payments.send(.get, "/api/payments/all", token: payments.customerToken).status == .forbidden)
            #expect(try await payments.send(.get, "/api/payments/reconciliation", token: payments.customerToken).status == .forbidden)
            #expect(try await payments.send(.get, "/api/payments/\(id)/ledger", token: payments.customerToken).status == .forbidden)
            let theirs = try await payments.send(.get, "/api/payments/all?userId=u-2&status=captured", token: payments.adminToken)
            #expect(try theirs.jsonObject()["total"] as? Int == 1)
        }
    }
}

@Suite("Payment rules")
struct PaymentRuleTests {
    static func facts(_ outcome: OrderOutcome?, status: PaymentStatus = .captured, captured: Int64 = 1_000, refunded: Int64 = 0,
                      admin: Int64 = 0, columnsCaptured: Int64? = nil) -> MoneyFacts {
        MoneyFacts(orderId: "o", paymentId: "p", status: status, amount: Money(minorUnits: 1_000, currency: "EUR"),
                   capturedMinor: columnsCaptured ?? captured, refundedMinor: refunded, ledgerCapturedMinor: captured, ledgerRefundedMinor: refunded,
                   adminRefundedMinor: admin, refundsInProgress: 0, outcome: outcome)
    }

    @Test("reconciliation: what each outcome expects, and each way money can be wrong")
    func reconciliationRules() {
        typealias Problem = ReconciliationFinding.Problem
        let cases: [(MoneyFacts, [Problem])] = [
            (Self.facts(.confirmed), []),
            (Self.facts(.confirmed, refunded: 300, admin: 300), []),
            (Self.facts(.cancelled, refunded: 1_000), []),
            (Self.facts(.cancelled, status: .failed, captured: 0), []),
            (Self.facts(nil), []),
            (Self.facts(nil, status: .processing, captured: 0), []),
            (Self.facts(.cancelled), [.refundOutstanding]),
            (Self.facts(.cancelled, refunded: 400), [.refundOutstanding]),
            (Self.facts(.confirmed, refunded: 300), [.refundedForKeptOrder]),
            (Self.facts(.confirmed, status: .failed, captured: 0), [.confirmedWithoutCapture]),
            (Self.facts(.confirmed, captured: 2_000), [.capturedDiffersFromAmount]),
            (Self.facts(.confirmed, captured: 2_000, columnsCaptured: 1_000), [.ledgerDiffers, .capturedDiffersFromAmount]),
            (Self.facts(.cancelled, refunded: 1_200), [.overRefunded]),
            (Self.facts(.cancelled, status: .failed, captured: 1_000, refunded: 1_000), [.capturedWhileFailed]),
            (Self.facts(nil, captured: 1_000, columnsCaptured: 0), [.ledgerDiffers]),
        ]
        for (facts, problems) in cases {
            #expect(Reconciliation.check(facts)?.problems ?? [] == problems, "\(facts)")
        }
        #expect(Reconciliation.check(Self.facts(.confirmed, refunded: 300, admin: 300)) == nil)
        #expect(Reconciliation.check(Self.facts(.cancelled))?.expectedNet?.minorUnits == 0)
    }

    @Test("webhook signatures: signed bodies verify within five minutes, under the current or a previous secret")
    func signatures() throws {
        let body = Data(#"{"id":"evt"}"#.utf8)
        let now = Date()
        let current = WebhookSignature(secrets: ["current-secret-0123456789", "previous-secret-0123456789"])
        let previous = WebhookSignature(secrets: ["previous-secret-0123456789"])
        try current.verify(current.header(for: body, at: now), body: body, now: now)
        try current.verify(previous.header(for: body, at: now), body: body, now: now)
        try current.verify(current.header(for: body, at: now.addingTimeInterval(-299)), body: body, now: now)
        #expect(throws: WebhookSignature.Refusal.self) { try previous.verify(current.header(for: body, at: now), body: body, now: now) }
        #expect(throws: WebhookSignature.Refusal.self) { try current.verify(current.header(for: body, at: now.addingTimeInterval(-301)), body: body, now: now) }
        #expect(throws: WebhookSignature.Refusal.self) { try current.verify("t=abc,v1=00", body: body, now: now) }
        #expect(throws: WebhookSignature.Refusal.self) { try current.verify(nil, body: body, now: now) }
        let header = current.header(for: body, at: now)
        #expect(header.hasPrefix("t=\(Int(now.timeIntervalSince1970)),v1=") && header.count == "t=\(Int(now.timeIntervalSince1970)),v1=".count + 64)
    }

    @Test("back-off doubles from the first wait up to 30 seconds; charge keys derive from the payment")
    func backoffAndKeys() {
        var settings = ProcessingSettings()
        settings.initialBackoff = .milliseconds(500)
        #expect(settings.backoff(afterAttempt: 1) == .milliseconds(500))
        #expect(settings.backoff(afterAttempt: 3) == .seconds(2))
        #expect(settings.backoff(afterAttempt: 40) == .seconds(30))
        #expect(Payment.chargeKey(paymentId: "pay_1") == Payment.chargeKey(paymentId: "pay_1"))
        #expect(Payment.chargeKey(paymentId: "pay_1") != Payment.chargeKey(paymentId: "pay_2"))
        let ids = Set((0..<1000).map { _ in PaymentIdentifiers.make("pay") })
        #expect(ids.count == 1000 && ids.allSatisfy { $0.count == 28 && $0.hasPrefix("pay_") })
    }
}
