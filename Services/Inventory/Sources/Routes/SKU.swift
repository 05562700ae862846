import BazaarCore

/// What a SKU may look like in a path or a query: 1–64 characters of letters, digits, `.`, `_`
/// and `-` (the catalog's SKUs are upper-case letters, digits and hyphens).
enum SKU {
    static let maximumLength = 64

    static func isValid(_ text: some StringProtocol) -> Bool {
        (1...maximumLength).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }
}
