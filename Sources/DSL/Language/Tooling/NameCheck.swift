/// One code cell of a script, as `NameCheck` reads it: its text and the line of the file it starts at.
public struct ScriptCell {
    /// The cell's source code.
    public let source: String
    /// The file line of the cell's first line, so diagnostics name the file's real lines.
    public let firstLine: Int

    /// A cell holding `source`, starting at line `firstLine` of its file.
    public init(source: String, firstLine: Int = 1) {
        self.source = source
        self.firstLine = firstLine
    }
}

/// What `NameCheck` found in a script.
public struct NameCheckReport {
    /// Syntax errors (then nothing else is checked) or names used but never defined, in source order.
    public let problems: [DSLError]
    /// Every name the script reads, assigns, loops over, defines or takes as a parameter (for `--set` typos).
    public let mentionedNames: Set<String>

    /// The mentioned name closest to `name` when it looks like a typo of it, e.g. `epochs` for `epoch`.
    public func suggestion(for name: String) -> String? {
        Suggestions.closest(to: name, among: mentionedNames.sorted())
    }
}

/// Finds names a script uses but never defines, keyword arguments a builtin does not take, and attributes an
/// object of known type does not have (`r = lr_find(...)` then `r.valey`), without running it (`rnx check`).
///
/// The check is conservative: a valid program never gets a diagnostic. Top-level code runs in order, so a name
/// read there must be bound by an earlier statement (of this or an earlier cell), by a builtin, or by a function
/// that declares it `global`. Code inside a function runs whenever it is called, so it may read any name the
/// file binds at top level anywhere, besides its parameters, its locals (see `ScopeAnalysis`) and those of the
/// functions around it. Loop bodies see everything the loop binds (a later iteration sees the earlier ones'
/// assignments); after an `if` every branch's names count as bound; comprehension variables are visible in the
/// whole comprehension.
public struct NameCheck {
    private let library: Library
    private let builtinNames: Set<String>

    /// A check knowing the builtins (functions, constants and types) of `library`.
    public init(library: Library = .standard) {
        var names = Set(library.types.map(\.name))
        for group in library.groups {
            names.formUnion(group.functions.map(\.name))
            names.formUnion(group.constants.map(\.name))
        }
        builtinNames = names
        self.library = library
    }

    /// Parses every cell of `file`, then, when all of them parse, checks their names as one program run top to
    /// bottom. `predefined` names count as defined before the first cell (`--set` globals).
    public func check(_ cells: [ScriptCell], file: String, predefined: Set<String> = []) -> NameCheckReport {
        var programs: [Program] = []
        var syntaxErrors: [DSLError] = []
        for cell in cells {
            do {
                programs.append(try Parser.parse(cell.source, source: SourceText(name: file, text: cell.source, firstLine: cell.firstLine)))
            } catch let error as DSLError {
                syntaxErrors.append(error)
            } catch {
                syntaxErrors.append(DSLError(.syntax, String(describing: error)))
            }
        }
        let statements = programs.flatMap(\.statements)
        var resolver = NameResolver(library: library, builtinNames: builtinNames, statements: statements, predefined: predefined)
        // With a cell that does not parse, which names it would bind is unknown: reporting names could be wrong.
        if syntaxErrors.isEmpty { resolver.checkModule(statements) }
        return NameCheckReport(
            problems: syntaxErrors.isEmpty ? resolver.problems : syntaxErrors,
            mentionedNames: resolver.mentionedNames)
    }
}

/// Walks one program's syntax tree, resolving every name it reads against the scopes visible there.
private struct NameResolver {
    /// A scope nested inside the module: a function's (or lambda's) body, or a comprehension.
    private enum Frame {
        case function(FunctionDefinition)
        case comprehension(Set<String>)
    }

    let library: Library
    let builtinNames: Set<String>
    /// Every name bound at top level anywhere in the program, with its first binding; plus names functions declare
    /// `global` (they may bind them whenever they are called).
    private let moduleBindings: [String: SourceLocation]
    /// Names bound by functions through `global`: they count as defined from the start.
    private let globalDeclared: Set<String>
    /// Top-level names bound by the statements checked so far.
    private var defined: Set<String>
    /// Top-level names bound exactly once in the whole program, so the type of what they hold never changes.
    private let boundOnce: Set<String>
    /// The type of what such a name holds, once the builtin call assigning it (`r = lr_find(...)`) was checked.
    private var knownTypes: [String: DSLType] = [:]
    private var frames: [Frame] = []
    private(set) var problems: [DSLError] = []
    private(set) var mentionedNames: Set<String> = []

    init(library: Library, builtinNames: Set<String>, statements: [Stmt], predefined: Set<String>) {
        self.library = library
        self.builtinNames = builtinNames
        var bindings: [(String, SourceLocation)] = []
        NameResolver.collectBindings(statements, into: &bindings)
        let counts = Dictionary(bindings.map { ($0.0, 1) }, uniquingKeysWith: +)
        var firstBindings: [String: SourceLocation] = [:]
        for (name, location) in bindings where firstBindings[name] == nil { firstBindings[name] = location }
        moduleBindings = firstBindings
        var declared = Set<String>()
        NameResolver.collectGlobalDeclarations(statements, into: &declared)
        globalDeclared = declared
        boundOnce = Set(counts.filter { $0.value == 1 && !declared.contains($0.key) }.keys)
        defined = declared.union(predefined)
        mentionedNames = Set(firstBindings.keys).union(declared)
    }

    // MARK: - Statements

    /// Checks top-level statements in order, binding names as they would be bound when the program runs.
    mutating func checkModule(_ statements: [Stmt]) {
        for statement in statements { check(statement) }
    }

    private mutating func check(_ statements: [Stmt]) {
        for statement in statements { check(statement) }
    }

    private mutating func check(_ statement: Stmt) {
        switch statement.kind {
        case .expression(let expr):
            resolve(expr)
        case .assign(let targets, let value):
            resolve(value)
            // Binding every target first is the lenient reading of `x, y[x] = ...`.
            targets.forEach { bind($0) }
            if frames.isEmpty, targets.count == 1, case .name(let name) = targets[0].kind, boundOnce.contains(name),
                let type = returnType(of: value)
            {
                knownTypes[name] = type
            }
            targets.forEach { resolveParts(of: $0) }
        case .augmentedAssign(let target, _, let value):
            if case .name(let name) = target.kind { use(name, at: target.location) }
            resolveParts(of: target)
            resolve(value)
            bind(target)
        case .ifChain(let branches, let otherwise):
            let before = defined
            var after = defined
            for branch in branches {
                defined = before
                resolve(branch.condition)
                check(branch.body)
                after.formUnion(defined)
            }
            defined = before
            check(otherwise ?? [])
            defined = after.union(defined)
        case .whileLoop(let condition, let body):
            // The first test runs before the body ever did; later iterations see everything the body binds.
            resolve(condition)
            bindAll(in: body)
            check(body)
        case .forLoop(let target, let iterable, let body):
            resolve(iterable)
            bind(target)
            resolveParts(of: target)
            bindAll(in: body)
            check(body)
        case .returnValue(let value):
            if let value { resolve(value) }
        case .functionDefinition(let definition):
            checkFunction(definition)
            bindName(definition.name)
        case .assert(let condition, let message):
            resolve(condition)
            if let message { resolve(message) }
        case .delete(let targets):
            for target in targets {
                if case .name(let name) = target.kind { use(name, at: target.location) }
                resolveParts(of: target)
            }
        case .breakLoop, .continueLoop, .pass, .declaration:
            break
        }
    }

    /// Defaults are evaluated where the function is defined; the body runs later, in its own scope.
    private mutating func checkFunction(_ definition: FunctionDefinition) {
        for parameter in definition.parameters {
            mentionedNames.insert(parameter.name)
            if let defaultValue = parameter.defaultValue { resolve(defaultValue) }
        }
        frames.append(.function(definition))
        switch definition.body {
        case .statements(let statements): check(statements)
        case .expression(let expr): resolve(expr)
        }
        frames.removeLast()
    }

    // MARK: - Binding

    /// Records the names a target binds; only top-level bindings change what later top-level code may read.
    private mutating func bind(_ target: Target) {
        var names: [(String, SourceLocation)] = []
        NameResolver.collectBindings(target, into: &names)
        for (name, _) in names { bindName(name) }
    }

    private mutating func bindName(_ name: String) {
        mentionedNames.insert(name)
        if frames.isEmpty { defined.insert(name) }
    }

    /// Binds everything a loop body binds, before checking it: a later iteration sees an earlier one's names.
    private mutating func bindAll(in body: [Stmt]) {
        var names: [(String, SourceLocation)] = []
        NameResolver.collectBindings(body, into: &names)
        for (name, _) in names { bindName(name) }
    }

    /// The expressions inside a target that are read, not bound: `x` and `i` in `x.attr = …` and `x[i] = …`.
    private mutating func resolveParts(of target: Target) {
        switch target.kind {
        case .name: break
        case .attribute(let base, _): resolve(base)
        case .index(let base, let index):
            resolve(base)
            resolve(index)
        case .sequence(let targets): targets.forEach { resolveParts(of: $0) }
        case .starred(let inner): resolveParts(of: inner)
        }
    }

    // MARK: - Expressions

    private mutating func resolve(_ expr: Expr) {
        switch expr.kind {
        case .literal: break
        case .name(let name): use(name, at: expr.location)
        case .formatString(let segments): resolve(segments)
        case .list(let items), .tuple(let items): items.forEach { resolve($0) }
        case .dict(let entries):
            for entry in entries {
                if let key = entry.key { resolve(key) }
                resolve(entry.value)
            }
        case .attribute(let inner, let name):
            resolve(inner)
            checkAttribute(name, of: inner, at: expr.location)
        case .starred(let inner), .unary(_, let inner), .not(let inner): resolve(inner)
        case .listComprehension(let element, let clauses): resolveComprehension([element], clauses)
        case .dictComprehension(let key, let value, let clauses): resolveComprehension([key, value], clauses)
        case .index(let base, let index):
            resolve(base)
            resolve(index)
        case .slice(let lower, let upper, let step): [lower, upper, step].compactMap { $0 }.forEach { resolve($0) }
        case .call(let callee, let arguments):
            resolve(callee)
            arguments.forEach { resolve($0.value) }
            checkKeywords(arguments, of: callee, at: expr.location)
        case .binary(_, let left, let right), .and(let left, let right), .or(let left, let right):
            resolve(left)
            resolve(right)
        case .comparison(let first, let rest):
            resolve(first)
            rest.forEach { resolve($0.1) }
        case .conditional(let condition, let then, let otherwise):
            resolve(condition)
            resolve(then)
            resolve(otherwise)
        case .lambda(let definition): checkFunction(definition)
        }
    }

    private mutating func resolve(_ segments: [FormatStringSegment]) {
        for case .field(let expr, _, let spec, _) in segments {
            resolve(expr)
            resolve(spec)
        }
    }

    /// Every loop variable of a comprehension is visible in all of it: lenient about clause order.
    private mutating func resolveComprehension(_ results: [Expr], _ clauses: [ComprehensionClause]) {
        var names: [(String, SourceLocation)] = []
        for case .loop(let target, _) in clauses { NameResolver.collectBindings(target, into: &names) }
        mentionedNames.formUnion(names.map(\.0))
        frames.append(.comprehension(Set(names.map(\.0))))
        for clause in clauses {
            switch clause {
            case .loop(let target, let iterable):
                resolveParts(of: target)
                resolve(iterable)
            case .filter(let condition):
                resolve(condition)
            }
        }
        results.forEach { resolve($0) }
        frames.removeLast()
    }

    // MARK: - Resolution

    /// Checks that `name`, read at `location`, is bound in a visible scope, the module, or the builtins.
    private mutating func use(_ name: String, at location: SourceLocation) {
        mentionedNames.insert(name)
        var insideFunction = false
        scopes: for frame in frames.reversed() {
            switch frame {
            case .comprehension(let names):
                if names.contains(name) { return }
            case .function(let definition):
                if definition.globalNames.contains(name) {
                    insideFunction = true
                    break scopes
                }
                if definition.localNames.contains(name) { return }
                insideFunction = true
            }
        }
        if builtinNames.contains(name) { return }
        if insideFunction ? moduleBindings[name] != nil || globalDeclared.contains(name) : defined.contains(name) { return }
        if !insideFunction, let later = moduleBindings[name] {
            problems.append(
                DSLError(
                    .name, "name '\(name)' is used before it is defined (it is first assigned at line \(later.line))",
                    at: location))
            return
        }
        var message = "name '\(name)' is not defined"
        let builtinsAndKeywords = Array(builtinNames) + Array(TokenKind.keywords.keys)
        if let suggestion = Suggestions.closest(
            to: name, among: builtinsAndKeywords.sorted(), preferring: userNames(insideFunction: insideFunction))
        {
            message += " (did you mean '\(suggestion)'?)"
        }
        problems.append(DSLError(.name, message, at: location))
    }

    // MARK: - Builtin signatures and known types

    /// The builtin `name` refers to where it is read: nil when the user's own binding may shadow it.
    private func builtin(_ expr: Expr) -> BuiltinFunction? {
        guard case .name(let name) = expr.kind, builtinNames.contains(name), moduleBindings[name] == nil,
            !globalDeclared.contains(name), !isLocal(name)
        else { return nil }
        return library.function(named: name) ?? library.type(named: name)?.constructor
    }

    /// Whether `name` is bound by an enclosing function or comprehension.
    private func isLocal(_ name: String) -> Bool {
        frames.contains { frame in
            switch frame {
            case .comprehension(let names): return names.contains(name)
            case .function(let definition): return definition.localNames.contains(name)
            }
        }
    }

    /// The declared type of what `expr` returns when it is a call of a builtin that declares one.
    private func returnType(of expr: Expr) -> DSLType? {
        guard case .call(let callee, _) = expr.kind else { return nil }
        return builtin(callee)?.returnType
    }

    /// `fit(m, data, epochz=3)`: a keyword the builtin does not take fails the same way it would when run;
    /// `i.per_class()` calls a property of a value of known type.
    private mutating func checkKeywords(_ arguments: [CallArgument], of callee: Expr, at location: SourceLocation) {
        if frames.isEmpty, case .attribute(let base, let attribute) = callee.kind, case .name(let name) = base.kind,
            let type = knownTypes[name], type.property(named: attribute) != nil
        {
            problems.append(DSLError(.type, Suggestions.calledProperty(attribute, ofType: type.name), at: location))
        }
        guard let function = builtin(callee) else { return }
        for case .keyword(let name, _) in arguments {
            if let error = function.binder.keywordError(name) { problems.append(DSLError(error.kind, error.message, at: location)) }
        }
    }

    /// `r.valey` where `r` holds a value of known type (`r = lr_find(...)`, bound once, read at top level).
    private mutating func checkAttribute(_ attribute: String, of base: Expr, at location: SourceLocation) {
        guard frames.isEmpty, case .name(let name) = base.kind, let type = knownTypes[name],
            type.property(named: attribute) == nil, type.method(named: attribute) == nil
        else { return }
        problems.append(DSLError(.attribute, Suggestions.missingAttribute(attribute, ofType: type.name, among: type.attributeNames), at: location))
    }

    /// The user's names a misspelling could have meant: the enclosing scopes' and the module's.
    private func userNames(insideFunction: Bool) -> [String] {
        var names = insideFunction ? Array(moduleBindings.keys) + Array(globalDeclared) : Array(defined)
        for frame in frames {
            switch frame {
            case .comprehension(let local): names += local
            case .function(let definition): names += definition.localNames
            }
        }
        return names.sorted()
    }

    // MARK: - Collecting bindings

    /// The names `statements` bind in their own scope, in order, with where: assignments, loop variables, `def`s,
    /// also inside `if`/`for`/`while` blocks, but not inside functions or comprehensions.
    private static func collectBindings(_ statements: [Stmt], into names: inout [(String, SourceLocation)]) {
        for statement in statements {
            switch statement.kind {
            case .assign(let targets, _): targets.forEach { collectBindings($0, into: &names) }
            case .augmentedAssign(let target, _, _): collectBindings(target, into: &names)
            case .forLoop(let target, _, let body):
                collectBindings(target, into: &names)
                collectBindings(body, into: &names)
            case .whileLoop(_, let body): collectBindings(body, into: &names)
            case .ifChain(let branches, let otherwise):
                branches.forEach { collectBindings($0.body, into: &names) }
                collectBindings(otherwise ?? [], into: &names)
            case .functionDefinition(let definition): names.append((definition.name, definition.location))
            case .expression, .breakLoop, .continueLoop, .pass, .returnValue, .assert, .delete, .declaration: break
            }
        }
    }

    private static func collectBindings(_ target: Target, into names: inout [(String, SourceLocation)]) {
        switch target.kind {
        case .name(let name): names.append((name, target.location))
        case .sequence(let targets): targets.forEach { collectBindings($0, into: &names) }
        case .starred(let inner): collectBindings(inner, into: &names)
        case .attribute, .index: break
        }
    }

    /// Names declared `global` by any function in `statements`, however deeply nested.
    private static func collectGlobalDeclarations(_ statements: [Stmt], into names: inout Set<String>) {
        for statement in statements {
            switch statement.kind {
            case .functionDefinition(let definition):
                names.formUnion(definition.globalNames)
                if case .statements(let body) = definition.body { collectGlobalDeclarations(body, into: &names) }
            case .forLoop(_, _, let body), .whileLoop(_, let body):
                collectGlobalDeclarations(body, into: &names)
            case .ifChain(let branches, let otherwise):
                branches.forEach { collectGlobalDeclarations($0.body, into: &names) }
                collectGlobalDeclarations(otherwise ?? [], into: &names)
            case .expression, .assign, .augmentedAssign, .breakLoop, .continueLoop, .pass, .returnValue, .assert, .delete,
                .declaration:
                break
            }
        }
    }
}
