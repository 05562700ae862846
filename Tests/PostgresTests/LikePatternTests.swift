import BazaarPostgres
import Testing

@Suite("LIKE patterns from user input")
struct LikePatternTests {
    @Test("wildcards and the escape character in a search match themselves")
    func escaping() {
        #expect(LikePattern.escaped(#"50%_off\"#) == #"50\%\_off\\"#)
        #expect(LikePattern.containing("a_b") == #"%a\_b%"#)
        #expect(LikePattern.containing("") == "%%")
    }
}
