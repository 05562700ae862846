import BazaarContracts
import BazaarPostgres
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The built-in provider for local runs and tests, answering Stripe-like test tokens:
///
/// | token | outcome |
/// |---|---|
/// | `tok_visa`, `tok_mastercard` | captured |
/// | `tok_chargeDeclined` | declined, `card_declined` |
/// | `tok_insufficientFunds` | declined, `insufficient_funds` |
/// | `tok_slow` | pending; captured by a signed webhook after `webhookDelay` |
/// | `tok_error` | a temporary error on every call (the service retries, then fails it as `processing_error`) |
/// | anything else | declined, `invalid_payment_method` |
///
/// It plays an external system: its records live in the `payment_simulator` schema and commit
/// on their own connection, never inside the service's transactions, so a crash of the service
/// after a charge leaves the charge recorded here, as it would stay recorded at a real provider.
/// One operation per idempotency key: a repeated key answers with the stored outcome and counts
/// the call (``SimulatorRecords`` reads the counts in tests).
struct SimulatedProvider: PaymentProvider {
    let database: PostgresStore
    let webhookDelay: Duration
    /// A fault for tests: after recording a charge, wait until the service shuts down and then
    /// fail, as a process that dies between the provider's answer and its own commit would.
    let stallAfterCharge: Bool
    let logger: Logger

    var name: String { "simulated" }

    /// What a test token does.
    enum Behaviour: Sendable {
        case succeed
        case decline(code: String, message: String)
        case slow
        case error
    }

    struct TestCard: Sendable {
        var card: CardSummary?
        var behaviour: Behaviour
    }

    /// The test tokens, with the card each stands for (brand and last four digits, as Stripe's test cards).
    static let testCards: [String: TestCard] = [
        "tok_visa": TestCard(card: CardSummary(brand: "visa", last4: "4242"), behaviour: .succeed),
        "tok_mastercard": TestCard(card: CardSummary(brand: "mastercard", last4: "4444"), behaviour: .succeed),
        "tok_chargeDeclined": TestCard(card: CardSummary(brand: "visa", last4: "0002"),
                                       behaviour: .decline(code: "card_declined", message: "Your card was declined. Please use another card.")),
        "tok_insufficientFunds": TestCard(card: CardSummary(brand: "visa", last4: "9995"),
                                          behaviour: .decline(code: "insufficient_funds", message: "Your card has insufficient funds. Please use another card.")),
        "tok_slow": TestCard(card: CardSummary(brand: "visa", last4: "3220"), behaviour: .slow),
        "tok_error": TestCard(card: CardSummary(brand: "visa", last4: "0119"), behaviour: .error),
    ]

    static let unknownMethod = TestCard(card: nil, behaviour: .decline(code: "invalid_payment_method",
                                                                     message: "This payment method cannot be used. Please choose another."))

    func charge(_ request: ChargeRequest) async throws -> ChargeOutcome {
        let test = Self.testCards[request.paymentMethod] ?? Self.unknownMethod
        let reference = PaymentIdentifiers.make("sim_ch")
        let (outcome, code, message): (String, String?, String?) = switch test.behaviour {
        case .succeed: ("succeeded", nil, nil)
        case .decline(let code, let message): ("declined", code, message)
        case .slow: ("pending", nil, nil)
        case .error: ("error", nil, nil)
        }
        let stored = try await database.transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO payment_simulator.operations (idempotency_key, kind, reference, payment_id, order_id, amount_minor, currency,
                                                          payment_method, outcome, failure_code, failure_message)
                VALUES (\(request.idempotencyKey), 'charge', \(reference), \(request.paymentId), \(request.orderId), \(request.amount.minorUnits),
                        \(request.amount.currency.code), \(request.paymentMethod), \(outcome), \(code), \(message))
                ON CONFLICT (idempotency_key) DO UPDATE SET calls = payment_simulator.operations.calls + 1
                RETURNING reference, outcome, failure_code, failure_message, calls
                """, logger: logger)
            var stored: (reference: String, outcome: String, code: String?, message: String?, calls: Int)?
            for try await row in rows.decode((String, String, String?, String?, Int).self) { stored = row }
            guard let stored else { throw StoreError.corrupt("the simulator recorded no operation for \(request.idempotencyKey)") }
            if stored.outcome == "pending" && stored.calls == 1 {
                try await scheduleWebhook(for: request, reference: stored.reference, card: test.card, on: connection)
            }
            return stored
        }
        if stallAfterCharge && stored.outcome != "error" {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(86_400)) }
            throw ProviderUnavailable(description: "the simulated provider stalled after charging (a test fault)")
        }
        switch stored.outcome {
        case "succeeded": return .captured(reference: stored.reference, card: test.card)
        case "declined": return .declined(reference: stored.reference, card: test.card, code: stored.code ?? "card_declined", message: stored.message ?? "")
        case "pending": return .pending(reference: stored.reference, card: test.card)
        default: throw ProviderUnavailable(description: "simulated processing error (call \(stored.calls) for \(request.idempotencyKey))")
        }
    }

    func refund(_ request: RefundRequest) async throws -> RefundOutcome {
        let reference = PaymentIdentifiers.make("sim_re")
        return try await database.transaction { connection in
            // The charge, locked so concurrent refunds of it are checked one after the other.
            let charges = try await connection.query("""
                SELECT amount_minor FROM payment_simulator.operations
                WHERE reference = \(request.chargeReference) AND kind = 'charge' AND outcome = 'succeeded' FOR UPDATE
                """, logger: logger)
            var charged: Int64?
            for try await amount in charges.decode(Int64.self) { charged = amount }
            let repeated = try await connection.query("""
                UPDATE payment_simulator.operations SET calls = calls + 1 WHERE idempotency_key = \(request.idempotencyKey)
                RETURNING reference, outcome, failure_code, failure_message
                """, logger: logger)
            for try await (reference, outcome, code, message) in repeated.decode((String, String, String?, String?).self) {
                return outcome == "succeeded" ? .succeeded(reference: reference) : .failed(reference: reference, code: code ?? "refund_failed", message: message ?? "")
            }
            var failure: (code: String, message: String)?
            if let charged {
                let refunds = try await connection.query("""
                    SELECT coalesce(sum(amount_minor), 0)::bigint FROM payment_simulator.operations
                    WHERE kind = 'refund' AND outcome = 'succeeded' AND payment_id = \(request.paymentId)
                    """, logger: logger)
                var refunded: Int64 = 0
                for try await sum in refunds.decode(Int64.self) { refunded = sum }
                if refunded + request.amount.minorUnits > charged {
                    failure = ("amount_too_large", "The refund is larger than what is left of the charge.")
                }
            } else {
                failure = ("charge_not_found", "No captured charge \(request.chargeReference).")
            }
            try await connection.query("""
                INSERT INTO payment_simulator.operations (idempotency_key, kind, reference, payment_id, order_id, amount_minor, currency,
                                                          payment_method, outcome, failure_code, failure_message)
                VALUES (\(request.idempotencyKey), 'refund', \(reference), \(request.paymentId), \(request.orderId), \(request.amount.minorUnits),
                        \(request.amount.currency.code), '', \(failure == nil ? "succeeded" : "declined"), \(failure?.code), \(failure?.message))
                """, logger: logger)
            if let failure { return .failed(reference: reference, code: failure.code, message: failure.message) }
            return .succeeded(reference: reference)
        }
    }

    func webhookEvent(from body: Data) throws -> ProviderEvent {
        let event: SimulatorWebhook
        do {
            event = try JSONDecoder().decode(SimulatorWebhook.self, from: body)
        } catch {
            throw WebhookBodyInvalid(description: "the body is not a simulator event: \(error)")
        }
        let outcome: ChargeOutcome
        switch event.type {
        case "charge.succeeded":
            outcome = .captured(reference: event.data.reference, card: event.data.card)
        case "charge.failed":
            guard let failure = event.data.failure else { throw WebhookBodyInvalid(description: "charge.failed without a failure") }
            outcome = .declined(reference: event.data.reference, card: event.data.card, code: failure.code, message: failure.message)
        default:
            throw WebhookBodyInvalid(description: "unknown event type \(event.type)")
        }
        guard !event.id.isEmpty, !event.data.paymentId.isEmpty else { throw WebhookBodyInvalid(description: "the event names no id or no payment") }
        return ProviderEvent(id: event.id, type: event.type, paymentId: event.data.paymentId, outcome: outcome)
    }

    /// Queues the webhook that settles a `tok_slow` charge after ``webhookDelay``.
    private func scheduleWebhook(for request: ChargeRequest, reference: String, card: CardSummary?, on connection: PostgresConnection) async throws {
        let event = SimulatorWebhook(id: PaymentIdentifiers.make("evt_sim"), type: "charge.succeeded", created: Int64(Date().timeIntervalSince1970),
                                     data: .init(paymentId: request.paymentId, reference: reference, card: card, failure: nil))
        let body = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
        let delayMilliseconds = Int64(webhookDelay.components.seconds * 1000 + webhookDelay.components.attoseconds / 1_000_000_000_000_000)
        try await connection.query("""
            INSERT INTO payment_simulator.webhooks (event_id, body, due_at)
            VALUES (\(event.id), \(body), now() + make_interval(secs => \(Double(delayMilliseconds) / 1000)))
            """, logger: logger)
    }
}

/// The simulator's webhook body (Stripe's event shape, reduced): `charge.succeeded` or `charge.failed`.
struct SimulatorWebhook: Codable, Sendable {
    var id: String
    var type: String
    /// Unix seconds.
    var created: Int64
    var data: Payload

    struct Payload: Codable, Sendable {
        var paymentId: String
        var reference: String
        var card: CardSummary?
        var failure: Failure?
    }

    struct Failure: Codable, Sendable {
        var code: String
        var message: String
    }
}
