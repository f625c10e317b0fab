/// The arguments of one builtin call, already matched to the builtin's parameters.
/// Accessors read a parameter by name and convert it, throwing a `TypeError` that names the callable and the
/// parameter when the value has the wrong type: `range() argument 'step' must be int, not str`.
public struct Arguments {
    /// The builtin being called.
    public let function: BuiltinFunction
    /// The value before the dot for methods (and the object for callable objects); `.none` for plain functions.
    public let receiver: Value
    /// The interpreter running the call, for calling back into the language and for output.
    public let interpreter: Interpreter
    private let values: [Value]
    private let given: [Bool]

    init(function: BuiltinFunction, receiver: Value, interpreter: Interpreter, values: [Value], given: [Bool]) {
        self.function = function
        self.receiver = receiver
        self.interpreter = interpreter
        self.values = values
        self.given = given
    }

    private func index(of name: String) throws -> Int {
        guard let index = function.parameters.firstIndex(where: { $0.name == name }) else {
            throw DSLError(.runtime, "internal error: \(function.qualifiedName)() has no parameter '\(name)'")
        }
        return index
    }

    /// The argument for parameter `name` (its default when omitted).
    public func value(_ name: String) throws -> Value {
        values[try index(of: name)]
    }

    /// Whether the caller passed parameter `name` explicitly (as opposed to getting its default).
    public func wasGiven(_ name: String) throws -> Bool {
        given[try index(of: name)]
    }

    /// Whether the argument is `None`.
    public func isNone(_ name: String) throws -> Bool {
        if case .none = try value(name) { return true }
        return false
    }

    /// An integer argument (bools count as 0/1, as in Python).
    public func int(_ name: String) throws -> Int {
        let argument = try value(name)
        switch argument {
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: throw typeError(name, expected: "int", found: argument)
        }
    }

    /// An integer argument, or nil when it is `None`.
    public func optionalInt(_ name: String) throws -> Int? {
        try isNone(name) ? nil : try int(name)
    }

    /// A number argument as Double (ints are converted).
    public func double(_ name: String) throws -> Double {
        let argument = try value(name)
        switch argument {
        case .float(let number): return number
        case .int(let number): return Double(number)
        case .bool(let flag): return flag ? 1 : 0
        default: throw typeError(name, expected: "a number", found: argument)
        }
    }

    /// A number argument, or nil when it is `None`.
    public func optionalDouble(_ name: String) throws -> Double? {
        try isNone(name) ? nil : try double(name)
    }

    /// A string argument.
    public func string(_ name: String) throws -> String {
        let argument = try value(name)
        guard case .string(let text) = argument else { throw typeError(name, expected: "str", found: argument) }
        return text
    }

    /// A string argument, or nil when it is `None`.
    public func optionalString(_ name: String) throws -> String? {
        try isNone(name) ? nil : try string(name)
    }

    /// The truthiness of an argument (`flag=0` is false).
    public func bool(_ name: String) throws -> Bool {
        try Operations.truthy(try value(name))
    }

    /// The elements of an iterable argument (list, tuple, str, dict keys, range, iterable object).
    public func elements(_ name: String) throws -> [Value] {
        let argument = try value(name)
        do {
            return try argument.elements()
        } catch let error as DSLError where error.kind == .type && error.location == nil {
            throw typeError(name, expected: "an iterable", found: argument)
        }
    }

    /// The extra positional arguments collected by `*name`.
    public func variadic(_ name: String) throws -> [Value] {
        guard case .tuple(let items) = try value(name) else { return [] }
        return items
    }

    /// The extra keyword arguments collected by `**name`, in call order.
    public func keywords(_ name: String) throws -> [(name: String, value: Value)] {
        guard case .dict(let dict) = try value(name) else { return [] }
        return dict.entries.map { entry in
            if case .string(let key) = entry.key { return (key, entry.value) }
            return (entry.key.description, entry.value)
        }
    }

    /// A callable argument (function, builtin, method, type or callable object), or nil when it is `None`.
    public func optionalCallable(_ name: String) throws -> Value? {
        let argument = try value(name)
        if case .none = argument { return nil }
        guard argument.isCallable else { throw typeError(name, expected: "a function", found: argument) }
        return argument
    }

    /// A wrapped object argument of Swift class `T`.
    public func object<T>(_ name: String, as type: T.Type, expected: String) throws -> T {
        let argument = try value(name)
        if case .object(let object) = argument, let typed = object as? T { return typed }
        throw typeError(name, expected: expected, found: argument)
    }

    /// The receiver as Swift class `T` (for methods of wrapped objects).
    public func receiver<T>(as type: T.Type) throws -> T {
        if case .object(let object) = receiver, let typed = object as? T { return typed }
        throw DSLError(.type, "\(function.qualifiedName)() cannot be applied to a '\(receiver.typeName)' value")
    }

    /// The error for an argument of the wrong type.
    public func typeError(_ name: String, expected: String, found: Value) -> DSLError {
        DSLError(.type, "\(function.qualifiedName)() argument '\(name)' must be \(expected), not \(found.typeName)")
    }

    /// The error for an argument with an unacceptable value.
    public func valueError(_ name: String, _ problem: String) -> DSLError {
        DSLError(.value, "\(function.qualifiedName)() argument '\(name)' \(problem)")
    }

    /// Calls a language-level callable (e.g. a `key=` function) with positional arguments.
    public func call(_ callee: Value, _ arguments: [Value]) throws -> Value {
        try interpreter.call(callee, arguments)
    }
}
