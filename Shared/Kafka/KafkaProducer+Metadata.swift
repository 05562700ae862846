import CRdKafka

extension KafkaProducer {
    /// The number of partitions of `topic`, or `nil` if the cluster does not have it.
    ///
    /// Asks the cluster for the metadata of all topics, which never auto-creates one. The
    /// request blocks inside librdkafka, so it runs on a dedicated thread.
    ///
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/metadata`` (e.g. a retriable
    ///   `_TIMED_OUT` when no broker answered within `timeout`).
    public func partitionCount(of topic: String, timeout: Duration = .seconds(5)) async throws -> Int? {
        try await partitionCounts(timeout: timeout)[topic]
    }

    /// The partition count of every topic in the cluster, by name.
    ///
    /// - Throws: ``KafkaError`` of kind ``KafkaError/Kind/metadata``.
    public func partitionCounts(timeout: Duration = .seconds(5)) async throws -> [String: Int] {
        let client = clientHandle
        let timeoutMilliseconds = Int32(clamping: timeout.wholeMilliseconds)
        let result = await KafkaPollingThread.run(name: "kafka-metadata") {
            KafkaProducer.fetchPartitionCounts(handle: client.pointer, timeoutMilliseconds: timeoutMilliseconds)
        }
        return try result.get()
    }

    private static func fetchPartitionCounts(
        handle: OpaquePointer, timeoutMilliseconds: Int32
    ) -> Result<[String: Int], KafkaError> {
        var metadata: UnsafePointer<rd_kafka_metadata_t>?
        let code = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMilliseconds)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            return .failure(KafkaError(kind: .metadata, code: code))
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var counts: [String: Int] = [:]
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        for topic in topics where topic.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            counts[String(cString: topic.topic)] = Int(topic.partition_cnt)
        }
        return .success(counts)
    }
}
