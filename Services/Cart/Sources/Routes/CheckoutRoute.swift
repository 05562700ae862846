import BazaarCommerce
import BazaarContracts
import BazaarCore
import BazaarMessaging
import BazaarRedisMessaging
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /api/cart/checkout` (signed in, `Idempotency-Key` required): turns the user's cart into
/// an order. Accepted (202 `{orderId, status: "pending"}`, `Location: /api/orders/{orderId}`) in
/// one atomic step of the cart store: the checkout recorded under the key, the cart emptied,
/// `cart.checked_out` in the outbox stream. Before it, nothing has changed; after it, nothing
/// is lost (the cart store writes every step to its AOF before answering).
///
/// The same key with the same request answers the same (for 24 hours) and publishes nothing
/// more; with another request it is a 422. An empty cart, lines that cannot be ordered, and a
/// total that is not `expectedTotal` (prices changed since the shopper looked) are 409s and
/// order nothing — the last one carries the current cart as `cart`.
struct CheckoutRoute: Sendable {
    let carts: CartStore
    let checkouts: CheckoutStore
    let outbox: RedisOutbox
    let rules: PricingRules
    let metrics: CartMetrics

    struct Body: Decodable {
        var shippingAddress: PostalAddressInput?
        var paymentMethod: String?
        var expectedTotal: Money?
    }

    /// The request as the fingerprint covers it (normalised, so equal requests match).
    struct Fingerprinted: Encodable {
        var shippingAddress: PostalAddress
        var paymentMethod: String
        var expectedTotal: Money
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.post("/api/cart/checkout", use: checkout)
    }

    @Sendable func checkout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let key = try IdempotencyKey.from(request, for: "A checkout")
        let body = try await request.decode(as: Body.self, context: context)
        var validation = Validation()
        validation.require(body.shippingAddress != nil, "shippingAddress", "is required")
        let address = body.shippingAddress.flatMap { PostalAddress.validated($0, fieldPrefix: "shippingAddress.", into: &validation) }
        let paymentMethod = body.paymentMethod ?? ""
        validation.require(Self.isPaymentToken(paymentMethod), "paymentMethod",
                           "is required: a payment method token such as tok_visa (tok_ and 1–96 letters, digits or '_')")
        validation.require(body.expectedTotal != nil, "expectedTotal", "is required: the total the shopper saw, as {minorUnits, currency}")
        try validation.check()
        guard let email = user.email else {
            throw ProblemError.unprocessable("The account has no email address to confirm the order to.")
        }
        let request = Fingerprinted(shippingAddress: address!, paymentMethod: paymentMethod, expectedTotal: body.expectedTotal!)
        let fingerprint = try IdempotencyKey.fingerprint(request)
        metrics.checkoutsStarted.increment()
        let owner = CartOwner.user(id: user.userID)
        // The cart may change between pricing it and the atomic step (another tab adds a line);
        // then it is priced again, a few times at most.
        for _ in 0..<3 {
            let cart: StoredCart?
            switch try await checkouts.read(user: user.userID, idempotencyKey: key, cart: owner, cartTTLMilliseconds: carts.ttlMilliseconds(owner)) {
            case .recorded(let record):
                return try replay(record, fingerprint: fingerprint, context: context)
            case .cart(let stored):
                cart = stored
            }
            let priced = try CartRoutes.priced(cart, rules: rules)
            guard let cart, !priced.lines.isEmpty else { throw ProblemError.conflict("The cart is empty; there is nothing to order.") }
            let blocked = priced.blockedLines
            guard blocked.isEmpty else {
                throw ProblemError.conflict("Some products cannot be ordered: "
                    + blocked.map { "\($0.name) (\($0.productId): \($0.problem!.rawValue))" }.joined(separator: ", ") + ". Remove them first.")
            }
            guard priced.quote.total == request.expectedTotal else {
                return try Self.totalChanged(priced, expected: request.expectedTotal, request: context)
            }
            let orderId = UUID().uuidString.lowercased()
            let event = CartCheckedOut(orderId: orderId, cartId: cart.id, checkoutId: key, userId: user.userID, email: email,
                                       lines: priced.orderLines, subtotal: priced.quote.subtotal, shippingCost: priced.quote.shipping,
                                       vatIncluded: priced.quote.vatIncluded, total: priced.quote.total, shippingAddress: request.shippingAddress,
                                       paymentMethod: paymentMethod, checkedOutAt: Date())
            let record = CheckoutStore.Record(fingerprint: fingerprint, orderId: orderId, cartId: cart.id)
            switch try await checkouts.accept(record, user: user.userID, idempotencyKey: key, cart: owner, revision: cart.revision,
                                              event: try outbox.entry(event, context: EventContext(request: context))) {
            case .accepted:
                metrics.checkoutsAccepted.increment()
                context.logger.info("checkout accepted", metadata: ["order_id": .string(orderId), "cart_id": .string(cart.id),
                                                                    "total_minor": .stringConvertible(priced.quote.total.minorUnits)])
                return try Self.accepted(record)
            case .recorded(let record):
                return try replay(record, fingerprint: fingerprint, context: context)
            case .cartChanged:
                continue
            }
        }
        throw ProblemError.conflict("The cart kept changing during checkout; look at it again and retry.")
    }

    private func replay(_ record: CheckoutStore.Record, fingerprint: String, context: ServiceRequestContext) throws -> Response {
        guard record.fingerprint == fingerprint else {
            throw ProblemError.unprocessable("This Idempotency-Key was used for another checkout request; use a new key for a new checkout.")
        }
        context.logger.info("checkout replayed", metadata: ["order_id": .string(record.orderId)])
        return try Self.accepted(record)
    }

    static func accepted(_ record: CheckoutStore.Record) throws -> Response {
        let body = try JSONEncoder().encode(CheckoutAccepted(orderId: record.orderId, status: "pending"))
        return Response(status: .accepted, headers: [.contentType: "application/json", .location: "/api/orders/\(record.orderId)", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The 409 for a total that changed: a problem document with the current cart as `cart`.
    static func totalChanged(_ cart: PricedCart, expected: Money, request context: ServiceRequestContext) throws -> Response {
        struct Document: Encodable {
            var type: String
            var title: String
            var status: Int
            var detail: String
            var instance: String
            var requestId: String?
            var cart: CartView
        }
        let total = cart.quote.total
        let document = Document(type: ProblemError.typeBase + "total-changed", title: "Conflict", status: 409,
                                detail: "The cart's total is now \(total.minorUnits) \(total.currency) minor units, not the \(expected.minorUnits) "
                                    + "\(expected.currency) expected: prices or lines changed. Nothing was ordered; show the cart again.",
                                instance: "/api/cart/checkout", requestId: context.requestID.isEmpty ? nil : context.requestID, cart: CartView(cart))
        return Response(status: .conflict, headers: [.contentType: "application/problem+json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(document))))
    }

    /// A payment method token: `tok_` and 1–96 letters, digits or `_`.
    static func isPaymentToken(_ token: String) -> Bool {
        token.hasPrefix("tok_") && (5...100).contains(token.utf8.count) && token.utf8.dropFirst(4).allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}
