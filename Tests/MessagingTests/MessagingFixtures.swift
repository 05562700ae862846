import BazaarContracts
import BazaarKafka
import BazaarMessaging
import BazaarPostgresMessaging
import BazaarPostgres
import BazaarTestSupport
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// A table handlers write to, so tests can count effects.
let effectsMigration = Migration(version: 1, name: "effects", sql: "CREATE TABLE effects (event_id text NOT NULL, note text NOT NULL)")

/// A fresh database with the outbox, the inbox and the effects table.
func withMessagingStore(_ body: @escaping @Sendable (PostgresStore) async throws -> Void) async throws {
    try await TestDatabase.withFresh { settings in
        try await TestDatabase.withStore(settings) { store in
            try await MigrationRunner(store: store).apply([effectsMigration] + MessagingMigrations.all)
            try await body(store)
        }
    }
}

/// Runs `service` in the background for the duration of `body`, then cancels it.
func whileRunning<Result: Sendable>(_ services: [any Service], _ body: () async throws -> Result) async throws -> Result {
    let tasks = services.map { service in Task { try await service.run() } }
    do {
        let result = try await body()
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        return result
    } catch {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        throw error
    }
}

/// Appends `payloads` through the outbox in one transaction.
func append<Payload: EventPayload>(_ payloads: [Payload], to outbox: Outbox, store: PostgresStore,
                                   context: EventContext = .background()) async throws -> [CloudEvent<Payload>] {
    try await store.transaction { connection in
        var events: [CloudEvent<Payload>] = []
        for payload in payloads {
            events.append(try await outbox.append(payload, context: context, on: connection, logger: store.logger))
        }
        return events
    }
}

func count(_ sql: String, in store: PostgresStore) async throws -> Int {
    for try await value in try await store.client.query(PostgresQuery(unsafeSQL: sql), logger: store.logger).decode(Int.self) {
        return value
    }
    return 0
}

/// A low-stock event for `sku`: small, keyed by the SKU, handy for ordering tests.
func stockLow(_ sku: String, available: Int) -> StockLow {
    StockLow(sku: sku, available: available, threshold: 10, occurredAt: Date())
}

let relaySettings: OutboxRelaySettings = {
    var settings = OutboxRelaySettings()
    settings.pollInterval = .milliseconds(100)
    settings.initialBackoff = .milliseconds(100)
    settings.maximumBackoff = .milliseconds(500)
    return settings
}()

/// The test relay settings with `change` applied.
func relaySettings(_ change: (inout OutboxRelaySettings) -> Void) -> OutboxRelaySettings {
    var settings = relaySettings
    change(&settings)
    return settings
}

let testLogger = Logger(label: "messaging-test")

