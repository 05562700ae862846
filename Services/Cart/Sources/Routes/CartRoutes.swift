import BazaarCommerce
import BazaarContracts
import BazaarCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The cart of whoever asks: a signed-in user's (bearer token) or a guest's (`X-Cart-Token`;
/// a guest without one gets a new token in the response and keeps sending it). Every answer is
/// the whole cart, priced with the current prices.
struct CartRoutes: Sendable {
    let carts: CartStore
    let rules: PricingRules
    let metrics: CartMetrics

    /// The header a guest's cart token travels in, both ways.
    static let cartTokenHeader = HTTPField.Name("X-Cart-Token")!

    struct AddBody: Decodable {
        var productId: String?
        var quantity: Int?
    }

    struct QuantityBody: Decodable {
        var quantity: Int?
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/api/cart", use: show)
        router.delete("/api/cart", use: clear)
        router.post("/api/cart/items", use: addItem)
        router.patch("/api/cart/items/:productId", use: setQuantity)
        router.delete("/api/cart/items/:productId", use: removeItem)
        router.post("/api/cart/merge", use: merge)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (owner, issued) = try Self.owner(request, context)
        let cart = issued == nil ? try await carts.read(owner) : nil
        return try respond(cart, issuedToken: issued, request: request, context: context)
    }

    @Sendable func clear(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (owner, _) = try Self.owner(request, context)
        try await carts.clear(owner)
        return Response(status: .noContent)
    }

    @Sendable func addItem(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (owner, issued) = try Self.owner(request, context)
        let body = try await request.decode(as: AddBody.self, context: context)
        var validation = Validation()
        let productId = Self.validProductId(body.productId, into: &validation)
        validation.require(body.quantity != nil, "quantity", "is required: an integer from 1 to \(CartLimits.maximumQuantity)")
        try validation.check()
        let quantity = try Self.checkedQuantity(body.quantity!)
        switch try await carts.add(owner, productId: productId!, quantity: quantity, currency: rules.currency, now: Date()) {
        case .changed(let cart, let started):
            if started { metrics.cartsCreated.increment() }
            metrics.itemsAdded.increment(by: quantity)
            return try respond(cart, issuedToken: issued, request: request, context: context)
        case .unknownProduct:
            throw ProblemError.unprocessable("The product is not in the catalog.", fieldErrors: [FieldError(field: "productId", message: "is not in the catalog")])
        case .notForSale:
            throw ProblemError.unprocessable("The product is not for sale.", fieldErrors: [FieldError(field: "productId", message: "is not for sale")])
        case .otherCurrency:
            throw ProblemError.unprocessable("The product is priced in another currency than the shop's (\(rules.currency)).",
                                             fieldErrors: [FieldError(field: "productId", message: "is not priced in \(rules.currency)")])
        case .quantityAbove(let current):
            throw ProblemError.unprocessable("A line holds at most \(CartLimits.maximumQuantity) units.", fieldErrors: [
                FieldError(field: "quantity", message: "would make \(current + quantity) units; at most \(CartLimits.maximumQuantity) per line (\(current) in the cart)"),
            ])
        case .tooManyLines:
            throw ProblemError.unprocessable("A cart holds at most \(CartLimits.maximumLines) different products.", fieldErrors: [
                FieldError(field: "productId", message: "would be line \(CartLimits.maximumLines + 1); a cart holds at most \(CartLimits.maximumLines) products"),
            ])
        case .noSuchLine:
            throw ProblemError.notFound("The cart has no line for this product.")
        }
    }

    @Sendable func setQuantity(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (owner, issued) = try Self.owner(request, context)
        let productId = try Self.productIdParameter(context)
        let body = try await request.decode(as: QuantityBody.self, context: context)
        var validation = Validation()
        validation.require(body.quantity != nil, "quantity", "is required: an integer from 1 to \(CartLimits.maximumQuantity)")
        try validation.check()
        let quantity = try Self.checkedQuantity(body.quantity!)
        return try await changed(try await carts.setQuantity(owner, productId: productId, quantity: quantity), issued: issued,
                                 request: request, context: context)
    }

    @Sendable func removeItem(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let (owner, issued) = try Self.owner(request, context)
        let productId = try Self.productIdParameter(context)
        return try await changed(try await carts.remove(owner, productId: productId), issued: issued, request: request, context: context)
    }

    /// `POST /api/cart/merge` (signed in, with the guest's `X-Cart-Token`): moves the guest's lines
    /// into the user's cart — quantities of a product in both added and capped at the line
    /// maximum, lines beyond the cart's limit dropped and counted — and deletes the guest cart.
    @Sendable func merge(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard let token = request.headers[Self.cartTokenHeader] else {
            throw ProblemError.badRequest("Send the guest cart's token in X-Cart-Token to merge it.")
        }
        let guest = try Self.guest(token)
        let (cart, merged, dropped) = try await carts.merge(guest: guest, into: .user(id: user.userID), now: Date())
        context.logger.info("guest cart merged", metadata: ["lines_merged": .stringConvertible(merged), "lines_dropped": .stringConvertible(dropped)])
        return Self.response(CartView(try Self.priced(cart, rules: rules), droppedLines: dropped))
    }

    // MARK: Helpers

    private func changed(_ outcome: CartStore.Outcome, issued: String?, request: Request, context: ServiceRequestContext) async throws -> Response {
        guard case .changed(let cart, _) = outcome else { throw ProblemError.notFound("The cart has no line for this product.") }
        return try respond(cart, issuedToken: issued, request: request, context: context)
    }

    private func respond(_ cart: StoredCart?, issuedToken: String?, request: Request, context: ServiceRequestContext) throws -> Response {
        Self.response(CartView(try Self.priced(cart, rules: rules)), issuedToken: issuedToken)
    }

    /// 200 with the cart's JSON (written directly, see ``CartView/jsonBytes()``), never cached.
    static func response(_ view: CartView, issuedToken: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if let issuedToken { headers[cartTokenHeader] = issuedToken }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: view.jsonBytes())))
    }

    static func priced(_ cart: StoredCart?, rules: PricingRules) throws -> PricedCart {
        do {
            return try PricedCart(cart, rules: rules)
        } catch {
            // Only a cart the limits already refuse could overflow; say so rather than answer wrong totals.
            throw ProblemError.conflict("The cart cannot be priced (\(error)); remove a line.")
        }
    }

    /// Whose cart: the signed-in user's; else the guest's named by `X-Cart-Token`; else a new
    /// guest's, whose token the response carries (nothing is stored until something is added).
    /// A malformed `X-Cart-Token` is a 400 even when signed in: the client has a bug to see.
    static func owner(_ request: Request, _ context: ServiceRequestContext) throws -> (CartOwner, issuedToken: String?) {
        let guestOwner = try request.headers[cartTokenHeader].map(guest)
        if let identity = context.identity { return (.user(id: identity.userID), nil) }
        if let guestOwner { return (guestOwner, nil) }
        let token = OpaqueToken.generate().value
        return (.guest(tokenDigest: digest(token)), token)
    }

    static func guest(_ token: String) throws -> CartOwner {
        guard OpaqueToken.isWellFormed(token) else {
            throw ProblemError.badRequest("X-Cart-Token must be the 43-character token a cart response gave.")
        }
        return .guest(tokenDigest: digest(token))
    }

    /// The token's SHA-256 in hex (``OpaqueToken/digest(of:)``, as other services key their tokens).
    static func digest(_ token: String) -> String {
        OpaqueToken.digest(of: token).hexString
    }

    /// A product id as the catalog writes them: 1–64 letters, digits, `.`, `_` or `-`.
    static func isValidProductId(_ id: Substring) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    static func validProductId(_ id: String?, into validation: inout Validation) -> String? {
        guard let id else {
            validation.require(false, "productId", "is required")
            return nil
        }
        validation.require(isValidProductId(Substring(id)), "productId", "must be a product id (1–64 letters, digits, '.', '_' or '-')")
        return id
    }

    static func productIdParameter(_ context: ServiceRequestContext) throws -> String {
        guard let id = context.parameters.get("productId"), isValidProductId(Substring(id)) else {
            throw ProblemError.notFound("The cart has no line for this product.")
        }
        return id
    }

    /// 1…99, or a 422 naming the field.
    static func checkedQuantity(_ quantity: Int) throws -> Int {
        guard (1...CartLimits.maximumQuantity).contains(quantity) else {
            throw ProblemError.unprocessable("A line holds 1 to \(CartLimits.maximumQuantity) units.", fieldErrors: [
                FieldError(field: "quantity", message: "must be from 1 to \(CartLimits.maximumQuantity) (got \(quantity))"),
            ])
        }
        return quantity
    }
}
