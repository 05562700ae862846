import BazaarCore
import BazaarMessaging
import BazaarPostgres
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /api/payments/webhook`: the provider's news about charges that answered "pending".
/// The `Bazaar-Signature` must match the raw body under the webhook secret and be at most five
/// minutes old or new; a bad or stale signature, or a body that is not a provider event, is a 400
/// and changes nothing. An event applied before answers 200 and changes nothing (providers
/// deliver at least once). An event about a payment this service does not have is a 400.
struct WebhookRoute: Sendable {
    let database: PostgresStore
    let book: PaymentBook
    let provider: any PaymentProvider
    let signature: WebhookSignature

    struct Receipt: Encodable, ResponseEncodable {
        var received: Bool
        /// True when the event had been applied before (nothing changed this time).
        var duplicate: Bool
    }

    static let signatureField = HTTPField.Name(WebhookSignature.headerName)!

    func add(to router: Router<ServiceRequestContext>) {
        router.post("/api/payments/webhook", use: receive)
    }

    @Sendable func receive(_ request: Request, context: ServiceRequestContext) async throws -> Receipt {
        let buffer = try await request.body.collect(upTo: 256 * 1024)
        let body = Data(buffer: buffer)
        do {
            try signature.verify(request.headers[Self.signatureField], body: body)
        } catch let refusal as WebhookSignature.Refusal {
            context.logger.warning("webhook refused", metadata: ["why": .string(refusal.description)])
            throw ProblemError.badRequest(refusal.description)
        }
        let event: ProviderEvent
        do {
            event = try provider.webhookEvent(from: body)
        } catch let invalid as WebhookBodyInvalid {
            throw ProblemError.badRequest("The body is not a \(provider.name) provider event: \(invalid.description)")
        }
        return try await database.transaction { connection in
            guard try await book.store.recordWebhook(id: event.id, type: event.type, paymentId: event.paymentId, on: connection) else {
                context.logger.info("webhook event already applied", metadata: ["event_id": .string(event.id)])
                return Receipt(received: true, duplicate: true)
            }
            guard let payment = try await book.store.payment(id: event.paymentId, forUpdate: true, on: connection) else {
                throw ProblemError.badRequest("The event names the payment \(event.paymentId), which does not exist here.")
            }
            try await book.settle(payment, with: event.outcome, context: EventContext(request: context), on: connection, logger: context.logger)
            return Receipt(received: true, duplicate: false)
        }
    }
}
