import BazaarCore
import BazaarPostgres
import Foundation
import Hummingbird

/// `GET /api/notifications` (the signed-in user's feed) and the administrators' delivery log.
struct NotificationRoutes: Sendable {
    let database: PostgresStore
    let store: NotificationStore

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.get("", use: feed)
        group.get("deliveries", use: deliveries)
        group.post("deliveries/:id/retry", use: retry)
    }

    @Sendable func feed(_ request: Request, context: ServiceRequestContext) async throws -> Page<Delivery> {
        let identity = try context.requireUser()
        let page = try PageRequest.from(request.uri.queryParameters)
        let result = try await database.withConnection { try await store.feed(of: identity.userID, page: page, on: $0) }
        return Page(items: result.items, total: result.total, request: page)
    }

    @Sendable func deliveries(_ request: Request, context: ServiceRequestContext) async throws -> Page<Delivery> {
        _ = try context.requireRole(.admin)
        var validation = Validation()
        let status = validation.optionalCase(request.uri.queryParameters.get("status"), "status", of: DeliveryStatus.self)
        try validation.check()
        let page = try PageRequest.from(request.uri.queryParameters)
        let result = try await database.withConnection { try await store.deliveries(status: status, page: page, on: $0) }
        return Page(items: result.items, total: result.total, request: page)
    }

    @Sendable func retry(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireRole(.admin)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw ProblemError.notFound("No delivery with this id.") }
        switch try await database.withConnection({ try await store.retry(id, on: $0) }) {
        case nil: throw ProblemError.notFound("No delivery with this id.")
        case false: throw ProblemError.conflict("This email was already sent.")
        case true: return Response(status: .accepted)
        }
    }
}

extension Delivery: ResponseEncodable {}
