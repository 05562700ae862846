import Foundation

/// Kong 3's DB-less declarative configuration (`infrastructure/gateway/kong.yml`) for Docker
/// Compose and Kubernetes, generated from the same service registry as the local nginx gateway
/// (``GatewayConfiguration``): the same prefixes go to the same services, paths unchanged.
///
/// Services are reached by name on their default port (`http://order:8105`), which both a
/// Compose network and a Kubernetes namespace resolve. Rendering is a pure function of this
/// value; `bazaar generate kong` prints it, and a test compares the committed file with it.
public struct KongConfiguration: Sendable, Equatable {
    /// Services to route to, each reached at `http://<name>:<port>`.
    public var services: [ServiceDefinition]
    /// Largest request body Kong accepts, in megabytes (the local gateway's `client_max_body_size`).
    public var maximumBodyMegabytes: Int

    /// Requests per minute and client IP everywhere, unless a route says otherwise.
    public static let defaultLimitPerMinute = 6_000
    /// Route prefixes with their own limit per minute and client IP: sign-in, registration,
    /// refresh and password resets are tight (each costs a bcrypt round or guards one); the
    /// public catalog, read by every page a shopper opens, is generous.
    public static let routeLimitsPerMinute: [String: Int] = ["/api/auth/": 60, "/api/catalog/": 30_000]
    /// Request headers a browser on another origin may send.
    public static let corsRequestHeaders = ["Authorization", "Content-Type", "Idempotency-Key", "X-Cart-Token", "X-Request-ID"]
    /// Response headers a browser on another origin may read.
    public static let corsExposedHeaders = [
        "Location", "X-Request-ID", "X-Cart-Token", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
    ]

    /// The storefront's container, reached at `http://storefront:<port>`.
    public static let storefrontServiceName = "storefront"
    /// Paths answered 404 by Kong itself: the API area no service owns, and each instance's own
    /// endpoints, which only the orchestrator and Prometheus reach (directly).
    public static let notFoundPaths = ["/api/", "/health", "/metrics", "/openapi.json"]

    public init(services: [ServiceDefinition], maximumBodyMegabytes: Int = 10) {
        self.services = services
        self.maximumBodyMegabytes = maximumBodyMegabytes
    }

    /// The route name of `prefix` on `service`: `user-auth` for `/api/auth/`, `user-well-known` for `/.well-known/`.
    public static func routeName(service: String, prefix: String) -> String {
        let area = prefix.split(separator: "/").last.map { String($0).replacingOccurrences(of: ".", with: "") } ?? "root"
        return "\(service)-\(area)"
    }

    /// The paths a route matches for `prefix`: the prefix itself (Kong matches paths by prefix)
    /// and, as a regular expression, the collection root without its slash (`POST /api/orders`).
    public static func routePaths(prefix: String) -> [String] {
        [prefix, "~" + prefix.dropLast().replacingOccurrences(of: ".", with: "\\.") + "$"]
    }

    /// The complete `kong.yml`.
    public func yaml() -> String {
        var lines = [
            "# Generated from the service registry (Shared/ServiceDirectory) by `bazaar generate kong`; do not edit.",
            "# A test in `make test` fails when this file and the registry differ: regenerate with",
            "#   swift run bazaar generate kong > infrastructure/gateway/kong.yml",
            "# Kong 3, DB-less (KONG_DATABASE=off, KONG_DECLARATIVE_CONFIG pointing here). Services are reached",
            "# by name on their default port, as the Compose network and the Kubernetes namespace resolve them.",
            "_format_version: \"3.0\"",
            "_transform: true",
            "",
            "services:",
        ]
        for service in services {
            lines += [
                "  - name: \(service.name)",
                "    url: http://\(service.name):\(service.port)",
                "    connect_timeout: 2000",
                "    write_timeout: 60000",
                "    # One hour, as the local gateway: the notification stream (server-sent events) stays open.",
                "    read_timeout: 3600000",
                "    routes:",
            ]
            for prefix in service.routePrefixes {
                lines += [
                    "      - name: \(Self.routeName(service: service.name, prefix: prefix))",
                    "        paths:",
                ]
                lines += Self.routePaths(prefix: prefix).map { "          - \(quoted($0))" }
                lines += [
                    "        strip_path: false",
                    "        preserve_host: true",
                ]
                if let limit = Self.routeLimitsPerMinute[prefix] {
                    lines += ["        plugins:"] + rateLimiting(perMinute: limit, indent: 10)
                }
            }
        }
        lines += [
            "  # The storefront's own container serves every other path (its shell for any page path).",
            "  - name: \(Self.storefrontServiceName)",
            "    url: http://\(Self.storefrontServiceName):\(StorefrontServerConfiguration.port)",
            "    connect_timeout: 2000",
            "    routes:",
            "      - name: \(Self.storefrontServiceName)",
            "        paths:",
            "          - \"/\"",
            "        strip_path: false",
            "        preserve_host: true",
            "      # An API path no service owns, and an instance's own endpoints (probed and scraped",
            "      # inside only), are a problem+json 404 here, not the storefront's page.",
            "      - name: not-found",
            "        paths:",
        ]
        lines += Self.notFoundPaths.map { "          - \(quoted($0))" }
        lines += [
            "        strip_path: false",
            "        plugins:",
            "          - name: request-termination",
            "            config:",
            "              status_code: 404",
            "              content_type: application/problem+json",
            "              body: \(singleQuoted(GatewayProblem.notFound.body))",
            "",
            "plugins:",
            "  - name: correlation-id",
            "    config:",
            "      header_name: X-Request-ID",
            "      generator: uuid",
            "      echo_downstream: true",
            "  - name: cors",
            "    config:",
            "      origins:",
            "        - \"*\"",
            "      methods: [GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS]",
            "      headers: [\(Self.corsRequestHeaders.joined(separator: ", "))]",
            "      exposed_headers: [\(Self.corsExposedHeaders.joined(separator: ", "))]",
            "      # Bearer tokens travel in a header, never in cookies: no credentials across origins.",
            "      credentials: false",
            "      max_age: 3600",
            "  - name: request-size-limiting",
            "    config:",
            "      allowed_payload_size: \(maximumBodyMegabytes)",
            "      size_unit: megabytes",
            "  - name: prometheus",
            "    config:",
            "      status_code_metrics: true",
            "      latency_metrics: true",
            "      bandwidth_metrics: true",
            "      upstream_health_metrics: true",
        ]
        lines += rateLimiting(perMinute: Self.defaultLimitPerMinute, indent: 2)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A `rate-limiting` plugin counting per client IP in each Kong node (`policy: local`: no
    /// shared store; with N gateway replicas a client gets up to N times the limit).
    private func rateLimiting(perMinute limit: Int, indent: Int) -> [String] {
        let padding = String(repeating: " ", count: indent)
        return [
            "- name: rate-limiting",
            "  config:",
            "    minute: \(limit)",
            "    limit_by: ip",
            "    policy: local",
            "    fault_tolerant: true",
            "    hide_client_headers: false",
        ].map { padding + $0 }
    }

    /// A single-quoted YAML string (for JSON bodies, which hold double quotes).
    private func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
