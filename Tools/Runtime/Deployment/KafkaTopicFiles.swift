public import BazaarContracts

/// The platform's Kafka topics (``TopicCatalog``) as a real cluster gets them: a script for the
/// Compose init job (`infrastructure/kafka/create-topics.sh`) and Strimzi `KafkaTopic` resources
/// for Kubernetes. Both are generated (`bazaar generate kafka-topics`, `bazaar generate
/// strimzi-topics`) and compared with the committed files by a test.
public enum KafkaTopicFiles {
    /// Kafka topic configuration for a retention: compacted topics keep each key's latest event.
    public static func configuration(of topic: TopicDefinition) -> [(key: String, value: String)] {
        switch topic.retention {
        case .compacted:
            [("cleanup.policy", "compact"), ("min.compaction.lag.ms", "60000")]
        case .days(let days):
            [("cleanup.policy", "delete"), ("retention.ms", String(days * 86_400_000))]
        }
    }

    /// A POSIX shell script creating every topic (and nothing else) with `kafka-topics.sh`, idempotent.
    public static func creationScript(topics: [TopicDefinition] = TopicCatalog.all) -> String {
        var lines = [
            "#!/bin/sh",
            "# Generated from Shared/Contracts/TopicCatalog.swift by `bazaar generate kafka-topics`; do not edit.",
            "# Creates every topic of the platform (each domain topic and its .dlq) on a real Kafka cluster; topics",
            "# that exist are left as they are. Run by the kafka-init service of docker-compose.yml.",
            "#   KAFKA_BOOTSTRAP      the brokers (default kafka:9092)",
            "#   REPLICATION_FACTOR   copies of each partition (default 1: a single broker; 3 in production)",
            "#   KAFKA_TOPIC_PREFIX   the prefix the services are started with (default none)",
            "set -eu",
            "bootstrap=${KAFKA_BOOTSTRAP:-kafka:9092}",
            "replication=${REPLICATION_FACTOR:-1}",
            "prefix=${KAFKA_TOPIC_PREFIX:-}",
            "topics=${KAFKA_TOPICS_BIN:-/opt/kafka/bin/kafka-topics.sh}",
            "",
            "create() {",
            "    \"$topics\" --bootstrap-server \"$bootstrap\" --create --if-not-exists --topic \"$prefix$1\" --partitions \"$2\" \\",
            "        --replication-factor \"$replication\" $3",
            "}",
            "",
        ]
        for topic in topics {
            let settings = configuration(of: topic).map { "--config \($0.key)=\($0.value)" }.joined(separator: " ")
            lines.append("create \(topic.name) \(topic.partitions) \"\(settings)\"")
        }
        lines += ["", "\"$topics\" --bootstrap-server \"$bootstrap\" --list", "echo \"kafka-init: \(topics.count) topics present\""]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Strimzi `KafkaTopic` resources (kafka.strimzi.io/v1beta2) for the cluster `clusterName`,
    /// three replicas and two in sync, as a production cluster runs them.
    public static func strimziTopics(topics: [TopicDefinition] = TopicCatalog.all, clusterName: String = "bazaar") -> String {
        var lines = [
            "# Generated from Shared/Contracts/TopicCatalog.swift by `bazaar generate strimzi-topics`; do not edit.",
            "# Every topic of the platform for the Strimzi Topic Operator of the Kafka cluster \"\(clusterName)\".",
        ]
        for topic in topics {
            let resourceName = topic.name.replacingOccurrences(of: ".", with: "-")
            lines += [
                "---",
                "apiVersion: kafka.strimzi.io/v1beta2",
                "kind: KafkaTopic",
                "metadata:",
                "  name: \(resourceName)",
                "  labels:",
                "    strimzi.io/cluster: \(clusterName)",
                "    app.kubernetes.io/part-of: bazaar",
                "spec:",
                "  topicName: \(topic.name)",
                "  partitions: \(topic.partitions)",
                "  replicas: 3",
                "  config:",
                "    min.insync.replicas: \"2\"",
            ]
            lines += configuration(of: topic).map { "    \($0.key): \"\($0.value)\"" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
