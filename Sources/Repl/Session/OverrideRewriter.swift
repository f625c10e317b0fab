/// Makes `rnx run --set lr=0.05` win over the script's own default `lr = 0.1`.
///
/// Design: overridden names are defined as globals before the script runs, and every top-level simple
/// assignment to one of them (`lr = 0.1` starting in column 0, outside brackets and strings) is rewritten to assign
/// `_` instead, padded to the same width (`_  = 0.1`): the default is still evaluated, so errors and side effects
/// stay where they were, at the same line and column, but it is not stored. Assignments inside blocks, tuple
/// targets and augmented assignments (`lr *= 2`) are left alone: they are computations, not defaults.
enum OverrideRewriter {
    /// `source` with top-level `name = ...` assignments for `names` redirected to `_`.
    static func rewrite(_ source: String, overriding names: Set<String>) -> String {
        guard !names.isEmpty else { return source }
        let tokens = SourceToken.tokenize(source)
        var output = ""
        var depth = 0
        var atLineStart = true
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if atLineStart, depth == 0, token.kind == .word, names.contains(token.text), isPlainAssignment(tokens, after: index) {
                output += "_" + String(repeating: " ", count: token.text.count - 1)
                atLineStart = false
                index += 1
                continue
            }
            switch token.kind {
            case .symbol:
                if "([{".contains(token.text) { depth += 1 }
                if ")]}".contains(token.text) { depth = max(0, depth - 1) }
                atLineStart = false
            case .whitespace:
                // Column 0 only: a newline followed by indentation starts a line inside a block.
                atLineStart = token.text.contains("\n") && token.text.hasSuffix("\n")
            case .comment:
                break
            case .word, .number, .string:
                atLineStart = false
            }
            output += token.text
            index += 1
        }
        return output
    }

    /// True when the tokens after `index` are optional spaces, then `=` not followed by `=`.
    private static func isPlainAssignment(_ tokens: [SourceToken], after index: Int) -> Bool {
        var next = index + 1
        if next < tokens.count, tokens[next].kind == .whitespace, !tokens[next].text.contains("\n") { next += 1 }
        guard next < tokens.count, tokens[next] == SourceToken(kind: .symbol, text: "=") else { return false }
        return !(next + 1 < tokens.count && tokens[next + 1] == SourceToken(kind: .symbol, text: "="))
    }
}
