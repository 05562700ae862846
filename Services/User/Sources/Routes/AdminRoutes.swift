import BazaarContracts
import BazaarCore
import BazaarMessaging
import Foundation
import Hummingbird

/// Administration (role `admin`): `GET /api/users`, `PATCH /api/users/{id}`, `GET /api/users/audit`.
/// Every call is written to the audit log, reads included: they show personal data.
struct AdminRoutes: Sendable {
    let dependencies: UserDependencies

    struct PatchBody: Decodable {
        var role: Role?
        var disabled: Bool?
    }

    func add(to users: RouterGroup<ServiceRequestContext>) {
        users.get("", use: list)
        users.get("audit", use: auditLog)
        users.patch(":id", use: update)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<AdminUserView> {
        let admin = try context.requireRole(.admin)
        let page = try PageRequest.from(request.uri.queryParameters)
        var validation = Validation()
        let search = validation.text(request.uri.queryParameters.get("q"), "q", required: false, maxLength: 254)
        try validation.check()
        let source = dependencies.auditSource(request, context)
        return try await dependencies.database.transaction { connection in
            _ = try await dependencies.currentAdmin(admin, on: connection)
            let result = try await dependencies.users.users(matching: search, page: page, on: connection)
            try await dependencies.audit.record(.adminListedUsers, source: source, targetID: nil, targetEmail: nil,
                                                details: ["q": search ?? "", "page": String(page.page)], on: connection)
            return Page(items: result.items.map(AdminUserView.init), total: result.total, request: page)
        }
    }

    @Sendable func auditLog(_ request: Request, context: ServiceRequestContext) async throws -> Page<AuditEntry> {
        let admin = try context.requireRole(.admin)
        let page = try PageRequest.from(request.uri.queryParameters, defaultLimit: 50, maximumLimit: 200)
        let source = dependencies.auditSource(request, context)
        return try await dependencies.database.transaction { connection in
            _ = try await dependencies.currentAdmin(admin, on: connection)
            // Read before recording this view, so the page shows what existed when it was asked for.
            let result = try await dependencies.audit.entries(page: page, on: connection)
            try await dependencies.audit.record(.adminViewedAudit, source: source, targetID: nil, targetEmail: nil,
                                                details: ["page": String(page.page)], on: connection)
            return Page(items: result.items, total: result.total, request: page)
        }
    }

    /// Changes a user's role or disabled flag. Disabling signs the user out everywhere: refresh
    /// tokens are revoked and access tokens refused (``AccountStandings``). Administrators
    /// cannot change their own account, so the last administrator cannot lock everyone out.
    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> AdminUserView {
        let admin = try context.requireRole(.admin)
        let id = try uuidParameter(context, "id", resource: "user")
        let body = try await request.decode(as: PatchBody.self, context: context)
        guard body.role != nil || body.disabled != nil else {
            throw ProblemError.validation([FieldError(field: "body", message: "send role, disabled, or both")])
        }
        guard id != UUID(uuidString: admin.userID) else {
            throw ProblemError.conflict("Administrators cannot change their own role or disable their own account; ask another administrator.")
        }
        let source = dependencies.auditSource(request, context)
        let updated = try await dependencies.database.transaction { connection in
            _ = try await dependencies.currentAdmin(admin, on: connection)
            guard let user = try await dependencies.users.user(id: id, on: connection, forUpdate: true) else {
                throw ProblemError.notFound("No user with this id.")
            }
            let role = body.role ?? user.role
            let disabled = body.disabled ?? user.disabled
            var changed: [String] = []
            var details: [String: String] = [:]
            if role != user.role {
                changed.append("role")
                details["role"] = "\(user.role.rawValue) -> \(role.rawValue)"
            }
            if disabled != user.disabled {
                changed.append("disabled")
                details["disabled"] = "\(user.disabled) -> \(disabled)"
            }
            guard !changed.isEmpty, var updated = try await dependencies.users.updateStanding(of: id, role: role, disabled: disabled, on: connection) else {
                return user
            }
            if disabled && !user.disabled {
                // Ended too, so that enabling the account again does not bring back the tokens it had.
                details["revokedTokens"] = String(try await dependencies.sessions.revokeAll(of: id, on: connection))
                updated = try await dependencies.users.revokeSessions(of: id, at: Date(), on: connection) ?? updated
                changed.append("sessions")
            }
            try await dependencies.events.updated(updated, changedFields: changed, context: EventContext(request: context), on: connection,
                                                  logger: context.logger)
            try await dependencies.audit.record(.adminUpdatedUser, source: source, targetID: id, targetEmail: user.email, details: details,
                                                on: connection)
            return updated
        }
        return AdminUserView(updated)
    }
}

extension AuditEntry: ResponseEncodable {}
