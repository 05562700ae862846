import Foundation

extension BSONDocument {
    /// Reads a document from its BSON binary form.
    /// - Throws: ``BSONError`` when the bytes are not exactly one well-formed document.
    public init(bsonBytes: some Collection<UInt8>) throws {
        let contiguous = Array(bsonBytes)
        self = try contiguous.withUnsafeBytes { try BSONDocument(reading: $0) }
    }

    /// Reads the document that starts at `buffer`'s first byte (libmongoc's memory, for
    /// replies: read in place, never kept).
    init(reading buffer: UnsafeRawBufferPointer) throws {
        var reader = BSONReader(buffer: buffer)
        self = try reader.readDocument()
    }
}

/// Parses BSON bytes, checking every length against the buffer, so malformed input throws
/// instead of reading out of bounds.
struct BSONReader {
    private let buffer: UnsafeRawBufferPointer
    private var position = 0

    init(buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    mutating func readDocument() throws -> BSONDocument {
        let end = try documentEnd()
        var document = BSONDocument()
        try readElements(until: end) { key, value in document.appendUnchecked(key, value) }
        return document
    }

    private mutating func readArray() throws -> [BSONValue] {
        let end = try documentEnd()
        var values: [BSONValue] = []
        try readElements(until: end) { _, value in values.append(value) }
        return values
    }

    /// Reads the length prefix of the document at the current position and returns its end.
    private mutating func documentEnd() throws -> Int {
        let start = position
        let length = Int(try read(Int32.self))
        guard length >= 5, start + length <= buffer.count else {
            throw BSONError("document length \(length) at offset \(start) does not fit in \(buffer.count) bytes")
        }
        return start + length
    }

    private mutating func readElements(until end: Int, _ body: (String, BSONValue) -> Void) throws {
        while true {
            guard position < end else { throw BSONError("document at offset \(position) is not terminated") }
            let type = buffer[position]
            position += 1
            if type == 0 {
                guard position == end else { throw BSONError("document ends before its declared length") }
                return
            }
            let key = try readCString(limit: end)
            body(key, try readValue(type: type, limit: end))
        }
    }

    private mutating func readValue(type: UInt8, limit: Int) throws -> BSONValue {
        switch type {
        case 0x01: return .double(Double(bitPattern: try read(UInt64.self)))
        case 0x02, 0x0E: return .string(try readString(limit: limit))  // 0x0E: deprecated symbol
        case 0x03: return .document(try readDocument())
        case 0x04: return .array(try readArray())
        case 0x05:
            let length = Int(try read(Int32.self))
            let subtype = try readBytes(1, limit: limit)[0]
            guard length >= 0 else { throw BSONError("negative binary length") }
            return .binary(BSONBinary(data: Data(try readBytes(length, limit: limit)), subtype: subtype))
        case 0x06, 0x0A: return .null  // 0x06: deprecated undefined
        case 0x07:
            guard let id = ObjectId(bytes: try readBytes(12, limit: limit)) else { throw BSONError("short ObjectId") }
            return .objectId(id)
        case 0x08:
            let byte = try readBytes(1, limit: limit)[0]
            guard byte <= 1 else { throw BSONError("boolean byte \(byte) is neither 0 nor 1") }
            return .bool(byte == 1)
        case 0x09:
            return .datetime(Date(timeIntervalSince1970: TimeInterval(try read(Int64.self)) / 1000))
        case 0x0B:
            let pattern = try readCString(limit: limit)
            return .regularExpression(pattern: pattern, options: try readCString(limit: limit))
        case 0x10: return .int32(try read(Int32.self))
        case 0x11:
            let increment = try read(UInt32.self)
            return .timestamp(BSONTimestamp(seconds: try read(UInt32.self), increment: increment))
        case 0x12: return .int64(try read(Int64.self))
        case 0x13:
            let low = try read(UInt64.self)
            return .decimal128(BSONDecimal128(low: low, high: try read(UInt64.self)))
        case 0xFF: return .minKey
        case 0x7F: return .maxKey
        default:
            throw BSONError("BSON type 0x\(String(type, radix: 16)) (JavaScript code or DBPointer) is not supported")
        }
    }

    private mutating func read<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        let size = MemoryLayout<Integer>.size
        guard position + size <= buffer.count else { throw BSONError("value at offset \(position) is truncated") }
        let value = buffer.loadUnaligned(fromByteOffset: position, as: Integer.self)
        position += size
        return Integer(littleEndian: value)
    }

    private mutating func readBytes(_ count: Int, limit: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, position + count <= limit else { throw BSONError("value at offset \(position) is truncated") }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: buffer[position..<(position + count)])
    }

    private mutating func readString(limit: Int) throws -> String {
        let length = Int(try read(Int32.self))
        guard length >= 1 else { throw BSONError("string length \(length) at offset \(position) is invalid") }
        let bytes = try readBytes(length, limit: limit)
        guard bytes[length - 1] == 0 else { throw BSONError("string at offset \(position - length) is not NUL-terminated") }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<(length - 1)]), as: UTF8.self)
    }

    private mutating func readCString(limit: Int) throws -> String {
        let start = position
        var end = start
        while end < limit, buffer[end] != 0 { end += 1 }
        guard end < limit else { throw BSONError("name at offset \(start) is not NUL-terminated") }
        position = end + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
    }
}
