/// Turns source text into tokens, Python style: indentation becomes `indent`/`dedent` tokens, line ends become
/// `newline` tokens except inside brackets, `#` starts a comment, a trailing backslash joins lines.
struct Scanner {
    /// `module` scans whole programs; `expression` scans the inside of an f-string field (no line structure).
    enum Mode { case module, expression }

    private let scalars: [Unicode.Scalar]
    private let source: SourceText
    private let mode: Mode
    private var position = 0
    private var line: Int
    private var column: Int
    private var tokens: [Token] = []
    private var indentStack = [0]
    private var openBrackets: [Token] = []

    /// Largest indentation depth accepted, so that pathological input cannot nest the parser arbitrarily deep.
    static let maximumIndentationLevels = 100

    init(text: String, source: SourceText, mode: Mode = .module, line: Int = 1, column: Int = 1) {
        self.scalars = Array(text.unicodeScalars)
        self.source = source
        self.mode = mode
        self.line = line
        self.column = column
    }

    /// Scans everything; the last token is always `.end`.
    mutating func scanTokens() throws -> [Token] {
        var atLineStart = mode == .module
        while true {
            if atLineStart {
                atLineStart = false
                if try handleIndentation() {
                    atLineStart = true
                    continue
                }
            }
            skipSpaces()
            guard let character = peek() else { break }
            switch character {
            case "#":
                while let next = peek(), next != "\n" { advance() }
            case "\n":
                let endLine = line, endColumn = column
                advance()
                if mode == .module && openBrackets.isEmpty {
                    if let last = tokens.last, last.kind != .newline { add(.newline, "", line: endLine, column: endColumn) }
                    atLineStart = true
                }
            case "\\":
                let startLine = line, startColumn = column
                advance()
                if peek() == "\r" { advance() }
                if peek() == "\n" {
                    advance()
                } else if peek() == nil {
                    throw prematureEnd("a line ending in '\\' continues on the next line", line: startLine, column: startColumn)
                } else {
                    throw error("unexpected character after line continuation '\\'", line: startLine, column: startColumn)
                }
            default:
                try scanToken(startingWith: character)
            }
        }
        if let open = openBrackets.last {
            throw prematureEnd("'\(open.text)' was never closed", line: open.line, column: open.column)
        }
        if mode == .module {
            if let last = tokens.last, last.kind != .newline { add(.newline, "", line: line, column: column) }
            while indentStack.count > 1 {
                indentStack.removeLast()
                add(.dedent, "", line: line, column: column)
            }
        }
        add(.end, "", line: line, column: column)
        return tokens
    }

    // MARK: - Line structure

    /// Measures the indentation of a new line and emits indent/dedent tokens.
    /// Returns true when the line is blank or only a comment (it is skipped entirely).
    private mutating func handleIndentation() throws -> Bool {
        var width = 0
        while let character = peek(), character == " " || character == "\t" || character == "\u{0C}" {
            width = character == "\t" ? (width / 8 + 1) * 8 : width + 1
            advance()
        }
        switch peek() {
        case nil:
            return false
        case "#":
            while let next = peek(), next != "\n" { advance() }
            if peek() == "\n" { advance() }
            return true
        case "\n":
            advance()
            return true
        case "\r" where peek(1) == "\n":
            advance()
            advance()
            return true
        default:
            break
        }
        let current = indentStack[indentStack.count - 1]
        if width > current {
            guard indentStack.count <= Scanner.maximumIndentationLevels else {
                throw error("too many levels of indentation (the limit is \(Scanner.maximumIndentationLevels))", line: line, column: column)
            }
            indentStack.append(width)
            add(.indent, "", line: line, column: column)
        } else if width < current {
            while let last = indentStack.last, last > width {
                indentStack.removeLast()
                add(.dedent, "", line: line, column: column)
            }
            if indentStack.last != width {
                throw error("unindent does not match any outer indentation level", line: line, column: column)
            }
        }
        return false
    }

    private mutating func skipSpaces() {
        while let character = peek() {
            if character == " " || character == "\t" || character == "\r" || character == "\u{0C}" || (mode == .expression && character == "\n") {
                // Inside an f-string field, line ends are plain whitespace.
                advance()
            } else {
                break
            }
        }
    }

    // MARK: - Tokens

    private mutating func scanToken(startingWith character: Unicode.Scalar) throws {
        if character.isDigit || (character == "." && (peek(1)?.isDigit ?? false)) {
            try scanNumber()
        } else if character.isIdentifierStart {
            try scanIdentifierOrPrefixedString()
        } else if character == "'" || character == "\"" {
            try scanString(raw: false, format: false, origin: TokenOrigin(index: position, line: line, column: column))
        } else {
            try scanOperator(character)
        }
    }

    private mutating func scanIdentifierOrPrefixedString() throws {
        let startLine = line, startColumn = column, start = position
        while let next = peek(), next.isIdentifierContinue { advance() }
        let origin = TokenOrigin(index: start, line: startLine, column: startColumn)
        let text = String(String.UnicodeScalarView(scalars[start..<position]))
        if let quote = peek(), quote == "'" || quote == "\"" {
            switch text.lowercased() {
            case "r": return try scanString(raw: true, format: false, origin: origin)
            case "f": return try scanString(raw: false, format: true, origin: origin)
            case "rf", "fr": return try scanString(raw: true, format: true, origin: origin)
            case "u": return try scanString(raw: false, format: false, origin: origin)
            case "b", "br", "rb":
                throw error("bytes literals are not supported; use a plain string", line: startLine, column: startColumn)
            default: break
            }
        }
        add(TokenKind.keywords[text] ?? .identifier, text, line: startLine, column: startColumn)
    }

    private mutating func scanNumber() throws {
        let startLine = line, startColumn = column, start = position
        func fail(_ message: String) -> DSLError { error(message, line: startLine, column: startColumn) }

        if peek() == "0", let marker = peek(1), "xXoObB".unicodeScalars.contains(marker) {
            advance()
            advance()
            let radix = "xX".unicodeScalars.contains(marker) ? 16 : "oO".unicodeScalars.contains(marker) ? 8 : 2
            let digits = try scanDigits { $0.isHexDigit && Int(String($0), radix: 16).map { $0 < radix } == true }
            let text = String(String.UnicodeScalarView(scalars[start..<position]))
            if let next = peek(), next.isIdentifierContinue { throw fail("invalid digit '\(next)' in literal \(text)") }
            guard !digits.isEmpty else { throw fail("invalid literal \(text): digits expected") }
            guard let value = Int(digits, radix: radix) else {
                throw fail("integer literal \(text) is too large (the largest integer is \(Int.max))")
            }
            add(.integer, text, line: startLine, column: startColumn, value: .integer(value))
            return
        }

        var cleaned = try scanDigits { $0.isDigit }
        var isFloat = false
        if peek() == ".", !(peek(1)?.isIdentifierStart ?? false) || (peek(1) == "e" || peek(1) == "E") {
            isFloat = true
            advance()
            cleaned += "." + (try scanDigits { $0.isDigit })
        }
        if let marker = peek(), marker == "e" || marker == "E" {
            let afterMarker = peek(1)
            let signed = afterMarker == "+" || afterMarker == "-"
            if let digit = peek(signed ? 2 : 1), digit.isDigit {
                isFloat = true
                advance()
                cleaned += "e"
                if signed {
                    cleaned.unicodeScalars.append(peek() ?? "+")
                    advance()
                }
                cleaned += try scanDigits { $0.isDigit }
            }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<position]))
        if let next = peek(), next.isIdentifierContinue {
            throw fail("invalid number literal '\(text)\(next)'")
        }
        if isFloat {
            if cleaned.hasPrefix(".") { cleaned = "0" + cleaned }
            if cleaned.hasSuffix(".") { cleaned += "0" }
            cleaned = cleaned.replacingOccurrences(of: ".e", with: ".0e")
            guard let value = Double(cleaned) else { throw fail("invalid number literal '\(text)'") }
            add(.float, text, line: startLine, column: startColumn, value: .float(value))
        } else {
            guard let value = Int(cleaned) else {
                throw fail("integer literal \(text) is too large (the largest integer is \(Int.max))")
            }
            add(.integer, text, line: startLine, column: startColumn, value: .integer(value))
        }
    }

    /// Scans digits with optional single `_` separators between them; returns the digits without separators.
    private mutating func scanDigits(_ isDigit: (Unicode.Scalar) -> Bool) throws -> String {
        var digits = ""
        while let next = peek() {
            if isDigit(next) {
                digits.unicodeScalars.append(next)
                advance()
            } else if next == "_", !digits.isEmpty, let after = peek(1), isDigit(after) {
                advance()
            } else {
                break
            }
        }
        return digits
    }

    private mutating func scanOperator(_ character: Unicode.Scalar) throws {
        let startLine = line, startColumn = column
        let three = String(String.UnicodeScalarView(scalars[position..<min(position + 3, scalars.count)]))
        let two = String(three.unicodeScalars.prefix(2))
        let one = String(character)
        if let explanation = Scanner.unsupportedOperators[two] ?? Scanner.unsupportedOperators[three] {
            throw error(explanation, line: startLine, column: startColumn)
        }
        for candidate in [three, two, one] {
            guard let kind = TokenKind(rawValue: candidate), kind.isOperator else { continue }
            for _ in candidate.unicodeScalars { advance() }
            try trackBrackets(kind, text: candidate, line: startLine, column: startColumn)
            add(kind, candidate, line: startLine, column: startColumn)
            return
        }
        if let explanation = Scanner.unsupportedOperators[one] {
            throw error(explanation, line: startLine, column: startColumn)
        }
        throw error("unexpected character '\(character)'", line: startLine, column: startColumn)
    }

    /// Operators from other languages (or Python features rnx leaves out), with what to write instead.
    private static let unsupportedOperators: [String: String] = [
        "&&": "use 'and' instead of '&&'", "||": "use 'or' instead of '||'",
        "<<": "bitwise shifts are not supported", ">>": "bitwise shifts are not supported",
        ":=": "assignment expressions (':=') are not supported; assign in a separate statement",
        "!": "use 'not' instead of '!'", "&": "bitwise operators are not supported; use 'and'",
        "|": "bitwise operators are not supported; use 'or'", "^": "'^' is not supported; use '**' for powers",
        "~": "bitwise operators are not supported", "...": "'...' (Ellipsis) is not supported",
    ]

    private mutating func trackBrackets(_ kind: TokenKind, text: String, line: Int, column: Int) throws {
        switch kind {
        case .leftParen, .leftBracket, .leftBrace:
            openBrackets.append(Token(kind: kind, text: text, line: line, column: column))
        case .rightParen, .rightBracket, .rightBrace:
            guard let open = openBrackets.popLast() else {
                throw error("unmatched '\(text)'", line: line, column: column)
            }
            let expected: TokenKind = open.kind == .leftParen ? .rightParen : open.kind == .leftBracket ? .rightBracket : .rightBrace
            if kind != expected {
                throw error("closing '\(text)' does not match opening '\(open.text)' at line \(open.line)", line: line, column: column)
            }
        default:
            break
        }
    }

    // MARK: - Strings

    private mutating func scanString(raw: Bool, format: Bool, origin: TokenOrigin) throws {
        let startLine = origin.line, startColumn = origin.column
        guard let quote = peek() else { return }
        let tripled = peek(1) == quote && peek(2) == quote
        for _ in 0..<(tripled ? 3 : 1) { advance() }
        // The body with the position of every scalar, so f-string fields can report exact positions.
        var body: [PositionedScalar] = []
        while true {
            guard let character = peek() else {
                if tripled {
                    throw prematureEnd("unterminated triple-quoted string literal", line: startLine, column: startColumn)
                }
                throw error("unterminated string literal", line: startLine, column: startColumn)
            }
            if character == quote && (!tripled || (peek(1) == quote && peek(2) == quote)) {
                for _ in 0..<(tripled ? 3 : 1) { advance() }
                break
            }
            if character == "\n" && !tripled {
                throw error("unterminated string literal (a string cannot span lines; use triple quotes)", line: startLine, column: startColumn)
            }
            body.append(PositionedScalar(scalar: character, line: line, column: column))
            advance()
            if character == "\\", let escaped = peek() {
                body.append(PositionedScalar(scalar: escaped, line: line, column: column))
                advance()
            }
        }
        let text = String(String.UnicodeScalarView(scalars[origin.index..<position]))
        if format {
            var parser = FormatStringScanner(body: body, raw: raw, source: source)
            let parts = try parser.parseParts(nestingLevel: 0)
            add(.formatString, text, line: startLine, column: startColumn, value: .formatString(parts))
        } else {
            let value = raw ? String(String.UnicodeScalarView(body.map(\.scalar))) : try Scanner.unescape(body, source: source)
            add(.string, text, line: startLine, column: startColumn, value: .string(value))
        }
    }

    /// Resolves backslash escapes as Python does; unknown escapes keep their backslash.
    static func unescape(_ body: [PositionedScalar], source: SourceText) throws -> String {
        var result = String.UnicodeScalarView()
        var index = 0
        while index < body.count {
            let character = body[index].scalar
            if character != "\\" || index + 1 >= body.count {
                result.append(character)
                index += 1
                continue
            }
            try appendEscape(body, at: &index, to: &result, source: source)
        }
        return String(result)
    }

    /// Appends the escape sequence starting with the backslash at `index` and moves past it.
    static func appendEscape(
        _ body: [PositionedScalar], at index: inout Int, to result: inout String.UnicodeScalarView,
        source: SourceText
    ) throws {
        let start = body[index]
        let code = body[index + 1].scalar
        index += 2
        func hexadecimal(_ count: Int) throws -> Unicode.Scalar {
            let digits = body[index..<min(index + count, body.count)].map { Character($0.scalar) }
            guard digits.count == count, let value = UInt32(String(digits), radix: 16),
                let scalar = Unicode.Scalar(value)
            else {
                throw DSLError(
                    .syntax, "invalid \\\(code) escape: \(count) hexadecimal digits expected",
                    at: SourceLocation(source: source, line: start.line, column: start.column))
            }
            index += count
            return scalar
        }
        switch code {
        case "n": result.append("\n")
        case "t": result.append("\t")
        case "r": result.append("\r")
        case "\\": result.append("\\")
        case "'": result.append("'")
        case "\"": result.append("\"")
        case "a": result.append("\u{07}")
        case "b": result.append("\u{08}")
        case "f": result.append("\u{0C}")
        case "v": result.append("\u{0B}")
        case "\n": break
        case "x": result.append(try hexadecimal(2))
        case "u": result.append(try hexadecimal(4))
        case "U": result.append(try hexadecimal(8))
        case "0"..."7":
            var value = code.value - 48
            var digits = 1
            while digits < 3, index < body.count, ("0"..."7").contains(body[index].scalar) {
                value = value * 8 + body[index].scalar.value - 48
                index += 1
                digits += 1
            }
            result.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        default:
            result.append("\\")
            result.append(code)
        }
    }

    // MARK: - Helpers

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private mutating func advance() {
        guard position < scalars.count else { return }
        if scalars[position] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        position += 1
    }

    private mutating func add(_ kind: TokenKind, _ text: String, line: Int, column: Int, value: TokenValue = .none) {
        tokens.append(Token(kind: kind, text: text, line: line, column: column, value: value))
    }

    private func error(_ message: String, line: Int, column: Int) -> DSLError {
        DSLError(.syntax, message, at: SourceLocation(source: source, line: line, column: column))
    }

    private func prematureEnd(_ message: String, line: Int, column: Int) -> DSLError {
        var error = error(message, line: line, column: column)
        error.isPrematureEnd = true
        return error
    }
}

/// A scalar of a string body together with its source position.
struct PositionedScalar {
    let scalar: Unicode.Scalar
    let line: Int
    let column: Int
}

/// Where a token starts: scalar index and position.
private struct TokenOrigin {
    let index: Int
    let line: Int
    let column: Int
}

private extension TokenKind {
    /// Whether the raw value is an operator or punctuation spelling (not a keyword or a token class name).
    var isOperator: Bool {
        guard let first = rawValue.unicodeScalars.first else { return false }
        return !first.isIdentifierStart
    }
}

extension Unicode.Scalar {
    var isDigit: Bool { ("0"..."9").contains(self) }
    var isHexDigit: Bool { isDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
    var isIdentifierStart: Bool { self == "_" || ("a"..."z").contains(self) || ("A"..."Z").contains(self) || (value > 127 && properties.isXIDStart) }
    var isIdentifierContinue: Bool { isIdentifierStart || isDigit || (value > 127 && properties.isXIDContinue) }
}
