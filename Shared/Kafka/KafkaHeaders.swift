import CRdKafka
import Foundation

/// Conversions between Swift header pairs and librdkafka's `rd_kafka_headers_t`.
enum KafkaHeaders {
    /// A new header list holding copies of `headers`, or `nil` when there are none. The caller
    /// hands it to `rd_kafka_produceva`, which takes ownership on success; on failure the caller
    /// destroys it.
    static func make(_ headers: [(String, [UInt8])]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for (name, value) in headers {
            value.withUnsafeBytes { bytes in
                // rd_kafka_header_add copies name and value; it only fails on a read-only list.
                _ = rd_kafka_header_add(list, name, -1, bytes.baseAddress, bytes.count)
            }
        }
        return list
    }

    /// Copies the headers of a consumed message, in order; a header without a value reads as
    /// empty bytes.
    static func read(from message: UnsafePointer<rd_kafka_message_t>) -> [(String, [UInt8])] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var headers: [(String, [UInt8])] = []
        headers.reserveCapacity(rd_kafka_header_cnt(list))
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            if let name {
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                headers.append((String(cString: name), bytes))
            }
            index += 1
        }
        return headers
    }
}

extension KafkaIncomingMessage {
    /// Copies a consumed message (without error) out of librdkafka's memory.
    init(copying message: UnsafePointer<rd_kafka_message_t>) {
        let raw = message.pointee
        let topic = raw.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let key = raw.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.key_len)) }
        let value = raw.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) } ?? []
        let milliseconds = rd_kafka_message_timestamp(message, nil)
        self.init(
            topic: topic,
            partition: Int(raw.partition),
            offset: raw.offset,
            key: key,
            value: value,
            headers: KafkaHeaders.read(from: message),
            timestamp: milliseconds >= 0 ? Date(timeIntervalSince1970: Double(milliseconds) / 1000) : nil
        )
    }
}
