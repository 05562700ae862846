public import Hummingbird
import HTTPTypes
import Foundation

extension RateLimitMiddleware {
    /// Keys requests by the client's IP address (``ServiceRequestContext/clientAddress``: the
    /// peer, or what trusted proxies put in `X-Forwarded-For`, see `TrustedProxies`); a request
    /// without one (an in-process test client) is not limited.
    public static func clientAddress() -> KeyFunction {
        { _, context in context.clientAddress }
    }

    /// Keys requests by the value of `header` (an API key, a tenant id); nil when it is missing.
    public static func header(_ header: HTTPField.Name) -> KeyFunction {
        { request, _ in request.headers[header].flatMap { $0.isEmpty ? nil : $0 } }
    }
}

