/// Splits an SQL script into single statements, because the extended query protocol that
/// postgres-nio speaks runs one statement at a time.
///
/// Semicolons inside quoted strings (`'...'`, `E'...'`), quoted identifiers, dollar-quoted bodies
/// (`$$...$$`, `$tag$...$tag$`) and comments do not end a statement. Statements holding only
/// comments or blanks are dropped.
enum SQLScript {
    static func statements(in script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func flush() {
            let text = String(current).trimmingWhitespace()
            if hasCode, !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        func copy(through end: Int) {
            let stop = min(end, characters.count - 1)
            if index <= stop { current.append(contentsOf: characters[index...stop]) }
            index = stop + 1
        }

        while index < characters.count {
            let character = characters[index]
            let next: Unicode.Scalar? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                let end = characters[index...].firstIndex(of: "\n") ?? characters.count - 1
                copy(through: end)
            case "/" where next == "*":
                copy(through: endOfBlockComment(characters, from: index))
            case "'":
                let backslashEscapes = index > 0 && (characters[index - 1] == "E" || characters[index - 1] == "e")
                hasCode = true
                copy(through: endOfQuoted(characters, from: index, quote: "'", backslashEscapes: backslashEscapes))
            case "\"":
                hasCode = true
                copy(through: endOfQuoted(characters, from: index, quote: "\"", backslashEscapes: false))
            case "$":
                hasCode = true
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index...tagEnd])
                    copy(through: endOfDollarQuoted(characters, bodyStart: tagEnd + 1, tag: tag))
                } else {
                    copy(through: index)
                }
            case ";":
                index += 1
                flush()
            default:
                if !character.properties.isWhitespace { hasCode = true }
                copy(through: index)
            }
        }
        flush()
        return statements
    }

    /// Index of the `/` closing the (possibly nested) block comment starting at `start`.
    static func endOfBlockComment(_ characters: [Unicode.Scalar], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index + 1 < characters.count {
            if characters[index] == "/" && characters[index + 1] == "*" {
                depth += 1
                index += 2
            } else if characters[index] == "*" && characters[index + 1] == "/" {
                depth -= 1
                index += 2
                if depth == 0 { return index - 1 }
            } else {
                index += 1
            }
        }
        return characters.count - 1
    }

    /// Index of the closing quote; a doubled quote is an escaped quote.
    static func endOfQuoted(_ characters: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar, backslashEscapes: Bool) -> Int {
        var index = start + 1
        while index < characters.count {
            if backslashEscapes && characters[index] == "\\" {
                index += 2
                continue
            }
            if characters[index] == quote {
                if index + 1 < characters.count && characters[index + 1] == quote {
                    index += 2
                    continue
                }
                return index
            }
            index += 1
        }
        return characters.count - 1
    }

    /// When a dollar-quote tag (`$$` or `$name$`) starts at `start`, the index of its closing `$`.
    static func dollarTagEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        // `$1` is a parameter, not a tag; tags start with a letter or underscore.
        if start > 0, characters[start - 1].properties.isAlphabetic || characters[start - 1] == "_" { return nil }
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "$" { return index }
            let isTagCharacter = character.properties.isAlphabetic || character == "_" || (index > start + 1 && ("0"..."9").contains(character))
            guard isTagCharacter else { return nil }
            index += 1
        }
        return nil
    }

    /// Index of the last `$` of the closing tag.
    static func endOfDollarQuoted(_ characters: [Unicode.Scalar], bodyStart: Int, tag: [Unicode.Scalar]) -> Int {
        var index = bodyStart
        while index + tag.count <= characters.count {
            if Array(characters[index..<(index + tag.count)]) == tag { return index + tag.count - 1 }
            index += 1
        }
        return characters.count - 1
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
