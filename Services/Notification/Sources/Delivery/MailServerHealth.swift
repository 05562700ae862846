import BazaarCore
import BazaarMail
import Foundation
import Synchronization

/// What the delivery worker last learned about the mail server, reported at `/health/ready` as
/// `smtp` (not required: while it is down emails wait in the log, and the service stays ready).
///
/// Passive on purpose: a probe would need its own connection and credentials every few seconds;
/// the worker's real sends say more (a refused login shows too). No send yet counts as working.
final class MailServerHealth: HealthCheck {
    var name: String { "smtp" }
    var isRequired: Bool { false }

    private let lastProblem = Mutex<SMTPError?>(nil)

    /// Records the outcome of a send: success, or an error (only server problems count).
    func record(_ error: SMTPError?) {
        guard error?.concernsServer ?? true else { return }
        lastProblem.withLock { $0 = error }
    }

    func check() async throws {
        if let problem = lastProblem.withLock({ $0 }) { throw problem }
    }
}
