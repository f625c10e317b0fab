extension Interpreter {
    /// Whether the lines typed so far form a complete entry the REPL should run now, or whether it should
    /// ask for another line. `source` is the lines entered so far joined with "\n" (no trailing newline).
    ///
    /// Incomplete: an open bracket, an unterminated triple-quoted string, a trailing backslash, a line ending
    /// in a block header's `:`, or a compound statement (if/for/while/def, or any indented block) that has not
    /// yet been ended by a blank line. Everything else is complete, including input with errors (running it
    /// reports them).
    public static func isComplete(_ source: String) -> Bool {
        if source.allSatisfy(\.isWhitespace) { return true }
        var scanner = Scanner(text: source, source: SourceText(name: "<input>", text: source))
        let tokens: [Token]
        do {
            tokens = try scanner.scanTokens()
        } catch let error as DSLError {
            return !error.isPrematureEnd
        } catch {
            return true
        }
        let structural: Set<TokenKind> = [.newline, .indent, .dedent, .end]
        let meaningful = tokens.filter { !structural.contains($0.kind) }
        guard let last = meaningful.last else { return true }
        if last.kind == .colon { return false }
        if lacksHeaderColon(tokens) { return true }
        var startsBlock = tokens.contains { $0.kind == .indent }
        var atLineStart = true
        for token in tokens {
            if atLineStart && token.kind.startsCompoundStatement { startsBlock = true }
            atLineStart = structural.contains(token.kind)
        }
        guard startsBlock else { return true }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 1 && (lines.last?.allSatisfy(\.isWhitespace) ?? true)
    }

    /// A first line opening a block (`def f(x)`, `for i in range(3)`) without its `:`: more lines cannot mend it, so
    /// the entry runs at once and reports the missing colon instead of showing a continuation prompt.
    private static func lacksHeaderColon(_ tokens: [Token]) -> Bool {
        guard let first = tokens.first, first.kind.startsCompoundStatement else { return false }
        var depth = 0
        for token in tokens {
            switch token.kind {
            case .newline, .end: return true
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            case .colon where depth == 0: return false
            default: break
            }
        }
        return true
    }
}
