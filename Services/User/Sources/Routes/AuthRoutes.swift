import BazaarContracts
import BazaarCore
import BazaarMessaging
import Foundation
import Hummingbird

/// `/api/auth/register`, `/login`, `/refresh`, `/logout`.
struct AuthRoutes: Sendable {
    let dependencies: UserDependencies

    struct RegisterBody: Decodable {
        var email: String
        var password: String
        var name: String
    }

    struct LoginBody: Decodable {
        var email: String
        var password: String
    }

    struct RefreshBody: Decodable {
        var refreshToken: String
    }

    func add(to group: RouterGroup<ServiceRequestContext>, limits: RouteLimits) {
        let perMinute = dependencies.settings.requestLimits
        limits.route(group, "register", name: "register", perMinute: perMinute.registration).post(use: register)
        limits.route(group, "login", name: "sign-in", perMinute: perMinute.signIn).post(use: login)
        limits.route(group, "refresh", name: "refresh", perMinute: perMinute.refresh).post(use: refresh)
        group.post("logout", use: logout)
    }

    @Sendable func register(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<AuthResponse> {
        let body = try await request.decode(as: RegisterBody.self, context: context)
        var validation = Validation()
        let email: EmailAddress?
        switch EmailAddress.parse(body.email) {
        case .success(let parsed): email = parsed
        case .failure(let error): email = nil; validation.require(false, "email", error.message)
        }
        let name = validation.text(body.name, "name", maxLength: 100)
        for error in PasswordPolicy.problems(body.password, field: "password", email: email?.value, name: name) {
            validation.require(false, error.field, error.message)
        }
        try validation.check()
        let now = Date()
        let user = UserRecord(id: UUID(), email: email!.value, name: name!, role: .customer, disabled: false,
                              passwordHash: try await dependencies.hasher.hash(body.password), createdAt: now, updatedAt: now)
        let source = dependencies.auditSource(request, context)
        let response = try await dependencies.database.transaction { connection in
            try await dependencies.users.insertUser(user, on: connection)
            try await dependencies.events.registered(user, context: EventContext(request: context), on: connection, logger: context.logger)
            try await dependencies.audit.record(.registered, source: AuditSource(actorID: user.id, ipAddress: source.ipAddress, requestID: source.requestID),
                                                targetID: user.id, targetEmail: user.email, on: connection)
            return try await dependencies.startSession(for: user, on: connection)
        }
        return tokenResponse(response, status: .created)
    }

    @Sendable func login(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<AuthResponse> {
        let body = try await request.decode(as: LoginBody.self, context: context)
        let email = try EmailAddress.validated(body.email)
        var validation = Validation()
        validation.require(!body.password.isEmpty, "password", "is required")
        // bcrypt reads only the first 72 bytes: a longer password would sign in with its prefix.
        // No account can have one (registration refuses it), so it is refused here as well.
        validation.require(body.password.utf8.count <= PasswordPolicy.maximumBytes, "password", "must be at most \(PasswordPolicy.maximumBytes) bytes")
        try validation.check()
        let source = dependencies.auditSource(request, context)
        let attempt = try await dependencies.admitPasswordAttempt(email: email.value, source: source, logger: context.logger)
        switch try await dependencies.signIn(email: email, password: body.password, source: source) {
        case .signedIn(let response):
            await dependencies.clearAttempt(attempt, email: email.value, source: source, logger: context.logger)
            return tokenResponse(response)
        case .wrongCredentials:
            throw ProblemError(status: .unauthorized, kind: "invalid-credentials", detail: "The email address or password is wrong.")
        case .disabled:
            throw ProblemError(status: .forbidden, kind: "account-disabled", detail: "This account is disabled. Contact support.")
        }
    }

    @Sendable func refresh(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<AuthResponse> {
        let body = try await request.decode(as: RefreshBody.self, context: context)
        switch try await dependencies.refresh(body.refreshToken, source: dependencies.auditSource(request, context),
                                                   context: EventContext(request: context)) {
        case .refreshed(let response):
            return tokenResponse(response)
        case .rejected:
            throw ProblemError(status: .unauthorized, kind: "invalid-refresh-token", detail: "The refresh token is invalid, expired or revoked; sign in again.")
        case .reused:
            throw ProblemError(status: .unauthorized, kind: "refresh-token-reused",
                               detail: "This refresh token was already used, so every session started with it has been signed out; sign in again.")
        }
    }

    @Sendable func logout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: RefreshBody.self, context: context)
        try await dependencies.signOut(body.refreshToken, source: dependencies.auditSource(request, context), context: EventContext(request: context))
        return Response(status: .noContent)
    }
}
