/// A Kafka topic Bazaar uses, with the partition count it is created with.
public struct TopicDefinition: Sendable, Hashable {
    /// The topic name without any deployment prefix (`orders`, `orders.dlq`).
    public let name: String
    public let partitions: Int

    public init(name: String, partitions: Int) {
        self.name = name
        self.partitions = partitions
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
    public static let catalog = TopicDefinition(name: "catalog", partitions: 6)
    public static let inventory = TopicDefinition(name: "inventory", partitions: 6)
    public static let carts = TopicDefinition(name: "carts", partitions: 6)
    public static let orders = TopicDefinition(name: "orders", partitions: 6)
    public static let payments = TopicDefinition(name: "payments", partitions: 6)

    /// Where a consumer puts a message of `topic` it cannot process.
    public static func deadLetterTopic(for topic: TopicDefinition) -> TopicDefinition {
        TopicDefinition(name: topic.name + ".dlq", partitions: 1)
    }

    /// Domain topics and their dead-letter topics.
    public static var all: [TopicDefinition] {
        domainTopics.flatMap { [$0, deadLetterTopic(for: $0)] }
    }
}
