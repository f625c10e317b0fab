/// How a statement finished: normally, or by leaving a loop or function early.
enum Completion {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
}

extension Interpreter {
    func execute(_ statements: [Stmt], _ scope: Scope) throws -> Completion {
        for statement in statements {
            let completion = try execute(statement, scope)
            if case .normal = completion { continue }
            return completion
        }
        return .normal
    }

    /// Runs one statement; errors without a position get the statement's.
    func execute(_ statement: Stmt, _ scope: Scope) throws -> Completion {
        frames[frames.count - 1].location = statement.location
        do {
            return try executeUnlocated(statement, scope)
        } catch {
            throw located(error, at: statement.location)
        }
    }

    private func executeUnlocated(_ statement: Stmt, _ scope: Scope) throws -> Completion {
        switch statement.kind {
        case .expression(let expr):
            _ = try evaluate(expr, scope)
        case .assign(let targets, let valueExpr):
            let value = try evaluate(valueExpr, scope)
            // Only module-level code assigns in `globals` itself; functions and comprehensions have their own scopes.
            let keepingPinned = scope === globals && !pinnedGlobals.isEmpty
            for target in targets { try assign(target, value, scope, keepingPinned: keepingPinned) }
        case .augmentedAssign(let target, let op, let valueExpr):
            try augmentedAssign(target, op, valueExpr, scope, at: statement.location)
        case .ifChain(let branches, let otherwise):
            for branch in branches where try truthy(branch.condition, scope) {
                return try execute(branch.body, scope)
            }
            if let otherwise { return try execute(otherwise, scope) }
        case .whileLoop(let condition, let body):
            while try truthy(condition, scope) {
                try interrupt.check()
                switch try execute(body, scope) {
                case .normal, .continueLoop: continue
                case .breakLoop: return .normal
                case .returned(let value): return .returned(value)
                }
            }
        case .forLoop(let target, let iterableExpr, let body):
            let iterable = try evaluate(iterableExpr, scope)
            let iterator: ValueIterator
            do {
                iterator = try iterable.makeIterator()
            } catch {
                throw located(error, at: iterableExpr.location)
            }
            while let element = try iterator.next() {
                try interrupt.check()
                try assign(target, element, scope)
                switch try execute(body, scope) {
                case .normal, .continueLoop: continue
                case .breakLoop: return .normal
                case .returned(let value): return .returned(value)
                }
            }
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case .returnValue(let expr):
            return .returned(try expr.map { try evaluate($0, scope) } ?? .none)
        case .functionDefinition(let definition):
            let function = try makeFunction(definition, scope)
            try assignName(definition.name, .function(function), scope, at: definition.location)
        case .assert(let condition, let messageExpr):
            if !(try truthy(condition, scope)) {
                let message = try messageExpr.map { try evaluate($0, scope).description } ?? "assertion failed"
                throw error(.assertion, message, at: statement.location)
            }
        case .delete(let targets):
            for target in targets { try delete(target, scope) }
        case .pass, .declaration:
            break
        }
        return .normal
    }

    private func truthy(_ expr: Expr, _ scope: Scope) throws -> Bool {
        let value = try evaluate(expr, scope)
        do {
            return try Operations.truthy(value)
        } catch {
            throw located(error, at: expr.location)
        }
    }

    // MARK: - Functions

    func makeFunction(_ definition: FunctionDefinition, _ scope: Scope) throws -> Function {
        let parameters = try definition.parameters.map { syntax in
            Parameter(
                name: syntax.name, kind: syntax.kind,
                defaultValue: try syntax.defaultValue.map { try evaluate($0, scope) })
        }
        return Function(definition: definition, parameters: parameters, closure: scope)
    }

    // MARK: - Assignment

    /// Stores `value` into `target`. With `keepingPinned` (a top-level `=` statement), names fixed by `pinGlobal`
    /// keep their value.
    func assign(_ target: Target, _ value: Value, _ scope: Scope, keepingPinned: Bool = false) throws {
        do {
            switch target.kind {
            case .name(let name):
                if keepingPinned && pinnedGlobals.contains(name) { return }
                try assignName(name, value, scope, at: target.location)
            case .attribute(let baseExpr, let name):
                try setAttribute(of: try evaluate(baseExpr, scope), name, to: value)
            case .index(let baseExpr, let indexExpr):
                let base = try evaluate(baseExpr, scope)
                try Operations.setItem(of: base, at: try evaluate(indexExpr, scope), to: value)
            case .sequence(let targets):
                try unpack(value, into: targets, scope, keepingPinned: keepingPinned)
            case .starred:
                throw DSLError(.syntax, "a starred assignment target must be inside a list or tuple")
            }
        } catch {
            throw located(error, at: target.location)
        }
    }

    private func unpack(_ value: Value, into targets: [Target], _ scope: Scope, keepingPinned: Bool) throws {
        let elements: [Value]
        do {
            elements = try value.elements()
        } catch let error as DSLError where error.kind == .type {
            throw DSLError(.type, "cannot unpack a non-iterable \(value.typeName) into \(targets.count) targets")
        }
        let starIndex = targets.firstIndex { if case .starred = $0.kind { return true } else { return false } }
        if let starIndex {
            let after = targets.count - starIndex - 1
            guard elements.count >= targets.count - 1 else {
                throw DSLError(.value, "not enough values to unpack (expected at least \(targets.count - 1), got \(elements.count))")
            }
            for index in 0..<starIndex { try assign(targets[index], elements[index], scope, keepingPinned: keepingPinned) }
            if case .starred(let inner) = targets[starIndex].kind {
                try assign(inner, .list(Array(elements[starIndex..<(elements.count - after)])), scope, keepingPinned: keepingPinned)
            }
            for offset in 0..<after {
                try assign(
                    targets[starIndex + 1 + offset], elements[elements.count - after + offset], scope,
                    keepingPinned: keepingPinned)
            }
            return
        }
        guard elements.count == targets.count else {
            let problem = elements.count > targets.count ? "too many" : "not enough"
            throw DSLError(.value, "\(problem) values to unpack (expected \(targets.count), got \(elements.count))")
        }
        for (target, element) in zip(targets, elements) { try assign(target, element, scope, keepingPinned: keepingPinned) }
    }

    /// Binds `name` in the scope Python would: globals for `global` names, the enclosing function's scope for
    /// `nonlocal` names, otherwise the current scope.
    func assignName(_ name: String, _ value: Value, _ scope: Scope, at location: SourceLocation) throws {
        store(value, as: name, in: try owner(ofAssigned: name, scope, at: location))
    }

    /// The scope an assignment to `name` in `scope` writes to.
    private func owner(ofAssigned name: String, _ scope: Scope, at location: SourceLocation) throws -> Scope {
        guard let function = scope.function else { return scope }
        if function.globalNames.contains(name) { return globals }
        guard function.nonlocalNames.contains(name) else { return scope }
        var candidate = scope.parent
        while let current = candidate, current !== globals {
            if current.variables[name] != nil { return current }
            candidate = current.parent
        }
        throw error(.name, "no binding for nonlocal '\(name)' found in an enclosing function", at: location)
    }

    /// Binds `name` in `owner`. When the value it replaces was a closure over a finished call (`tick = None` after
    /// `tick = make_counter()`), that call's scope may now be kept alive only by its own functions: it is checked
    /// once the store is done and the old value is gone, and freed if nothing else reaches it.
    private func store(_ value: Value, as name: String, in owner: Scope) {
        var released = CallScopeRelease.finishedScopes(closedOverBy: owner.variables[name])
        owner.variables[name] = value
        CallScopeRelease.releaseFinished(&released)
    }

    private func augmentedAssign(
        _ target: Target, _ op: BinaryOperator, _ valueExpr: Expr, _ scope: Scope,
        at location: SourceLocation
    ) throws {
        func combine(_ current: Value, _ operand: Value) throws -> Value {
            // `xs += ys` extends the list in place, as in Python (other references see the change).
            if op == .add, case .list(let list) = current {
                try list.extend(with: try operand.elements())
                return current
            }
            do {
                return try Operations.binary(op, current, operand)
            } catch {
                throw located(error, at: location)
            }
        }
        switch target.kind {
        case .name(let name):
            let current = try lookup(name, scope, at: target.location)
            let result = try combine(current, try evaluate(valueExpr, scope))
            try assignName(name, result, scope, at: target.location)
        case .attribute(let baseExpr, let name):
            let base = try evaluate(baseExpr, scope)
            let current = try attribute(of: base, name, at: target.location)
            let result = try combine(current, try evaluate(valueExpr, scope))
            do { try setAttribute(of: base, name, to: result) } catch { throw located(error, at: target.location) }
        case .index(let baseExpr, let indexExpr):
            let base = try evaluate(baseExpr, scope)
            let index = try evaluate(indexExpr, scope)
            let current: Value
            do { current = try Operations.item(of: base, at: index) } catch { throw located(error, at: target.location) }
            let result = try combine(current, try evaluate(valueExpr, scope))
            do { try Operations.setItem(of: base, at: index, to: result) } catch { throw located(error, at: target.location) }
        case .sequence, .starred:
            throw error(.syntax, "augmented assignment needs a single target", at: target.location)
        }
    }

    private func delete(_ target: Target, _ scope: Scope) throws {
        switch target.kind {
        case .name(let name):
            let owner = scope.function?.globalNames.contains(name) == true ? globals : scope
            // As for an assignment, the scope of a deleted closure over a finished call may have lost its last holder.
            var released = CallScopeRelease.finishedScopes(closedOverBy: owner.variables[name])
            guard owner.variables.remove(name) else {
                throw error(.name, "name '\(name)' is not defined", at: target.location)
            }
            CallScopeRelease.releaseFinished(&released)
        case .index(let baseExpr, let indexExpr):
            let base = try evaluate(baseExpr, scope)
            let index = try evaluate(indexExpr, scope)
            do { try Operations.deleteItem(of: base, at: index) } catch { throw located(error, at: target.location) }
        case .attribute, .sequence, .starred:
            throw error(.type, "only names and items (x[i]) can be deleted", at: target.location)
        }
    }
}
