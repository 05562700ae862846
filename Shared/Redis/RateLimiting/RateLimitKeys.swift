public import Hummingbird
import HTTPTypes
import Foundation

extension RateLimitMiddleware {
    /// Keys requests by the client's IP address: the address the nearest trusted proxy put in
    /// `X-Forwarded-For`, or else the connection's remote address.
    ///
    /// Each proxy appends the address it received the request from, so only the entries added by
    /// our own proxies can be trusted; anything left of them was sent by the client and is
    /// forged at will (a limiter keyed by it is bypassed by changing the header). With
    /// `trustedProxies` proxies in front of the service, the client's address is the
    /// `trustedProxies`-th entry from the right. The default, 1, matches the gateway
    /// (`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`); when the only proxy
    /// replaces the header with the address it saw, its single entry is both first and last.
    /// With 0 the header is ignored.
    ///
    /// Without a usable header the connection's remote address is used (`ServiceRequestContext`
    /// provides it); a context without one gives a nil key and the request is not limited.
    public static func clientAddress(trustedProxies: Int = 1) -> KeyFunction {
        { request, context in
            if trustedProxies > 0, let address = forwardedAddress(request.headers[values: .xForwardedFor], trustedProxies: trustedProxies) {
                return address
            }
            return ((context as Any) as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
        }
    }

    /// Keys requests by the value of `header` (an API key, a tenant id); nil when it is missing.
    public static func header(_ header: HTTPField.Name) -> KeyFunction {
        { request, _ in request.headers[header].flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// The `trustedProxies`-th address from the right across every `X-Forwarded-For` line, or
    /// the leftmost when there are fewer entries (the client talked to our proxy directly).
    static func forwardedAddress(_ lines: [String], trustedProxies: Int) -> String? {
        let entries = lines.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !entries.isEmpty else { return nil }
        let index = max(entries.count - trustedProxies, 0)
        return entries[index]
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`: the addresses a request came through, client first.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
