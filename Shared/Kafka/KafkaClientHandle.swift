import CRdKafka
import Synchronization
import Logging

/// What librdkafka's C callbacks of one client need, reached through the client's opaque pointer.
///
/// The context never points back at the ``KafkaProducer`` or ``KafkaConsumer`` that owns the
/// client (a callback may run while that object is being deinitialised); it holds only the
/// logger and the small helper objects the callbacks feed.
final class KafkaCallbackContext: Sendable {
    typealias DeliveryHandler = @Sendable (OpaquePointer, UnsafePointer<rd_kafka_message_t>) -> Void
    typealias RebalanceHandler = @Sendable (
        OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) -> Void
    typealias StatisticsHandler = @Sendable (UnsafeRawBufferPointer) -> Void
    typealias ErrorHandler = @Sendable (KafkaError) -> Void

    let logger: Logger
    /// The kind errors reported by the error callback get: ``KafkaError/Kind/delivery`` for a
    /// producer, ``KafkaError/Kind/consumer`` for a consumer.
    let errorKind: KafkaError.Kind
    let onDelivery: DeliveryHandler?
    let onRebalance: RebalanceHandler?
    let onStatistics: StatisticsHandler?
    let onError: ErrorHandler?

    init(
        logger: Logger,
        errorKind: KafkaError.Kind,
        onDelivery: DeliveryHandler? = nil,
        onRebalance: RebalanceHandler? = nil,
        onStatistics: StatisticsHandler? = nil,
        onError: ErrorHandler? = nil
    ) {
        self.logger = logger
        self.errorKind = errorKind
        self.onDelivery = onDelivery
        self.onRebalance = onRebalance
        self.onStatistics = onStatistics
        self.onError = onError
    }

    /// The context of the client `handle`, set as its opaque when it was created.
    static func of(_ handle: OpaquePointer?) -> KafkaCallbackContext? {
        guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<KafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// The one `rd_kafka_t` of a producer or consumer.
///
/// Created from typed properties (each applied with `rd_kafka_conf_set`, so an unknown or invalid
/// one fails creation with librdkafka's message), it keeps its ``KafkaCallbackContext`` retained
/// for as long as librdkafka may call back, and destroys the client when the last reference goes
/// away: the owning producer or consumer and, while it runs, that object's polling thread.
///
/// `@unchecked Sendable`: librdkafka's client handle is thread-safe; the pointer itself never
/// changes and never leaves the module.
final class KafkaClientHandle: @unchecked Sendable {
    /// The `rd_kafka_t`.
    let pointer: OpaquePointer
    private let context: Unmanaged<KafkaCallbackContext>
    /// `rd_kafka_topic_t` handles by name, created on first use and kept for the client's life,
    /// so producing does not look the topic up by name for every message.
    private let topics = Mutex<[String: OpaquePointer]>([:])

    /// Creates a producer or consumer client with `properties` applied in order.
    init(type: rd_kafka_type_t, properties: [(name: String, value: String)], context: KafkaCallbackContext) throws(KafkaError) {
        guard let configuration = rd_kafka_conf_new() else {
            throw KafkaError.configuration("librdkafka could not allocate a configuration")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            let result = rd_kafka_conf_set(configuration, name, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(configuration)
                throw KafkaError.configuration(String(nullTerminated: errorText))
            }
        }
        Self.installCallbacks(on: configuration, context: context)

        let retainedContext = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(configuration, retainedContext.toOpaque())
        guard let pointer = rd_kafka_new(type, configuration, &errorText, errorText.count) else {
            // On failure the configuration still belongs to us.
            rd_kafka_conf_destroy(configuration)
            retainedContext.release()
            throw KafkaError.configuration(String(nullTerminated: errorText))
        }
        self.pointer = pointer
        self.context = retainedContext
    }

    deinit {
        for topic in topics.withLock({ $0.values }) { rd_kafka_topic_destroy(topic) }
        // A consumer that was not closed yet is closed here (librdkafka may still call the
        // rebalance callback), so the context is released only after destruction.
        rd_kafka_destroy(pointer)
        context.release()
    }

    /// The topic handle for `name`; nil only if librdkafka cannot create one.
    func topic(named name: String) -> OpaquePointer? {
        topics.withLock { topics in
            if let topic = topics[name] { return topic }
            guard let topic = rd_kafka_topic_new(pointer, name, nil) else { return nil }
            topics[name] = topic
            return topic
        }
    }

    /// The client's name as librdkafka logs it, e.g. `bazaar#producer-1`.
    var name: String { String(cString: rd_kafka_name(pointer)) }

    private static func installCallbacks(on configuration: OpaquePointer, context: KafkaCallbackContext) {
        // librdkafka calls the log callback from its internal threads; it only reads the opaque
        // (a plain field) and hands the line to swift-log.
        rd_kafka_conf_set_log_cb(configuration) { handle, level, facility, line in
            guard let context = KafkaCallbackContext.of(handle), let line else { return }
            let facility = facility.map { String(cString: $0) } ?? "-"
            context.logger.log(level: Logger.Level(syslogLevel: level), "librdkafka \(facility): \(String(cString: line))")
        }
        rd_kafka_conf_set_error_cb(configuration) { handle, code, reason, opaque in
            guard let handle, let opaque else { return }
            let context = Unmanaged<KafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
            let error = KafkaError.reported(
                by: handle, kind: context.errorKind, code: rd_kafka_resp_err_t(rawValue: code), reason: reason)
            context.logger.log(
                level: error.isFatal ? .critical : .warning,
                "librdkafka reported an error",
                metadata: ["kafka_error": "\(error)"]
            )
            context.onError?(error)
        }
        if context.onStatistics != nil {
            rd_kafka_conf_set_stats_cb(configuration) { _, json, length, opaque in
                guard let json, let opaque else { return 0 }
                let context = Unmanaged<KafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
                context.onStatistics?(UnsafeRawBufferPointer(start: json, count: length))
                return 0  // librdkafka frees the JSON
            }
        }
        if context.onDelivery != nil {
            rd_kafka_conf_set_dr_msg_cb(configuration) { handle, message, opaque in
                guard let handle, let message, let opaque else { return }
                Unmanaged<KafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue().onDelivery?(handle, message)
            }
        }
        if context.onRebalance != nil {
            rd_kafka_conf_set_rebalance_cb(configuration) { handle, code, partitions, opaque in
                guard let handle, let partitions, let opaque else { return }
                Unmanaged<KafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
                    .onRebalance?(handle, code, partitions)
            }
        }
    }
}

extension KafkaError {
    /// The error the error callback reports; for `_FATAL`, the underlying fatal error instead.
    static func reported(
        by handle: OpaquePointer, kind: Kind, code: rd_kafka_resp_err_t, reason: UnsafePointer<CChar>?
    ) -> KafkaError {
        let reasonText = reason.map { String(cString: $0) }
        guard code == RD_KAFKA_RESP_ERR__FATAL else {
            return KafkaError(kind: kind, code: code, message: reasonText)
        }
        var fatalText = [CChar](repeating: 0, count: 512)
        let fatalCode = rd_kafka_fatal_error(handle, &fatalText, fatalText.count)
        return KafkaError(kind: kind, code: fatalCode, message: String(nullTerminated: fatalText), isFatal: true)
    }
}

extension Logger.Level {
    /// Maps a syslog severity (what librdkafka logs with) to a swift-log level.
    init(syslogLevel: Int32) {
        switch syslogLevel {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds, as librdkafka's `*.ms` properties expect.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

extension String {
    /// Decodes a C string that librdkafka wrote into a fixed-size buffer.
    init(nullTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
