import BazaarRuntime
import BazaarTestSupport
import Foundation
import Testing

@Suite("Gateway configuration")
struct GatewayConfigurationTests {
    let configuration = GatewayConfiguration(
        port: 18080, directory: "/srv/run dir/gateway", services: ServiceRegistry.all, workerUser: nil
    )

    var rendered: String { configuration.nginxConfiguration() }

    @Test("every route prefix proxies to its service's upstream without rewriting the path")
    func routesProxyToOwners() {
        for service in ServiceRegistry.all {
            #expect(rendered.contains("upstream \(service.name)_service {\n        server 127.0.0.1:\(service.port);\n        keepalive 16;"))
            for prefix in service.routePrefixes {
                // proxy_pass without a URI part forwards the original path unchanged.
                #expect(rendered.contains("location \(prefix) {\n            proxy_pass http://\(service.name)_service;\n"), "\(prefix)")
            }
        }
    }

    @Test("an unreachable service answers a 503 problem+json naming it")
    func unavailableServicesAnswerProblemJSON() throws {
        for service in ServiceRegistry.all {
            #expect(rendered.contains("error_page 502 503 504 = @\(service.name)_unavailable;"))
            let body = GatewayConfiguration.unavailableProblem(serviceName: service.name)
            #expect(rendered.contains("location @\(service.name)_unavailable {"))
            #expect(rendered.contains("return 503 '\(body)';"))
            let problem = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(problem["type"] as? String == "https://bazaar.dev/problems/service-unavailable")
            #expect(problem["title"] as? String == "Service Unavailable")
            #expect(problem["status"] as? Int == 503)
            #expect(problem["detail"] as? String == "The \(service.name) service is not available.")
        }
        #expect(rendered.contains("default_type application/problem+json;"))
    }

    @Test("unknown paths answer a 404 problem+json, health and index are served by the gateway")
    func fallbackHealthAndIndex() throws {
        #expect(rendered.contains("location / {\n            default_type application/problem+json;"))
        #expect(rendered.contains("return 404 '\(GatewayConfiguration.notFoundProblem)';"))
        #expect(rendered.contains("location = /health {\n            default_type application/json;\n            return 200 '\(GatewayConfiguration.healthBody)';"))
        #expect(rendered.contains("location = / {"))
        let notFound = try JSONSerialization.jsonObject(with: Data(GatewayConfiguration.notFoundProblem.utf8)) as? [String: Any]
        #expect(notFound?["status"] as? Int == 404)
    }

    @Test("listens on loopback only and forwards request id and client information")
    func headersAndListener() {
        #expect(rendered.contains("listen 127.0.0.1:18080;"))
        #expect(rendered.contains("proxy_set_header X-Request-ID $bazaar_request_id;"))
        #expect(rendered.contains("add_header X-Request-ID $bazaar_request_id always;"))
        #expect(rendered.contains("default $http_x_request_id;"))
        #expect(rendered.contains("$request_id;"))
        #expect(rendered.contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"))
        #expect(rendered.contains("proxy_set_header X-Forwarded-Proto $scheme;"))
        #expect(rendered.contains("proxy_http_version 1.1;"))
        #expect(rendered.contains("access_log /dev/stdout bazaar;"))
    }

    @Test("every path nginx writes stays inside the run directory and is quoted")
    func pathsStayInRunDirectory() {
        #expect(rendered.contains("pid \"/srv/run dir/gateway/nginx.pid\";"))
        for name in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            #expect(rendered.contains("\(name)_temp_path \"/srv/run dir/gateway/temp/\(name)\";"))
        }
        #expect(!rendered.contains("\nuser "))
        let asRoot = GatewayConfiguration(port: 18080, directory: "/x", services: [], workerUser: "root")
        #expect(asRoot.nginxConfiguration().contains("\nuser root;\n"))
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
        let configuration = Gateway.configuration(for: settings)
        try Gateway.writeFiles(for: configuration)
        let result = try await TestProcess.run(nginx, ["-t"] + Gateway.arguments(for: configuration))
        #expect(result.status == 0, "nginx -t failed:\n\(result.output)")
        #expect(result.output.contains("test is successful"), "\(result.output)")
    }
}
