public import BazaarCore
public import BazaarContracts
public import BazaarKafka
import Foundation
public import Logging
public import Metrics
public import ServiceLifecycle

/// Reads topics with a consumer group of this replica's own — so every replica sees every event —
/// and hands each message to `handle`. For state a replica keeps in memory (live streams, account
/// changes), never for work that must happen once (use `consumeEvents` with an inbox).
public struct ReplicaFollower: Service {
    let consumer: KafkaConsumer
    let handle: @Sendable (KafkaIncomingMessage) -> Void

    /// - Parameters:
    ///   - purpose: names the group (`<purpose>-<random>`) and the client (`bazaar-<purpose>`).
    ///   - start: `.latest` to see only what happens from now on, `.earliest` to replay what is kept.
    public init(kafka: KafkaSettings, purpose: String, topics: [TopicDefinition], start: KafkaConsumerConfiguration.AutoOffsetReset,
                logger: Logger, metricsFactory: any MetricsFactory, handle: @escaping @Sendable (KafkaIncomingMessage) -> Void) throws {
        var configuration = kafka.consumerConfiguration(group: "\(purpose)-\(UUID().uuidString.prefix(8).lowercased())", clientID: "bazaar-\(purpose)")
        configuration.autoOffsetReset = start
        consumer = try KafkaConsumer(configuration: configuration, topics: topics.map { $0.name(prefix: kafka.topicPrefix) },
                                     logger: logger, metricsFactory: metricsFactory)
        self.handle = handle
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            group.addTask {
                // No offsets are stored, so none are committed: the group is this replica's alone and
                // starts afresh (`start`) each time, and the broker drops it once the replica is gone.
                for try await message in consumer.messages {
                    handle(message)
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// Applies `user.updated` events to ``AccountStandings``, so the access tokens of a disabled
/// account, a demoted administrator or an ended session stop working within moments everywhere,
/// not when they expire.
struct AccountChangeListener: Sendable {
    let standings: AccountStandings
    let logger: Logger

    func apply(_ message: KafkaIncomingMessage) {
        guard message.headerString("ce_type") == UserUpdated.eventType.name else { return }
        do {
            let event = try EventCodec.decode(UserUpdated.self, from: message.value)
            let data = event.data
            standings.record(AccountStandings.Change(userID: data.userId, role: data.role, disabled: data.disabled, changedAt: data.updatedAt,
                                                     sessionsRevokedAt: data.sessionsRevokedAt, revokedSessionID: data.revokedSessionId,
                                                     occurredAt: event.time))
        } catch {
            // The user service's own consumers dead-letter it; here it is only left out.
            logger.warning("skipping an unreadable user.updated event", metadata: ["error": .string("\(error)")])
        }
    }
}

extension ServiceHost {
    /// Refuses access tokens of accounts disabled or given another role since the token was
    /// issued (see ``AccountStandings``), learning the changes from the `users` topic: every replica
    /// reads it with a group of its own from the oldest kept event (changes older than the
    /// standings' window are skipped), so a replica started a minute after an account was
    /// disabled still refuses its tokens. Every service that verifies access tokens calls it,
    /// after ``addEventBus()``.
    public mutating func followAccountChanges(_ kafka: KafkaSettings) throws {
        let listener = AccountChangeListener(standings: accountStandings, logger: logger)
        addService(try ReplicaFollower(kafka: kafka, purpose: "\(name)-accounts", topics: [TopicCatalog.users], start: .earliest,
                                       logger: logger, metricsFactory: metrics.factory, handle: listener.apply))
    }
}
