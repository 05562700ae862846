@testable import BazaarKafka
import BazaarTestSupport
import Testing

/// The consumer's bounded buffer: the polling thread waits while it is full, and iterators get
/// messages in order, `nil` at the end, and the error of a failed consumer.
@Suite("Kafka consumer buffer")
struct KafkaMessageBufferTests {
    private func message(_ offset: Int64, partition: Int = 0) -> KafkaIncomingMessage {
        KafkaIncomingMessage(
            topic: "orders", partition: partition, offset: offset, key: nil, value: [UInt8(offset)],
            headers: [], timestamp: nil
        )
    }

    @Test("a full buffer makes the poller wait until the application takes a message")
    func fullBufferAppliesBackpressure() async throws {
        let buffer = KafkaMessageBuffer(capacity: 2)
        #expect(buffer.waitForSpace(timeoutMilliseconds: 10))
        buffer.push(message(0))
        buffer.push(message(1))
        #expect(!buffer.waitForSpace(timeoutMilliseconds: 20))
        #expect(try await buffer.next()?.offset == 0)
        #expect(buffer.waitForSpace(timeoutMilliseconds: 10))
        #expect(try await buffer.next()?.offset == 1)
    }

    @Test("a waiting iterator gets the next message, then nil once the buffer finishes")
    func waitingIteratorIsWoken() async throws {
        let buffer = KafkaMessageBuffer(capacity: 4)
        let waiting = Task { try await buffer.next() }
        try await eventually("the iterator to wait") { buffer.hasWaitingIterator }
        buffer.push(message(7))
        #expect(try await waiting.value?.offset == 7)
        buffer.push(message(8))
        buffer.finish()
        #expect(try await buffer.next() == nil)  // buffered messages are dropped at the end
    }

    @Test("revoked partitions' buffered messages are dropped")
    func revokedPartitionsAreDiscarded() async throws {
        let buffer = KafkaMessageBuffer(capacity: 10)
        buffer.push(message(0, partition: 0))
        buffer.push(message(0, partition: 1))
        buffer.push(message(1, partition: 0))
        #expect(buffer.discardMessages(from: [KafkaTopicPartition(topic: "orders", partition: 0)]) == 2)
        #expect(try await buffer.next()?.partition == 1)
    }

    @Test("a fatal error reaches the iterator; cancelling a waiting iterator ends it")
    func errorsAndCancellation() async throws {
        let failing = KafkaMessageBuffer(capacity: 1)
        let fatal = KafkaError(kind: .consumer, code: .init(rawValue: -150), message: "fenced")
        failing.finish(throwing: fatal)
        await #expect(throws: KafkaError.self) { try await failing.next() }

        let idle = KafkaMessageBuffer(capacity: 1)
        let waiting = Task { try await idle.next() }
        try await eventually("the iterator to wait") { idle.hasWaitingIterator }
        waiting.cancel()
        #expect(try await waiting.value == nil)
    }
}
