/// Which names a function body binds locally, decided before it runs (as Python does): reading such a name
/// before the function assigned it is an error instead of silently reading an outer variable of the same name.
enum ScopeAnalysis {
    /// Parameters plus every name the body assigns, loops over, defines or deletes, except names declared
    /// `global`/`nonlocal`. Nested functions and comprehensions have their own scopes and are not entered.
    static func localNames(
        parameters: [ParameterSyntax], body: FunctionBody,
        globalNames: Set<String>, nonlocalNames: Set<String>
    ) -> Set<String> {
        var names = Set(parameters.map(\.name))
        if case .statements(let statements) = body { collect(statements, into: &names) }
        return names.subtracting(globalNames).subtracting(nonlocalNames)
    }

    private static func collect(_ statements: [Stmt], into names: inout Set<String>) {
        for statement in statements {
            switch statement.kind {
            case .assign(let targets, _): targets.forEach { collect($0, into: &names) }
            case .augmentedAssign(let target, _, _): collect(target, into: &names)
            case .delete(let targets): targets.forEach { collect($0, into: &names) }
            case .forLoop(let target, _, let body):
                collect(target, into: &names)
                collect(body, into: &names)
            case .whileLoop(_, let body): collect(body, into: &names)
            case .ifChain(let branches, let otherwise):
                branches.forEach { collect($0.body, into: &names) }
                collect(otherwise ?? [], into: &names)
            case .functionDefinition(let definition): names.insert(definition.name)
            case .expression, .breakLoop, .continueLoop, .pass, .returnValue, .assert, .declaration: break
            }
        }
    }

    private static func collect(_ target: Target, into names: inout Set<String>) {
        switch target.kind {
        case .name(let name): names.insert(name)
        case .sequence(let targets): targets.forEach { collect($0, into: &names) }
        case .starred(let inner): collect(inner, into: &names)
        case .attribute, .index: break
        }
    }
}
