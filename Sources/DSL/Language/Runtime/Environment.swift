/// One level of variables: the module's globals, a function call's locals, or a comprehension's loop variables.
/// Lookup walks outward through the scopes a function was defined in (lexical scoping), then the builtins.
final class Scope {
    var variables = Variables()
    /// The scope the code of this scope was written in; nil for the globals. Changes only while
    /// `CallScopeRelease` inspects a finished call, which puts it back before anything else runs.
    private(set) var parent: Scope?
    /// Whether a function was ever defined in this scope or in one nested in it (a comprehension, a nested call).
    /// Only such a scope can be kept alive by its own variables, so only its calls need `CallScopeRelease`.
    private(set) var holdsClosures = false
    /// The function whose call created this scope (for its `global`/`nonlocal` declarations).
    let function: FunctionDefinition?
    /// Whether this is the scope of a call that has returned or thrown: no code runs in it any more, only the
    /// closures that escaped the call read and write it. Dropping such a closure later may leave the scope kept
    /// alive only by its own functions, which `CallScopeRelease` checks.
    private(set) var isFinishedCall = false

    init(parent: Scope?, function: FunctionDefinition?) {
        self.parent = parent
        self.function = function
    }

    deinit {
        // Deeply nested values held only by this scope's variables are taken apart without deep recursion.
        variables.removeAll()
    }

    /// Marks the scope of a call that has just returned or thrown.
    func markCallFinished() {
        isFinishedCall = true
    }

    /// Records that a function now closes over this scope, which makes it and every enclosing scope a possible
    /// part of a reference cycle (the function stored in a variable of the scope it closes over).
    func noteClosure() {
        var scope: Scope? = self
        while let current = scope, !current.holdsClosures {
            current.holdsClosures = true
            scope = current.parent
        }
    }

    /// Replaces the parent link and returns the old one (for `CallScopeRelease`, which restores it).
    func exchangeParent(_ newParent: Scope?) -> Scope? {
        defer { parent = newParent }
        return parent
    }

    /// The innermost binding of `name`, `.unbound` when the function that owns the name has not assigned it
    /// yet, or `.missing` when no enclosing scope has it (the caller then tries the builtins).
    func lookup(_ name: String) -> Lookup {
        var scope: Scope? = self
        while let current = scope {
            if let value = current.variables[name] { return .found(value) }
            if let function = current.function, function.localNames.contains(name) { return .unbound(function.name) }
            scope = current.parent
        }
        return .missing
    }

    enum Lookup {
        case found(Value)
        /// The name is local to the named function, which has not assigned it yet.
        case unbound(String)
        case missing
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
