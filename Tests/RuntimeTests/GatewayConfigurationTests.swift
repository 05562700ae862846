import BazaarRuntime
import BazaarTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Gateway configuration")
struct GatewayConfigurationTests {
    let configuration = GatewayConfiguration(
        port: 18080, directory: "/srv/run dir/gateway", services: ServiceRegistry.all, healthPort: 18999, workerUser: nil
    )

    var rendered: String { configuration.nginxConfiguration() }

    @Test("every route prefix proxies to its service's upstream without rewriting the path")
    func routesProxyToOwners() {
        for service in ServiceRegistry.all {
            #expect(rendered.contains("upstream \(service.name)_service {\n        server 127.0.0.1:\(service.port);\n        keepalive 64;"))
            for prefix in service.routePrefixes {
                // proxy_pass without a URI part forwards the original path unchanged.
                #expect(rendered.contains("location \(prefix) {\n            proxy_pass http://\(service.name)_service;\n"), "\(prefix)")
            }
        }
    }

    @Test("nginx workers may hold as many connections as the open-file limit leaves room for, 256 to 8192")
    func workerConnectionsFollowTheFileLimit() {
        #expect(OpenFileLimit.nginxWorkerConnections(forLimit: 1024) == 896)
        #expect(OpenFileLimit.nginxWorkerConnections(forLimit: 100) == 256)
        #expect(OpenFileLimit.nginxWorkerConnections(forLimit: 1 << 20) == 8192)
        var wide = configuration
        wide.workerConnections = 8192
        #expect(wide.nginxConfiguration().contains("events {\n    worker_connections 8192;\n}"))
        // The launcher raises its soft limit before starting anything; the children inherit it.
        var limit = rlimit()
        #expect(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        let hard = Int(clamping: limit.rlim_max)
        #expect(OpenFileLimit.raise() == min(hard, 1 << 20))
        #expect(OpenFileLimit.current == min(hard, 1 << 20))
    }

    @Test("an unreachable service answers a 503 problem+json naming it, a timeout a 504")
    func unavailableServicesAnswerProblemJSON() throws {
        for service in ServiceRegistry.all {
            #expect(rendered.contains("error_page 502 503 =503 /_problems/\(service.name)-unavailable;"))
            #expect(rendered.contains("error_page 504 =504 /_problems/\(service.name)-timeout;"))
            let body = GatewayProblem.unavailable(service.name).body
            #expect(rendered.contains("location = /_problems/\(service.name)-unavailable {\n            internal;"))
            #expect(rendered.contains("return 503 '\(body)';"))
            #expect(rendered.contains("return 504 '\(GatewayProblem.timedOut(service.name).body)';"))
            let problem = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(problem["type"] as? String == "https://bazaar.dev/problems/service-unavailable")
            #expect(problem["title"] as? String == "Service Unavailable")
            #expect(problem["status"] as? Int == 503)
            #expect(problem["detail"] as? String == "The \(service.name) service is not available.")
        }
        #expect(rendered.contains("default_type application/problem+json;"))
    }

    @Test("every error nginx makes itself has a problem+json page, at server level and in every location with its own error pages")
    func errorPagesEverywhere() throws {
        let statuses = [400, 404, 405, 413, 414, 500]
        let pages = rendered.components(separatedBy: "\n").filter { $0.contains("error_page") }
        for status in statuses {
            let routedLocations = ServiceRegistry.all.flatMap(\.routePrefixes).count * 2
            // Server level, /health and every service location.
            #expect(pages.filter { $0.contains("error_page \(status) =\(status) /_problems/") }.count == 1 + 1 + routedLocations, "\(status)")
        }
        for problem in [GatewayProblem.notFound, .methodNotAllowed, .uriTooLong, .badRequest, .contentTooLarge(maximumBodySize: "10m")] {
            let decoded = try #require(try JSONSerialization.jsonObject(with: Data(problem.body.utf8)) as? [String: Any])
            #expect(decoded["status"] as? Int == problem.status)
            #expect(rendered.contains("return \(problem.status) '\(problem.body)';"))
        }
        #expect(rendered.contains("add_header Allow \"GET, HEAD\" always;"))
        #expect(rendered.contains("client_max_body_size 10m;"))
        #expect(!rendered.contains("proxy_intercept_errors on"))
    }

    @Test("unknown paths are 404s, /health goes to the health checker, /health/live and the index are the gateway's own")
    func fallbackHealthAndIndex() throws {
        #expect(rendered.contains("location / {\n            return 404;\n        }"))
        #expect(rendered.contains("upstream gateway_health {\n        server 127.0.0.1:18999;"))
        #expect(rendered.contains("location = /health {"))
        #expect(rendered.contains("proxy_pass http://gateway_health;"))
        #expect(rendered.contains("error_page 502 503 =503 /_problems/health-unavailable;"))
        #expect(rendered.contains("return 200 '\(GatewayConfiguration.liveBody)';"))
        #expect(rendered.contains("location = / {"))
        let notFound = try JSONSerialization.jsonObject(with: Data(GatewayProblem.notFound.body.utf8)) as? [String: Any]
        #expect(notFound?["status"] as? Int == 404)
    }

    @Test("ordinary routes keep upstream connections alive and never forward Upgrade")
    func noUpgradeOnOrdinaryRoutes() throws {
        #expect(!rendered.contains("Upgrade"))
        #expect(!rendered.contains("$http_upgrade"))
        #expect(rendered.contains("proxy_set_header Connection \"\";"))
        var upgrading = configuration
        upgrading.upgradeRoutePrefixes = ["/api/notifications/"]
        let text = upgrading.nginxConfiguration()
        let location = try #require(text.range(of: "location /api/notifications/ {"))
        let block = String(text[location.lowerBound...].prefix { $0 != "}" })
        #expect(block.contains("proxy_set_header Upgrade $http_upgrade;"), "\(block)")
        #expect(block.contains("proxy_set_header Connection $bazaar_upstream_connection;"), "\(block)")
        #expect(block.contains("proxy_set_header X-Request-ID $bazaar_request_id;"), "every header is repeated: \(block)")
        #expect(text.components(separatedBy: "proxy_set_header Upgrade").count == 1 + 2, "only that route and its exact root")
    }

    @Test("listens on loopback only and forwards request id and client information")
    func headersAndListener() {
        #expect(rendered.contains("listen 127.0.0.1:18080;"))
        #expect(rendered.contains("proxy_set_header X-Request-ID $bazaar_request_id;"))
        #expect(rendered.contains("add_header X-Request-ID $bazaar_request_id always;"))
        #expect(rendered.contains("default $http_x_request_id;"))
        #expect(rendered.contains("$request_id;"))
        #expect(rendered.contains("proxy_set_header X-Forwarded-For $remote_addr;"), "the edge replaces a client's X-Forwarded-For")
        #expect(!rendered.contains("$proxy_add_x_forwarded_for"))
        #expect(rendered.contains("proxy_set_header X-Forwarded-Proto $scheme;"))
        #expect(rendered.contains("proxy_http_version 1.1;"))
        #expect(Gateway.healthArguments(port: 9, services: Array(ServiceRegistry.all.prefix(2)))
            == ["--port", "9", "--service", "user=8101", "--service", "catalog=8102"])
        #expect(rendered.contains("access_log /dev/stdout bazaar buffer=32k flush=1s;"))
    }

    @Test("every path nginx writes stays inside the run directory and is quoted")
    func pathsStayInRunDirectory() {
        #expect(rendered.contains("pid \"/srv/run dir/gateway/nginx.pid\";"))
        for name in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            #expect(rendered.contains("\(name)_temp_path \"/srv/run dir/gateway/temp/\(name)\";"))
        }
        #expect(!rendered.contains("\nuser "))
        let asRoot = GatewayConfiguration(port: 18080, directory: "/x", services: [], healthPort: 18999, workerUser: "www-data")
        #expect(asRoot.nginxConfiguration().contains("\nuser www-data;\n"))
    }

    @Test("the index page lists every API area")
    func indexPageListsAreas() {
        let page = configuration.indexPage()
        for prefix in ServiceRegistry.all.flatMap(\.routePrefixes) {
            #expect(page.contains("<code>\(prefix)</code>"))
        }
        #expect(page.hasPrefix("<!doctype html>"))
    }

    @Test("nginx accepts the generated configuration (nginx -t)")
    func nginxAcceptsConfiguration() async throws {
        let nginx = try TestTools.require("nginx", debianPackage: "nginx-light", extraDirectories: ["/usr/sbin"])
        let directory = try TemporaryDirectory.create(prefix: "bazaar-gateway-test")
        defer { directory.remove() }
        let settings = RuntimeSettings(runDirectory: RunDirectory(path: directory.path), gatewayPort: try LoopbackPort.free())
        let configuration = Gateway.configuration(for: settings, healthPort: try LoopbackPort.free())
        #expect(configuration.workerUser == (geteuid() == 0 ? "www-data" : nil))
        try Gateway.writeFiles(for: configuration)
        let result = try await TestProcess.run(nginx, ["-t"] + Gateway.arguments(for: configuration))
        #expect(result.status == 0, "nginx -t failed:\n\(result.output)")
        #expect(result.output.contains("test is successful"), "\(result.output)")
    }

    @Test("bazaar up --scale: replicas listen 100 ports apart, the gateway spreads over all of them, each is health-checked")
    func replicas() throws {
        var settings = RuntimeSettings(runDirectory: RunDirectory(path: "/srv/run"))
        settings.replicas = try RuntimeSettings.replicas(from: ["order=3", "cart=1"])
        let order = try #require(ServiceRegistry.service(named: "order"))
        #expect(settings.instances(of: order).map(\.name) == ["order", "order-2", "order-3"])
        #expect(settings.instances(of: order).map(\.port) == [order.port, order.port + 100, order.port + 200])
        let rendered = Gateway.configuration(for: settings, healthPort: 18999, directory: "/srv/gateway").nginxConfiguration()
        #expect(rendered.contains("upstream order_service {\n        server 127.0.0.1:\(order.port);\n        server 127.0.0.1:\(order.port + 100);\n"
            + "        server 127.0.0.1:\(order.port + 200);\n        keepalive 64;"))
        #expect(rendered.contains("upstream cart_service {\n        server 127.0.0.1:8104;\n        keepalive 64;"))
        let checked = Gateway.checkedServices(settings)
        #expect(checked.filter { $0.name.hasPrefix("order") }.map { "\($0.name)=\($0.port)" }
            == ["order=\(order.port)", "order-2=\(order.port + 100)", "order-3=\(order.port + 200)"])
        for bad in ["order", "order=0", "order=10", "orders=2", "order=x"] {
            #expect(throws: RuntimeError.self, "\(bad)") { try RuntimeSettings.replicas(from: [bad]) }
        }
    }
}
