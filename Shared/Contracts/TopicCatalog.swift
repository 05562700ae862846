/// A Kafka topic Bazaar uses, with the partition count it is created with.
public struct TopicDefinition: Sendable, Hashable {
    /// How long a real Kafka cluster keeps a topic's events (the dev broker keeps them in memory).
    public enum Retention: Sendable, Hashable {
        /// Deleted after this many days.
        case days(Int)
        /// Log-compacted: the latest event of each key (aggregate id) is kept for good, so a new
        /// consumer group can rebuild a projection of every aggregate from the topic alone.
        case compacted
    }

    /// The topic name without any deployment prefix (`orders`, `orders.dlq`).
    public let name: String
    public let partitions: Int
    public let retention: Retention

    public init(name: String, partitions: Int, retention: Retention = .days(7)) {
        self.name = name
        self.partitions = partitions
        self.retention = retention
    }

    /// The name on a cluster shared with others, where `prefix` (e.g. `staging.`) keeps ours apart.
    public func name(prefix: String) -> String { prefix + name }
}

/// Every topic of the platform: one per producing service, each with its dead-letter topic.
///
/// The dev broker creates exactly these at start (the mock cluster would otherwise auto-create
/// unknown topics with 4 partitions), and the Kubernetes/compose set-ups create the same.
public enum TopicCatalog {
    /// Topics that carry one producing service's events; the key is the aggregate id, so one
    /// aggregate's events stay ordered in one partition.
    public static let domainTopics: [TopicDefinition] = [users, catalog, inventory, carts, orders, payments]

    public static let users = TopicDefinition(name: "users", partitions: 6)
    /// Compacted: every product's latest state stays on the topic for the cart's and the
    /// inventory's projections (a consumer group starting today still learns every product).
    public static let catalog = TopicDefinition(name: "catalog", partitions: 6, retention: .compacted)
    public static let inventory = TopicDefinition(name: "inventory", partitions: 6)
    public static let carts = TopicDefinition(name: "carts", partitions: 6)
    public static let orders = TopicDefinition(name: "orders", partitions: 6)
    public static let payments = TopicDefinition(name: "payments", partitions: 6)

    /// Where a consumer puts a message of `topic` it cannot process.
    public static func deadLetterTopic(for topic: TopicDefinition) -> TopicDefinition {
        TopicDefinition(name: topic.name + ".dlq", partitions: 1, retention: .days(30))
    }

    /// Domain topics and their dead-letter topics.
    public static var all: [TopicDefinition] {
        domainTopics.flatMap { [$0, deadLetterTopic(for: $0)] }
    }
}
