public import BazaarCore
public import Hummingbird
import HTTPTypes
import Logging
import Metrics

/// Limits the requests of the routes it wraps, per key (by default the client's IP address),
/// with a ``RateLimiter``.
///
/// ```swift
/// let signIn = RateLimiter(client: redis, name: "sign-in", rate: RateLimit(limit: 10, window: .seconds(60)))
/// host.router.group("/auth")
///     .add(middleware: RateLimitMiddleware(limiter: signIn, whenRedisFails: .reject))
///     .post("/sign-in", use: routes.signIn)
/// ```
///
/// - Allowed: the response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
///   (seconds until the full limit is back), also when the handler throws a problem.
/// - Denied: `429` problem+json (`too-many-requests`) with `Retry-After` and the same headers;
///   the handler does not run.
/// - Redis unavailable: with ``FailureMode/allow`` (the default) the request goes ahead without
///   headers; with ``FailureMode/reject`` (for sensitive routes such as sign-in) it gets a `503`
///   problem. Either way the failure is counted in `rate_limiter_failures_total{limiter}` and
///   logged (at most every few seconds).
/// - A request for which the key function returns nil is not limited.
public struct RateLimitMiddleware: RouterMiddleware {
    /// The request context of every Bazaar service.
    public typealias Context = ServiceRequestContext

    /// What to do with a request when the limiter cannot reach Redis.
    public enum FailureMode: Sendable, Hashable {
        /// Fail open: let the request through (availability over protection).
        case allow
        /// Fail closed: answer `503 Service Unavailable` (protection over availability).
        case reject
    }

    /// Derives the key a request is counted under; nil leaves the request unlimited.
    public typealias KeyFunction = @Sendable (Request, ServiceRequestContext) -> String?

    let limiter: RateLimiter
    let failureMode: FailureMode
    let key: KeyFunction
    let failures: FailureReporter
    let rejections: Counter

    /// Limits requests with `limiter`, keyed by `key` (the client address by default).
    /// - Parameters:
    ///   - limiter: The limiter and its rate.
    ///   - whenRedisFails: ``FailureMode/allow`` (default) or ``FailureMode/reject``.
    ///   - key: What to count requests under; see ``clientAddress()``.
    public init(limiter: RateLimiter, whenRedisFails failureMode: FailureMode = .allow,
                key: @escaping KeyFunction = RateLimitMiddleware.clientAddress()) {
        self.limiter = limiter
        self.failureMode = failureMode
        self.key = key
        let dimensions = [("limiter", limiter.name)]
        self.failures = FailureReporter(counter: "rate_limiter_failures_total", dimensions: dimensions,
                                        factory: limiter.client.metricsFactory, logger: limiter.client.logger)
        self.rejections = Counter(label: "rate_limiter_rejections_total", dimensions: dimensions, factory: limiter.client.metricsFactory)
    }

    /// Checks the request's key, then runs the route (allowed), throws 429 (denied) or applies
    /// the failure mode (Redis unavailable).
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = key(request, context) else {
            return try await next(request, context)
        }
        let decision: RateLimitDecision
        do {
            decision = try await limiter.check(key: key)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            failures.report("rate limiter unavailable", operation: "check", error: error,
                            metadata: ["limiter": .string(limiter.name), "fail_mode": .string(failureMode == .allow ? "open" : "closed")])
            switch failureMode {
            case .allow:
                return try await next(request, context)
            case .reject:
                var problem = ProblemError.serviceUnavailable("Request limiting is unavailable at the moment; try again shortly.")
                problem.headers[.retryAfter] = "1"
                throw problem
            }
        }
        let headers = Self.headers(for: decision)
        guard decision.isAllowed else {
            rejections.increment()
            var problem = ProblemError.tooManyRequests(retryAfterSeconds: decision.retryAfterSeconds ?? 1)
            Self.merge(headers, into: &problem.headers)
            throw problem
        }
        do {
            var response = try await next(request, context)
            Self.merge(headers, into: &response.headers)
            return response
        } catch let error as any ProblemConvertible {
            // The problem middleware renders it further out; keep the headers on that response too.
            var problem = error.problem
            Self.merge(headers, into: &problem.headers)
            throw problem
        }
    }

    /// Puts `headers` (from ``headers(for:)``) into `fields` unless a limit with no more requests
    /// remaining is already there: one route behind two limiters (per address and per account)
    /// answers with the tighter one, not with two of each header.
    static func merge(_ headers: HTTPFields, into fields: inout HTTPFields) {
        if let present = fields[.rateLimitRemaining].flatMap(Int.init), let ours = headers[.rateLimitRemaining].flatMap(Int.init),
           present <= ours {
            return
        }
        for field in headers { fields[field.name] = field.value }
    }

    /// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` for `decision`.
    public static func headers(for decision: RateLimitDecision) -> HTTPFields {
        [
            .rateLimitLimit: String(decision.limit),
            .rateLimitRemaining: String(decision.remaining),
            .rateLimitReset: String(decision.resetSeconds),
        ]
    }
}

extension HTTPField.Name {
    /// `RateLimit-Limit`: requests allowed per window.
    public static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    /// `RateLimit-Remaining`: requests left right now.
    public static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    /// `RateLimit-Reset`: seconds until the full limit is available again.
    public static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
}
