public import Foundation

/// A message to publish with ``KafkaProducer/send(_:)``.
public struct KafkaOutgoingMessage: Sendable {
    /// The topic to publish to.
    public var topic: String
    /// A fixed partition, or `nil` to let librdkafka's partitioner choose from the key (so one
    /// key always lands in the same partition and stays ordered).
    public var partition: Int?
    /// The message key (Bazaar: the aggregate id); `nil` for none.
    public var key: [UInt8]?
    /// The message payload.
    public var value: [UInt8]
    /// Headers as (name, value) pairs, in order; a name may repeat.
    public var headers: [(String, [UInt8])]

    /// A message with a binary key (or none).
    public init(topic: String, partition: Int? = nil, key: [UInt8]?, value: [UInt8], headers: [(String, [UInt8])] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// A message whose key is the UTF-8 bytes of `key`.
    public init(topic: String, partition: Int? = nil, key: String, value: [UInt8], headers: [(String, [UInt8])] = []) {
        self.init(topic: topic, partition: partition, key: Array(key.utf8), value: value, headers: headers)
    }
}

/// A message read by a ``KafkaConsumer``. Its bytes are copies; it outlives the consumer.
public struct KafkaIncomingMessage: Sendable {
    /// The topic it was read from.
    public let topic: String
    /// The partition it was read from.
    public let partition: Int
    /// Its offset in that partition.
    public let offset: Int64
    /// The message key, or `nil` if it had none.
    public let key: [UInt8]?
    /// The payload (empty for a message without one).
    public let value: [UInt8]
    /// Headers as (name, value) pairs, in the order they were produced.
    public let headers: [(String, [UInt8])]
    /// When it was produced (or appended, for log-append-time topics), if the broker says.
    public let timestamp: Date?

    /// Creates a message; the consumer does this, tests may too.
    public init(
        topic: String, partition: Int, offset: Int64, key: [UInt8]?, value: [UInt8],
        headers: [(String, [UInt8])], timestamp: Date?
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The key decoded as UTF-8, or `nil` if there is no key or it is not valid UTF-8.
    public var keyString: String? {
        key.flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// The value of the last header called `name` (Kafka allows repeats; the last one wins).
    public func header(_ name: String) -> [UInt8]? {
        headers.last { $0.0 == name }?.1
    }

    /// The value of the last header called `name`, decoded as UTF-8.
    public func headerString(_ name: String) -> String? {
        header(name).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// The partition this message came from.
    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: partition)
    }
}

/// The broker's acknowledgement of a message sent with ``KafkaProducer/send(_:)``.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// The topic the message was written to.
    public let topic: String
    /// The partition the message was written to.
    public let partition: Int
    /// Its offset in that partition; `nil` when librdkafka cannot tell (an idempotent retry of a
    /// message whose first acknowledgement was lost).
    public let offset: Int64?
    /// The message timestamp, if known.
    public let timestamp: Date?

    /// Creates a report; the producer does this, tests may too.
    public init(topic: String, partition: Int, offset: Int64?, timestamp: Date?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
}

/// One partition of one topic.
public struct KafkaTopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The topic name.
    public let topic: String
    /// The partition number, from 0.
    public let partition: Int

    /// Names a partition.
    public init(topic: String, partition: Int) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic[partition]`, as librdkafka writes it.
    public var description: String { "\(topic)[\(partition)]" }

    /// Orders by topic, then partition.
    public static func < (lhs: KafkaTopicPartition, rhs: KafkaTopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}
