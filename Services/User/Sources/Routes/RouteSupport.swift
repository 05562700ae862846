import BazaarCore
import BazaarRedis
import Foundation
import Hummingbird

extension UserDependencies {
    /// The client's address (the peer, or what trusted proxies forwarded; see `TRUSTED_PROXIES`).
    func clientAddress(_ request: Request, _ context: ServiceRequestContext) -> String {
        context.clientAddress ?? "unknown"
    }

    /// Who is acting (the signed-in user, if any) and from where, for audit entries.
    func auditSource(_ request: Request, _ context: ServiceRequestContext) -> AuditSource {
        AuditSource(actorID: context.identity.flatMap { UUID(uuidString: $0.userID) }, ipAddress: clientAddress(request, context),
                    requestID: context.requestID.isEmpty ? nil : context.requestID)
    }
}

/// Limits the requests of one route per client address (and per signed-in account if asked) with
/// the shared Redis rate limiter (``RequestLimits``). Redis unreachable: 503, as for sign-in.
struct RouteLimits: Sendable {
    let redis: RedisClient
    let keyPrefix: String

    /// `path` under `group`, its requests limited to `perMinute` per client address, and per
    /// signed-in account too when `perAccount` is set. A per-account route is for signed-in users
    /// only: a request without a valid token is a 401 before it counts against any limit (it costs
    /// nothing to refuse, and a 429 would hide what is wrong with it).
    func route(_ group: RouterGroup<ServiceRequestContext>, _ path: RouterPath, name: String, perMinute: Int,
               perAccount: Bool = false) -> RouterGroup<ServiceRequestContext> {
        let route = group.group(path)
        if perAccount { route.add(middleware: SignedInOnly()) }
        let limited = route.add(middleware: middleware(name: "\(name)-ip", perMinute: perMinute, key: RateLimitMiddleware.clientAddress()))
        if perAccount {
            limited.add(middleware: middleware(name: "\(name)-account", perMinute: perMinute, key: { _, context in context.identity?.userID }))
        }
        return limited
    }

    private func middleware(name: String, perMinute: Int, key: @escaping RateLimitMiddleware.KeyFunction) -> RateLimitMiddleware {
        RateLimitMiddleware(limiter: RateLimiter(client: redis, name: keyPrefix + name, rate: RateLimit(limit: perMinute, window: .seconds(60))),
                            whenRedisFails: .reject, key: key)
    }
}

/// Refuses a request without a signed-in user (401) before the middleware after it.
struct SignedInOnly: RouterMiddleware {
    typealias Context = ServiceRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        _ = try context.requireUser()
        return try await next(request, context)
    }
}

extension AuthResponse: ResponseEncodable {}
extension UserView: ResponseEncodable {}
extension AdminUserView: ResponseEncodable {}
extension Address: ResponseEncodable {}

/// Token responses must not be stored by browsers or proxies (RFC 6749 §5.1).
func tokenResponse(_ body: AuthResponse, status: HTTPResponse.Status = .ok) -> EditedResponse<AuthResponse> {
    EditedResponse(status: status, headers: [.cacheControl: "no-store"], response: body)
}

/// Reads a path parameter as a UUID; anything else names no resource, so it is a 404.
func uuidParameter(_ context: ServiceRequestContext, _ name: String, resource: String) throws -> UUID {
    guard let text = context.parameters.get(name), let id = UUID(uuidString: text) else {
        throw ProblemError.notFound("No \(resource) with this id.")
    }
    return id
}
