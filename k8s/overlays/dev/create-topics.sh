#!/bin/sh
# Generated from Shared/Contracts/TopicCatalog.swift by `bazaar generate kafka-topics`; do not edit.
# Creates every topic of the platform (each domain topic and its .dlq) on a real Kafka cluster; topics
# that exist are left as they are. Run by the kafka-init service of docker-compose.yml.
#   KAFKA_BOOTSTRAP      the brokers (default kafka:9092)
#   REPLICATION_FACTOR   copies of each partition (default 1: a single broker; 3 in production)
#   KAFKA_TOPIC_PREFIX   the prefix the services are started with (default none)
set -eu
bootstrap=${KAFKA_BOOTSTRAP:-kafka:9092}
replication=${REPLICATION_FACTOR:-1}
prefix=${KAFKA_TOPIC_PREFIX:-}
topics=${KAFKA_TOPICS_BIN:-/opt/kafka/bin/kafka-topics.sh}

create() {
    "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$prefix$1" --partitions "$2" \
        --replication-factor "$replication" $3
}

create users 6 "--config cleanup.policy=delete --config retention.ms=604800000"
create users.dlq 1 "--config cleanup.policy=delete --config retention.ms=2592000000"
create catalog 6 "--config cleanup.policy=compact --config min.compaction.lag.ms=60000"
create catalog.dlq 1 "--config cleanup.policy=delete --config retention.ms=2592000000"
create inventory 6 "--config cleanup.policy=delete --config retention.ms=604800000"
create inventory.dlq 1 "--config cleanup.policy=delete --config retention.ms=2592000000"
create carts 6 "--config cleanup.policy=delete --config retention.ms=604800000"
create carts.dlq 1 "--config cleanup.policy=delete --config retention.ms=2592000000"
create orders 6 "--config cleanup.policy=delete --config retention.ms=604800000"
create orders.dlq 1 "--config cleanup.policy=delete --config retention.ms=2592000000"
create payments 6 "--config cleanup.policy=delete --config retention.ms=604800000"
create payments.dlq 1 "--config cleanup.policy=delete --config retention.ms=2592000000"

"$topics" --bootstrap-server "$bootstrap" --list
echo "kafka-init: 12 topics present"
