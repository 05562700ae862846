import BazaarCore
import BazaarMessaging
import BazaarPostgres
import Foundation
import Hummingbird
import PostgresNIO

/// Stock administration (role `admin`): list, read, set, adjust, and each SKU's ledger.
/// Every change is one transaction: the new level, its ledger row and, when the SKU just fell to
/// its threshold, `stock.low`.
struct StockRoutes: Sendable {
    let database: PostgresStore
    let stock: StockStore
    let reservations: ReservationStore
    let events: InventoryEvents

    /// Fields absent are reported by the validation; null is refused while decoding (the
    /// document never allows it, and `reason: null` must not pass for "no reason given").
    struct SetBody: Decodable {
        var onHand: Int?
        var lowStockThreshold: Int?
        var reason: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            onHand = try container.decodeIfPresentRefusingNull(Int.self, forKey: .onHand)
            lowStockThreshold = try container.decodeIfPresentRefusingNull(Int.self, forKey: .lowStockThreshold)
            reason = try container.decodeIfPresentRefusingNull(String.self, forKey: .reason)
        }

        enum CodingKeys: String, CodingKey {
            case onHand, lowStockThreshold, reason
        }
    }

    struct AdjustmentBody: Decodable {
        var delta: Int?
        var reason: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            delta = try container.decodeIfPresentRefusingNull(Int.self, forKey: .delta)
            reason = try container.decodeIfPresentRefusingNull(String.self, forKey: .reason)
        }

        enum CodingKeys: String, CodingKey {
            case delta, reason
        }
    }

    func add(to inventory: RouterGroup<ServiceRequestContext>) {
        inventory.get("stock", use: list)
        inventory.get("stock/:sku", use: show)
        inventory.put("stock/:sku", use: set)
        inventory.post("stock/:sku/adjustments", use: adjust)
        inventory.get("stock/:sku/ledger", use: ledger)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<StockView> {
        _ = try context.requireRole(.admin)
        let parameters = request.uri.queryParameters
        var validation = Validation()
        let search = parameters.get("sku")
        validation.require(search.map { $0.count <= SKU.maximumLength } ?? true, "sku", "must be at most \(SKU.maximumLength) characters")
        let low = parameters.get("low")
        validation.require(low == nil || low == "true" || low == "false", "low", "must be true or false")
        try validation.check()
        let page = try PageRequest.from(parameters)
        let (items, total) = try await database.withConnection {
            try await stock.levels(matching: search, lowOnly: low == "true", page: page, on: $0)
        }
        return Page(items: items.map(StockView.init), total: total, request: page)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireRole(.admin)
        let sku = try Self.sku(context)
        let (level, held) = try await database.withConnection { connection in
            guard let level = try await stock.level(sku: sku, on: connection) else { throw Self.unknown(sku) }
            return (level, try await reservations.held(sku: sku, on: connection))
        }
        var view = StockView(level)
        view.reservations = held.map { StockView.Hold(orderId: $0.orderId, quantity: $0.quantity, expiresAt: $0.expiresAt) }
        return try Self.response(view, context: context)
    }

    @Sendable func set(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let admin = try context.requireRole(.admin)
        let sku = try Self.sku(context)
        // The body is checked first, the precondition after (RFC 9110, 13.2.2): a request that is
        // wrong in itself is a 400 whatever its If-Match says.
        let body = try await request.decode(as: SetBody.self, context: context)
        var validation = Validation()
        validation.require(body.onHand.map { (0...StockLimits.maximumOnHand).contains($0) } ?? false, "onHand",
                           "is required: an integer from 0 to \(StockLimits.maximumOnHand)")
        validation.require(body.lowStockThreshold.map { (0...StockLimits.maximumThreshold).contains($0) } ?? false, "lowStockThreshold",
                           "is required: an integer from 0 to \(StockLimits.maximumThreshold)")
        let reason = validation.text(body.reason, "reason", required: false, maxLength: 200) ?? "stock level set"
        try validation.check()
        guard let expected = try EntityVersion.ifMatch(request, resource: "stock level") else {
            throw ProblemError.preconditionRequired("Setting stock needs If-Match with the ETag of the level it replaces.")
        }
        let level = try await change(sku: sku, kind: .set, reason: reason, admin: admin, context: context) { current in
            guard current.version == expected else {
                throw ProblemError.preconditionFailed("The stock level changed since version \(expected); it is at version \(current.version) now.")
            }
            return try Self.checked { () throws(StockChangeError) in try current.replaced(onHand: body.onHand!, lowStockThreshold: body.lowStockThreshold!) }
        }
        return try Self.response(level, context: context)
    }

    @Sendable func adjust(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let admin = try context.requireRole(.admin)
        let sku = try Self.sku(context)
        let body = try await request.decode(as: AdjustmentBody.self, context: context)
        var validation = Validation()
        let limit = StockLimits.maximumOnHand
        validation.require(body.delta.map { $0 != 0 && (-limit...limit).contains($0) } ?? false, "delta",
                           "is required: a non-zero integer from -\(limit) to \(limit)")
        let reason = validation.text(body.reason, "reason", maxLength: 200)
        try validation.check()
        let level = try await change(sku: sku, kind: .adjustment, reason: reason!, admin: admin, context: context) { current in
            try Self.checked { () throws(StockChangeError) in try current.adjusted(by: body.delta!) }
        }
        return try Self.response(level, context: context)
    }

    @Sendable func ledger(_ request: Request, context: ServiceRequestContext) async throws -> Page<LedgerView> {
        _ = try context.requireRole(.admin)
        let sku = try Self.sku(context)
        let page = try PageRequest.from(request.uri.queryParameters)
        let (items, total) = try await database.withConnection { connection in
            guard try await stock.level(sku: sku, on: connection) != nil else { throw Self.unknown(sku) }
            return try await stock.ledger(sku: sku, page: page, on: connection)
        }
        return Page(items: items.map(LedgerView.init), total: total, request: page)
    }

    // MARK: Helpers

    /// Locks `sku`'s row, applies `change` and writes the result (``StockChanges``).
    private func change(sku: String, kind: LedgerEntry.Kind, reason: String, admin: Identity, context: ServiceRequestContext,
                        _ change: @escaping @Sendable (StockLevel) throws -> StockLevel) async throws -> StockLevel {
        try await database.transaction { connection in
            guard let current = try await stock.level(sku: sku, forUpdate: true, on: connection) else { throw Self.unknown(sku) }
            return try await StockChanges(stock: stock, events: events)
                .write(try change(current), replacing: current, kind: kind, reason: reason, actor: Self.actor(admin),
                       context: EventContext(request: context), on: connection, logger: context.logger)
        }
    }

    /// A domain refusal as the problem a client gets: 409 for stock held by orders, 400 beyond the maximum.
    static func checked(_ change: () throws(StockChangeError) -> StockLevel) throws -> StockLevel {
        do {
            return try change()
        } catch .belowReserved(let onHand, let reserved) {
            throw ProblemError.conflict("\(reserved) units are reserved for orders; on hand cannot go down to \(onHand).")
        } catch .aboveMaximum {
            throw ProblemError.validation([FieldError(field: "onHand", message: "would exceed \(StockLimits.maximumOnHand)")])
        }
    }

    /// Who made a change, for the ledger: the administrator's id and, when the token names it, email.
    static func actor(_ identity: Identity) -> String {
        identity.email.map { "\(identity.userID) (\($0))" } ?? identity.userID
    }

    static func sku(_ context: ServiceRequestContext) throws -> String {
        guard let sku = context.parameters.get("sku"), SKU.isValid(sku) else { throw ProblemError.notFound("No stock for this SKU.") }
        return sku
    }

    static func unknown(_ sku: String) -> ProblemError {
        ProblemError.notFound("No stock for SKU \(sku): the catalog has not announced it.")
    }

    static func response(_ level: StockLevel, context: ServiceRequestContext) throws -> Response {
        try response(StockView(level), context: context)
    }

    static func response(_ view: StockView, context: ServiceRequestContext) throws -> Response {
        let body = try context.responseEncoder.encode(view)
        let headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: EntityVersion.eTag(view.version), .cacheControl: "no-store"]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
