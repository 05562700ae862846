import Foundation

/// Encodes `Encodable` values as BSON documents, the way MongoDB stores them.
///
/// | Swift | BSON |
/// |---|---|
/// | `String` | string |
/// | `Int`, `Int64`, `UInt32` | int64 (money in minor units stays exact) |
/// | `Int32`, `Int16`, `Int8`, `UInt16`, `UInt8` | int32 |
/// | `Double`, `Float` | double |
/// | `Bool` | bool |
/// | `Date` | datetime (whole milliseconds, as MongoDB stores dates) |
/// | ``ObjectId`` | ObjectId |
/// | `Data` | binary (subtype 0) |
/// | `URL` | string |
/// | structs, classes, `[String: T]` | embedded document |
/// | arrays, sets | array |
/// | `nil` optional | absent field (synthesised `Codable` skips it), `null` inside arrays |
/// | ``BSONValue``, ``BSONDocument`` | themselves |
public struct BSONEncoder: Sendable {
    /// An encoder.
    public init() {}

    /// Encodes `value`, which must encode as a document (a struct, class or string-keyed
    /// dictionary).
    /// - Throws: `EncodingError.invalidValue` when `value` is not a document or holds a value
    ///   BSON cannot represent (a `UInt64` above `Int64.max`).
    public func encode(_ value: some Encodable) throws -> BSONDocument {
        guard case .document(let document) = try encodeValue(value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(type(of: value)) does not encode as a BSON document"))
        }
        return document
    }

    /// Encodes any value: a document, an array or a single value.
    public func encodeValue(_ value: some Encodable) throws -> BSONValue {
        try BSONEncoding.box(value, codingPath: []).resolved
    }
}

/// The encoding machinery: containers write into reference-typed nodes that are resolved into
/// ``BSONValue``s once the whole value was encoded (containers may be requested before their
/// contents are known, and super-encoders fill theirs later).
enum BSONEncoding {
    /// The BSON value of types the encoder stores natively, or nil for everything else.
    static func native(_ value: some Encodable) -> BSONValue? {
        switch value {
        case let value as BSONValue: value
        case let value as BSONDocument: .document(value)
        case let value as ObjectId: .objectId(value)
        case let value as Date: .datetime(value)
        case let value as Data: .binary(BSONBinary(data: value))
        case let value as URL: .string(value.absoluteString)
        case let value as BSONBinary: .binary(value)
        case let value as BSONTimestamp: .timestamp(value)
        case let value as BSONDecimal128: .decimal128(value)
        default: nil
        }
    }

    static func box(_ value: some Encodable, codingPath: [any CodingKey]) throws -> Node {
        if let native = native(value) { return .value(native) }
        let encoder = BSONEncoderImplementation(codingPath: codingPath)
        try value.encode(to: encoder)
        return encoder.node ?? .document(DocumentNode())
    }

    static func int64(_ value: UInt64, codingPath: [any CodingKey]) throws -> BSONValue {
        guard let exact = Int64(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) does not fit in a BSON int64"))
        }
        return .int64(exact)
    }

    /// A value under construction.
    enum Node {
        case value(BSONValue)
        case document(DocumentNode)
        case array(ArrayNode)
        /// A super-encoder's result, read when resolved.
        case pending(BSONEncoderImplementation)

        var resolved: BSONValue {
            switch self {
            case .value(let value): value
            case .document(let node): .document(node.resolved)
            case .array(let node): .array(node.elements.map(\.resolved))
            case .pending(let encoder): (encoder.node ?? .document(DocumentNode())).resolved
            }
        }
    }

    final class DocumentNode {
        var keys: [String] = []
        var values: [Node] = []

        /// Sets `key`, replacing an earlier value of the same key in its position.
        func set(_ key: String, _ node: Node) {
            if let index = keys.firstIndex(of: key) {
                values[index] = node
            } else {
                keys.append(key)
                values.append(node)
            }
        }

        /// The existing node for `key`, so nested containers requested twice share one node.
        func existing(_ key: String) -> Node? {
            keys.firstIndex(of: key).map { values[$0] }
        }

        var resolved: BSONDocument {
            var document = BSONDocument()
            document.reserveCapacity(keys.count)
            for index in keys.indices { document.appendUnchecked(keys[index], values[index].resolved) }
            return document
        }
    }

    final class ArrayNode {
        var elements: [Node] = []
    }
}

/// The `Encoder` handed to `encode(to:)`.
final class BSONEncoderImplementation: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// What was encoded; nil while nothing was.
    var node: BSONEncoding.Node?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let document: BSONEncoding.DocumentNode
        if case .document(let existing) = node {
            document = existing
        } else {
            document = BSONEncoding.DocumentNode()
            node = .document(document)
        }
        return KeyedEncodingContainer(BSONKeyedEncodingContainer<Key>(document: document, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: BSONEncoding.ArrayNode
        if case .array(let existing) = node {
            array = existing
        } else {
            array = BSONEncoding.ArrayNode()
            node = .array(array)
        }
        return BSONUnkeyedEncodingContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        BSONSingleValueEncodingContainer(encoder: self)
    }
}

struct BSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let document: BSONEncoding.DocumentNode
    let codingPath: [any CodingKey]

    private func set(_ value: BSONValue, _ key: Key) { document.set(key.stringValue, .value(value)) }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int64(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int32(Int32(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int32(Int32(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int32(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int64(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int32(Int32(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int32(Int32(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.int64(Int64(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        set(try BSONEncoding.int64(UInt64(value), codingPath: codingPath + [key]), key)
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        set(try BSONEncoding.int64(value, codingPath: codingPath + [key]), key)
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        document.set(key.stringValue, try BSONEncoding.box(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested: BSONEncoding.DocumentNode
        if case .document(let existing) = document.existing(key.stringValue) {
            nested = existing
        } else {
            nested = BSONEncoding.DocumentNode()
            document.set(key.stringValue, .document(nested))
        }
        return KeyedEncodingContainer(BSONKeyedEncodingContainer<NestedKey>(document: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested: BSONEncoding.ArrayNode
        if case .array(let existing) = document.existing(key.stringValue) {
            nested = existing
        } else {
            nested = BSONEncoding.ArrayNode()
            document.set(key.stringValue, .array(nested))
        }
        return BSONUnkeyedEncodingContainer(array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(key: BSONCodingKey(stringValue: "super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(key: key)
    }

    private func superEncoder(key: some CodingKey) -> any Encoder {
        let encoder = BSONEncoderImplementation(codingPath: codingPath + [key])
        document.set(key.stringValue, .pending(encoder))
        return encoder
    }
}

struct BSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let array: BSONEncoding.ArrayNode
    let codingPath: [any CodingKey]
    var count: Int { array.elements.count }

    private var nextKey: BSONCodingKey { BSONCodingKey(intValue: array.elements.count) }
    private func append(_ value: BSONValue) { array.elements.append(.value(value)) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { append(.int64(Int64(value))) }
    mutating func encode(_ value: Int8) throws { append(.int32(Int32(value))) }
    mutating func encode(_ value: Int16) throws { append(.int32(Int32(value))) }
    mutating func encode(_ value: Int32) throws { append(.int32(value)) }
    mutating func encode(_ value: Int64) throws { append(.int64(value)) }
    mutating func encode(_ value: UInt8) throws { append(.int32(Int32(value))) }
    mutating func encode(_ value: UInt16) throws { append(.int32(Int32(value))) }
    mutating func encode(_ value: UInt32) throws { append(.int64(Int64(value))) }
    mutating func encode(_ value: UInt) throws { append(try BSONEncoding.int64(UInt64(value), codingPath: codingPath + [nextKey])) }
    mutating func encode(_ value: UInt64) throws { append(try BSONEncoding.int64(value, codingPath: codingPath + [nextKey])) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try BSONEncoding.box(value, codingPath: codingPath + [nextKey]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = nextKey
        let nested = BSONEncoding.DocumentNode()
        array.elements.append(.document(nested))
        return KeyedEncodingContainer(BSONKeyedEncodingContainer<NestedKey>(document: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = nextKey
        let nested = BSONEncoding.ArrayNode()
        array.elements.append(.array(nested))
        return BSONUnkeyedEncodingContainer(array: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = BSONEncoderImplementation(codingPath: codingPath + [nextKey])
        array.elements.append(.pending(encoder))
        return encoder
    }
}

struct BSONSingleValueEncodingContainer: SingleValueEncodingContainer {
    let encoder: BSONEncoderImplementation
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ value: BSONValue) { encoder.node = .value(value) }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.double(value)) }
    mutating func encode(_ value: Float) throws { set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { set(.int64(Int64(value))) }
    mutating func encode(_ value: Int8) throws { set(.int32(Int32(value))) }
    mutating func encode(_ value: Int16) throws { set(.int32(Int32(value))) }
    mutating func encode(_ value: Int32) throws { set(.int32(value)) }
    mutating func encode(_ value: Int64) throws { set(.int64(value)) }
    mutating func encode(_ value: UInt8) throws { set(.int32(Int32(value))) }
    mutating func encode(_ value: UInt16) throws { set(.int32(Int32(value))) }
    mutating func encode(_ value: UInt32) throws { set(.int64(Int64(value))) }
    mutating func encode(_ value: UInt) throws { set(try BSONEncoding.int64(UInt64(value), codingPath: codingPath)) }
    mutating func encode(_ value: UInt64) throws { set(try BSONEncoding.int64(value, codingPath: codingPath)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.node = try BSONEncoding.box(value, codingPath: codingPath)
    }
}

/// A coding key for array positions and `super`.
struct BSONCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
