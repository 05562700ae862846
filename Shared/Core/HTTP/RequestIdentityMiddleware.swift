public import Hummingbird
import HTTPTypes
import Logging
import Foundation

/// Accepts the caller's `X-Request-ID` (or creates one) and `traceparent` (or starts a trace),
/// puts both into the request's logger metadata and returns the request id on the response; and
/// keeps what the client's address is worked out from (``ServiceRequestContext/clientAddress``).
/// It is the outermost middleware, so every log line and every response of a request carries it.
public struct RequestIdentityMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let trustedProxies: TrustedProxies

    public init(trustedProxies: TrustedProxies = .loopback) {
        self.trustedProxies = trustedProxies
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.trustedProxies = trustedProxies
        context.forwardedFor = request.headers[.xForwardedFor]
        context.requestID = request.headers[.requestID].flatMap(Self.acceptable) ?? FastIdentifiers.hex128()
        if let header = request.headers[.traceparent], let trace = TraceContext.continuing(header) {
            context.trace = trace
        }
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        context.logger[metadataKey: "trace_id"] = .string(context.trace.traceID)
        var response = try await next(request, context)
        response.headers[.requestID] = context.requestID
        return response
    }

    /// A caller's id is kept when it is short and plain, so it cannot inject into logs or headers.
    static func acceptable(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
              value.utf8.allSatisfy({ byte in
                  (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                      || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                      || byte == UInt8(ascii: ".")
              })
        else { return nil }
        return value
    }
}

/// Which finished requests get an access-log line (`ACCESS_LOG`).
///
/// The gateway already writes an access log line for every request (with the same
/// `X-Request-ID`), and `http_requests_total` counts them all, so by default a service logs only
/// the requests that need a look: errors and slow ones. A formatted JSON line and a write per
/// request cost a busy service about a sixth of its CPU.
public enum AccessLogMode: String, Sendable, CaseIterable {
    /// Every request (probes of `/health*` and `/metrics` at `debug`).
    case all
    /// Requests answered 4xx or 5xx, or slower than `ACCESS_LOG_SLOW_MS` (default 1000). The default.
    case errors
    /// None (errors a handler throws are still logged where they happen).
    case off
}

/// Logs finished requests (method, path, route, status, duration) as ``AccessLogMode`` says.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let mode: AccessLogMode
    let slow: Duration

    public init(mode: AccessLogMode = .all, slow: Duration = .seconds(1)) {
        self.mode = mode
        self.slow = slow
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if mode == .off { return try await next(request, context) }
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let status = response.status.code
        let needsALook = status >= 400 || elapsed >= slow
        if mode == .errors && !needsALook { return response }
        let path = request.uri.path
        let level: Logger.Level = status >= 500 ? .error
            : needsALook ? .notice
            : path.hasPrefix("/health") || path == "/metrics" ? .debug : .info
        context.logger.log(level: level, "request completed", metadata: [
            "http_method": .string(request.method.rawValue),
            "http_path": .string(path),
            "http_route": .string(context.endpointPath ?? "unmatched"),
            "http_status": .stringConvertible(response.status.code),
            "duration_ms": .stringConvertible(elapsed.milliseconds),
        ])
        return response
    }
}

/// Sets the body limit for decoding and rejects a declared oversized body with 413 before reading it.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw ProblemError.payloadTooLarge(limit: limit)
        }
        var context = context
        context.maxUploadSize = limit
        return try await next(request, context)
    }
}

/// Headers that make JSON API responses safe to show in a browser context.
public struct SecurityHeadersMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
        response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        return response
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`: the addresses a request came through, client first.
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
