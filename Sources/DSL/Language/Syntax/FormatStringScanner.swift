/// Splits the body of an f-string into literal text and replacement fields `{expression!conversion:spec}`.
/// The field expressions stay source text here; the parser scans and parses them with their exact positions.
struct FormatStringScanner {
    private let body: [PositionedScalar]
    private let raw: Bool
    private let source: SourceText
    private var index = 0

    init(body: [PositionedScalar], raw: Bool, source: SourceText) {
        self.body = body
        self.raw = raw
        self.source = source
    }

    /// Parses parts up to the end of the body (level 0) or up to the `}` closing a format spec (level 1).
    mutating func parseParts(nestingLevel: Int) throws -> [FormatStringPart] {
        var parts: [FormatStringPart] = []
        var literal = String.UnicodeScalarView()
        func flush() {
            if !literal.isEmpty { parts.append(.literal(String(literal))) }
            literal = String.UnicodeScalarView()
        }
        while index < body.count {
            let character = body[index].scalar
            let next = index + 1 < body.count ? body[index + 1].scalar : nil
            if nestingLevel > 0 && character == "}" { break }
            if character == "{" && next == "{" && nestingLevel == 0 {
                literal.append("{")
                index += 2
            } else if character == "}" && next == "}" {
                literal.append("}")
                index += 2
            } else if character == "{" {
                guard nestingLevel < 2 else { throw error("f-string: expressions nested too deeply", at: body[index]) }
                flush()
                index += 1
                parts.append(.field(try parseField(nestingLevel: nestingLevel)))
            } else if character == "}" {
                throw error("f-string: single '}' is not allowed (write '}}' for a literal brace)", at: body[index])
            } else if character == "\\" && !raw && next != nil {
                try Scanner.appendEscape(body, at: &index, to: &literal, source: source)
            } else {
                literal.append(character)
                index += 1
            }
        }
        flush()
        return parts
    }

    /// Parses one field; `index` is just after its `{` and ends just after its `}`.
    private mutating func parseField(nestingLevel: Int) throws -> FormatStringField {
        let opening = body[index - 1]
        let start = index
        var depth = 0
        var quote: Unicode.Scalar?
        scan: while index < body.count {
            let character = body[index].scalar
            let next = index + 1 < body.count ? body[index + 1].scalar : nil
            if let open = quote {
                if character == open { quote = nil }
                index += 1
                continue
            }
            switch character {
            case "'", "\"": quote = character
            case "(", "[", "{": depth += 1
            case ")", "]": depth -= 1
            case "}" where depth > 0: depth -= 1
            case "}": break scan
            case ":" where depth == 0: break scan
            case "!" where depth == 0 && next != "=": break scan
            case "=" where depth == 0 && next != "=":
                let previous = index > start ? body[index - 1].scalar : " "
                if !"=!<>".unicodeScalars.contains(previous) { break scan }
            default: break
            }
            index += 1
        }
        guard index < body.count else { throw error("f-string: expecting '}'", at: opening) }
        let expression = String(String.UnicodeScalarView(body[start..<index].map(\.scalar)))
        guard expression.contains(where: { !$0.isWhitespace }) else {
            throw error("f-string: empty expression not allowed", at: opening)
        }
        var debugText: String?
        if body[index].scalar == "=" {
            index += 1
            var text = expression + "="
            while index < body.count, body[index].scalar == " " {
                text += " "
                index += 1
            }
            debugText = text
        }
        var conversion: Character?
        if index < body.count, body[index].scalar == "!" {
            guard index + 1 < body.count, "rsa".unicodeScalars.contains(body[index + 1].scalar) else {
                throw error("f-string: invalid conversion character: expected 's', 'r', or 'a'", at: body[index])
            }
            conversion = Character(body[index + 1].scalar)
            index += 2
        }
        var spec: [FormatStringPart] = []
        if index < body.count, body[index].scalar == ":" {
            index += 1
            spec = try parseParts(nestingLevel: nestingLevel + 1)
        }
        guard index < body.count, body[index].scalar == "}" else { throw error("f-string: expecting '}'", at: opening) }
        index += 1
        return FormatStringField(
            expression: expression, line: body[start].line, column: body[start].column,
            conversion: conversion, spec: spec, debugText: debugText)
    }

    private func error(_ message: String, at position: PositionedScalar) -> DSLError {
        DSLError(.syntax, message, at: SourceLocation(source: source, line: position.line, column: position.column))
    }
}
