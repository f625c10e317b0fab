/// One level of variables: the module's globals, a function call's locals, or a comprehension's loop variables.
/// Lookup walks outward through the scopes a function was defined in (lexical scoping), then the builtins.
final class Scope {
    var variables: [String: Value] = [:]
    /// The scope the code of this scope was written in; nil for the globals.
    let parent: Scope?
    /// The function whose call created this scope (for its `global`/`nonlocal` declarations).
    let function: FunctionDefinition?

    init(parent: Scope?, function: FunctionDefinition?) {
        self.parent = parent
        self.function = function
    }

    /// The innermost binding of `name`, or nil.
    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let current = scope {
            if let value = current.variables[name] { return value }
            scope = current.parent
        }
        return nil
    }

    /// Names visible from this scope (innermost binding first), for suggestions.
    var visibleNames: [String] {
        var names: [String] = []
        var scope: Scope? = self
        while let current = scope {
            names += current.variables.keys
            scope = current.parent
        }
        return names
    }
}
