import Foundation

extension BSONValue: Codable {
    /// Reads a value: natively through ``BSONDecoder``; from other formats (JSON) as the first
    /// of null, bool, integer, double, string, array and object that fits.
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var values: [BSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(BSONValue.self)) }
            self = .array(values)
            return
        }
        if (try? decoder.container(keyedBy: BSONCodingKey.self)) != nil {
            self = .document(try BSONDocument(from: decoder))
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = Int32(exactly: integer).map(BSONValue.int32) ?? .int64(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .double(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Writes the value: natively through ``BSONEncoder``; to other formats as the closest
    /// plain value (a date as the encoder writes dates, an ObjectId as its hexadecimal string,
    /// binary data as the encoder writes `Data`, special values as their descriptions).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .document(let document):
            try document.encode(to: encoder)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .double(let number): try container.encode(number)
            case .string(let text): try container.encode(text)
            case .binary(let binary): try container.encode(binary.data)
            case .objectId(let id): try container.encode(id)
            case .bool(let flag): try container.encode(flag)
            case .datetime(let date): try container.encode(date)
            case .null: try container.encodeNil()
            case .int32(let number): try container.encode(number)
            case .int64(let number): try container.encode(number)
            case .regularExpression, .timestamp, .decimal128, .minKey, .maxKey, .document, .array:
                try container.encode(description)
            }
        }
    }
}
