/// `LIKE`/`ILIKE` patterns built from user input: the input's own `%`, `_` and `\` match
/// themselves, so a search for `50%_off` finds exactly that.
public enum LikePattern {
    /// A pattern matching any text that contains `text` (every text when it is empty).
    public static func containing(_ text: String) -> String {
        "%" + escaped(text) + "%"
    }

    /// `text` with the `LIKE` wildcards and the escape character escaped.
    public static func escaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
