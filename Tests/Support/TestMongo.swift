public import BazaarMongo
import Foundation
import Logging

/// A fresh database on the shared test MongoDB-wire server per test, dropped afterwards.
public enum TestMongo {
    /// A database name no other test uses.
    public static func uniqueDatabaseName() -> String {
        "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// Runs `body` with a client on a fresh database of the shared server (`BAZAAR_MONGODB_URL`),
    /// then drops the database and shuts the client down.
    public static func withDatabase<Result>(poolSize: Int = 4, _ body: (MongoDatabase) async throws -> Result) async throws -> Result {
        let configuration = try MongoConfiguration(url: TestInfrastructure.mongoURL(), database: uniqueDatabaseName(), poolSize: poolSize)
        let client = try MongoClient(configuration: configuration, logger: Logger(label: "mongo-test"))
        do {
            let result = try await body(client.database)
            try await client.database.drop()
            await client.shutDown()
            return result
        } catch {
            try? await client.database.drop()
            await client.shutDown()
            throw error
        }
    }

    /// The URL of a fresh database on the shared server, for a service under test to connect to;
    /// drop it afterwards with ``drop(url:)``.
    public static func freshDatabaseURL() throws -> (url: String, name: String) {
        let base = try TestInfrastructure.mongoURL()
        guard var components = URLComponents(string: base) else { throw TestInfrastructure.InfrastructureMissing(what: "a parsable BAZAAR_MONGODB_URL") }
        let name = uniqueDatabaseName()
        components.path = "/" + name
        return (components.string!, name)
    }

    /// Drops the database `name` on the shared server.
    public static func drop(_ name: String) async throws {
        let client = try MongoClient(configuration: MongoConfiguration(url: TestInfrastructure.mongoURL(), database: name, poolSize: 1),
                                     logger: Logger(label: "mongo-test"))
        do {
            try await client.database.drop()
            await client.shutDown()
        } catch {
            await client.shutDown()
            throw error
        }
    }
}
