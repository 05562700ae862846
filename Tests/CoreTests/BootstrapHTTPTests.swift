import BazaarCore
import BazaarTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A domain error that knows its problem, as services define them.
struct OutOfStock: ProblemConvertible {
    var problem: ProblemError { .conflict("SKU-1 is out of stock.") }
}

struct NewOrder: Decodable {
    struct Line: Decodable {
        let sku: String
        let quantity: Int
    }
    let lines: [Line]
    let note: String?
}

/// A host with a few routes that exercise the shared middleware.
func exampleHost(_ values: [String: String] = [:], logs: LogCapture = LogCapture()) throws -> ServiceHost {
    let host = try ServiceHost.testing(["ACCESS_LOG": "all"].merging(values) { $1 }, logs: logs)
    host.router.get("/api/things/{id}") { _, context in
        "thing \(try context.parameters.require("id"))"
    }
    host.router.post("/api/orders") { request, context -> HTTPResponse.Status in
        let order = try await request.decode(as: NewOrder.self, context: context)
        return order.lines.isEmpty ? .noContent : .created
    }
    host.router.get("/api/conflict") { _, _ -> String in throw OutOfStock() }
    host.router.get("/api/crash") { _, _ -> String in throw CocoaError(.fileReadCorruptFile) }
    return host
}

func problem(_ response: TestResponse) throws -> ProblemDocument {
    #expect(response.headers[.contentType] == "application/problem+json")
    return try JSONDecoder().decode(ProblemDocument.self, from: Data(response.body.readableBytesView))
}

@Suite("Service bootstrap: HTTP behaviour")
struct BootstrapHTTPTests {
    @Test("a thrown domain error becomes its problem+json")
    func domainError() async throws {
        try await exampleHost().makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/api/conflict", method: .get)
            #expect(response.status == .conflict)
            let document = try problem(response)
            #expect(document.type == "https://bazaar.dev/problems/conflict")
            #expect(document.status == 409)
            #expect(document.detail == "SKU-1 is out of stock.")
            #expect(document.instance == "/api/conflict")
            #expect(document.requestId == response.headers[.requestID])
        }
    }

    @Test("an unexpected error is a 500 problem that hides the cause and logs it")
    func unexpectedError() async throws {
        let logs = LogCapture()
        try await exampleHost(logs: logs).makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/api/crash", method: .get)
            #expect(response.status == .internalServerError)
            let document = try problem(response)
            #expect(document.type == "https://bazaar.dev/problems/internal-error")
            #expect(!(document.detail ?? "").contains("Corrupt"))
            let logged = try logs.entries().first { $0["message"] as? String == "request failed" }
            #expect(logged?["request_id"] as? String == response.headers[.requestID])
            #expect(logged?["level"] as? String == "error")
        }
    }

    @Test("a malformed JSON body is a 400, never a 500")
    func malformedJSON() async throws {
        try await exampleHost().makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/api/orders", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(string: "{\"lines\": [}"))
            #expect(response.status == .badRequest)
            #expect(try problem(response).type == "https://bazaar.dev/problems/bad-request")
        }
    }

    @Test("a missing or mistyped field is a 400 naming the field")
    func fieldErrors() async throws {
        try await exampleHost().makeApplication().test(.router) { client in
            let missing = try await client.execute(uri: "/api/orders", method: .post, headers: [.contentType: "application/json"],
                                                   body: ByteBuffer(string: #"{"note": "x"}"#))
            #expect(missing.status == .badRequest)
            #expect(try problem(missing).errors == [FieldError(field: "lines", message: "is required")])

            let mistyped = try await client.execute(uri: "/api/orders", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(string: #"{"lines": [{"sku": "A", "quantity": "two"}]}"#))
            #expect(mistyped.status == .badRequest)
            let document = try problem(mistyped)
            #expect(document.type == "https://bazaar.dev/problems/validation-failed")
            #expect(document.errors == [FieldError(field: "lines[0].quantity", message: "must be an integer")])
        }
    }

    @Test("a body that is not JSON is refused with 415")
    func wrongMediaType() async throws {
        try await exampleHost().makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/api/orders", method: .post, headers: [.contentType: "text/plain"],
                                                    body: ByteBuffer(string: "lines"))
            #expect(response.status == .unsupportedMediaType)
            _ = try problem(response)
        }
    }

    @Test("an unknown route is a 404 problem")
    func unknownRoute() async throws {
        try await exampleHost().makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/api/nothing-here", method: .get)
            #expect(response.status == .notFound)
            #expect(try problem(response).type == "https://bazaar.dev/problems/not-found")
        }
    }

    @Test("a documented path with a method it does not declare is a 405 naming the allowed methods (HEAD wherever GET); HEAD answers as GET without a body; an unknown path stays a 404")
    func methodNotAllowed() async throws {
        let document = FileManager.default.temporaryDirectory.appending(path: "openapi-\(UUID().uuidString).json")
        try Data(#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/api/things/{id}":{"get":{},"delete":{}},"/api/things/count":{"get":{}},"/api/orders":{"post":{}},"/health":{"get":{}}}}"#.utf8)
            .write(to: document)
        defer { try? FileManager.default.removeItem(at: document) }
        let host = try ServiceHost.testing(openAPIDocument: document)
        host.router.get("/api/things/{id}") { _, context -> String in
            throw ProblemError.notFound("No thing \(try context.parameters.require("id")).")
        }
        host.router.post("/api/orders") { _, _ in HTTPResponse.Status.created }
        host.router.get("/api/things/count") { _, _ in "3" }
        try await host.makeApplication().test(.router) { client in
            for (method, uri, allowed) in [(HTTPRequest.Method.put, "/api/things/7", "GET, HEAD, DELETE"), (.get, "/api/orders", "POST"),
                                           (HTTPRequest.Method("QUERY")!, "/api/orders", "POST"), (.post, "/health", "GET, HEAD"),
                                           // A literal segment wins over a parameter, as in the router.
                                           (.delete, "/api/things/count", "GET, HEAD")] {
                let response = try await client.execute(uri: uri, method: method)
                #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(response.headers[.allow] == allowed, "\(method) \(uri)")
                #expect(try problem(response).type == "https://bazaar.dev/problems/method-not-allowed")
            }
            // HEAD is GET without the body, wherever GET is answered.
            let head = try await client.execute(uri: "/api/things/count", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0 && head.headers[.contentLength] == "1", "\(head.headers)")
            // A handler's own 404 (the thing does not exist), paths no template matches, and a
            // declared method whose route this host lacks (DELETE) all stay 404.
            for (method, uri) in [(HTTPRequest.Method.get, "/api/things/7"), (.get, "/api/things/"), (.get, "/api/things/7/parts"),
                                  (.get, "/api/nothing-here"), (.delete, "/api/things/7")] {
                let response = try await client.execute(uri: uri, method: method)
                #expect(response.status == .notFound, "\(method) \(uri)")
                #expect(response.headers[.allow] == nil)
            }
        }
    }

    @Test("an oversized body is refused with 413 before it is read")
    func oversizedBody() async throws {
        try await exampleHost(["MAX_BODY_BYTES": "64"]).makeApplication().test(.live) { client in
            let body = ByteBuffer(string: #"{"lines": [], "note": ""# + String(repeating: "x", count: 200) + #""}"#)
            let response = try await client.execute(uri: "/api/orders", method: .post,
                                                    headers: [.contentType: "application/json", .contentLength: String(body.readableBytes)], body: body)
            #expect(response.status == .contentTooLarge)
            #expect(try problem(response).type == "https://bazaar.dev/problems/payload-too-large")

            let small = try await client.execute(uri: "/api/orders", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: #"{"lines": []}"#))
            #expect(small.status == .noContent)
        }
    }

    @Test("a given request id is echoed and logged; a missing one is created")
    func requestID() async throws {
        let logs = LogCapture()
        try await exampleHost(logs: logs).makeApplication().test(.router) { client in
            let given = try await client.execute(uri: "/api/things/1", method: .get, headers: [.requestID: "abc-123"])
            #expect(given.headers[.requestID] == "abc-123")
            let access = try logs.entries().first { $0["message"] as? String == "request completed" }
            #expect(access?["request_id"] as? String == "abc-123")
            #expect(access?["service"] as? String == "test")
            #expect(access?["http_status"] as? String == "200")
            #expect((access?["trace_id"] as? String)?.count == 32)

            let created = try await client.execute(uri: "/api/things/1", method: .get)
            let id = try #require(created.headers[.requestID])
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
            let another = try await client.execute(uri: "/api/things/1", method: .get)
            #expect(another.headers[.requestID] != id)

            let hostile = try await client.execute(uri: "/api/things/1", method: .get, headers: [.requestID: "bad id\" injected"])
            #expect(hostile.headers[.requestID] != "bad id\" injected")
        }
    }

    @Test("ACCESS_LOG: errors (the default) logs 4xx, 5xx and slow requests only; off logs none; all logs every one")
    func accessLogModes() async throws {
        for (mode, expected) in [("errors", ["404"]), ("off", []), ("all", ["200", "404"])] {
            let logs = LogCapture()
            try await exampleHost(["ACCESS_LOG": mode], logs: logs).makeApplication().test(.router) { client in
                _ = try await client.execute(uri: "/api/things/1", method: .get)
                _ = try await client.execute(uri: "/api/nothing", method: .get)
            }
            let statuses = try logs.entries().filter { $0["message"] as? String == "request completed" }.compactMap { $0["http_status"] as? String }
            #expect(statuses == expected, "\(mode)")
        }
        #expect(try HTTPSettings.from(Settings([:]), defaultPort: 1).accessLog == .errors)
    }

    @Test("request and trace ids are unique lower-case hex of the W3C lengths")
    func fastIdentifiers() {
        let traces = (0..<10_000).map { _ in TraceContext.start() }
        #expect(traces.allSatisfy { $0.traceID.count == 32 && $0.spanID.count == 16 })
        #expect(Set(traces.map(\.traceID)).count == 10_000)
        #expect(Set(traces.map(\.spanID)).count == 10_000)
        #expect(TraceContext.start().traceID.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test("a caller's traceparent continues its trace")
    func traceContinues() async throws {
        let logs = LogCapture()
        try await exampleHost(logs: logs).makeApplication().test(.router) { client in
            _ = try await client.execute(uri: "/api/things/1", method: .get,
                                         headers: [.traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
            let access = try logs.entries().first { $0["message"] as? String == "request completed" }
            #expect(access?["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        }
    }

    @Test("CORS preflight is allowed for a listed origin and refused for another")
    func corsPreflight() async throws {
        try await exampleHost(["CORS_ALLOWED_ORIGINS": "https://shop.example"]).makeApplication().test(.router) { client in
            let allowed = try await client.execute(uri: "/api/orders", method: .options,
                                                   headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"])
            #expect(allowed.status == .noContent)
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://shop.example")
            #expect(allowed.headers[.accessControlAllowMethods]?.contains("POST") == true)

            let denied = try await client.execute(uri: "/api/orders", method: .options,
                                                  headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(denied.status == .forbidden)
            #expect(denied.headers[.accessControlAllowOrigin] == nil)

            let simple = try await client.execute(uri: "/api/things/2", method: .get, headers: [.origin: "https://shop.example"])
            #expect(simple.headers[.accessControlAllowOrigin] == "https://shop.example")
            let foreign = try await client.execute(uri: "/api/things/2", method: .get, headers: [.origin: "https://evil.example"])
            #expect(foreign.status == .ok)
            #expect(foreign.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test("security headers are on every response, errors included")
    func securityHeaders() async throws {
        try await exampleHost().makeApplication().test(.router) { client in
            for uri in ["/api/things/1", "/api/nothing-here"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            }
        }
    }

    @Test("metrics count requests by route, method and status")
    func metricsCountRequests() async throws {
        try await exampleHost().makeApplication().test(.router) { client in
            for _ in 0..<3 { _ = try await client.execute(uri: "/api/things/7", method: .get) }
            _ = try await client.execute(uri: "/api/conflict", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"http_requests_total{method="GET",route="/api/things/{id}",status="200"} 3"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="/api/conflict",status="409"} 1"#))
            #expect(text.contains("http_request_duration_seconds_bucket"))
            #expect(text.contains("http_requests_in_flight"))
        }
    }
}
