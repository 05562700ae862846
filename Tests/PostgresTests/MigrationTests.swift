import BazaarCore
import BazaarPostgres
import BazaarTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

func fixtureMigrations(_ folder: String) throws -> [Migration] {
    let url = try #require(Bundle.module.url(forResource: folder, withExtension: nil, subdirectory: "Fixtures"))
    return try Migration.load(from: url)
}

func tableExists(_ name: String, in store: PostgresStore) async throws -> Bool {
    let rows = try await store.client.query("SELECT to_regclass(\(name)) IS NOT NULL", logger: store.logger)
    for try await exists in rows.decode(Bool.self) { return exists }
    return false
}

func appliedVersions(_ store: PostgresStore) async throws -> [Int] {
    var versions: [Int] = []
    for try await version in try await store.client.query("SELECT version FROM schema_migrations ORDER BY version", logger: store.logger)
        .decode(Int.self) {
        versions.append(version)
    }
    return versions
}

@Suite("Postgres migrations (real server)", .serialized)
struct MigrationTests {
    @Test("migration files load in version order; misnamed files are refused")
    func loading() throws {
        let migrations = try fixtureMigrations("good")
        #expect(migrations.map(\.version) == [1, 2])
        #expect(migrations.map(\.name) == ["create_widgets", "widget_audit"])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 1".write(to: folder.appendingPathComponent("first.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { try Migration.load(from: folder) }
    }

    @Test("each migration is applied once and recorded")
    func appliedOnce() async throws {
        let migrations = try fixtureMigrations("good")
        try await TestDatabase.withFresh { settings in
            try await TestDatabase.withStore(settings) { store in
                let runner = MigrationRunner(store: store)
                #expect(try await runner.apply(migrations) == [1, 2])
                #expect(try await runner.apply(migrations) == [])
                #expect(try await appliedVersions(store) == [1, 2])
                // The trigger from migration 2 exists exactly once: one insert, one audit row.
                try await store.client.query("INSERT INTO widgets (name) VALUES ('bolt')", logger: store.logger)
                let rows = try await store.client.query("SELECT count(*) FROM widget_audit", logger: store.logger)
                for try await count in rows.decode(Int.self) { #expect(count == 1) }
            }
        }
    }

    @Test("two migrators starting at once apply every migration exactly once")
    func concurrentMigrators() async throws {
        let migrations = try fixtureMigrations("good")
        try await TestDatabase.withFresh { settings in
            try await TestDatabase.withStore(settings) { first in
                try await TestDatabase.withStore(settings) { second in
                    async let one = MigrationRunner(store: first).apply(migrations)
                    async let two = MigrationRunner(store: second).apply(migrations)
                    let applied = try await (one + two).sorted()
                    #expect(applied == [1, 2])
                    #expect(try await appliedVersions(first) == [1, 2])
                }
            }
        }
    }

    @Test("a failing migration rolls back entirely and names itself")
    func failedMigrationRollsBack() async throws {
        let migrations = try fixtureMigrations("failing")
        try await TestDatabase.withFresh { settings in
            try await TestDatabase.withStore(settings) { store in
                do {
                    try await MigrationRunner(store: store).apply(migrations)
                    Issue.record("a broken migration was applied")
                } catch let error as MigrationError {
                    #expect(error.migration == "0002_half_broken")
                    #expect(error.reason.contains("no_such_table"))
                }
                #expect(try await appliedVersions(store) == [1])
                #expect(try await tableExists("widgets", in: store))
                #expect(try await !tableExists("gadgets", in: store))
                let columns = try await store.client.query(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'widgets' AND column_name = 'colour'", logger: store.logger)
                for try await count in columns.decode(Int.self) { #expect(count == 0) }
            }
        }
    }

    @Test("an applied migration that was edited stops start-up")
    func editedMigration() async throws {
        try await TestDatabase.withFresh { settings in
            try await TestDatabase.withStore(settings) { store in
                try await MigrationRunner(store: store).apply(try fixtureMigrations("good"))
                await #expect(throws: MigrationError.self) {
                    try await MigrationRunner(store: store).apply(try fixtureMigrations("edited"))
                }
            }
        }
    }

    @Test("a service whose migration fails does not start")
    func failingMigrationStopsService() async throws {
        let migrations = try fixtureMigrations("failing")
        try await TestDatabase.withFresh { settings in
            var host = try ServiceHost.testing(settings.values)
            _ = try host.addPostgres(migrations: migrations)
            let application = host.makeApplication()
            do {
                try await application.run()
                Issue.record("the service started despite a failing migration")
            } catch {
                #expect(error is MigrationError, "\(error)")
            }
        }
    }
}
