/// An expression node. Nodes are classes so the tree is shared, not copied, while it is interpreted.
final class Expr {
    enum Kind {
        case literal(Value)
        case name(String)
        case formatString([FormatStringSegment])
        case list([Expr])
        case tuple([Expr])
        /// Entries with a nil key are `**mapping` spreads.
        case dict([(key: Expr?, value: Expr)])
        /// `*xs` inside a list, tuple or call.
        case starred(Expr)
        case listComprehension(Expr, [ComprehensionClause])
        case dictComprehension(key: Expr, value: Expr, [ComprehensionClause])
        case attribute(Expr, String)
        case index(Expr, Expr)
        /// `lower:upper:step` inside brackets.
        case slice(Expr?, Expr?, Expr?)
        case call(Expr, [CallArgument])
        case unary(UnaryOperator, Expr)
        case binary(BinaryOperator, Expr, Expr)
        case not(Expr)
        case and(Expr, Expr)
        case or(Expr, Expr)
        /// `a < b <= c`: the first operand and each (operator, operand) pair.
        case comparison(Expr, [(ComparisonOperator, Expr)])
        case conditional(condition: Expr, then: Expr, otherwise: Expr)
        case lambda(FunctionDefinition)
    }

    let kind: Kind
    let location: SourceLocation
    /// Height of the tree below this node; the parser rejects absurdly deep trees before they can exhaust the stack.
    let depth: Int

    init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
        self.depth = 1 + Expr.children(of: kind).reduce(0) { max($0, $1.depth) }
    }

    private static func children(of kind: Kind) -> [Expr] {
        switch kind {
        case .literal, .name, .lambda: return []
        case .formatString(let segments):
            return segments.flatMap(fieldExpressions)
        case .list(let items), .tuple(let items): return items
        case .dict(let entries): return entries.flatMap { [$0.key, $0.value].compactMap { $0 } }
        case .starred(let inner), .attribute(let inner, _), .unary(_, let inner), .not(let inner): return [inner]
        case .listComprehension(let element, let clauses): return [element] + clauses.flatMap(\.expressions)
        case .dictComprehension(let key, let value, let clauses): return [key, value] + clauses.flatMap(\.expressions)
        case .index(let base, let index): return [base, index]
        case .slice(let lower, let upper, let step): return [lower, upper, step].compactMap { $0 }
        case .call(let callee, let arguments): return [callee] + arguments.map(\.value)
        case .binary(_, let left, let right), .and(let left, let right), .or(let left, let right): return [left, right]
        case .comparison(let first, let rest): return [first] + rest.map(\.1)
        case .conditional(let condition, let then, let otherwise): return [condition, then, otherwise]
        }
    }

    private static func fieldExpressions(_ segment: FormatStringSegment) -> [Expr] {
        if case .field(let expr, _, let spec, _) = segment { return [expr] + spec.flatMap(fieldExpressions) }
        return []
    }
}

/// A parsed piece of an f-string.
enum FormatStringSegment {
    case literal(String)
    /// expression, conversion (`r`/`s`/`a`), format spec segments, `{x=}` debug prefix.
    case field(Expr, conversion: Character?, spec: [FormatStringSegment], debugText: String?)
}

/// `for target in iterable` or `if condition` inside a comprehension.
enum ComprehensionClause {
    case loop(Target, Expr)
    case filter(Expr)

    var expressions: [Expr] {
        switch self {
        case .loop(_, let iterable): return [iterable]
        case .filter(let condition): return [condition]
        }
    }
}

/// An argument in a call: positional, `name=value`, `*sequence` or `**mapping`.
enum CallArgument {
    case positional(Expr)
    case keyword(String, Expr)
    case spread(Expr)
    case keywordSpread(Expr)

    var value: Expr {
        switch self {
        case .positional(let expr), .keyword(_, let expr), .spread(let expr), .keywordSpread(let expr): return expr
        }
    }
}

/// Something that can be assigned to: a name, `x.attr`, `x[i]`, a (possibly nested) tuple or list of targets, `*rest`.
final class Target {
    enum Kind {
        case name(String)
        case attribute(Expr, String)
        case index(Expr, Expr)
        case sequence([Target])
        case starred(Target)
    }

    let kind: Kind
    let location: SourceLocation

    init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// A parameter as written in `def` or `lambda`; its default is evaluated when the definition runs.
struct ParameterSyntax {
    let name: String
    let kind: Parameter.Kind
    let defaultValue: Expr?
    let location: SourceLocation
}

/// What a function's body is: statements (`def`) or one expression (`lambda`).
enum FunctionBody {
    case statements([Stmt])
    case expression(Expr)
}

/// A `def` or `lambda` as parsed.
final class FunctionDefinition {
    let name: String
    let parameters: [ParameterSyntax]
    let body: FunctionBody
    let doc: String?
    /// Names declared `global` / `nonlocal` anywhere in the body (not in nested functions).
    let globalNames: Set<String>
    let nonlocalNames: Set<String>
    /// Names bound in the function's own scope (see `ScopeAnalysis`).
    let localNames: Set<String>
    let location: SourceLocation

    init(
        name: String, parameters: [ParameterSyntax], body: FunctionBody, doc: String?,
        globalNames: Set<String>, nonlocalNames: Set<String>, location: SourceLocation
    ) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.doc = doc
        self.globalNames = globalNames
        self.nonlocalNames = nonlocalNames
        self.localNames = ScopeAnalysis.localNames(
            parameters: parameters, body: body,
            globalNames: globalNames, nonlocalNames: nonlocalNames)
        self.location = location
    }
}

/// A statement node.
final class Stmt {
    enum Kind {
        case expression(Expr)
        /// `a = b = value`: every target receives the value.
        case assign([Target], Expr)
        case augmentedAssign(Target, BinaryOperator, Expr)
        /// `if`/`elif` branches in order, then the optional `else` block.
        case ifChain([(condition: Expr, body: [Stmt])], otherwise: [Stmt]?)
        case whileLoop(condition: Expr, body: [Stmt])
        case forLoop(Target, Expr, body: [Stmt])
        case breakLoop
        case continueLoop
        case pass
        case returnValue(Expr?)
        case functionDefinition(FunctionDefinition)
        case assert(Expr, message: Expr?)
        case delete([Target])
        /// `global`/`nonlocal` take effect when the enclosing function is parsed; at run time they do nothing.
        case declaration
    }

    let kind: Kind
    let location: SourceLocation

    init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}
