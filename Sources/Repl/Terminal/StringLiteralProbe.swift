/// Answers whether a piece of source ends inside an unterminated string literal (file paths are completed there).
enum StringLiteralProbe {
    /// True when the last token of `prefix` is a string literal still open at its end.
    static func isInsideString(_ prefix: String) -> Bool {
        guard let last = SourceToken.tokenize(prefix).last, last.kind == .string else { return false }
        let text = last.text.drop(while: { "rRfFbBuU".contains($0) })
        guard let quote = text.first else { return false }
        let triple = String(repeating: quote, count: 3)
        if text.hasPrefix(triple) { return text.count < 6 || !text.hasSuffix(triple) }
        if text.count < 2 || text.last != quote { return true }
        // A closing quote preceded by an odd run of backslashes is escaped.
        let backslashes = text.dropLast().reversed().prefix(while: { $0 == "\\" }).count
        return backslashes % 2 == 1
    }
}
