/// An error the gateway answers itself, as RFC 9457 problem details (the services' format).
public struct GatewayProblem: Sendable, Equatable {
    /// HTTP status.
    public var status: Int
    /// Stable problem type URI.
    public var type: String
    /// Short, status-level summary.
    public var title: String
    /// What happened, for a person.
    public var detail: String
    /// Methods named in the `Allow` header (only for 405).
    public var allow: String?
    /// Last part of the path of the internal nginx location answering it (`/_problems/<name>`).
    var locationName: String

    /// The JSON body.
    public var body: String {
        #"{"type":"\#(type)","title":"\#(title)","status":\#(status),"detail":"\#(detail)"}"#
    }

    /// What the gateway's health checker is called in problems about it.
    static let healthCheckerName = "health"

    private static let typePrefix = "https://bazaar.dev/problems/"

    private init(status: Int, type: String, title: String, detail: String, allow: String? = nil, locationName: String) {
        self.status = status
        self.type = Self.typePrefix + type
        self.title = title
        self.detail = detail
        self.allow = allow
        self.locationName = locationName
    }

    /// A path no route owns (an API path no service owns, a file the storefront does not have).
    public static let notFound = GatewayProblem(
        status: 404, type: "not-found", title: "Not Found", detail: "Nothing is served at this path.", locationName: "not-found"
    )

    /// A method other than GET or HEAD on one of the gateway's own paths.
    public static let methodNotAllowed = GatewayProblem(
        status: 405, type: "method-not-allowed", title: "Method Not Allowed",
        detail: "This path only answers GET and HEAD.", allow: "GET, HEAD", locationName: "method-not-allowed"
    )

    /// A body larger than `client_max_body_size`.
    public static func contentTooLarge(maximumBodySize: String) -> GatewayProblem {
        GatewayProblem(
            status: 413, type: "content-too-large", title: "Content Too Large",
            detail: "The request body is larger than the gateway accepts (\(maximumBodySize)).", locationName: "content-too-large"
        )
    }

    /// A request line longer than nginx's header buffers.
    public static let uriTooLong = GatewayProblem(
        status: 414, type: "uri-too-long", title: "URI Too Long",
        detail: "The request URI is longer than the gateway accepts.", locationName: "uri-too-long"
    )

    /// A request nginx could not parse.
    public static let badRequest = GatewayProblem(
        status: 400, type: "bad-request", title: "Bad Request", detail: "The gateway could not read this request.",
        locationName: "bad-request"
    )

    /// The errors nginx makes outside any upstream, in the order their `error_page` lines appear.
    static func serverProblems(maximumBodySize: String) -> [GatewayProblem] {
        [
            badRequest, notFound, methodNotAllowed, contentTooLarge(maximumBodySize: maximumBodySize), uriTooLong,
            GatewayProblem(status: 500, type: "gateway-error", title: "Internal Server Error",
                           detail: "The gateway failed to handle this request.", locationName: "internal-error"),
            GatewayProblem(status: 502, type: "bad-gateway", title: "Bad Gateway",
                           detail: "The gateway could not reach the upstream.", locationName: "bad-gateway"),
            GatewayProblem(status: 503, type: "service-unavailable", title: "Service Unavailable",
                           detail: "The gateway cannot serve this request now.", locationName: "gateway-unavailable"),
            GatewayProblem(status: 504, type: "gateway-timeout", title: "Gateway Timeout",
                           detail: "The upstream did not answer in time.", locationName: "gateway-timeout"),
        ]
    }

    /// `upstream` (a service, or the health checker) cannot be reached: a 503 naming it (also for
    /// services the registry lists but nobody has built yet).
    public static func unavailable(_ upstream: String) -> GatewayProblem {
        GatewayProblem(
            status: 503, type: "service-unavailable", title: "Service Unavailable",
            detail: upstream == healthCheckerName
                ? "The gateway's health checker is not available."
                : "The \(upstream) service is not available.",
            locationName: "\(upstream)-unavailable"
        )
    }

    /// `upstream` accepted the request but did not answer in time: a 504 naming it.
    public static func timedOut(_ upstream: String) -> GatewayProblem {
        GatewayProblem(
            status: 504, type: "gateway-timeout", title: "Gateway Timeout",
            detail: upstream == healthCheckerName
                ? "The gateway's health checker did not answer in time."
                : "The \(upstream) service did not answer in time.",
            locationName: "\(upstream)-timeout"
        )
    }
}
