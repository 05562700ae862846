import BazaarCore
import Foundation
import Hummingbird

/// `/api/users/me/addresses[/{id}]`: the signed-in user's address book.
struct AddressRoutes: Sendable {
    let dependencies: UserDependencies

    struct AddressList: Encodable, ResponseEncodable {
        var items: [Address]
    }

    func add(to users: RouterGroup<ServiceRequestContext>) {
        users.get("me/addresses", use: list)
        users.post("me/addresses", use: create)
        users.put("me/addresses/:id", use: replace)
        users.delete("me/addresses/:id", use: delete)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> AddressList {
        let identity = try context.requireUser()
        return try await dependencies.database.withConnection { connection in
            let user = try await dependencies.currentUser(identity, on: connection)
            return AddressList(items: try await dependencies.addresses.addresses(of: user.id, on: connection))
        }
    }

    /// Adds an address; the first one, or one sent with `isDefault: true`, becomes the default.
    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Address> {
        let identity = try context.requireUser()
        let given = try ValidAddress(try await request.decode(as: AddressInput.self, context: context))
        let created = try await dependencies.database.transaction { connection in
            var address = given
            let user = try await dependencies.currentUser(identity, on: connection, forUpdate: true)
            let count = try await dependencies.addresses.count(of: user.id, on: connection)
            guard count < AddressStore.maximumPerUser else {
                throw ProblemError.conflict("An account can keep at most \(AddressStore.maximumPerUser) addresses; delete one first.")
            }
            if count == 0 { address.isDefault = true }
            if address.isDefault { try await dependencies.addresses.clearDefault(of: user.id, on: connection) }
            return try await dependencies.addresses.insert(address, id: UUID(), userID: user.id, on: connection)
        }
        return EditedResponse(status: .created, headers: [.location: "/api/users/me/addresses/\(created.id)"],
                              response: created)
    }

    /// Replaces every field of an address. Clearing `isDefault` on the default address keeps it
    /// the default (a user with addresses always has one); make another one default instead.
    @Sendable func replace(_ request: Request, context: ServiceRequestContext) async throws -> Address {
        let identity = try context.requireUser()
        let id = try uuidParameter(context, "id", resource: "address")
        let given = try ValidAddress(try await request.decode(as: AddressInput.self, context: context))
        return try await dependencies.database.transaction { connection in
            var address = given
            let user = try await dependencies.currentUser(identity, on: connection, forUpdate: true)
            let existing = try await dependencies.addresses.addresses(of: user.id, on: connection)
            guard let current = existing.first(where: { $0.id == id.lowercased }) else { throw ProblemError.notFound("No address with this id.") }
            if current.isDefault { address.isDefault = true }
            if address.isDefault && !current.isDefault { try await dependencies.addresses.clearDefault(of: user.id, on: connection) }
            guard let replaced = try await dependencies.addresses.replace(id, of: user.id, with: address, on: connection) else {
                throw ProblemError.notFound("No address with this id.")
            }
            return replaced
        }
    }

    /// Deletes an address; if it was the default, the newest remaining one becomes the default.
    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireUser()
        let id = try uuidParameter(context, "id", resource: "address")
        try await dependencies.database.transaction { connection in
            let user = try await dependencies.currentUser(identity, on: connection, forUpdate: true)
            let outcome = try await dependencies.addresses.delete(id, of: user.id, on: connection)
            guard outcome.deleted else { throw ProblemError.notFound("No address with this id.") }
            if outcome.wasDefault { try await dependencies.addresses.promoteNewest(of: user.id, on: connection) }
        }
        return Response(status: .noContent)
    }
}
