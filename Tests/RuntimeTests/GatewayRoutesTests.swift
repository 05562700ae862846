import BazaarRuntime
import Foundation
import Testing

/// Both gateways come from the service registry (the committed Kong file is compared with it in
/// ``DeploymentFilesTests``): every route of every service's OpenAPI document reaches that service through
/// the local nginx gateway. (The Kong file's structure and its routing of the same paths are
/// checked by `infrastructure/scripts/check-gateway.py`, run by `make test`.)
@Suite("Gateway routes")
struct GatewayRoutesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every instance's own endpoints: probed and scraped directly, never routed by a gateway.
    static let operationalPaths: Set<String> = ["/health", "/health/live", "/health/ready", "/metrics", "/openapi.json"]

    @Test("Kong routes every prefix of every service to it, with the collection root, paths unchanged")
    func kongRoutesEveryPrefix() {
        let yaml = KongConfiguration(services: ServiceRegistry.all).yaml()
        for service in ServiceRegistry.all {
            #expect(yaml.contains("  - name: \(service.name)\n    url: http://\(service.name):\(service.port)\n"))
            for prefix in service.routePrefixes {
                let paths = KongConfiguration.routePaths(prefix: prefix).map { "          - \"\($0.replacingOccurrences(of: "\\", with: "\\\\"))\"" }
                #expect(yaml.contains("      - name: \(KongConfiguration.routeName(service: service.name, prefix: prefix))\n        paths:\n"
                    + paths.joined(separator: "\n") + "\n        strip_path: false\n"), "\(prefix)")
            }
        }
        #expect(yaml.contains("        plugins:\n          - name: rate-limiting\n            config:\n              minute: 60\n"), "sign-in is throttled")
    }

    @Test("every path of every service's OpenAPI document reaches that service through the local gateway, none of its own endpoints")
    func nginxReachesEveryDocumentedPath() throws {
        let rendered = GatewayConfiguration(port: 18080, directory: "/srv/gateway", services: ServiceRegistry.all, healthPort: 18999)
            .nginxConfiguration()
        // `location <prefix> {` or `location = <exact> {`, followed by the upstream it passes to.
        let pattern = try Regex(#"location (= )?(\S+) \{\n\s+proxy_pass http://(\w+)_service;"#)
        var prefixes: [(path: String, service: String)] = []
        var exact: [String: String] = [:]
        for match in rendered.matches(of: pattern) {
            let path = String(match.output[2].substring!), service = String(match.output[3].substring!)
            if match.output[1].substring != nil { exact[path] = service } else { prefixes.append((path, service)) }
        }
        #expect(!prefixes.isEmpty)
        for service in ServiceRegistry.all {
            let folder = service.name.prefix(1).uppercased() + service.name.dropFirst()
            let document = Self.repository.appendingPathComponent("Services/\(folder)/Sources/Resources/openapi.json")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: document)) as? [String: Any])
            let paths = try #require(json["paths"] as? [String: Any]).keys
            #expect(!paths.isEmpty, "\(service.name)")
            for template in paths {
                // A concrete path: every `{parameter}` becomes a plain segment.
                let path = template.replacing(try Regex(#"\{[^}]+\}"#), with: "x")
                // nginx: an exact match wins, else the longest matching prefix.
                let owner = exact[path] ?? prefixes.filter { path.hasPrefix($0.path) }.max { $0.path.count < $1.path.count }?.service
                if Self.operationalPaths.contains(template) {
                    #expect(owner == nil, "\(template) is each instance's own endpoint, not routed to \(owner ?? "")")
                } else {
                    #expect(owner == service.name, "\(template) of \(service.name) goes to \(owner ?? "nothing")")
                }
            }
        }
    }
}
