import BazaarContracts
import BazaarCore
import BazaarMessaging
import Foundation
import Hummingbird
import NIOCore

/// `GET` and `PATCH /api/users/me`.
struct ProfileRoutes: Sendable {
    let dependencies: UserDependencies

    struct PatchBody: Decodable {
        var name: String?
    }

    func add(to users: RouterGroup<ServiceRequestContext>) {
        users.get("me", use: show)
        users.patch("me", use: update)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireUser()
        let user = UserView(try await dependencies.database.withConnection { try await dependencies.currentUser(identity, on: $0) })
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: user.jsonBytes())))
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> UserView {
        let identity = try context.requireUser()
        let body = try await request.decode(as: PatchBody.self, context: context)
        var validation = Validation()
        validation.require(body.name != nil, "name", "is required (it is the only field that can be changed here)")
        let name = validation.text(body.name, "name", maxLength: 100)
        try validation.check()
        let source = dependencies.auditSource(request, context)
        let updated = try await dependencies.database.transaction { connection in
            let user = try await dependencies.currentUser(identity, on: connection, forUpdate: true)
            guard user.name != name, let updated = try await dependencies.users.updateName(of: user.id, to: name!, on: connection) else {
                return user
            }
            try await dependencies.events.updated(updated, changedFields: ["name"], context: EventContext(request: context), on: connection,
                                                  logger: context.logger)
            try await dependencies.audit.record(.profileUpdated, source: source, targetID: user.id, targetEmail: user.email,
                                                details: ["fields": "name"], on: connection)
            return updated
        }
        return UserView(updated)
    }
}
