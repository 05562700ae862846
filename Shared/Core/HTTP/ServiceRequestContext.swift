public import Hummingbird
public import HTTPTypes
public import NIOCore
import Logging
public import Foundation

/// The request context every Bazaar service uses: Hummingbird's core storage plus what the
/// shared middleware learns about a request (its id, trace, signed-in user, body limit).
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection: the gateway when behind it (then `X-Forwarded-For` names the
    /// client), the client itself otherwise.
    public let remoteAddress: SocketAddress?
    /// The client's IP address: the peer, or what trusted proxies said in `X-Forwarded-For`
    /// (see ``TrustedProxies``); nil only for in-process test requests. Worked out when asked
    /// (rate limits, audit entries), not for every request.
    public var clientAddress: String? {
        trustedProxies.clientAddress(peer: remoteAddress?.ipAddress, forwardedFor: forwardedFor.map { [$0] } ?? [])
    }
    /// Whose `X-Forwarded-For` is believed; set by the request-identity middleware.
    public var trustedProxies: TrustedProxies = .loopback
    /// The request's `X-Forwarded-For` (all its lines, comma-joined), kept for ``clientAddress``.
    public var forwardedFor: String?
    /// The `X-Request-ID` accepted from the caller or created for this request.
    public var requestID: String = ""
    /// The W3C trace this request belongs to (continued from `traceparent` or started here).
    public var trace: TraceContext = .start()
    /// The verified caller, when the request carried a valid bearer token.
    public var identity: Identity?
    /// Largest body a handler may decode; set by the body-limit middleware from configuration.
    public var maxUploadSize: Int = 1 << 20

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var requestDecoder: ProblemJSONDecoder { ProblemJSONDecoder() }

    /// JSON responses use ISO 8601 dates, like request bodies and events.
    public var responseEncoder: JSONEncoder { Self.jsonEncoder }

    /// One configured encoder shared by every request (encoding does not mutate it).
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// Headers to send on a call this request makes to another service, so the request id and
    /// trace follow it (events carry the same values in their envelope).
    public var propagationHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.requestID] = requestID
        headers[.traceparent] = trace.traceparent
        return headers
    }

    /// The signed-in caller; throws 401 when the request has no valid token.
    public func requireUser() throws -> Identity {
        guard let identity else { throw ProblemError.unauthorized("This endpoint requires a signed-in user.") }
        return identity
    }

    /// The signed-in caller holding `role`; 401 without a token, 403 with another role.
    public func requireRole(_ role: Role) throws -> Identity {
        let identity = try requireUser()
        guard identity.role == role else {
            throw ProblemError.forbidden("This endpoint requires the \(role.rawValue) role.")
        }
        return identity
    }
}

extension HTTPField.Name {
    /// `X-Request-ID`, accepted, created, logged, returned and propagated by every service.
    public static let requestID = HTTPField.Name("X-Request-ID")!
}

/// A W3C Trace Context position: the trace id shared by everything one user action causes, and
/// the span id of this service's part in it.
public struct TraceContext: Sendable, Equatable {
    /// 32 lower-case hex digits.
    public let traceID: String
    /// 16 lower-case hex digits identifying this hop.
    public let spanID: String
    /// The caller's span, when the trace was continued.
    public let parentSpanID: String?
    public let sampled: Bool

    /// The `traceparent` header value naming this hop as the parent of the next.
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    /// Starts a new trace.
    public static func start() -> TraceContext {
        TraceContext(traceID: FastIdentifiers.hex128(), spanID: FastIdentifiers.hex64(), parentSpanID: nil, sampled: true)
    }

    /// Continues the trace of a valid `traceparent` value with a new span; nil when malformed.
    public static func continuing(_ header: String) -> TraceContext? {
        let parts = header.trimmingOptionalWhitespace.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff",
              parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.prefix(4).allSatisfy({ $0.allSatisfy(\.isHexDigit) }),
              parts[1] != Substring(String(repeating: "0", count: 32)),
              parts[2] != Substring(String(repeating: "0", count: 16)),
              let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        return TraceContext(traceID: parts[1].lowercased(), spanID: FastIdentifiers.hex64(), parentSpanID: parts[2].lowercased(), sampled: flags & 1 == 1)
    }
}
