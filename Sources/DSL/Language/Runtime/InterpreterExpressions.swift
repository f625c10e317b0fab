extension Interpreter {
    /// Evaluates an expression; errors without a position get this node's position and the current traceback.
    func evaluate(_ expr: Expr, _ scope: Scope) throws -> Value {
        do {
            return try evaluateUnlocated(expr, scope)
        } catch {
            throw located(error, at: expr.location)
        }
    }

    private func evaluateUnlocated(_ expr: Expr, _ scope: Scope) throws -> Value {
        switch expr.kind {
        case .literal(let value):
            return value
        case .name(let name):
            return try lookup(name, scope, at: expr.location)
        case .formatString(let segments):
            return .string(try render(segments, scope))
        case .list(let items):
            return .list(try evaluateItems(items, scope))
        case .tuple(let items):
            return .tuple(try evaluateItems(items, scope))
        case .dict(let entries):
            let dict = DictObject()
            for entry in entries {
                let value = try evaluate(entry.value, scope)
                if let keyExpr = entry.key {
                    try dict.set(try evaluate(keyExpr, scope), value)
                } else {
                    guard case .dict(let other) = value else {
                        throw error(.type, "'**' needs a dict, not \(value.typeName)", at: entry.value.location)
                    }
                    for (key, item) in other.entries { try dict.set(key, item) }
                }
            }
            return .dict(dict)
        case .starred:
            throw DSLError(.syntax, "'*' unpacking is only allowed inside lists, tuples, calls and assignments")
        case .listComprehension(let element, let clauses):
            var results: [Value] = []
            let inner = Scope(parent: scope, function: nil)
            try runClauses(clauses[...], inner) {
                results.append(try self.evaluate(element, inner))
                if results.count > ContainerLimit.maximumElements {
                    try ContainerLimit.check(elements: results.count, of: "the list comprehension")
                }
            }
            return .list(results)
        case .dictComprehension(let keyExpr, let valueExpr, let clauses):
            let dict = DictObject()
            let inner = Scope(parent: scope, function: nil)
            try runClauses(clauses[...], inner) {
                try dict.set(try self.evaluate(keyExpr, inner), try self.evaluate(valueExpr, inner))
            }
            return .dict(dict)
        case .attribute(let baseExpr, let name):
            return try attribute(of: try attributeBase(baseExpr, attribute: name, scope), name, at: expr.location)
        case .index(let baseExpr, let indexExpr):
            let base = try evaluate(baseExpr, scope)
            return try Operations.item(of: base, at: try evaluate(indexExpr, scope))
        case .slice(let lower, let upper, let step):
            return .slice(
                SliceValue(
                    start: try sliceBound(lower, scope), stop: try sliceBound(upper, scope),
                    step: try sliceBound(step, scope)))
        case .call(let calleeExpr, let arguments):
            try checkStack()
            let callee: Value
            if case .attribute(let baseExpr, let name) = calleeExpr.kind {
                let base = try attributeBase(baseExpr, attribute: name, scope)
                callee = try attribute(of: base, name, at: calleeExpr.location)
                if base.dslType.property(named: name) != nil, !callee.isCallable {
                    throw error(.type, Suggestions.calledProperty(name, ofType: base.dslType.name), at: expr.location)
                }
            } else {
                callee = try evaluate(calleeExpr, scope)
            }
            var positional: [Value] = []
            var keywords: [(String, Value)] = []
            for argument in arguments {
                switch argument {
                case .positional(let valueExpr):
                    positional.append(try evaluate(valueExpr, scope))
                case .keyword(let name, let valueExpr):
                    keywords.append((name, try evaluate(valueExpr, scope)))
                case .spread(let valueExpr):
                    let value = try evaluate(valueExpr, scope)
                    do { positional += try value.elements() } catch { throw located(error, at: valueExpr.location) }
                case .keywordSpread(let valueExpr):
                    keywords += try keywordArguments(from: try evaluate(valueExpr, scope), at: valueExpr.location)
                }
            }
            return try callValue(callee, positional, keywords)
        case .unary(let op, let operandExpr):
            return try Operations.unary(op, try evaluate(operandExpr, scope))
        case .binary(let op, let leftExpr, let rightExpr):
            let left = try evaluate(leftExpr, scope)
            return try Operations.binary(op, left, try evaluate(rightExpr, scope))
        case .not(let operandExpr):
            return .bool(!(try Operations.truthy(try evaluate(operandExpr, scope))))
        case .and(let leftExpr, let rightExpr):
            let left = try evaluate(leftExpr, scope)
            return try Operations.truthy(left) ? try evaluate(rightExpr, scope) : left
        case .or(let leftExpr, let rightExpr):
            let left = try evaluate(leftExpr, scope)
            return try Operations.truthy(left) ? left : try evaluate(rightExpr, scope)
        case .comparison(let firstExpr, let rest):
            var left = try evaluate(firstExpr, scope)
            var result = Value.bool(true)
            for (index, (op, rightExpr)) in rest.enumerated() {
                let right = try evaluate(rightExpr, scope)
                result = try compare(op, left, right)
                if index < rest.count - 1 {
                    guard try Operations.truthy(result) else { return result }
                }
                left = right
            }
            return result
        case .conditional(let condition, let then, let otherwise):
            return try Operations.truthy(try evaluate(condition, scope)) ? try evaluate(then, scope) : try evaluate(otherwise, scope)
        case .lambda(let definition):
            return .function(try makeFunction(definition, scope))
        }
    }

    /// Looks a name up in the scopes, then the builtins; a miss suggests the closest known name.
    func lookup(_ name: String, _ scope: Scope, at location: SourceLocation) throws -> Value {
        switch scope.lookup(name) {
        case .found(let value):
            return value
        case .unbound(let function):
            throw error(
                .name, "local variable '\(name)' is used before it is assigned in \(function)() (declare it 'global \(name)' to use the global)",
                at: location)
        case .missing:
            if let value = builtins[name] { return value }
        }
        var message = "name '\(name)' is not defined"
        let candidates = Array(builtins.keys) + Array(TokenKind.keywords.keys)
        if let suggestion = Suggestions.closest(to: name, among: candidates, preferring: scope.visibleNames) {
            message += " (did you mean '\(suggestion)'?)"
        }
        if ["true", "false", "none", "null", "nil"].contains(name) {
            message = "name '\(name)' is not defined (use \(name == "true" ? "True" : name == "false" ? "False" : "None"))"
        }
        throw error(.name, message, at: location)
    }

    private func evaluateItems(_ items: [Expr], _ scope: Scope) throws -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(items.count)
        for item in items {
            if case .starred(let inner) = item.kind {
                let value = try evaluate(inner, scope)
                do { values += try value.elements() } catch { throw located(error, at: inner.location) }
            } else {
                values.append(try evaluate(item, scope))
            }
        }
        return values
    }

    private func runClauses(_ clauses: ArraySlice<ComprehensionClause>, _ scope: Scope, _ body: () throws -> Void) throws {
        guard let clause = clauses.first else { return try body() }
        switch clause {
        case .loop(let target, let iterableExpr):
            let iterable = try evaluate(iterableExpr, scope)
            let iterator: ValueIterator
            do { iterator = try iterable.makeIterator() } catch { throw located(error, at: iterableExpr.location) }
            while let element = try iterator.next() {
                try interrupt.check()
                try assign(target, element, scope)
                try runClauses(clauses.dropFirst(), scope, body)
            }
        case .filter(let condition):
            if try Operations.truthy(try evaluate(condition, scope)) {
                try runClauses(clauses.dropFirst(), scope, body)
            }
        }
    }

    private func sliceBound(_ expr: Expr?, _ scope: Scope) throws -> Int? {
        guard let expr else { return nil }
        let value = try evaluate(expr, scope)
        if case .none = value { return nil }
        guard let number = value.integerValue else {
            throw error(.type, "slice indices must be integers or None, not \(value.typeName)", at: expr.location)
        }
        return number
    }

    private func keywordArguments(from value: Value, at location: SourceLocation) throws -> [(String, Value)] {
        guard case .dict(let dict) = value else {
            throw error(.type, "'**' needs a dict of keyword arguments, not \(value.typeName)", at: location)
        }
        return try dict.entries.map { entry in
            guard case .string(let name) = entry.key else {
                throw error(.type, "keyword argument names must be strings, not \(entry.key.typeName)", at: location)
            }
            return (name, entry.value)
        }
    }

    private func compare(_ op: ComparisonOperator, _ left: Value, _ right: Value) throws -> Value {
        switch op {
        case .binary(let binary): return try Operations.binary(binary, left, right)
        case .contains: return .bool(try Operations.contains(right, left))
        case .notContains: return .bool(!(try Operations.contains(right, left)))
        case .identical: return .bool(try Operations.identical(left, right))
        case .notIdentical: return .bool(!(try Operations.identical(left, right)))
        }
    }

    // MARK: - f-strings

    private func render(_ segments: [FormatStringSegment], _ scope: Scope) throws -> String {
        var text = ""
        for segment in segments {
            switch segment {
            case .literal(let literal):
                text += literal
            case .field(let expr, let conversion, let specSegments, let debugText):
                var value = try evaluate(expr, scope)
                switch conversion {
                case "r", "a": value = .string(try value.text(quoted: true))
                case "s": value = .string(try value.text(quoted: false))
                default: if debugText != nil && specSegments.isEmpty { value = .string(try value.text(quoted: true)) }
                }
                let spec = try render(specSegments, scope)
                if let debugText { text += debugText }
                do {
                    text += try Formatting.format(value, spec: spec)
                } catch {
                    throw located(error, at: expr.location)
                }
            }
        }
        return text
    }

    // MARK: - Attributes

    /// `value.name`: a property, a method (bound to the value), or an object's dynamic attribute.
    func attribute(of value: Value, _ name: String, at location: SourceLocation) throws -> Value {
        let type = value.dslType
        do {
            if let property = type.property(named: name) { return try property.get(value) }
            if let method = type.method(named: name) { return .method(BoundMethod(receiver: value, function: method)) }
            if case .object(let object) = value, let attribute = try object.attribute(named: name) { return attribute }
        } catch {
            throw located(error, at: location)
        }
        throw error(.attribute, Suggestions.missingAttribute(name, ofType: type.name, among: attributeNames(of: value)), at: location)
    }

    /// The value `base.attribute` reads from; `math.sqrt` with no `math` defined (rnx has no modules to import)
    /// points to the builtin.
    private func attributeBase(_ baseExpr: Expr, attribute: String, _ scope: Scope) throws -> Value {
        guard case .name(let module) = baseExpr.kind, builtins[module] == nil, builtins[attribute] != nil,
            case .missing = scope.lookup(module)
        else { return try evaluate(baseExpr, scope) }
        throw error(.name, Suggestions.moduleAttribute(module, attribute: attribute), at: baseExpr.location)
    }

    /// All attribute names of a value, for completion and suggestions.
    func attributeNames(of value: Value) -> [String] {
        var names = value.dslType.attributeNames
        if case .object(let object) = value { names += object.dynamicAttributeNames }
        return names
    }

    func setAttribute(of value: Value, _ name: String, to newValue: Value) throws {
        if let property = value.dslType.property(named: name) {
            guard let set = property.set else {
                throw DSLError(.attribute, "attribute '\(name)' of '\(value.typeName)' object is read-only")
            }
            return try set(value, newValue)
        }
        if case .object(let object) = value, try object.setAttribute(named: name, to: newValue) { return }
        throw DSLError(.attribute, "cannot set attribute '\(name)' on a '\(value.typeName)' object")
    }
}
