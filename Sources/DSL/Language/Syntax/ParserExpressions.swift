/// Expression grammar, lowest precedence first:
/// lambda, `a if c else b`, `or`, `and`, `not`, comparisons (chained, `in`, `is`), `+ -`, `* / // % @`,
/// unary `+ -`, `**` (right associative, binds tighter than unary minus on its left), calls/indexing/attributes, atoms.
extension Parser {
    /// `expr, expr, ...` becomes a tuple; a single expression without a trailing comma stays itself.
    mutating func parseExpressionList(allowStarred: Bool = false) throws -> Expr {
        let start = peek()
        let first = try parseListItem(allowStarred: allowStarred)
        guard check(.comma) else { return first }
        var items = [first]
        while match(.comma) {
            guard canStartExpression(peek().kind) else { break }
            items.append(try parseListItem(allowStarred: allowStarred))
        }
        return try node(.tuple(items), at: start)
    }

    private mutating func parseListItem(allowStarred: Bool) throws -> Expr {
        if allowStarred, check(.star) {
            let star = advance()
            return try node(.starred(try parseOr()), at: star)
        }
        return try parseExpression()
    }

    mutating func parseExpression() throws -> Expr {
        try enterNesting(at: peek())
        defer { leaveNesting() }
        if check(.kwLambda) { return try parseLambda() }
        let value = try parseOr()
        guard check(.kwIf) else { return value }
        let keyword = advance()
        let condition = try parseOr()
        try expect(.kwElse, "expected 'else' in the conditional expression")
        let otherwise = try parseExpression()
        return try node(.conditional(condition: condition, then: value, otherwise: otherwise), at: keyword)
    }

    private mutating func parseLambda() throws -> Expr {
        let keyword = advance()
        let parameters = try parseParameters(closing: .colon, allowAnnotations: false)
        try expect(.colon, "expected ':' after the lambda parameters")
        functionScopes.append(([], []))
        defer { functionScopes.removeLast() }
        let body = try parseExpression()
        let definition = FunctionDefinition(
            name: "<lambda>", parameters: parameters, body: .expression(body), doc: nil,
            globalNames: [], nonlocalNames: [], location: location(of: keyword))
        return try node(.lambda(definition), at: keyword)
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while check(.kwOr) {
            let op = advance()
            left = try node(.or(left, try parseAnd()), at: op)
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while check(.kwAnd) {
            let op = advance()
            left = try node(.and(left, try parseNot()), at: op)
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        guard check(.kwNot) else { return try parseComparison() }
        let op = advance()
        try enterNesting(at: op)
        defer { leaveNesting() }
        return try node(.not(try parseNot()), at: op)
    }

    private mutating func parseComparison() throws -> Expr {
        let first = try parseArithmetic()
        var rest: [(ComparisonOperator, Expr)] = []
        var firstOperator: Token?
        while let op = comparisonOperator() {
            if firstOperator == nil { firstOperator = peek() }
            rest.append((op, try parseArithmetic()))
        }
        guard let firstOperator else { return first }
        return try node(.comparison(first, rest), at: firstOperator)
    }

    /// Consumes a comparison operator, if one follows.
    private mutating func comparisonOperator() -> ComparisonOperator? {
        let kind = peek().kind
        let simple: [TokenKind: BinaryOperator] = [
            .less: .less, .lessEqual: .lessEqual, .greater: .greater, .greaterEqual: .greaterEqual,
            .equal: .equal, .notEqual: .notEqual,
        ]
        if let op = simple[kind] {
            advance()
            return .binary(op)
        }
        switch kind {
        case .kwIn:
            advance()
            return .contains
        case .kwNot where peek(1).kind == .kwIn:
            advance()
            advance()
            return .notContains
        case .kwIs:
            advance()
            if match(.kwNot) { return .notIdentical }
            return .identical
        default:
            return nil
        }
    }

    private mutating func parseArithmetic() throws -> Expr {
        var left = try parseTerm()
        while check(.plus) || check(.minus) {
            let op = advance()
            left = try node(.binary(op.kind == .plus ? .add : .subtract, left, try parseTerm()), at: op)
        }
        return left
    }

    private mutating func parseTerm() throws -> Expr {
        var left = try parseFactor()
        let operators: [TokenKind: BinaryOperator] = [
            .star: .multiply, .slash: .divide, .doubleSlash: .floorDivide, .percent: .modulo, .at: .matrixMultiply,
        ]
        while let op = operators[peek().kind] {
            let token = advance()
            left = try node(.binary(op, left, try parseFactor()), at: token)
        }
        return left
    }

    private mutating func parseFactor() throws -> Expr {
        guard check(.minus) || check(.plus) else { return try parsePower() }
        let op = advance()
        try enterNesting(at: op)
        defer { leaveNesting() }
        let operand = try parseFactor()
        // Fold `-literal` so that `-5` is a constant.
        if op.kind == .minus, case .literal(let value) = operand.kind {
            if case .int(let number) = value, number != Int.min { return try node(.literal(.int(-number)), at: op) }
            if case .float(let number) = value { return try node(.literal(.float(-number)), at: op) }
        }
        return try node(.unary(op.kind == .minus ? .negate : .plus, operand), at: op)
    }

    private mutating func parsePower() throws -> Expr {
        let base = try parsePrimary()
        guard check(.doubleStar) else { return base }
        let op = advance()
        try enterNesting(at: op)
        defer { leaveNesting() }
        return try node(.binary(.power, base, try parseFactor()), at: op)
    }

    /// An atom followed by any number of `.name`, `(arguments)` and `[index]`.
    mutating func parsePrimary() throws -> Expr {
        var expr = try parseAtom()
        while true {
            if check(.dot) {
                advance()
                let nameToken = peek()
                let name = try expectIdentifier("expected an attribute name after '.'")
                expr = try node(.attribute(expr, name), at: nameToken)
            } else if check(.leftParen) {
                advance()
                let arguments = try parseCallArguments()
                try expect(.rightParen, "expected ')' to close the call")
                expr = Expr(.call(expr, arguments), at: expr.location)
                try checkDepth(expr)
            } else if check(.leftBracket) {
                let open = advance()
                let index = try parseSubscript()
                try expect(.rightBracket, "expected ']' to close the index")
                expr = try node(.index(expr, index), at: open)
            } else {
                return expr
            }
        }
    }

    private mutating func parseCallArguments() throws -> [CallArgument] {
        var arguments: [CallArgument] = []
        var keywords = Set<String>()
        while !check(.rightParen) {
            let token = peek()
            if match(.doubleStar) {
                arguments.append(.keywordSpread(try parseExpression()))
            } else if match(.star) {
                arguments.append(.spread(try parseExpression()))
            } else if check(.identifier) && peek(1).kind == .assign {
                let name = advance().text
                advance()
                guard keywords.insert(name).inserted else { throw error("keyword argument '\(name)' given twice", at: token) }
                arguments.append(.keyword(name, try parseExpression()))
            } else {
                let value = try parseExpression()
                if check(.kwFor) {
                    // `sum(x * x for x in xs)`: a generator expression, evaluated eagerly into a list.
                    let clauses = try parseComprehensionClauses()
                    arguments.append(.positional(try node(.listComprehension(value, clauses), at: token)))
                } else {
                    if arguments.contains(where: { if case .keyword = $0 { return true } else { return false } }) {
                        throw error("positional argument follows keyword argument", at: token)
                    }
                    arguments.append(.positional(value))
                }
            }
            if !match(.comma) { break }
        }
        return arguments
    }

    private mutating func parseSubscript() throws -> Expr {
        let start = peek()
        let first = try parseSliceItem()
        guard check(.comma) else { return first }
        var items = [first]
        while match(.comma) {
            guard !check(.rightBracket) else { break }
            items.append(try parseSliceItem())
        }
        return try node(.tuple(items), at: start)
    }

    /// An index expression or a slice `lower:upper:step` (each part optional).
    private mutating func parseSliceItem() throws -> Expr {
        let start = peek()
        var lower: Expr?
        if !check(.colon) {
            lower = try parseExpression()
            guard check(.colon) else { return lower ?? Expr(.literal(.none), at: location(of: start)) }
        }
        advance()
        let endsPart: (TokenKind) -> Bool = { $0 == .colon || $0 == .comma || $0 == .rightBracket }
        let upper = endsPart(peek().kind) ? nil : try parseExpression()
        var step: Expr?
        if match(.colon), !endsPart(peek().kind) { step = try parseExpression() }
        return try node(.slice(lower, upper, step), at: start)
    }

    // MARK: - Atoms

    private mutating func parseAtom() throws -> Expr {
        let token = peek()
        switch token.kind {
        case .integer, .float, .string, .formatString:
            return try parseLiteral()
        case .identifier:
            advance()
            return try node(.name(token.text), at: token)
        case .kwTrue, .kwFalse:
            advance()
            return try node(.literal(.bool(token.kind == .kwTrue)), at: token)
        case .kwNone:
            advance()
            return try node(.literal(.none), at: token)
        case .leftParen:
            advance()
            return try parseParenthesized(open: token)
        case .leftBracket:
            advance()
            return try parseList(open: token)
        case .leftBrace:
            advance()
            return try parseDict(open: token)
        case .kwLambda:
            throw error("a lambda must be parenthesized here", at: token)
        case .newline, .end:
            throw error("expected an expression, found \(describe(token))", at: token)
        default:
            if TokenKind.keywords[token.text] != nil {
                throw error("expected an expression, found the keyword '\(token.text)'", at: token)
            }
            throw error("expected an expression, found \(describe(token))", at: token)
        }
    }

    /// Numbers, and adjacent string literals (which are concatenated, f-strings included).
    private mutating func parseLiteral() throws -> Expr {
        let token = advance()
        switch token.value {
        case .integer(let value): return try node(.literal(.int(value)), at: token)
        case .float(let value): return try node(.literal(.float(value)), at: token)
        default: break
        }
        var segments: [FormatStringSegment] = []
        var isFormat = false
        var next = token
        while true {
            switch next.value {
            case .string(let text): segments.append(.literal(text))
            case .formatString(let parts):
                isFormat = true
                segments += try formatSegments(parts)
            default: break
            }
            guard check(.string) || check(.formatString) else { break }
            next = advance()
        }
        if !isFormat {
            let text = segments.map { if case .literal(let text) = $0 { return text } else { return "" } }.joined()
            return try node(.literal(.string(text)), at: token)
        }
        return try node(.formatString(segments), at: token)
    }

    /// Parses the expressions inside f-string fields, with positions pointing into the original source.
    private mutating func formatSegments(_ parts: [FormatStringPart]) throws -> [FormatStringSegment] {
        try parts.map { part in
            switch part {
            case .literal(let text):
                return .literal(text)
            case .field(let field):
                var scanner = Scanner(
                    text: field.expression, source: source, mode: .expression,
                    line: field.line, column: field.column)
                var parser = Parser(tokens: try scanner.scanTokens(), source: source, nesting: nesting + 1)
                parser.functionScopes = functionScopes
                let expr = try parser.parseExpressionList()
                guard parser.check(.end) else {
                    throw parser.error("f-string: unexpected \(parser.describe(parser.peek())) in the field", at: parser.peek())
                }
                return .field(expr, conversion: field.conversion, spec: try formatSegments(field.spec), debugText: field.debugText)
            }
        }
    }

    private mutating func parseParenthesized(open: Token) throws -> Expr {
        if match(.rightParen) { return try node(.tuple([]), at: open) }
        let first = try parseListItem(allowStarred: true)
        if check(.kwFor) {
            let clauses = try parseComprehensionClauses()
            try expect(.rightParen, "expected ')' after the generator expression")
            return try node(.listComprehension(first, clauses), at: open)
        }
        if match(.rightParen) {
            if case .starred = first.kind { throw error("a starred expression needs a trailing comma here: (*x,)", at: open) }
            return first
        }
        var items = [first]
        while match(.comma) {
            if check(.rightParen) { break }
            items.append(try parseListItem(allowStarred: true))
        }
        try expect(.rightParen, "expected ')' or ',' in the tuple")
        return try node(.tuple(items), at: open)
    }

    private mutating func parseList(open: Token) throws -> Expr {
        if match(.rightBracket) { return try node(.list([]), at: open) }
        let first = try parseListItem(allowStarred: true)
        if check(.kwFor) {
            let clauses = try parseComprehensionClauses()
            try expect(.rightBracket, "expected ']' after the list comprehension")
            return try node(.listComprehension(first, clauses), at: open)
        }
        var items = [first]
        while match(.comma) {
            if check(.rightBracket) { break }
            items.append(try parseListItem(allowStarred: true))
        }
        try expect(.rightBracket, "expected ']' or ',' in the list")
        return try node(.list(items), at: open)
    }

    private mutating func parseDict(open: Token) throws -> Expr {
        if match(.rightBrace) { return try node(.dict([]), at: open) }
        var entries: [(key: Expr?, value: Expr)] = []
        repeat {
            if check(.rightBrace) { break }
            if match(.doubleStar) {
                entries.append((nil, try parseOr()))
                continue
            }
            let key = try parseExpression()
            guard check(.colon) else {
                throw error("sets are not supported; a dict needs 'key: value' entries", at: peek())
            }
            advance()
            let value = try parseExpression()
            if entries.isEmpty && check(.kwFor) {
                let clauses = try parseComprehensionClauses()
                try expect(.rightBrace, "expected '}' after the dict comprehension")
                return try node(.dictComprehension(key: key, value: value, clauses), at: open)
            }
            entries.append((key, value))
        } while match(.comma)
        try expect(.rightBrace, "expected '}' or ',' in the dict")
        return try node(.dict(entries), at: open)
    }

    /// `for targets in iterable` followed by more `for` or `if` clauses.
    private mutating func parseComprehensionClauses() throws -> [ComprehensionClause] {
        var clauses: [ComprehensionClause] = []
        while check(.kwFor) {
            advance()
            let target = try parseTargetList()
            try expect(.kwIn, "expected 'in' in the comprehension")
            clauses.append(.loop(target, try parseOr()))
            while check(.kwIf) {
                advance()
                clauses.append(.filter(try parseOr()))
            }
        }
        return clauses
    }

    /// Loop targets: `x`, `i, x`, `(a, b), c`, `*rest` — parsed without consuming the following `in`.
    mutating func parseTargetList() throws -> Target {
        let start = peek()
        var items: [Expr] = []
        var trailingComma = false
        repeat {
            trailingComma = false
            if check(.kwIn) {
                trailingComma = true
                break
            }
            if check(.star) {
                let star = advance()
                items.append(try node(.starred(try parsePrimary()), at: star))
            } else {
                items.append(try parsePrimary())
            }
        } while match(.comma)
        guard let first = items.first else { throw error("expected a loop variable", at: start) }
        let expr = items.count == 1 && !trailingComma ? first : try node(.tuple(items), at: start)
        return try assignmentTarget(expr)
    }

    // MARK: - Node construction

    /// Makes a node at `token` and refuses trees taller than `maximumExpressionDepth`.
    mutating func node(_ kind: Expr.Kind, at token: Token) throws -> Expr {
        let expr = Expr(kind, at: location(of: token))
        try checkDepth(expr)
        return expr
    }

    private func checkDepth(_ expr: Expr) throws {
        if expr.depth > Parser.maximumExpressionDepth {
            throw error("expression too deeply nested (more than \(Parser.maximumExpressionDepth) levels)", at: expr.location)
        }
    }
}
