import BazaarCore
import BazaarTestSupport
import Foundation
import Hummingbird
import Testing

@Suite("OpenAPI coverage check")
struct OpenAPICoverageTests {
    @Test("a route the document does not describe is reported; parameter names do not matter")
    func reportsUndocumentedRoutes() throws {
        let document = FileManager.default.temporaryDirectory.appendingPathComponent("coverage-\(UUID().uuidString).json")
        let paths: [String: Any] = ["/api/things": ["get": [:] as [String: Any]], "/api/things/{thingId}": ["delete": [:] as [String: Any]]]
        try JSONSerialization.data(withJSONObject: ["openapi": "3.1.0", "paths": paths]).write(to: document)
        defer { try? FileManager.default.removeItem(at: document) }
        let router = Router(context: ServiceRequestContext.self)
        router.get("/api/things") { _, _ in "" }
        router.delete("/api/things/:id") { _, _ in "" }
        #expect(try OpenAPICoverage.undocumented(router, document: document).isEmpty)
        router.post("/api/things") { _, _ in "" }
        router.get("/api/things/:id/parts") { _, _ in "" }
        #expect(try OpenAPICoverage.undocumented(router, document: document) == ["GET /api/things/{}/parts", "POST /api/things"])
    }
}
