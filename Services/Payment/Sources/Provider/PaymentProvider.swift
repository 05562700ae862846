import BazaarContracts
import Foundation

/// A payment provider (a card processor) as the payment service uses it. Shaped after Stripe's
/// PaymentIntents: one call authorizes and captures (`confirm=true`, automatic capture) under an
/// idempotency key, the answer is final or "processing" (a webhook tells the rest), refunds
/// name the charge, and a repeated key returns the first answer without charging again.
///
/// Errors a provider throws are temporary (network, 5xx, rate limits): the service retries the
/// same request, with the same key, with back-off. Definitive refusals are outcomes, not errors.
protocol PaymentProvider: Sendable {
    /// `simulated`, `stripe`, ...: shown in logs and the payment's provider reference.
    var name: String { get }

    /// Authorizes and captures `request.amount` from the payment method.
    func charge(_ request: ChargeRequest) async throws -> ChargeOutcome

    /// Gives `request.amount` of a captured charge back.
    func refund(_ request: RefundRequest) async throws -> RefundOutcome

    /// The event in a webhook body whose signature the service already verified; throws
    /// ``WebhookBodyInvalid`` when the body is not one of this provider's events.
    func webhookEvent(from body: Data) throws -> ProviderEvent
}

struct ChargeRequest: Sendable, Equatable {
    /// The same for every attempt of one payment (``Payment/chargeKey(paymentId:)``).
    var idempotencyKey: String
    var paymentId: String
    var orderId: String
    var customerId: String
    var amount: Money
    /// The token of the payment method (`tok_visa`, a Stripe `pm_...`); never card data.
    var paymentMethod: String
}

/// The provider's definitive answer to a charge.
enum ChargeOutcome: Sendable, Equatable {
    /// The money is taken.
    case captured(reference: String, card: CardSummary?)
    /// The charge was refused: a machine-readable code and a message a shopper can read.
    case declined(reference: String?, card: CardSummary?, code: String, message: String)
    /// The provider decides later (3-D Secure, a slow bank) and says so by webhook.
    case pending(reference: String, card: CardSummary?)
}

struct RefundRequest: Sendable, Equatable {
    var idempotencyKey: String
    var refundId: String
    var paymentId: String
    var orderId: String
    /// The provider's reference of the captured charge.
    var chargeReference: String
    var amount: Money
}

enum RefundOutcome: Sendable, Equatable {
    case succeeded(reference: String)
    case failed(reference: String?, code: String, message: String)
}

/// A webhook's news about a charge that answered ``ChargeOutcome/pending(reference:card:)``.
struct ProviderEvent: Sendable, Equatable {
    /// The provider's event id: applied once, whatever the retries.
    var id: String
    var type: String
    /// The payment it concerns (sent to the provider as metadata with the charge).
    var paymentId: String
    /// `captured` or `declined`.
    var outcome: ChargeOutcome
}

/// A temporary provider failure: retried with the same idempotency key.
struct ProviderUnavailable: Error, CustomStringConvertible {
    var description: String
}

/// A webhook body that is not an event of the provider.
struct WebhookBodyInvalid: Error, CustomStringConvertible {
    var description: String
}
