public import Foundation

/// One BSON value: what a field of a MongoDB document holds.
///
/// Filters, updates, sort orders and pipelines are written as ``BSONDocument`` literals whose
/// values are `BSONValue`s, so no query is ever assembled by concatenating text:
///
/// ```swift
/// let filter: BSONDocument = ["sku": .string(sku), "stock": ["$gte": 1]]
/// ```
///
/// Literals map as MongoDB's own drivers do: an integer literal is an `int32` when it fits
/// (an `int64` otherwise), a floating-point literal a `double`, `nil` is `null`, an array
/// literal an array and a dictionary literal an embedded document. Swift values that are not
/// literals go through the initialisers (`BSONValue(sku)`, `.int64(price.minorUnits)`) or
/// through ``init(encoding:)`` for any `Encodable`.
public enum BSONValue: Sendable, Hashable {
    /// A 64-bit binary floating point number (type 0x01).
    case double(Double)
    /// A UTF-8 string (type 0x02).
    case string(String)
    /// An embedded document (type 0x03).
    case document(BSONDocument)
    /// An array (type 0x04).
    case array([BSONValue])
    /// Binary data with its subtype (type 0x05).
    case binary(BSONBinary)
    /// A 12-byte ObjectId (type 0x07).
    case objectId(ObjectId)
    /// A boolean (type 0x08).
    case bool(Bool)
    /// A UTC datetime (type 0x09), stored by MongoDB in whole milliseconds since the epoch.
    case datetime(Date)
    /// Null (type 0x0A); the deprecated `undefined` (0x06) is read as null too.
    case null
    /// A regular expression with its option letters (type 0x0B).
    case regularExpression(pattern: String, options: String)
    /// A 32-bit integer (type 0x10).
    case int32(Int32)
    /// MongoDB's internal replication timestamp (type 0x11), e.g. `operationTime` in replies.
    case timestamp(BSONTimestamp)
    /// A 64-bit integer (type 0x12): money in minor units, counters, sizes.
    case int64(Int64)
    /// An IEEE 754-2008 128-bit decimal (type 0x13), kept as its 16 raw bytes.
    case decimal128(BSONDecimal128)
    /// The key that sorts before every other value (type 0xFF).
    case minKey
    /// The key that sorts after every other value (type 0x7F).
    case maxKey
}

/// Binary data and its BSON subtype (0 generic, 4 UUID, ...).
public struct BSONBinary: Sendable, Hashable {
    /// The subtype byte.
    public var subtype: UInt8
    /// The bytes.
    public var data: Data

    /// Binary data of `subtype` (0, generic, unless given).
    public init(data: Data, subtype: UInt8 = 0) {
        self.data = data
        self.subtype = subtype
    }
}

/// MongoDB's replication timestamp: seconds since the epoch and an ordinal within the second.
public struct BSONTimestamp: Sendable, Hashable {
    /// Seconds since the Unix epoch.
    public var seconds: UInt32
    /// The ordinal of the operation within that second.
    public var increment: UInt32

    /// A timestamp of `seconds` and `increment`.
    public init(seconds: UInt32, increment: UInt32) {
        self.seconds = seconds
        self.increment = increment
    }
}

/// A BSON decimal128 value, kept as its 16 little-endian bytes (no arithmetic is offered:
/// money in Bazaar is `Int64` minor units).
public struct BSONDecimal128: Sendable, Hashable {
    /// The low 64 bits.
    public var low: UInt64
    /// The high 64 bits (sign, combination field and the top of the coefficient).
    public var high: UInt64

    /// The decimal with these two halves.
    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }
}

extension BSONValue {
    /// A string value.
    public init(_ value: String) { self = .string(value) }
    /// An `int64`: Swift's `Int` is 64 bits wide, so it is stored as such.
    public init(_ value: Int) { self = .int64(Int64(value)) }
    /// An `int32`.
    public init(_ value: Int32) { self = .int32(value) }
    /// An `int64`.
    public init(_ value: Int64) { self = .int64(value) }
    /// A `double`.
    public init(_ value: Double) { self = .double(value) }
    /// A boolean.
    public init(_ value: Bool) { self = .bool(value) }
    /// A datetime (sub-millisecond precision is lost when stored).
    public init(_ value: Date) { self = .datetime(value) }
    /// An ObjectId.
    public init(_ value: ObjectId) { self = .objectId(value) }
    /// An embedded document.
    public init(_ value: BSONDocument) { self = .document(value) }
    /// An array.
    public init(_ values: [BSONValue]) { self = .array(values) }

    /// The value `BSONEncoder` makes of `value`: a struct becomes a document, an array an array,
    /// a `Date` a datetime, an ``ObjectId`` an ObjectId, `nil` null.
    public init(encoding value: some Encodable) throws {
        self = try BSONEncoder().encodeValue(value)
    }

    /// The name of the value's BSON type, as error messages and `$type` use it.
    public var typeName: String {
        switch self {
        case .double: "double"
        case .string: "string"
        case .document: "object"
        case .array: "array"
        case .binary: "binData"
        case .objectId: "objectId"
        case .bool: "bool"
        case .datetime: "date"
        case .null: "null"
        case .regularExpression: "regex"
        case .int32: "int"
        case .timestamp: "timestamp"
        case .int64: "long"
        case .decimal128: "decimal"
        case .minKey: "minKey"
        case .maxKey: "maxKey"
        }
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The embedded document, if this is one.
    public var documentValue: BSONDocument? {
        if case .document(let value) = self { return value }
        return nil
    }

    /// The array, if this is one.
    public var arrayValue: [BSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Any numeric value (`int32`, `int64`, or a `double` holding a whole number) as an `Int64`.
    /// Server replies use all three for counts.
    public var int64Value: Int64? {
        switch self {
        case .int32(let value): Int64(value)
        case .int64(let value): value
        case .double(let value): Int64(exactly: value)
        default: nil
        }
    }

    /// Any numeric value as a `Double`.
    public var doubleValue: Double? {
        switch self {
        case .int32(let value): Double(value)
        case .int64(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

extension BSONValue: ExpressibleByStringLiteral {
    /// A string literal is a BSON string.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension BSONValue: ExpressibleByIntegerLiteral {
    /// An integer literal is an `int32` when it fits, as in MongoDB's drivers, else an `int64`.
    public init(integerLiteral value: Int) {
        self = Int32(exactly: value).map(BSONValue.int32) ?? .int64(Int64(value))
    }
}

extension BSONValue: ExpressibleByFloatLiteral {
    /// A floating-point literal is a `double`.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension BSONValue: ExpressibleByBooleanLiteral {
    /// `true` and `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension BSONValue: ExpressibleByNilLiteral {
    /// `nil` is BSON null.
    public init(nilLiteral: ()) { self = .null }
}

extension BSONValue: ExpressibleByArrayLiteral {
    /// An array literal is a BSON array.
    public init(arrayLiteral elements: BSONValue...) { self = .array(elements) }
}

extension BSONValue: ExpressibleByDictionaryLiteral {
    /// A dictionary literal is an embedded document, its keys in the order written.
    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        self = .document(BSONDocument(elements))
    }
}

extension BSONValue: CustomStringConvertible {
    /// A compact, extended-JSON-like rendering for logs and test failures.
    public var description: String {
        switch self {
        case .double(let value): "\(value)"
        case .string(let value): "\"\(value)\""
        case .document(let value): value.description
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .binary(let value): "BinData(\(value.subtype), \(value.data.base64EncodedString()))"
        case .objectId(let value): "ObjectId(\"\(value)\")"
        case .bool(let value): "\(value)"
        case .datetime(let value): "ISODate(\"\(value.formatted(.iso8601))\")"
        case .null: "null"
        case .regularExpression(let pattern, let options): "/\(pattern)/\(options)"
        case .int32(let value): "\(value)"
        case .timestamp(let value): "Timestamp(\(value.seconds), \(value.increment))"
        case .int64(let value): "NumberLong(\(value))"
        case .decimal128(let value): "NumberDecimal(0x\(String(value.high, radix: 16))\(String(value.low, radix: 16)))"
        case .minKey: "MinKey"
        case .maxKey: "MaxKey"
        }
    }
}
