import BazaarContracts
import BazaarKafka
import BazaarMessaging
import BazaarPostgresMessaging
import Foundation
import Logging
import Metrics

/// Reads the `orders` and `payments` topics for the live streams. Every replica uses its own
/// consumer group (so each sees every event for the clients connected to it), starts at the
/// newest offset (a stream shows what happens from now on) and keeps no state.
struct LiveEventConsumer: Sendable {
    let live: LiveEvents
    let logger: Logger

    static let topics = [TopicCatalog.orders, TopicCatalog.payments]

    /// The background service that feeds `live`.
    static func follower(settings: KafkaSettings, serviceName: String, live: LiveEvents, logger: Logger,
                         metricsFactory: any MetricsFactory) throws -> ReplicaFollower {
        let consumer = LiveEventConsumer(live: live, logger: logger)
        return try ReplicaFollower(kafka: settings, purpose: "\(serviceName)-stream", topics: topics, start: .latest, logger: logger,
                                   metricsFactory: metricsFactory, handle: consumer.forward)
    }

    /// Sends the event to its user's streams; events without a `userId` are not for a customer.
    func forward(_ message: KafkaIncomingMessage) {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(message.value))
        } catch {
            // The main consumer dead-letters it; the live stream just leaves it out.
            logger.warning("skipping an unreadable event for the live stream", metadata: ["topic": .string(message.topic), "error": .string("\(error)")])
            return
        }
        guard let envelope = parsed as? [String: Any],
              let data = envelope["data"] as? [String: Any], let userID = data["userId"] as? String,
              let id = envelope["id"] as? String, let type = envelope["type"] as? String
        else {
            logger.debug("skipping an event without a user for the live stream", metadata: ["topic": .string(message.topic)])
            return
        }
        live.publish(LiveEvents.Item(id: id, type: type, json: String(decoding: message.value, as: UTF8.self)), to: userID)
    }
}
