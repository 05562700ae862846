import BazaarContracts
import BazaarCore
import BazaarMessaging
import Foundation
import Hummingbird

/// Password reset by email (`/api/auth/password-reset[/confirm]`) and password change
/// (`PUT /api/users/me/password`).
struct PasswordRoutes: Sendable {
    let dependencies: UserDependencies

    struct ResetRequestBody: Decodable {
        var email: String
    }

    struct ResetConfirmBody: Decodable {
        var token: String
        var newPassword: String
    }

    struct ChangeBody: Decodable {
        var currentPassword: String
        var newPassword: String
    }

    func add(auth: RouterGroup<ServiceRequestContext>, users: RouterGroup<ServiceRequestContext>, limits: RouteLimits) {
        let perMinute = dependencies.settings.requestLimits
        limits.route(auth, "password-reset", name: "password-reset", perMinute: perMinute.passwordReset).post(use: requestReset)
        limits.route(auth, "password-reset/confirm", name: "password-reset-confirm", perMinute: perMinute.passwordReset)
            .post(use: confirmReset)
        limits.route(users, "me/password", name: "password-change", perMinute: perMinute.passwordChange, perAccount: true).put(use: change)
    }

    /// Always 202, whether or not the address has an account (no enumeration). For an active
    /// account within the hourly limit, a single-use token is stored (digest) and the event that
    /// makes the notification service email it is written in the same transaction.
    @Sendable func requestReset(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: ResetRequestBody.self, context: context)
        let email = try EmailAddress.validated(body.email)
        let source = dependencies.auditSource(request, context)
        let lifetime = TimeInterval(dependencies.settings.passwordResetLifetime.components.seconds)
        try await dependencies.database.transaction { connection in
            guard let user = try await dependencies.users.user(email: email.value, on: connection), !user.disabled else { return }
            let recent = try await dependencies.sessions.recentResetCount(of: user.id, on: connection)
            guard recent < dependencies.settings.passwordResetsPerHour else {
                try await dependencies.audit.record(.passwordResetRequested, source: source, targetID: user.id, targetEmail: user.email,
                                                    details: ["outcome": "hourly_limit_reached"], on: connection)
                return
            }
            let token = OpaqueToken.generate()
            // Whole seconds: the expiry is part of the sealed token's context (see `sealingContext`).
            let expiresAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + lifetime).rounded(.down))
            try await dependencies.sessions.insertResetToken(digest: token.digest, userID: user.id, expiresAt: expiresAt, on: connection)
            try await dependencies.events.passwordResetRequested(for: user, token: token.value, expiresAt: expiresAt, context: EventContext(request: context),
                                                                 on: connection, logger: context.logger)
            try await dependencies.audit.record(.passwordResetRequested, source: source, targetID: user.id, targetEmail: user.email,
                                                details: ["outcome": "token_sent"], on: connection)
        }
        return Response(status: .accepted)
    }

    /// Sets a new password with a reset token and signs the account out everywhere (refresh tokens
    /// revoked, access tokens refused).
    @Sendable func confirmReset(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: ResetConfirmBody.self, context: context)
        let invalidToken = ProblemError.validation([FieldError(field: "token", message: "is invalid, expired or already used; request a new link")])
        guard OpaqueToken.isWellFormed(body.token) else { throw invalidToken }
        let digest = OpaqueToken.digest(of: body.token)
        // Look the owner up first so the policy can compare against their email and name, and
        // hash outside the transaction; the redemption below is what makes the token single-use.
        let owner = try await dependencies.database.withConnection { connection -> UserRecord? in
            let rows = try await connection.query("""
                SELECT user_id FROM password_reset_tokens WHERE token_digest = \(digest) AND used_at IS NULL AND expires_at > now()
                """, logger: context.logger)
            for try await userID in rows.decode(UUID.self) { return try await dependencies.users.user(id: userID, on: connection) }
            return nil
        }
        guard let owner, !owner.disabled else { throw invalidToken }
        let problems = PasswordPolicy.problems(body.newPassword, field: "newPassword", email: owner.email, name: owner.name)
        guard problems.isEmpty else { throw ProblemError.validation(problems) }
        let hash = try await dependencies.hasher.hash(body.newPassword)
        let source = dependencies.auditSource(request, context)
        try await dependencies.database.transaction { connection in
            guard try await dependencies.sessions.redeemResetToken(digest: digest, on: connection) == owner.id else { throw invalidToken }
            let revoked = try await dependencies.changePassword(of: owner, to: hash, context: EventContext(request: context), on: connection)
            try await dependencies.audit.record(.passwordResetCompleted, source: source, targetID: owner.id, targetEmail: owner.email,
                                                details: ["revokedTokens": String(revoked)], on: connection)
        }
        return Response(status: .noContent)
    }

    /// Changes the password of the signed-in user after checking the current one (throttled like
    /// sign-in), revokes every session, and returns a fresh one for this client.
    @Sendable func change(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<AuthResponse> {
        let identity = try context.requireUser()
        let body = try await request.decode(as: ChangeBody.self, context: context)
        let user = try await dependencies.database.withConnection { try await dependencies.currentUser(identity, on: $0) }
        var validation = Validation()
        validation.require(!body.currentPassword.isEmpty, "currentPassword", "is required")
        validation.require(body.currentPassword.utf8.count <= PasswordPolicy.maximumBytes, "currentPassword",
                           "must be at most \(PasswordPolicy.maximumBytes) bytes")
        for problem in PasswordPolicy.problems(body.newPassword, field: "newPassword", email: user.email, name: user.name) {
            validation.require(false, problem.field, problem.message)
        }
        validation.require(body.newPassword != body.currentPassword, "newPassword", "must differ from the current password")
        try validation.check()
        let source = dependencies.auditSource(request, context)
        let attempt = try await dependencies.admitPasswordAttempt(email: user.email, source: source, logger: context.logger)
        guard try await dependencies.hasher.verify(body.currentPassword, against: user.passwordHash) else {
            try await dependencies.database.withConnection { connection in
                try await dependencies.audit.record(.passwordChangeFailed, source: source, targetID: user.id, targetEmail: user.email, on: connection)
            }
            throw ProblemError.validation([FieldError(field: "currentPassword", message: "is not your current password")])
        }
        await dependencies.clearAttempt(attempt, email: user.email, source: source, logger: context.logger)
        let hash = try await dependencies.hasher.hash(body.newPassword)
        let response = try await dependencies.database.transaction { connection in
            let revoked = try await dependencies.changePassword(of: user, to: hash, context: EventContext(request: context), on: connection)
            try await dependencies.audit.record(.passwordChanged, source: source, targetID: user.id, targetEmail: user.email,
                                                details: ["revokedTokens": String(revoked)], on: connection)
            return try await dependencies.startSession(for: user, on: connection)
        }
        return tokenResponse(response)
    }
}
