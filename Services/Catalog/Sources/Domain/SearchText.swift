import Foundation

/// Turns text into search tokens: lower-cased, accents and symbols folded (`Ø` → `o`,
/// `mm²` → `mm2`), split at anything that is not a letter or digit.
enum SearchText {
    /// The words of `text`, normalised.
    static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
            .lowercased()
        let spelled = folded.reduce(into: "") { text, character in text += replacements[character] ?? String(character) }
        return spelled.split { !($0.isLetter || $0.isNumber) }.map(String.init).filter { !$0.isEmpty }
    }

    /// Letters and symbols that folding keeps but a shopper types differently.
    private static let replacements: [Character: String] = [
        "²": "2", "³": "3", "×": " x ", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "þ": "th",
    ]

    /// Every word of `fields` and every beginning of at least two characters of the words of
    /// `prefixFields` (so `cab` finds `cable`), without duplicates, in a stable order.
    static func tokens(words fields: [String], prefixesOf prefixFields: [String]) -> [String] {
        var tokens: [String] = []
        var seen: Set<String> = []
        func add(_ token: String) {
            if seen.insert(token).inserted { tokens.append(token) }
        }
        for word in prefixFields.flatMap(words) {
            add(word)
            guard word.count > 2 else { continue }
            for length in 2..<word.count { add(String(word.prefix(length))) }
        }
        for word in fields.flatMap(words) { add(word) }
        return tokens
    }

    /// The search tokens of a product: prefixes of its name, brand and SKU words, whole words of
    /// its description and attribute values.
    static func tokens(for product: Product, brandName: String?) -> [String] {
        let prefixFields = [product.name, brandName ?? "", product.sku]
        let wordFields = [product.description] + product.attributes.values.sorted()
        return tokens(words: wordFields, prefixesOf: prefixFields)
    }

    /// A query's terms (at most 8, each at least one character).
    static func queryTerms(_ query: String) -> [String] {
        Array(words(query).prefix(8))
    }
}

/// URL names: lower-case ASCII letters, digits and single hyphens.
enum Slug {
    static func make(from text: String) -> String {
        let words = SearchText.words(text).map { word in word.unicodeScalars.filter(\.isASCII).map(String.init).joined() }
        return words.filter { !$0.isEmpty }.joined(separator: "-")
    }

    static func isValid(_ slug: String) -> Bool {
        guard (1...120).contains(slug.count), !slug.hasPrefix("-"), !slug.hasSuffix("-"), !slug.contains("--") else { return false }
        return slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
