public import Hummingbird

/// Cross-origin resource sharing for browser frontends, from a configured list of origins
/// (`CORS_ALLOWED_ORIGINS`; `*` is refused at start-up, see ``HTTPSettings``). A preflight from an origin not on the list is refused
/// with 403; other requests from such an origin are served without CORS headers, so browsers block them.
public struct OriginListCORSMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let allowedOrigins: Set<String>
    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, X-Cart-Token, X-Request-ID, traceparent"
    static let exposedHeaders = "X-Request-ID, ETag, Location, Retry-After, X-Cart-Token"

    public init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins.map { $0.lowercased() })
    }

    func allows(_ origin: String) -> Bool {
        allowedOrigins.contains(origin.lowercased())
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else {
            return try await next(request, context)
        }
        let isPreflight = request.method == .options && request.headers[.accessControlRequestMethod] != nil
        if isPreflight {
            guard allows(origin) else {
                // This middleware sits outside the problem middleware (so its headers reach error
                // responses too), hence it renders its own problem instead of throwing.
                let problem = ProblemError(status: .forbidden, kind: "cors-origin-denied", title: "Origin Not Allowed",
                                           detail: "Cross-origin requests from \(origin) are not allowed.")
                return ProblemMiddleware.response(for: problem, path: request.uri.path, requestID: context.requestID)
            }
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowMethods] = Self.allowedMethods
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlAllowCredentials] = "true"
            headers[.accessControlMaxAge] = "600"
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if allows(origin) {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlAllowCredentials] = "true"
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
            response.headers[values: .vary].append("Origin")
        }
        return response
    }
}
