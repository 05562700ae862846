import Foundation
import Hummingbird

/// The health checker's two routes: `/health` (every service's readiness) and `/health/live` (the
/// checker itself, which the launcher waits for).
enum HealthRoutes {
    static func router(checker: ReadinessChecker) -> Router<BasicRequestContext> {
        let router = Router()
        // nginx passes HEAD on unchanged, so both methods are answered (HEAD with the status only).
        for method in [HTTPRequest.Method.get, .head] {
            let withBody = method == .get
            router.on("/health", method: method) { _, _ in
                let report = await checker.check()
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                return response(status: report.isHealthy ? .ok : .serviceUnavailable, body: withBody ? try encoder.encode(report) : Data())
            }
            router.on("/health/live", method: method) { _, _ in
                response(status: .ok, body: withBody ? Data(#"{"status":"ok","service":"gateway-health"}"#.utf8) : Data())
            }
        }
        return router
    }

    private static func response(status: HTTPResponse.Status, body: Data) -> Response {
        Response(
            status: status,
            // A health answer is about now: never cached by a browser or a proxy.
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
