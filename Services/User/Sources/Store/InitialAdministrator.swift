import BazaarContracts
import BazaarCore
import BazaarMessaging
import Foundation

/// Creates the first administrator from `ADMIN_EMAIL` / `ADMIN_PASSWORD` when no active
/// administrator exists, so a new installation can be administered at all. A disabled
/// administrator with that address is enabled again; an existing customer account with it stops
/// start-up instead of being promoted.
enum InitialAdministrator {
    static func ensure(_ admin: UserSettings.InitialAdmin, dependencies: UserDependencies) async throws {
        let email: EmailAddress
        switch EmailAddress.parse(admin.email) {
        case .success(let parsed): email = parsed
        case .failure(let error): throw ConfigurationError(variable: "ADMIN_EMAIL", problem: error.message)
        }
        if let problem = PasswordPolicy.problems(admin.password, field: "ADMIN_PASSWORD", email: email.value, name: admin.name).first {
            throw ConfigurationError(variable: "ADMIN_PASSWORD", problem: problem.message)
        }
        let hash = try await dependencies.hasher.hash(admin.password)
        let source = AuditSource(actorID: nil, ipAddress: nil, requestID: nil)
        try await dependencies.database.transaction { connection in
            // One instance at a time decides, so replicas starting together create one administrator.
            try await connection.run("SELECT pg_advisory_xact_lock(7411001)", logger: dependencies.logger)
            guard try await !dependencies.users.adminExists(on: connection) else { return }
            if let existing = try await dependencies.users.user(email: email.value, on: connection) {
                // Whoever registered the address first would otherwise become the administrator.
                guard existing.role == .admin else {
                    throw ConfigurationError(variable: "ADMIN_EMAIL", problem: """
                        names an existing customer account (\(email.value)); start-up does not make it an administrator. \
                        Choose an address no account uses (that administrator can then promote this account)
                        """)
                }
                // A disabled administrator (no active one exists, or the guard above returned).
                guard let enabled = try await dependencies.users.updateStanding(of: existing.id, role: .admin, disabled: false, on: connection) else { return }
                try await dependencies.events.updated(enabled, changedFields: ["disabled"], context: .background(), on: connection,
                                                      logger: dependencies.logger)
                try await dependencies.audit.record(.adminCreated, source: source, targetID: existing.id, targetEmail: existing.email,
                                                    details: ["outcome": "enabled_existing_administrator"], on: connection)
                dependencies.logger.notice("enabled the existing administrator account", metadata: ["email": .string(email.value)])
                return
            }
            let now = Date()
            let user = UserRecord(id: UUID(), email: email.value, name: admin.name, role: .admin, disabled: false, passwordHash: hash,
                                  createdAt: now, updatedAt: now)
            try await dependencies.users.insertUser(user, on: connection)
            try await dependencies.events.registered(user, context: .background(), on: connection, logger: dependencies.logger)
            try await dependencies.audit.record(.adminCreated, source: source, targetID: user.id, targetEmail: user.email,
                                                details: ["outcome": "created"], on: connection)
            dependencies.logger.notice("created the first administrator", metadata: ["email": .string(email.value)])
        }
    }
}
