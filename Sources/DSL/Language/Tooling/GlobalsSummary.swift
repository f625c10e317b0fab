/// One line of the REPL's `:vars` listing.
public struct GlobalSummary: Equatable {
    /// The variable name.
    public let name: String
    /// The name of its value's type.
    public let typeName: String
    /// A short, single-line description of the value.
    public let description: String
    /// The value's shape (tensors), if it has one.
    public let shape: [Int]?
    /// Bytes of tensor data the value holds (tensors, models, data sets), if any.
    public let memoryBytes: Int?
}

extension Interpreter {
    /// Longest description in `globalsSummary()`; longer ones are cut with `...`.
    static let summaryWidth = 60

    /// The user's global variables, sorted by name, each with its type and a short description.
    public func globalsSummary() -> [GlobalSummary] {
        globals.variables.keys.sorted().compactMap { name in
            guard let value = globals.variables[name] else { return nil }
            var object: DSLObject?
            if case .object(let wrapped) = value { object = wrapped }
            return GlobalSummary(
                name: name, typeName: value.typeName, description: Interpreter.shortDescription(of: value),
                shape: object?.shape, memoryBytes: object?.memoryBytes)
        }
    }

    /// Removes every global variable (builtins stay), and frees the reference cycles among what they held (the call
    /// scopes closures kept alive, top-level functions, containers holding themselves).
    public func resetGlobals() {
        var nothingElse: [Value] = []
        collectGlobals(with: &nothingElse)
        pinnedGlobals.removeAll()
    }

    static func shortDescription(of value: Value) -> String {
        let text: String
        switch value {
        case .function(let function): text = function.signature
        case .builtin(let function): text = function.signature
        case .object(let object): text = object.summary
        default: text = value.repr
        }
        let line = text.replacingOccurrences(of: "\n", with: " ")
        return line.count > summaryWidth ? String(line.prefix(summaryWidth - 3)) + "..." : line
    }
}
