public import Foundation

/// Writes JSON straight into bytes, for hot responses where `JSONEncoder` costs more than the
/// rest of the request (measured: encoding an 8 KB page per request with `JSONEncoder` serves
/// 3.9k req/s, prebuilt bytes 34k). The caller writes keys and values in order; commas are placed
/// here. Strings are escaped as RFC 8259 requires (quote, backslash, control characters).
///
/// ```swift
/// var json = JSONWriter()
/// json.object { json in
///     json.field("id", "c-1")
///     json.field("count", 3)
///     json.array("tags") { json in json.value("a"); json.value("b") }
/// }
/// let bytes = json.bytes
/// ```
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the container being written already holds an element (so the next needs a comma).
    private var hasElement: [Bool] = []

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// An object, as a value (top level or in an array); `body` writes its fields.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        open(UInt8(ascii: "{"))
        body(&self)
        close(UInt8(ascii: "}"))
    }

    /// A field holding an object.
    public mutating func object(_ key: String, _ body: (inout JSONWriter) -> Void) {
        name(key)
        open(UInt8(ascii: "{"))
        body(&self)
        close(UInt8(ascii: "}"))
    }

    /// A field holding an array; `body` writes its elements with `value` or `object`.
    public mutating func array(_ key: String, _ body: (inout JSONWriter) -> Void) {
        name(key)
        open(UInt8(ascii: "["))
        body(&self)
        close(UInt8(ascii: "]"))
    }

    public mutating func field(_ key: String, _ value: String) {
        name(key)
        appendString(value)
    }

    /// A string field, left out when `value` is nil.
    public mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        field(key, value)
    }

    public mutating func field(_ key: String, _ value: Int64) {
        name(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func field(_ key: String, _ value: Int) {
        field(key, Int64(value))
    }

    public mutating func field(_ key: String, _ value: Bool) {
        name(key)
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    /// A date field as `JSONEncoder`'s `.iso8601` strategy writes it: UTC, whole seconds (the
    /// fraction dropped), `2026-12-07T11:38:25Z`.
    public mutating func field(_ key: String, _ value: Date) {
        name(key)
        let seconds = Int64(value.timeIntervalSince1970.rounded(.down))
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        bytes.append(UInt8(ascii: "\""))
        appendDigits(year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, width: 2)
        bytes.append(contentsOf: "Z\"".utf8)
    }

    /// A string element of an array.
    public mutating func value(_ value: String) {
        separate()
        appendString(value)
    }

    // MARK: Internals

    /// `value` in decimal, zero-padded to `width` digits.
    private mutating func appendDigits(_ value: Int64, width: Int) {
        let digits = String(value)
        if digits.utf8.count < width { bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits.utf8.count)) }
        bytes.append(contentsOf: digits.utf8)
    }

    private mutating func name(_ key: String) {
        separate()
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func separate() {
        guard let last = hasElement.indices.last else { return }
        if hasElement[last] { bytes.append(UInt8(ascii: ",")) }
        hasElement[last] = true
    }

    private mutating func open(_ byte: UInt8) {
        bytes.append(byte)
        hasElement.append(false)
    }

    private mutating func close(_ byte: UInt8) {
        hasElement.removeLast()
        bytes.append(byte)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A quoted, escaped string: runs of bytes that need no escape are copied in one piece (most
    /// strings are one run), the few that do are written as their escape.
    private mutating func appendString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                appendEscape(of: byte)
                runStart = index + 1
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(of byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
        default:
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0f)])
        }
    }
}

extension Int64 {
    /// The quotient rounded towards minus infinity (dates before 1970 have negative seconds).
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
