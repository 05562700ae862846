import Foundation

/// A document or value that cannot be written as, or read from, BSON: a field name holding a
/// NUL character, bytes that are not a well-formed document, a type this library does not read.
public struct BSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    init(_ message: String) { self.message = message }

    /// `BSON error: <message>`.
    public var description: String { "BSON error: \(message)" }
}

extension BSONDocument {
    /// The document in BSON's binary form (what libmongoc sends to the server).
    /// - Throws: ``BSONError`` when a field name or regular expression contains a NUL character.
    public func bsonBytes() throws -> [UInt8] {
        var writer = BSONWriter()
        try writer.write(self)
        return writer.bytes
    }
}

/// Serialises documents into BSON bytes (little-endian, length-prefixed, as the specification
/// at bsonspec.org describes).
struct BSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ document: BSONDocument) throws {
        let start = beginDocument()
        for index in 0..<document.count {
            try writeElement(document.key(at: index), document.value(at: index))
        }
        endDocument(startingAt: start)
    }

    private mutating func writeArray(_ values: [BSONValue]) throws {
        let start = beginDocument()
        for (index, value) in values.enumerated() {
            try writeElement(String(index), value)
        }
        endDocument(startingAt: start)
    }

    private mutating func beginDocument() -> Int {
        let start = bytes.count
        append(Int32(0))  // patched by endDocument
        return start
    }

    private mutating func endDocument(startingAt start: Int) {
        bytes.append(0)
        let length = Int32(bytes.count - start).littleEndian
        withUnsafeBytes(of: length) { lengthBytes in
            for offset in 0..<4 { bytes[start + offset] = lengthBytes[offset] }
        }
    }

    private mutating func writeElement(_ key: String, _ value: BSONValue) throws {
        bytes.append(Self.typeByte(of: value))
        try appendCString(key, what: "field name")
        switch value {
        case .double(let number): append(number.bitPattern)
        case .string(let text): appendString(text)
        case .document(let document): try write(document)
        case .array(let values): try writeArray(values)
        case .binary(let binary):
            append(Int32(binary.data.count))
            bytes.append(binary.subtype)
            bytes.append(contentsOf: binary.data)
        case .objectId(let id): bytes.append(contentsOf: id.bytes)
        case .bool(let flag): bytes.append(flag ? 1 : 0)
        case .datetime(let date): append(Self.milliseconds(of: date))
        case .null, .minKey, .maxKey: break
        case .regularExpression(let pattern, let options):
            try appendCString(pattern, what: "regular expression")
            // The specification requires the option letters in alphabetical order.
            try appendCString(String(options.sorted()), what: "regular expression options")
        case .int32(let number): append(number)
        case .timestamp(let timestamp):
            append(timestamp.increment)
            append(timestamp.seconds)
        case .int64(let number): append(number)
        case .decimal128(let decimal):
            append(decimal.low)
            append(decimal.high)
        }
    }

    /// Milliseconds since the epoch, rounded to the nearest so that a date read from BSON
    /// round-trips exactly.
    static func milliseconds(of date: Date) -> Int64 {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        return Int64(exactly: milliseconds) ?? (milliseconds < 0 ? Int64.min : Int64.max)
    }

    static func typeByte(of value: BSONValue) -> UInt8 {
        switch value {
        case .double: 0x01
        case .string: 0x02
        case .document: 0x03
        case .array: 0x04
        case .binary: 0x05
        case .objectId: 0x07
        case .bool: 0x08
        case .datetime: 0x09
        case .null: 0x0A
        case .regularExpression: 0x0B
        case .int32: 0x10
        case .timestamp: 0x11
        case .int64: 0x12
        case .decimal128: 0x13
        case .minKey: 0xFF
        case .maxKey: 0x7F
        }
    }

    private mutating func append<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func appendString(_ text: String) {
        var contiguous = text
        contiguous.withUTF8 { utf8 in
            append(Int32(utf8.count + 1))
            bytes.append(contentsOf: utf8)
        }
        bytes.append(0)
    }

    private mutating func appendCString(_ text: String, what: String) throws {
        var contiguous = text
        try contiguous.withUTF8 { utf8 in
            guard !utf8.contains(0) else {
                throw BSONError("\(what) \"\(text.replacingOccurrences(of: "\0", with: "\\0"))\" contains a NUL character")
            }
            bytes.append(contentsOf: utf8)
        }
        bytes.append(0)
    }
}
