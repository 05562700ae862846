import BazaarContracts
import BazaarCore
import BazaarMessaging
import BazaarPostgres
import Foundation
import Hummingbird

/// The customer's orders (own only; another user's order is a 404, as if it did not exist) and
/// the administrators' order desk: every order, ship, deliver, cancel. Every change is one
/// transaction with the events announcing it (``OrderSaga``).
struct OrderRoutes: Sendable {
    let database: PostgresStore
    let saga: OrderSaga

    struct ShipBody: Decodable {
        var carrier: String?
        var trackingNumber: String?
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/api/orders", use: list)
        router.get("/api/orders/all", use: listAll)
        router.get("/api/orders/:id", use: show)
        router.post("/api/orders/:id/cancel", use: cancel)
        router.post("/api/orders/:id/ship", use: ship)
        router.post("/api/orders/:id/deliver", use: deliver)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<OrderSummaryView> {
        let user = try context.requireUser()
        return try await page(request, userId: user.userID)
    }

    @Sendable func listAll(_ request: Request, context: ServiceRequestContext) async throws -> Page<OrderSummaryView> {
        _ = try context.requireRole(.admin)
        let userId = request.uri.queryParameters.get("userId")
        var validation = Validation()
        validation.optionalIdentifier(userId, "userId")
        try validation.check()
        return try await page(request, userId: userId)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> OrderView {
        let user = try context.requireUser()
        let id = try Self.orderId(context)
        let order = try await database.withConnection { try await saga.store.order(id: id, on: $0) }
        guard let order, Self.visible(order, to: user) else { throw Self.notFound }
        return OrderView(order)
    }

    /// The customer cancels their own order (`customer_request`); an administrator any (`admin`).
    /// Allowed before shipping; afterwards 409.
    @Sendable func cancel(_ request: Request, context: ServiceRequestContext) async throws -> OrderView {
        let user = try context.requireUser()
        let canceller: OrderInput.Canceller = user.role == .admin ? .admin : .customer
        return try await change(context, user: user) { _ in .cancel(by: canceller) }
    }

    @Sendable func ship(_ request: Request, context: ServiceRequestContext) async throws -> OrderView {
        let admin = try context.requireRole(.admin)
        let body = try await request.decode(as: ShipBody.self, context: context)
        var validation = Validation()
        let carrier = validation.text(body.carrier, "carrier", maxLength: 100)
        let trackingNumber = validation.text(body.trackingNumber, "trackingNumber", maxLength: 100)
        try validation.check()
        return try await change(context, user: admin) { _ in .ship(Shipment(carrier: carrier!, trackingNumber: trackingNumber!)) }
    }

    @Sendable func deliver(_ request: Request, context: ServiceRequestContext) async throws -> OrderView {
        let admin = try context.requireRole(.admin)
        return try await change(context, user: admin) { _ in .deliver }
    }

    // MARK: Helpers

    private func page(_ request: Request, userId: String?) async throws -> Page<OrderSummaryView> {
        let parameters = request.uri.queryParameters
        var validation = Validation()
        let status = validation.optionalCase(parameters.get("status"), "status", of: OrderStatus.self)
        try validation.check()
        let page = try PageRequest.from(parameters)
        let (items, total) = try await database.withConnection { try await saga.store.orders(userId: userId, status: status, page: page, on: $0) }
        return Page(items: items.map(OrderSummaryView.init), total: total, request: page)
    }

    /// Locks the order, applies the input `input(order)` gives, saves and announces; a refusal is a 409.
    private func change(_ context: ServiceRequestContext, user: Identity, _ input: @escaping @Sendable (Order) -> OrderInput) async throws -> OrderView {
        let id = try Self.orderId(context)
        let transition = try await database.transaction { connection in
            guard let order = try await saga.store.order(id: id, forUpdate: true, on: connection), Self.visible(order, to: user) else { throw Self.notFound }
            return try await saga.apply(input(order), to: order, eventId: nil, context: EventContext(request: context), on: connection,
                                        logger: context.logger)
        }
        if case .unchanged(let why) = transition.outcome { throw ProblemError.conflict(why) }
        return OrderView(transition.order)
    }

    /// Customers see their own orders; administrators every order.
    static func visible(_ order: Order, to user: Identity) -> Bool {
        user.role == .admin || order.userId == user.userID
    }

    static let notFound = ProblemError.notFound("No such order.")

    /// The `id` path parameter (see ``ServiceRequestContext/identifier(_:orThrow:)``).
    static func orderId(_ context: ServiceRequestContext) throws -> String {
        try context.identifier(orThrow: notFound)
    }
}
