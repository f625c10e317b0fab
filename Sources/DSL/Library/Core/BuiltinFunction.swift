/// A function implemented in Swift: a builtin such as `len`, a method such as `list.append`, or the call
/// behaviour of a wrapped object. Its parameters drive argument checking, `help`, completion and the reference.
public final class BuiltinFunction {
    /// The name it is called by (`append`, not `list.append`).
    public let name: String
    /// The type it is a method of, if any.
    public let owner: String?
    /// The parameters, with defaults.
    public let parameters: [Parameter]
    /// One-line documentation (more lines allowed; the first is the summary).
    public let doc: String
    let implementation: (Arguments) throws -> Value
    /// The type of what it always returns, when that type's objects have no attributes beyond its properties and
    /// methods: `rnx check` then knows the attributes of `r` in `r = lr_find(...)` and flags `r.valey`.
    public private(set) var returnType: DSLType?

    /// Creates a builtin. The implementation reads its arguments by parameter name from `Arguments`.
    ///
    ///     BuiltinFunction("clip", [.required("x"), .optional("low", 0), .optional("high", 1)],
    ///                     doc: "Limit x to the interval [low, high].") { args in
    ///         .float(min(max(try args.double("x"), try args.double("low")), try args.double("high")))
    ///     }
    public init(
        _ name: String, _ parameters: [Parameter] = [], doc: String,
        _ implementation: @escaping (Arguments) throws -> Value
    ) {
        self.name = name
        self.owner = nil
        self.parameters = parameters
        self.doc = doc
        self.implementation = implementation
    }

    private init(
        name: String, owner: String, parameters: [Parameter], doc: String,
        implementation: @escaping (Arguments) throws -> Value
    ) {
        self.name = name
        self.owner = owner
        self.parameters = parameters
        self.doc = doc
        self.implementation = implementation
    }

    /// Declares the type of what the builtin returns (see `returnType`), e.g.
    /// `BuiltinFunction("lr_find", …).returning(TrainResults.lrFinderType)`.
    func returning(_ type: DSLType) -> BuiltinFunction {
        returnType = type
        return self
    }

    /// The same function as a method of type `owner` (or as the constructor when the name equals the type's).
    func owned(by owner: String) -> BuiltinFunction {
        BuiltinFunction(name: name, owner: owner, parameters: parameters, doc: doc, implementation: implementation)
    }

    /// `list.append` for methods, `len` for functions (`int` for a constructor).
    public var qualifiedName: String {
        guard let owner, owner != name else { return name }
        return "\(owner).\(name)"
    }

    /// The signature as shown by `help`: `range(start, stop=None, step=1)`.
    public var signature: String { "\(qualifiedName)(\(Parameter.render(parameters)))" }

    /// The first line of `doc`.
    public var summary: String { String(doc.split(separator: "\n").first ?? "") }

    var binder: ArgumentBinder {
        ArgumentBinder(parameters: parameters, calleeName: qualifiedName, signature: signature)
    }
}

/// A function defined in the language with `def` or `lambda`, together with the scope it was defined in.
public final class Function {
    /// The function's name (`<lambda>` for lambdas).
    public let name: String
    /// Parameters with their defaults (evaluated when the `def` ran). Emptied only while the function is being freed.
    public private(set) var parameters: [Parameter]
    let definition: FunctionDefinition
    /// The scope the function was defined in. A `var` only so that `takeHeldValues` can test whether the function
    /// is its last owner, and so that `CallScopeRelease` can take the reference out while it inspects a finished
    /// call (it puts it back before anything else runs).
    private(set) var closure: Scope

    init(definition: FunctionDefinition, parameters: [Parameter], closure: Scope) {
        self.name = definition.name
        self.parameters = parameters
        self.definition = definition
        self.closure = closure
        closure.noteClosure()
    }

    deinit {
        // A default can be the last reference to another function with defaults (`f = lambda v=f: v` in a loop):
        // freeing those one nested deinit at a time could overflow the stack, so they go through the teardown.
        // The closure scope frees its own variables the same way (see `Scope`).
        guard parameters.contains(where: { $0.defaultValue?.isContainer == true }) else { return }
        var defaults = parameters.compactMap(\.defaultValue)
        parameters = []
        ContainerTeardown.release(&defaults)
    }

    /// Empties the function for `ContainerTeardown`, which holds the only reference to it, and returns the values
    /// that freeing it would release: its default values, and the variables of its closure scope when no other
    /// function or running call shares that scope (a lambda returned from a call is typically its scope's only owner).
    func takeHeldValues() -> [Value] {
        var held = parameters.compactMap(\.defaultValue)
        parameters = []
        if isKnownUniquelyReferenced(&closure) {
            for name in Array(closure.variables.keys) {
                if let value = closure.variables[name] { held.append(value) }
            }
            // `held` keeps the values alive, so replacing the variables releases nothing here.
            closure.variables = Variables()
        }
        return held
    }

    /// Replaces the closure scope and returns the old one (for `CallScopeRelease`, which restores it).
    func exchangeClosure(_ newClosure: Scope) -> Scope {
        defer { closure = newClosure }
        return closure
    }

    /// Replaces the default value of parameter `index` and returns the old one (for `CallScopeRelease`, which
    /// restores it; the parameter must have a default).
    func exchangeDefault(at index: Int, with value: Value) -> Value? {
        let parameter = parameters[index]
        parameters[index] = Parameter(name: parameter.name, kind: parameter.kind, defaultValue: value)
        return parameter.defaultValue
    }

    /// The docstring, if the body starts with one.
    public var doc: String? { definition.doc }

    /// `name(a, b=1)`.
    public var signature: String { "\(name)(\(Parameter.render(parameters)))" }

    var binder: ArgumentBinder {
        ArgumentBinder(parameters: parameters, calleeName: name, signature: signature)
    }
}
