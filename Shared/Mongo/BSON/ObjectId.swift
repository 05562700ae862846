public import Foundation
import Synchronization

/// MongoDB's 12-byte ObjectId: a 4-byte creation time in seconds, 5 random bytes fixed per
/// process and a 3-byte counter, so ids made by different processes never collide and sort
/// roughly by creation time.
///
/// Through ``BSONEncoder`` it is stored as a BSON ObjectId; through `JSONEncoder` (an API
/// response) it is its 24-character hexadecimal string.
public struct ObjectId: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The first four bytes, big-endian: seconds since the epoch.
    let timePart: UInt32
    /// The last eight bytes, big-endian: process-random bytes and counter.
    let restPart: UInt64

    /// A new, unique id.
    public init() {
        let seconds = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        let counter = ObjectIdGenerator.counter.add(1, ordering: .relaxed).oldValue & 0xFF_FFFF
        self.init(timePart: seconds, restPart: ObjectIdGenerator.processRandom << 24 | UInt64(counter))
    }

    init(timePart: UInt32, restPart: UInt64) {
        self.timePart = timePart
        self.restPart = restPart
    }

    /// The id with these 12 bytes, or nil when there are not exactly 12.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 12 else { return nil }
        var time: UInt32 = 0
        var rest: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 4 { time = time << 8 | UInt32(byte) } else { rest = rest << 8 | UInt64(byte) }
        }
        self.init(timePart: time, restPart: rest)
    }

    /// The id written as 24 hexadecimal digits, or nil when `hex` is not that.
    public init?(_ hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 24 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12)
        var index = 0
        while index < 24 {
            guard let high = Self.hexDigit(utf8[index]), let low = Self.hexDigit(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes: bytes)
    }

    /// The 12 bytes.
    public var bytes: [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: timePart >> (24 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: restPart >> (56 - 8 * $0)) }
    }

    /// When the id was made (whole seconds).
    public var creationDate: Date { Date(timeIntervalSince1970: TimeInterval(timePart)) }

    /// The 24 lowercase hexadecimal digits.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(24)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Orders by bytes, hence by creation time first.
    public static func < (lhs: ObjectId, rhs: ObjectId) -> Bool {
        (lhs.timePart, lhs.restPart) < (rhs.timePart, rhs.restPart)
    }

    /// Reads the hexadecimal form (what ``encode(to:)`` writes for non-BSON encoders).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = ObjectId(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a 24-digit hexadecimal ObjectId")
        }
        self = id
    }

    /// Writes the hexadecimal form; ``BSONEncoder`` writes a BSON ObjectId instead.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func hexDigit(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The per-process parts of new ObjectIds.
enum ObjectIdGenerator {
    /// Five random bytes, drawn once per process.
    static let processRandom: UInt64 = UInt64.random(in: 0...0xFF_FFFF_FFFF)
    /// Incremented for every id; starts at a random value as the specification asks.
    static let counter = Atomic<UInt32>(UInt32.random(in: 0...0xFF_FFFF))
}
