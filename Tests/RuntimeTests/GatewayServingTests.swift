import BazaarRuntime
import BazaarTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The generated gateway configuration served by a real nginx, in front of real HTTP listeners
/// and the real health checker.
@Suite("Gateway, served by nginx", .serialized, .timeLimit(.minutes(2)))
struct GatewayServingTests {
    /// user: ready; catalog: answers but not ready; notification: started by the launcher but down;
    /// inventory: not built (nothing listens, and the health checker does not ask it).
    static func services() throws -> [(definition: ServiceDefinition, readiness: Int?)] {
        [
            (ServiceDefinition(name: "user", port: try LoopbackPort.free(), routePrefixes: ["/api/users/"], executableName: "bazaar-user"), 200),
            (ServiceDefinition(name: "catalog", port: try LoopbackPort.free(), routePrefixes: ["/api/catalog/"],
                               executableName: "bazaar-catalog"), 503),
            (ServiceDefinition(name: "notification", port: try LoopbackPort.free(), routePrefixes: ["/api/notifications/"],
                               executableName: "bazaar-notification"), nil),
            (ServiceDefinition(name: "inventory", port: try LoopbackPort.free(), routePrefixes: ["/api/inventory/"]), nil),
        ]
    }

    static func expectProblem(_ answer: HTTPAnswer, status: Int, type: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == status, "\(answer.body)", sourceLocation: sourceLocation)
        #expect(answer.headers["content-type"] == "application/problem+json", "\(answer.headers)", sourceLocation: sourceLocation)
        #expect(answer.headers["x-request-id"]?.isEmpty == false, sourceLocation: sourceLocation)
        let problem = answer.json
        #expect(problem?["status"] as? Int == status, "\(answer.body)", sourceLocation: sourceLocation)
        #expect(problem?["type"] as? String == "https://bazaar.dev/problems/\(type)", "\(answer.body)", sourceLocation: sourceLocation)
        #expect((problem?["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect((problem?["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test("nginx's own errors are problem+json: 404, 405 with Allow, 413, 414, 503 for a service that is down or not built")
    func ownErrorsAreProblems() async throws {
        let gateway = try await RunningGateway.start(services: try Self.services(), maximumBodySize: "1k")
        do {
            let port = gateway.port
            Self.expectProblem(try await curlRequest(port: port, path: "/api/nowhere"), status: 404, type: "not-found")
            // The gateway's own paths answer GET and HEAD only.
            for (method, path) in [("POST", "/"), ("DELETE", "/health"), ("PUT", "/health/live")] {
                let answer = try await curlRequest(port: port, method: method, path: path, body: method == "POST" ? "{}" : nil)
                Self.expectProblem(answer, status: 405, type: "method-not-allowed")
                #expect(answer.headers["allow"] == "GET, HEAD", "\(method) \(path): \(answer.headers)")
            }
            let tooLarge = try await curlRequest(port: port, method: "POST", path: "/api/users/register",
                                                 headers: ["Content-Type: application/json"], body: String(repeating: "x", count: 4096))
            Self.expectProblem(tooLarge, status: 413, type: "content-too-large")
            #expect(tooLarge.json?["detail"] as? String == "The request body is larger than the gateway accepts (1k).")
            Self.expectProblem(try await curlRequest(port: port, path: "/api/users/" + String(repeating: "a", count: 10_000)),
                               status: 414, type: "uri-too-long")
            for (name, path) in [("notification", "/api/notifications/anything"), ("inventory", "/api/inventory/anything")] {
                let down = try await curlRequest(port: port, path: path)
                Self.expectProblem(down, status: 503, type: "service-unavailable")
                #expect(down.json?["detail"] as? String == "The \(name) service is not available.")
            }
            // A service's own errors pass through unchanged.
            let own = try await curlRequest(port: port, path: "/api/users/missing")
            #expect(own.status == 404 && own.headers["content-type"] == "application/json" && own.json?["own"] as? Bool == true, "\(own)")
            // And the index page and liveness still work.
            #expect(try await curlRequest(port: port, path: "/").status == 200)
            let live = try await curlRequest(port: port, path: "/health/live")
            #expect(live.status == 200 && live.body == GatewayConfiguration.liveBody)
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    @Test("the storefront is served at / with a strict policy: its files with their types, any other page path as its shell, never a reset token in the log")
    func storefront() async throws {
        let source = try #require(Gateway.storefrontSource(), "the tests run from the repository, which has Web/storefront")
        let shell = try String(contentsOf: URL(filePath: source).appending(path: "index.html"), encoding: .utf8)
        let gateway = try await RunningGateway.start(services: try Self.services())
        do {
            // Every page path is the shell (the storefront routes in the browser), the reset link's too.
            for path in ["/", "/p/some-product?x=1", "/reset-password?token=SECRET-reset-token-123"] {
                let page = try await curlRequest(port: gateway.port, path: path)
                #expect(page.status == 200 && page.body == shell, "\(path): \(page.status)")
                #expect(page.headers["content-type"]?.hasPrefix("text/html") == true, "\(page.headers)")
                #expect(page.headers["content-security-policy"] == GatewayConfiguration.storefrontContentSecurityPolicy, "\(page.headers)")
                #expect(page.headers["x-content-type-options"] == "nosniff" && page.headers["referrer-policy"] == "same-origin")
                #expect(page.headers["cache-control"] == "no-cache" && page.headers["x-request-id"]?.isEmpty == false)
            }
            // The shell's script and style sheet with the types browsers require (a module script
            // served as anything else is refused), compressed when asked, revalidated by ETag.
            let script = try #require(shell.firstMatch(of: /<script type="module" src="([^"]+)"/)?.1, "the shell loads a module script")
            let style = try #require(shell.firstMatch(of: /<link rel="stylesheet" href="([^"]+)"/)?.1, "the shell links a style sheet")
            for (path, type) in [(String(script), "text/javascript"), (String(style), "text/css")] {
                let file = try await curlRequest(port: gateway.port, path: path, headers: ["Accept-Encoding: gzip"])
                #expect(file.status == 200 && file.headers["content-type"]?.hasPrefix(type) == true, "\(path): \(file.headers)")
                let etag = try #require(file.headers["etag"], "\(path): \(file.headers)")
                #expect(try await curlRequest(port: gateway.port, path: path, headers: ["If-None-Match: \(etag)"]).status == 304)
            }
            #expect(try await curlRequest(port: gateway.port, path: String(style), headers: ["Accept-Encoding: gzip"]).headers["content-encoding"] == "gzip")
            // A missing script or picture is a 404, not the shell.
            Self.expectProblem(try await curlRequest(port: gateway.port, path: "/images/products/missing.webp"), status: 404, type: "not-found")
            // The page listing the API areas moved to /gateway.
            let index = try await curlRequest(port: gateway.port, path: GatewayConfiguration.indexPageRoute)
            #expect(index.status == 200 && index.body.contains("/api/users/"))
            // nginx writes its access log at most a second late.
            try await eventually("the access log to show the reset page request") {
                try gateway.output().contains("GET /reset-password HTTP/1.1\" 200")
            }
            let log = try gateway.output()
            #expect(!log.contains("SECRET-reset-token-123"), "\(log)")
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    @Test("GET /health reports every started service's readiness, 503 when one is not ready or down; 503 problem without the checker")
    func healthAggregatesReadiness() async throws {
        let gateway = try await RunningGateway.start(services: try Self.services())
        do {
            let answer = try await curlRequest(port: gateway.port, path: "/health")
            #expect(answer.status == 503, "\(answer.body)")
            #expect(answer.headers["content-type"] == "application/json")
            #expect(answer.headers["cache-control"] == "no-store")
            let report = try #require(answer.json, "\(answer.body)")
            #expect(report["status"] as? String == "unhealthy")
            let services = try #require(report["services"] as? [String: [String: Any]], "\(answer.body)")
            // Only services the launcher starts are asked: inventory has no executable.
            #expect(Set(services.keys) == ["user", "catalog", "notification"], "\(answer.body)")
            #expect(services["user"]?["status"] as? String == "healthy")
            #expect(services["catalog"]?["status"] as? String == "unhealthy")
            #expect(services["notification"]?["status"] as? String == "unreachable")
            for (name, service) in services {
                #expect(service["latencyMs"] is Double || service["latencyMs"] is Int, "\(name): \(service)")
            }
            #expect(try await curlRequest(port: gateway.port, method: "HEAD", path: "/health").status == 503)

            // Without the checker, the gateway still answers, with a problem naming it.
            await gateway.checker.kill()
            let withoutChecker = try await curlRequest(port: gateway.port, path: "/health")
            Self.expectProblem(withoutChecker, status: 503, type: "service-unavailable")
            #expect(withoutChecker.json?["detail"] as? String == "The gateway's health checker is not available.")
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    @Test("the health checker answers 200 healthy when every checked service is ready")
    func healthyWhenAllReady() async throws {
        let user = ServiceDefinition(name: "user", port: try LoopbackPort.free(), routePrefixes: ["/api/users/"], executableName: "bazaar-user")
        let catalog = ServiceDefinition(name: "catalog", port: try LoopbackPort.free(), routePrefixes: ["/api/catalog/"],
                                        executableName: "bazaar-catalog")
        let listeners = [try await EchoService.start(port: user.port, readiness: 200), try await EchoService.start(port: catalog.port, readiness: 200)]
        let (checker, port) = try await startHealthChecker(services: [user, catalog])
        let answer = try await curlRequest(port: port, path: "/health")
        await checker.kill()
        for listener in listeners { await listener.kill() }
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.json?["status"] as? String == "healthy", "\(answer.body)")
        let services = answer.json?["services"] as? [String: [String: Any]]
        #expect(services?["user"]?["status"] as? String == "healthy" && services?["catalog"]?["status"] as? String == "healthy")
    }

    @Test("ordinary routes keep upstream connections alive and never forward Upgrade; only upgrade routes do")
    func upgradeOnlyWhereNeeded() async throws {
        let gateway = try await RunningGateway.start(services: try Self.services(), upgradeRoutePrefixes: ["/api/catalog/"])
        do {
            let upgradeHeaders = ["Connection: Upgrade", "Upgrade: websocket"]
            let ordinary = try await curlRequest(port: gateway.port, path: "/api/users/echo", headers: upgradeHeaders)
            #expect(ordinary.status == 200, "\(ordinary.body)")
            let seen = try #require(ordinary.json?["headers"] as? [String: String], "\(ordinary.body)")
            #expect(seen["upgrade"] == nil, "\(seen)")
            #expect(seen["connection"] == nil, "\(seen)")
            #expect(seen["x-request-id"]?.isEmpty == false)

            let upgrading = try await curlRequest(port: gateway.port, path: "/api/catalog/echo", headers: upgradeHeaders)
            let forwarded = try #require(upgrading.json?["headers"] as? [String: String], "\(upgrading.body)")
            #expect(forwarded["upgrade"] == "websocket", "\(forwarded)")
            #expect(forwarded["connection"]?.lowercased() == "upgrade", "\(forwarded)")
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    @Test("started as root, nginx workers run as the unprivileged gateway account",
          .enabled(if: geteuid() == 0, "only a root master switches its workers' account"))
    func workersAreNotRoot() async throws {
        let gateway = try await RunningGateway.start(services: try Self.services())
        do {
            #expect(gateway.configuration.workerUser == "www-data")
            let expected = try #require(getpwnam("www-data")).pointee.pw_uid
            let workers = childProcesses(of: gateway.masterPID)
            #expect(!workers.isEmpty)
            for worker in workers {
                #expect(realUserID(of: worker) == expected, "worker \(worker)")
            }
            // Served by such a worker: the index page (read) and a request body buffered to a temporary file (write).
            #expect(try await curlRequest(port: gateway.port, path: "/").status == 200)
            let body = String(repeating: "b", count: 64 * 1024)
            let echoed = try await curlRequest(port: gateway.port, method: "POST", path: "/api/users/missing", body: body)
            #expect(echoed.status != 500, "\(echoed)")
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }
}
