import CRdKafka
import Foundation
import Synchronization

/// The baseline: librdkafka driven directly through its C API, with no wrapper in between,
/// configured with exactly the properties our wrapper sets.
enum RawLibrdkafka {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Counts delivery reports; reached from librdkafka's C callback through the opaque pointer.
    final class DeliveryCounter: Sendable {
        let delivered = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
    }

    /// The text librdkafka wrote into an error buffer.
    static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func makeClient(_ type: rd_kafka_type_t, properties: [(name: String, value: String)],
                           configure: (OpaquePointer) -> Void = { _ in }) throws -> OpaquePointer {
        guard let configuration = rd_kafka_conf_new() else { throw Failure(description: "rd_kafka_conf_new failed") }
        var error = [CChar](repeating: 0, count: 512)
        for (name, value) in properties where rd_kafka_conf_set(configuration, name, value, &error, error.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(configuration)
            throw Failure(description: "\(name): \(text(of: error))")
        }
        configure(configuration)
        guard let client = rd_kafka_new(type, configuration, &error, error.count) else {
            throw Failure(description: text(of: error))
        }
        return client
    }

    /// Produces `count` messages of `payload` to `topic` as fast as librdkafka accepts them and
    /// returns the seconds until every delivery report arrived.
    static func produceThroughput(properties: [(name: String, value: String)], topic: String, count: Int, payload: [UInt8]) throws -> Double {
        let counter = DeliveryCounter()
        let opaque = Unmanaged.passRetained(counter)
        defer { opaque.release() }
        let client = try makeClient(RD_KAFKA_PRODUCER, properties: properties) { configuration in
            rd_kafka_conf_set_opaque(configuration, opaque.toOpaque())
            rd_kafka_conf_set_dr_msg_cb(configuration) { _, message, opaque in
                guard let message, let opaque else { return }
                let counter = Unmanaged<DeliveryCounter>.fromOpaque(opaque).takeUnretainedValue()
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    counter.delivered.add(1, ordering: .relaxed)
                } else {
                    counter.failed.add(1, ordering: .relaxed)
                }
            }
        }
        defer { rd_kafka_destroy(client) }
        guard let topicHandle = rd_kafka_topic_new(client, topic, nil) else { throw Failure(description: "rd_kafka_topic_new failed") }
        defer { rd_kafka_topic_destroy(topicHandle) }
        // Warm up: connection, metadata and producer id are set up before the clock starts.
        let warmUp = payload.withUnsafeBytes { value in
            rd_kafka_produce(topicHandle, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, UnsafeMutableRawPointer(mutating: value.baseAddress), value.count, nil, 0, nil)
        }
        guard warmUp == 0 else { throw Failure(description: String(cString: rd_kafka_err2str(rd_kafka_last_error()))) }
        while counter.delivered.load(ordering: .relaxed) + counter.failed.load(ordering: .relaxed) < 1 { rd_kafka_poll(client, 1) }
        counter.delivered.store(0, ordering: .relaxed)
        // Keys are made before the clock starts, as the wrapper's messages are.
        let keys = (0..<count).map { Array(String($0 % 1024).utf8) }
        let start = ContinuousClock.now
        for index in 0..<count {
            while true {
                let result = payload.withUnsafeBytes { value in
                    keys[index].withUnsafeBytes { key in
                        rd_kafka_produce(topicHandle, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, UnsafeMutableRawPointer(mutating: value.baseAddress),
                                         value.count, key.baseAddress, key.count, nil)
                    }
                }
                if result == 0 { break }
                guard rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
                    throw Failure(description: String(cString: rd_kafka_err2str(rd_kafka_last_error())))
                }
                rd_kafka_poll(client, 1)
            }
            rd_kafka_poll(client, 0)
        }
        while counter.delivered.load(ordering: .relaxed) + counter.failed.load(ordering: .relaxed) < count {
            rd_kafka_poll(client, 10)
        }
        let elapsed = ContinuousClock.now - start
        guard counter.failed.load(ordering: .relaxed) == 0 else { throw Failure(description: "\(counter.failed.load(ordering: .relaxed)) deliveries failed") }
        return elapsed.seconds
    }

    /// Sends one message at a time and waits for a raw consumer to receive it; returns the
    /// publish-to-consume latencies in milliseconds.
    static func latencies(producerProperties: [(name: String, value: String)], consumerProperties: [(name: String, value: String)],
                          topic: String, samples: Int, payload: [UInt8]) throws -> [Double] {
        let producer = try makeClient(RD_KAFKA_PRODUCER, properties: producerProperties)
        defer { rd_kafka_destroy(producer) }
        let consumer = try makeClient(RD_KAFKA_CONSUMER, properties: consumerProperties)
        defer {
            rd_kafka_consumer_close(consumer)
            rd_kafka_destroy(consumer)
        }
        rd_kafka_poll_set_consumer(consumer)
        guard let subscription = rd_kafka_topic_partition_list_new(1) else { throw Failure(description: "list allocation failed") }
        rd_kafka_topic_partition_list_add(subscription, topic, RD_KAFKA_PARTITION_UA)
        let subscribed = rd_kafka_subscribe(consumer, subscription)
        rd_kafka_topic_partition_list_destroy(subscription)
        guard subscribed == RD_KAFKA_RESP_ERR_NO_ERROR else { throw Failure(description: String(cString: rd_kafka_err2str(subscribed))) }
        guard let topicHandle = rd_kafka_topic_new(producer, topic, nil) else { throw Failure(description: "rd_kafka_topic_new failed") }
        defer { rd_kafka_topic_destroy(topicHandle) }

        // Wait for the group assignment, proven by one message making the round trip.
        try roundTrip(producer: producer, topic: topicHandle, consumer: consumer, payload: payload, timeout: .seconds(30))
        var results: [Double] = []
        results.reserveCapacity(samples)
        for _ in 0..<samples {
            results.append(try roundTrip(producer: producer, topic: topicHandle, consumer: consumer, payload: payload, timeout: .seconds(10)).milliseconds)
        }
        return results
    }

    @discardableResult
    private static func roundTrip(producer: OpaquePointer, topic: OpaquePointer, consumer: OpaquePointer, payload: [UInt8],
                                  timeout: Duration) throws -> Duration {
        let start = ContinuousClock.now
        let produced = payload.withUnsafeBytes { value in
            rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, UnsafeMutableRawPointer(mutating: value.baseAddress), value.count, nil, 0, nil)
        }
        guard produced == 0 else { throw Failure(description: String(cString: rd_kafka_err2str(rd_kafka_last_error()))) }
        while ContinuousClock.now - start < timeout {
            rd_kafka_poll(producer, 0)
            guard let message = rd_kafka_consumer_poll(consumer, 1) else { continue }
            let error = message.pointee.err
            rd_kafka_message_destroy(message)
            if error == RD_KAFKA_RESP_ERR_NO_ERROR { return ContinuousClock.now - start }
        }
        throw Failure(description: "no message within \(timeout)")
    }
}
