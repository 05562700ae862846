import BazaarCore
import Logging

/// Password guesses — at sign-in and when changing a password — go through the login throttle.
extension UserDependencies {
    /// Admits one password attempt for `email` from the source's address, or throws: 429 with
    /// `Retry-After` when too many failed recently (recorded in the audit log), 503 when Redis
    /// cannot be asked. Returns the attempt id to pass to ``clearAttempt(_:email:source:logger:)``.
    func admitPasswordAttempt(email: String, source: AuditSource, logger: Logger) async throws -> String {
        let admission: LoginThrottle.Admission
        do {
            admission = try await throttle.admit(email: email, address: source.ipAddress ?? "unknown")
        } catch {
            logger.error("sign-in throttle unavailable", metadata: ["error": .string("\(error)")])
            throw ProblemError.serviceUnavailable("Signing in is temporarily unavailable; try again shortly.")
        }
        switch admission {
        case .admitted(let attempt):
            return attempt
        case .refused(let seconds):
            try await database.withConnection { connection in
                try await audit.record(.loginLockedOut, source: source, targetID: nil, targetEmail: email,
                                       details: ["retryAfterSeconds": String(seconds)], on: connection)
            }
            throw ProblemError.tooManyRequests(retryAfterSeconds: seconds,
                                               detail: "Too many failed password attempts. Try again in \(seconds) seconds.")
        }
    }

    /// Forgets a successful attempt and the email's earlier failures. If Redis fails here the
    /// sign-in still stands; the attempt simply stays counted until the window ends.
    func clearAttempt(_ attempt: String, email: String, source: AuditSource, logger: Logger) async {
        do {
            try await throttle.succeeded(attempt, email: email, address: source.ipAddress ?? "unknown")
        } catch {
            logger.warning("could not clear a successful password attempt", metadata: ["error": .string("\(error)")])
        }
    }
}
