import DSL

/// Colours DSL source for the terminal (`rnx walk` shows the next cell this way): keywords, strings, numbers, comments.
/// With styling off the text comes back unchanged.
struct SyntaxHighlighter {
    /// The language's reserved words (Python-like) and constants.
    static let keywords: Set<String> = [
        "and", "as", "assert", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally",
        "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield", "True", "False", "None",
    ]

    /// Whether escape codes are written.
    let style: TextStyle

    /// `source` with escape codes around keywords, strings, numbers and comments (multi-line strings are coloured per line,
    /// so every line of the result can be printed on its own). Control characters in the source are shown escaped,
    /// so a lesson file cannot send its own escape sequences to the terminal.
    func highlight(_ source: String) -> String {
        let source = TerminalText.escaped(source)
        guard style.enabled else { return source }
        return SourceToken.tokenize(source).map { token -> String in
            switch token.kind {
            case .word: return Self.keywords.contains(token.text) ? colour(.boldMagenta, token.text) : token.text
            case .number: return colour(.yellow, token.text)
            case .string: return colour(.green, token.text)
            case .comment: return colour(.grey, token.text)
            case .whitespace, .symbol: return token.text
            }
        }.joined()
    }

    private func colour(_ attribute: TextStyle.Attribute, _ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { style.apply(attribute, String($0)) }
            .joined(separator: "\n")
    }
}
