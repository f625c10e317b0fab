extension Interpreter {
    /// Calls any callable value with evaluated arguments.
    func callValue(_ callee: Value, _ positional: [Value], _ keywords: [(String, Value)]) throws -> Value {
        switch callee {
        case .function(let function):
            return try callFunction(function, positional, keywords)
        case .builtin(let function):
            return try callBuiltin(function, receiver: .none, positional, keywords)
        case .method(let method):
            return try callBuiltin(method.function, receiver: method.receiver, positional, keywords)
        case .type(let type):
            guard let constructor = type.constructor else {
                throw DSLError(.type, "'\(type.name)' values cannot be created by calling the type")
            }
            return try callBuiltin(constructor, receiver: .none, positional, keywords)
        case .object(let object):
            guard let callable = object.callable else {
                throw DSLError(.type, "'\(callee.typeName)' object is not callable")
            }
            return try callBuiltin(callable, receiver: callee, positional, keywords)
        default:
            throw DSLError(.type, "'\(callee.typeName)' object is not callable")
        }
    }

    private func callBuiltin(
        _ function: BuiltinFunction, receiver: Value, _ positional: [Value],
        _ keywords: [(String, Value)]
    ) throws -> Value {
        let (values, given) = try function.binder.bind(positional: positional, keywords: keywords)
        let arguments = Arguments(function: function, receiver: receiver, interpreter: self, values: values, given: given)
        return try function.implementation(arguments)
    }

    private func callFunction(_ function: Function, _ positional: [Value], _ keywords: [(String, Value)]) throws -> Value {
        try interrupt.check()
        guard frames.count <= recursionLimit else {
            throw DSLError(.recursion, "maximum recursion depth exceeded (more than \(recursionLimit) nested calls) in \(function.name)()")
        }
        let (values, _) = try function.binder.bind(positional: positional, keywords: keywords)
        var scope = Scope(parent: function.closure, function: function.definition)
        // Runs once the result (or the error) is held, so a returned closure counts as a reference from outside.
        defer { CallScopeRelease.finishCall(&scope) }
        for (parameter, value) in zip(function.parameters, values) {
            scope.variables[parameter.name] = value
        }
        frames.append(CallFrame(name: function.name, location: function.definition.location))
        defer { frames.removeLast() }
        switch function.definition.body {
        case .statements(let statements):
            if case .returned(let value) = try execute(statements, scope) { return value }
            return .none
        case .expression(let expr):
            return try evaluate(expr, scope)
        }
    }
}
