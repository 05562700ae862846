/// An ordered BSON document: filters, updates, projections, sort orders, pipeline stages,
/// commands, and documents read without a Codable type.
///
/// Keys keep the order they were written in (MongoDB cares for sort orders and compound index
/// keys). Written as a dictionary literal:
///
/// ```swift
/// let update: BSONDocument = ["$inc": ["stock": -1], "$set": ["updatedAt": .datetime(now)]]
/// let sort: BSONDocument = ["price": 1, "_id": 1]
/// ```
public struct BSONDocument: Sendable, Hashable {
    /// One field: its name and value.
    public typealias Element = (key: String, value: BSONValue)

    private var keys: [String]
    private var values: [BSONValue]

    /// An empty document (`{}`: as a filter, it matches everything).
    public init() {
        keys = []
        values = []
    }

    /// A document of these fields, in this order. A repeated key keeps its first position and
    /// its last value.
    public init(_ elements: some Sequence<(String, BSONValue)>) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }

    /// A document `BSONEncoder` makes of `value` (a struct, a class, or a dictionary keyed by
    /// strings).
    public init(encoding value: some Encodable) throws {
        self = try BSONEncoder().encode(value)
    }

    /// The fields in order.
    public var elements: [Element] {
        zip(keys, values).map { (key: $0, value: $1) }
    }

    /// The field names in order.
    public var fieldNames: [String] { keys }

    /// The number of fields.
    public var count: Int { keys.count }

    /// Whether the document has no fields.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value of `key`, or nil when absent. Setting nil removes the field; setting a new key
    /// appends it.
    public subscript(key: String) -> BSONValue? {
        get {
            guard let index = keys.firstIndex(of: key) else { return nil }
            return values[index]
        }
        set {
            if let index = keys.firstIndex(of: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// Appends a field without looking for an existing one of the same name (the readers and
    /// encoders use this; a document with repeated keys is still valid BSON).
    mutating func appendUnchecked(_ key: String, _ value: BSONValue) {
        keys.append(key)
        values.append(value)
    }

    /// Reserves room for `count` fields.
    mutating func reserveCapacity(_ count: Int) {
        keys.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    /// The value at `index` (readers walk documents by position).
    func value(at index: Int) -> BSONValue { values[index] }

    /// The key at `index`.
    func key(at index: Int) -> String { keys[index] }

    /// A copy with the fields of `other` set over these.
    public func merging(_ other: BSONDocument) -> BSONDocument {
        var result = self
        for index in 0..<other.count { result[other.keys[index]] = other.values[index] }
        return result
    }

    /// Decodes the document as `type` with a `BSONDecoder`.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try BSONDecoder().decode(type, from: self)
    }
}

extension BSONDocument: ExpressibleByDictionaryLiteral {
    /// The fields of the literal, in the order written.
    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        self.init(elements)
    }
}

extension BSONDocument: Sequence {
    /// Iterates the fields in order.
    public func makeIterator() -> some IteratorProtocol<Element> {
        elements.makeIterator()
    }
}

extension BSONDocument: CustomStringConvertible {
    /// A compact, extended-JSON-like rendering for logs and test failures.
    public var description: String {
        if isEmpty { return "{}" }
        let fields = zip(keys, values).map { "\"\($0)\": \($1.description)" }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

extension BSONDocument: Codable {
    /// Reads a document: natively through ``BSONDecoder``; from other formats (JSON) as an
    /// object whose values are read as ``BSONValue``s.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: BSONCodingKey.self)
        self.init()
        for key in container.allKeys {
            appendUnchecked(key.stringValue, try container.decode(BSONValue.self, forKey: key))
        }
    }

    /// Writes the document: natively through ``BSONEncoder``; to other formats as an object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: BSONCodingKey.self)
        for index in 0..<count {
            try container.encode(value(at: index), forKey: BSONCodingKey(stringValue: key(at: index)))
        }
    }
}
