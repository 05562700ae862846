public import Hummingbird
import Synchronization

/// Reads `Authorization: Bearer <token>` and, when present, verifies it and records the caller in
/// the context. A request without a token passes on anonymous (handlers call `requireUser()`);
/// a request with a bad token is refused with 401 at once, so a client learns its token is wrong.
/// Without a verifier (a service configured with no key source) headers are not read.
/// A valid token whose account has since been disabled or given another role is refused too
/// (``AccountStandings``).
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let verifier: TokenVerifierSlot
    let standings: AccountStandings

    public init(verifier: TokenVerifier, standings: AccountStandings = AccountStandings()) {
        self.verifier = TokenVerifierSlot(verifier)
        self.standings = standings
    }

    init(slot: TokenVerifierSlot, standings: AccountStandings) {
        self.verifier = slot
        self.standings = standings
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization], let verifier = verifier.current else {
            return try await next(request, context)
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ProblemError.unauthorized("Use the Bearer authentication scheme.")
        }
        var context = context
        let identity = try await verifier.verify(String(parts[1].trimmingOptionalWhitespace))
        if let refusal = standings.refusal(for: identity) {
            throw ProblemError.unauthorized(refusal)
        }
        context.identity = identity
        context.logger[metadataKey: "user_id"] = .string(identity.userID)
        var response = try await next(request, context)
        // An answer for one signed-in user must not be kept by shared caches or the browser's
        // disk unless the route chose a policy itself.
        if response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "private, no-store"
        }
        return response
    }
}

/// The verifier the middleware uses, replaceable after the middleware was installed (the user
/// service verifies with its own signing keys, known only once they are loaded).
final class TokenVerifierSlot: Sendable {
    private let storage: Mutex<TokenVerifier?>

    init(_ verifier: TokenVerifier?) {
        storage = Mutex(verifier)
    }

    var current: TokenVerifier? { storage.withLock { $0 } }

    func replace(with verifier: TokenVerifier) {
        storage.withLock { $0 = verifier }
    }
}
