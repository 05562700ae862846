import BazaarCore
import Testing

@Suite("Trimming HTTP's optional whitespace")
struct OptionalWhitespaceTests {
    @Test("spaces and tabs go from both ends; inner ones, other whitespace and non-ASCII text stay", arguments: [
        ("  token  ", "token"),
        ("\ttoken\t ", "token"),
        ("a b\tc", "a b\tc"),
        (" \t ", ""),
        ("", ""),
        ("\nline\n", "\nline\n"),
        (" grüße 🙂 ", "grüße 🙂"),
    ])
    func trims(input: String, expected: String) {
        #expect(input.trimmingOptionalWhitespace == expected)
        #expect(input.dropFirst(0).trimmingOptionalWhitespace == expected, "the same on a substring")
    }
}
