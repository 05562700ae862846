import BazaarContracts
import CRdKafka

/// librdkafka's in-process mock Kafka cluster, owned by this one object.
///
/// The mock needs an `rd_kafka_t` for its own bookkeeping; this class creates that handle,
/// creates the cluster on it, and destroys both (cluster first) in ``shutdown()`` or `deinit`.
/// Neither handle leaves this type.
///
/// `@unchecked Sendable`: the signal handlers that stop the broker run on the main dispatch
/// queue while the handles were created on the main thread; both handles are only touched by
/// `init`, ``createTopic(named:partitions:replicationFactor:)`` and ``shutdown()``, and the
/// latter is serialised by the main queue. librdkafka's mock API is itself thread-safe.
final class MockCluster: @unchecked Sendable {
    /// The error raised when the mock cluster cannot be created or a topic cannot be made.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The number of brokers the cluster runs.
    let brokerCount: Int
    /// `host:port[,host:port]` of the cluster's listeners, for `bootstrap.servers`.
    let bootstrapServers: String

    private var handle: OpaquePointer?
    private var cluster: OpaquePointer?

    /// Creates a cluster of `brokerCount` brokers listening on loopback ports chosen by the OS.
    init(brokerCount: Int) throws {
        precondition(brokerCount >= 1, "a mock cluster needs at least one broker")
        self.brokerCount = brokerCount

        guard let configuration = rd_kafka_conf_new() else {
            throw Failure(description: "librdkafka could not allocate a configuration")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        // The bookkeeping handle never talks to a broker; keep its own logging quiet.
        _ = rd_kafka_conf_set(configuration, "log_level", "4", &errorText, errorText.count)
        _ = rd_kafka_conf_set(configuration, "client.id", "bazaar-broker", &errorText, errorText.count)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, configuration, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(configuration)
            let reason = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Failure(description: "librdkafka could not create a client: \(reason)")
        }
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokerCount)) else {
            rd_kafka_destroy(handle)
            throw Failure(description: "librdkafka could not create a mock cluster of \(brokerCount) brokers")
        }
        self.handle = handle
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        shutdown()
    }

    /// The replication factor topics get: every broker, but no more than three copies.
    var replicationFactor: Int { min(brokerCount, 3) }

    /// Creates `name` with `partitions` partitions, or throws librdkafka's error.
    func createTopic(named name: String, partitions: Int, replicationFactor: Int) throws {
        guard let cluster else { throw Failure(description: "the mock cluster is already shut down") }
        let result = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let reason = String(cString: rd_kafka_err2str(result))
            throw Failure(description: "could not create topic \(name): \(reason)")
        }
    }

    /// Stops the brokers and releases the bookkeeping client. Safe to call more than once.
    /// Takes every broker down (connections closed, new ones refused) or brings them back up,
    /// so tests can see how clients behave while Kafka is unavailable.
    func setAvailable(_ available: Bool) throws {
        guard let cluster else { throw Failure(description: "the mock cluster is already shut down") }
        for brokerID in 1...Int32(brokerCount) {
            let result = available ? rd_kafka_mock_broker_set_up(cluster, brokerID) : rd_kafka_mock_broker_set_down(cluster, brokerID)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw Failure(description: "broker \(brokerID): \(String(cString: rd_kafka_err2str(result)))")
            }
        }
    }

    func shutdown() {
        if let cluster {
            rd_kafka_mock_cluster_destroy(cluster)
            self.cluster = nil
        }
        if let handle {
            rd_kafka_destroy(handle)
            self.handle = nil
        }
    }
}
