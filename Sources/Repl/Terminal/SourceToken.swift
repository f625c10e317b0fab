/// A token of DSL source as far as colouring and line classification need: the DSL's own lexer decides what is valid,
/// this only has to know where strings, comments, numbers and words are (Python-like syntax).
struct SourceToken: Equatable {
    /// The kind of text a token holds.
    enum Kind: Equatable {
        /// A name or keyword.
        case word
        /// An integer or floating-point literal.
        case number
        /// A string literal with its quotes and prefix (possibly unterminated at the end of the text).
        case string
        /// A `#` comment up to the end of its line.
        case comment
        /// Spaces, tabs and newlines.
        case whitespace
        /// Operators and punctuation, one character each.
        case symbol
    }

    /// What the text is.
    let kind: Kind
    /// The exact source text, so joining all tokens gives back the input.
    let text: String

    /// Splits `source` into tokens; never fails (anything unrecognised is a one-character symbol).
    static func tokenize(_ source: String) -> [SourceToken] {
        let characters = Array(source)
        var tokens: [SourceToken] = []
        var index = 0
        while index < characters.count {
            let start = index
            let character = characters[index]
            let kind: Kind
            if character == "#" {
                while index < characters.count, characters[index] != "\n" { index += 1 }
                kind = .comment
            } else if character.isWhitespace {
                while index < characters.count, characters[index].isWhitespace { index += 1 }
                kind = .whitespace
            } else if let end = stringEnd(characters, from: index) {
                index = end
                kind = .string
            } else if character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
                index = numberEnd(characters, from: index)
                kind = .number
            } else if character.isLetter || character == "_" {
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
                    index += 1
                }
                kind = .word
            } else {
                index += 1
                kind = .symbol
            }
            tokens.append(SourceToken(kind: kind, text: String(characters[start..<index])))
        }
        return tokens
    }

    /// The end of a string literal starting at `start` (with an optional `r`/`f`/`b` prefix), or nil when none starts there.
    private static func stringEnd(_ characters: [Character], from start: Int) -> Int? {
        var index = start
        while index < characters.count, index - start < 2, "rRfFbBuU".contains(characters[index]) { index += 1 }
        guard index < characters.count, characters[index] == "\"" || characters[index] == "'" else { return nil }
        let quote = characters[index]
        let isTriple = index + 2 < characters.count && characters[index + 1] == quote && characters[index + 2] == quote
        index += isTriple ? 3 : 1
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
                continue
            }
            if !isTriple && character == "\n" { return index }
            if character == quote {
                if !isTriple { return index + 1 }
                if index + 2 < characters.count && characters[index + 1] == quote && characters[index + 2] == quote {
                    return index + 3
                }
            }
            index += 1
        }
        return characters.count
    }

    /// The end of a number literal: digits, `_`, one `.`, an exponent with sign, hex/binary digits after `0x`/`0b`.
    private static func numberEnd(_ characters: [Character], from start: Int) -> Int {
        var index = start
        while index < characters.count {
            let character = characters[index]
            if character.isNumber || character.isLetter || character == "_" || character == "." {
                index += 1
            } else if character == "+" || character == "-", index > start, "eE".contains(characters[index - 1]),
                !(index - 2 >= start && (characters[index - 2] == "x" || characters[index - 2] == "X"))
            {
                index += 1
            } else {
                break
            }
        }
        return index
    }
}
