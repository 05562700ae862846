public import AsyncHTTPClient
public import Logging
import Foundation
import JWTKit
import NIOCore

/// Verifies Bazaar access tokens: ES256 signature from a trusted key, `exp`, `iss`, `aud`, `iat`.
///
/// Keys come from the user service's JWKS (cached, re-fetched when a token names a key id not
/// seen yet, which is how a rotated key is picked up) or from one configured public key.
/// Every rejection is a 401 ``ProblemError``; only the JWKS being unreachable with no keys
/// cached yet is a 503, because then no token could be verified.
public actor TokenVerifier {
    private let settings: AuthSettings
    private let httpClient: HTTPClient
    private let logger: Logger
    private var keys = JWTKeyCollection()
    private var keyIDs: Set<String> = []
    /// The configured public keys, added to `keys` on first use (the collection is an actor).
    private var configuredKeys: [(key: ES256PublicKey, keyID: String?)] = []
    private var fetchedAt: ContinuousClock.Instant?
    private var lastUnknownKeyFetch: ContinuousClock.Instant?
    private var runningFetch: Task<Void, Never>?
    /// Failed JWKS fetches in a row, and when the next may be tried.
    private var failedFetches = 0
    private var nextAttempt: ContinuousClock.Instant?
    /// The time (a test moves it by hand).
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(settings: AuthSettings, httpClient: HTTPClient = .shared, logger: Logger,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) throws {
        self.settings = settings
        self.now = now
        self.httpClient = httpClient
        self.logger = logger
        let configured: [(pem: String, keyID: String?)]
        switch settings.keySource {
        case .jwks: configured = []
        case .publicKey(let pem, let keyID): configured = [(pem, keyID)]
        case .publicKeys(let keys): configured = keys.map { ($0.pem, $0.keyID) }
        }
        for (pem, keyID) in configured {
            do {
                configuredKeys.append((try ES256PublicKey(pem: pem), keyID))
            } catch {
                throw ConfigurationError(variable: "JWT_PUBLIC_KEY", problem: "is not a PEM-encoded P-256 public key (\(error))")
            }
            if let keyID { keyIDs.insert(keyID) }
        }
    }

    /// Tokens that passed verification, answered without entering the actor.
    private nonisolated let verified = VerifiedTokenCache()

    /// The identity a valid bearer token names; throws a 401 problem otherwise.
    /// A token verified before is answered from a cache until it expires.
    public nonisolated func verify(_ token: String) async throws -> Identity {
        if let identity = verified.identity(for: token) { return identity }
        let claims = try await verifyClaims(token)
        verified.store(claims.identity, for: token, expiresAt: claims.exp.value)
        return claims.identity
    }

    /// Full verification: header, key, signature, expiry, issuer, audience, issue time.
    private func verifyClaims(_ token: String) async throws -> AccessTokenClaims {
        let header = try Self.header(of: token)
        guard header.alg == "ES256" else {
            throw ProblemError.unauthorized("The access token must be signed with ES256.")
        }
        let collection = try await keyCollection(for: header.kid)
        let claims: AccessTokenClaims
        do {
            claims = try await collection.verify(token, as: AccessTokenClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw ProblemError.unauthorized("The access token has expired.")
        } catch {
            throw ProblemError.unauthorized("The access token is invalid.")
        }
        guard claims.iss.value == settings.issuer else {
            throw ProblemError.unauthorized("The access token was not issued by a trusted issuer.")
        }
        guard claims.aud.value.contains(settings.audience) else {
            throw ProblemError.unauthorized("The access token is not meant for this audience.")
        }
        guard claims.iat.value <= Date().addingTimeInterval(settings.clockSkew.seconds) else {
            throw ProblemError.unauthorized("The access token was issued in the future.")
        }
        return claims
    }

    /// The key collection holding the key `kid` names, fetching the JWKS when needed.
    private func keyCollection(for kid: String?) async throws -> JWTKeyCollection {
        guard case .jwks = settings.keySource else {
            if let kid, !keyIDs.isEmpty, !keyIDs.contains(kid) {
                throw ProblemError.unauthorized("The access token names an unknown signing key.")
            }
            for configured in configuredKeys {
                await keys.add(ecdsa: configured.key, kid: configured.keyID.map { JWKIdentifier(string: $0) })
            }
            configuredKeys = []
            return keys
        }
        guard let kid else {
            throw ProblemError.unauthorized("The access token has no key id (kid).")
        }
        if fetchedAt.map({ now() - $0 > settings.jwksCacheDuration }) ?? true {
            await refreshKeys(reason: "cache expired")
        }
        if !keyIDs.contains(kid), lastUnknownKeyFetch.map({ now() - $0 >= settings.unknownKeyRefetchInterval }) ?? true {
            lastUnknownKeyFetch = now()
            await refreshKeys(reason: "unknown key id")
        }
        // Keys the JWKS has not confirmed for too long (it keeps failing) are trusted no more.
        if let fetchedAt, now() - fetchedAt > settings.jwksMaximumAge {
            logger.error("JWKS keys expired: no successful fetch within the maximum age", metadata: ["fetched_ago": "\(now() - fetchedAt)"])
            keys = JWTKeyCollection()
            keyIDs = []
            self.fetchedAt = nil
        }
        guard !keyIDs.isEmpty else {
            throw ProblemError.serviceUnavailable("Access tokens cannot be verified right now; try again shortly.")
        }
        guard keyIDs.contains(kid) else {
            throw ProblemError.unauthorized("The access token names an unknown signing key.")
        }
        return keys
    }

    /// Fetches the JWKS once even when many requests need it at the same time, and not at all
    /// while a failed fetch's back-off lasts (1 s doubling up to a minute by default), so an
    /// unreachable user service is not asked on every request. A failed fetch keeps the keys
    /// already known (until ``AuthSettings/jwksMaximumAge``).
    private func refreshKeys(reason: String) async {
        if let runningFetch {
            await runningFetch.value
            return
        }
        if let retryAt = nextAttempt, now() < retryAt { return }
        let task = Task { await self.attemptFetch(reason: reason) }
        runningFetch = task
        await task.value
        runningFetch = nil
    }

    private func attemptFetch(reason: String) async {
        do {
            try await fetchKeys()
            failedFetches = 0
            nextAttempt = nil
        } catch {
            failedFetches += 1
            let delay = min(settings.jwksRetryDelay * (1 << min(failedFetches - 1, 20)), settings.jwksRetryLimit)
            nextAttempt = now() + delay
            logger.warning("could not fetch JWKS", metadata: ["reason": .string(reason), "error": .string("\(error)"),
                                                             "failures": "\(failedFetches)", "retry_in": "\(delay)"])
        }
    }

    private func fetchKeys() async throws {
        guard case .jwks(let url) = settings.keySource else { return }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await httpClient.execute(request, timeout: .seconds(5))
        guard response.status == .ok else {
            throw JWKSError(detail: "JWKS endpoint answered \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        let document = try JSONDecoder().decode(JWKSDocument.self, from: Data(body.readableBytesView))
        let collection = JWTKeyCollection()
        var ids: Set<String> = []
        for key in document.keys where key.kty == "EC" && key.crv == "P-256" && (key.use ?? "sig") == "sig" {
            guard let kid = key.kid, let x = key.x, let y = key.y else { continue }
            do {
                await collection.add(ecdsa: try ES256PublicKey(parameters: (x: x, y: y)), kid: JWKIdentifier(string: kid))
                ids.insert(kid)
            } catch {
                logger.warning("ignoring malformed JWKS key", metadata: ["kid": .string(kid), "error": .string("\(error)")])
            }
        }
        keys = collection
        keyIDs = ids
        fetchedAt = now()
        logger.info("fetched JWKS", metadata: ["keys": .string(ids.sorted().joined(separator: ","))])
    }

    struct JWKSError: Error, CustomStringConvertible {
        let detail: String
        var description: String { detail }
    }

    /// The members of a JWK that an ES256 verification key needs.
    struct JWKSDocument: Decodable {
        struct Key: Decodable {
            let kty: String
            let kid: String?
            let crv: String?
            let x: String?
            let y: String?
            let use: String?
        }
        let keys: [Key]
    }

    struct Header: Decodable {
        let alg: String
        let kid: String?
    }

    /// The token's JOSE header, read before trusting anything else in it.
    static func header(of token: String) throws -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: data)
        else {
            throw ProblemError.unauthorized("The access token is malformed.")
        }
        return header
    }
}
