import Foundation
import Hummingbird

/// The floor of what a request through the gateway can cost: a Hummingbird server that answers
/// every GET with the same prebuilt bytes, and does nothing else (no middleware, no logging, no
/// lookups). `make bench-overhead` puts it behind a copy of the gateway's nginx and compares the
/// platform's hot read paths with it in one run.
///
/// Usage: `bazaar-floor-server PORT BODY_FILE` (loopback only).
@main
struct FloorServer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let port = Int(arguments[1]) else {
            FileHandle.standardError.write(Data("usage: bazaar-floor-server PORT BODY_FILE\n".utf8))
            exit(64)
        }
        let body = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: arguments[2])))
        let router = Router()
        router.get("**") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await application.runService()
    }
}
