import CRdKafka

/// An error from Kafka: librdkafka's error code, its name and message, and whether trying again
/// can help.
///
/// librdkafka reports errors as an `rd_kafka_resp_err_t` code (negative codes are raised by the
/// client itself, such as `_MSG_TIMED_OUT`; positive ones come from the broker, such as
/// `NOT_ENOUGH_REPLICAS`). ``code`` keeps that number, ``name`` its symbolic name without the
/// `RD_KAFKA_RESP_ERR_` prefix, and ``message`` the human text (for configuration errors,
/// librdkafka's own explanation, such as `No such configuration property: "lingr.ms"`).
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the client was doing when the error happened.
    public enum Kind: String, Sendable, Hashable {
        /// A setting was unknown or invalid, or librdkafka refused to create the client.
        case configuration
        /// A message could not be enqueued or was not acknowledged by the broker.
        case delivery
        /// Consuming, storing or committing offsets, or rebalancing failed.
        case consumer
        /// Reading cluster metadata failed.
        case metadata
        /// The producer or consumer was already shut down.
        case shutDown
    }

    /// librdkafka's numeric error code (`rd_kafka_resp_err_t`), kept so callers can compare it.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The `rd_kafka_resp_err_t` value.
        public let rawValue: Int32

        /// Wraps an `rd_kafka_resp_err_t` value.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ code: rd_kafka_resp_err_t) { self.rawValue = code.rawValue }

        var rdKafkaCode: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

        /// librdkafka's symbolic name, e.g. `_MSG_TIMED_OUT`.
        public var description: String { String(cString: rd_kafka_err2name(rdKafkaCode)) }

        /// `_MSG_TIMED_OUT`: the broker did not acknowledge the message within `message.timeout.ms`.
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// `_TRANSPORT`: a connection to a broker failed.
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        /// `_ALL_BROKERS_DOWN`: no broker can be reached.
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        /// `_QUEUE_FULL`: the producer's local queue is full.
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// `_TIMED_OUT`: a local operation (metadata, commit, flush) timed out.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// `_INVALID_ARG`: an invalid setting or argument.
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// `_UNKNOWN_TOPIC`: the topic is not known to the cluster.
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// `UNKNOWN_TOPIC_OR_PART`: the broker does not host the topic or partition.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// `_STATE`: the operation is not valid in the client's state (e.g. partition not assigned).
        public static let invalidState = Code(RD_KAFKA_RESP_ERR__STATE)
        /// `_DESTROY`: the client is shutting down.
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        /// `_FATAL`: the client raised a fatal error and must be recreated.
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
    }

    /// What the client was doing.
    public let kind: Kind
    /// librdkafka's error code.
    public let code: Code
    /// librdkafka's symbolic name for ``code``, e.g. `_MSG_TIMED_OUT` or `NOT_ENOUGH_REPLICAS`.
    public let name: String
    /// The human-readable explanation, from librdkafka where it gave one.
    public let message: String
    /// Whether the same operation may succeed if tried again later (a timeout, an unreachable
    /// or overloaded broker, a leader election). An outbox relay re-sends such messages.
    public let isRetriable: Bool
    /// Whether the client is unusable and has to be recreated (e.g. the idempotent producer lost
    /// its guarantees). Fatal errors are never retriable.
    public let isFatal: Bool

    /// `Kafka <kind> error <name> (<code>): <message>`, marked `[retriable]` or `[fatal]`.
    public var description: String {
        "Kafka \(kind.rawValue) error \(name) (\(code.rawValue)): \(message)"
            + (isFatal ? " [fatal]" : isRetriable ? " [retriable]" : "")
    }

    init(kind: Kind, code: rd_kafka_resp_err_t, message: String? = nil, isRetriable: Bool? = nil, isFatal: Bool = false) {
        self.kind = kind
        self.code = Code(code)
        self.name = String(cString: rd_kafka_err2name(code))
        self.message = message ?? String(cString: rd_kafka_err2str(code))
        self.isFatal = isFatal
        self.isRetriable = !isFatal && (isRetriable ?? Self.isTransient(code))
    }

    init(kind: Kind, code: Code, message: String? = nil) {
        self.init(kind: kind, code: code.rdKafkaCode, message: message)
    }

    /// Reads an `rd_kafka_error_t` (which knows itself whether it is retriable or fatal) and
    /// destroys it.
    init(kind: Kind, consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        self.init(
            kind: kind,
            code: code,
            message: String(cString: rd_kafka_error_string(error)),
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || Self.isTransient(code),
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// A configuration error carrying librdkafka's explanation.
    static func configuration(_ message: String) -> KafkaError {
        KafkaError(kind: .configuration, code: RD_KAFKA_RESP_ERR__INVALID_ARG, message: message, isRetriable: false)
    }

    /// The error for using a producer or consumer after it was shut down.
    static func shutDown(_ message: String) -> KafkaError {
        KafkaError(kind: .shutDown, code: RD_KAFKA_RESP_ERR__DESTROY, message: message, isRetriable: false)
    }

    /// Codes for conditions that pass: timeouts, unreachable brokers, leader elections, full
    /// queues, and messages purged by our own shutdown (an outbox re-sends those later).
    static func isTransient(_ code: rd_kafka_resp_err_t) -> Bool {
        transientCodes.contains(code.rawValue)
    }

    private static let transientCodes: Set<Int32> = Set([
        RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__RESOLVE,
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR__TIMED_OUT,
        RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE,
        RD_KAFKA_RESP_ERR__QUEUE_FULL,
        RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR__PURGE_QUEUE,
        RD_KAFKA_RESP_ERR__PURGE_INFLIGHT,
        RD_KAFKA_RESP_ERR__RETRY,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH,
        RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH,
        RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
    ].map(\.rawValue))
}
