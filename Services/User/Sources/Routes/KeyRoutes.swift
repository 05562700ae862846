import BazaarCore
import Hummingbird
import NIOCore

/// `GET /.well-known/jwks.json`: the public keys tokens are verified with, prebuilt at start-up.
struct KeyRoutes: Sendable {
    let document: ByteBuffer

    func add(to router: Router<ServiceRequestContext>) {
        let document = self.document
        router.get("/.well-known/jwks.json") { _, _ in
            // Verifiers cache it; a rotated key is picked up when a token names an unknown kid.
            Response(status: .ok, headers: [.contentType: "application/jwk-set+json", .cacheControl: "public, max-age=300"],
                     body: .init(byteBuffer: document))
        }
    }
}
