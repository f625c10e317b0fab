/// The variables of one scope, by name. A plain dictionary would free a value it drops (a variable overwritten
/// or deleted, the scope ending) by recursing once per nesting level, which overflows the stack for a chain of
/// millions of tuples (`for i in range(10**7): x = (x,)`, then `x = None`); this one hands every container it
/// drops to `ContainerTeardown`, which takes such chains apart level by level.
struct Variables {
    private var storage: [String: Value] = [:]

    /// The value of `name`; assigning nil removes the variable.
    subscript(name: String) -> Value? {
        get { storage[name] }
        set {
            var old = newValue.map { storage.updateValue($0, forKey: name) } ?? storage.removeValue(forKey: name)
            Variables.discard(&old)
        }
    }

    /// The names defined, in no particular order.
    var keys: Dictionary<String, Value>.Keys { storage.keys }

    /// The values, in no particular order.
    var values: Dictionary<String, Value>.Values { storage.values }

    /// Whether a variable holds a list, function or bound method (a value that can refer back to a scope).
    var containsReferences: Bool {
        storage.values.contains { value in
            switch value {
            case .list, .function, .method: return true
            default: return false
            }
        }
    }

    /// Stores `value` under `name` and hands back the value it replaces instead of passing it to the teardown,
    /// for `CallScopeRelease`, which takes references out of a scope and puts them back.
    @discardableResult
    mutating func exchange(_ name: String, with value: Value) -> Value? {
        storage.updateValue(value, forKey: name)
    }

    /// Removes `name`; false when it was not defined.
    mutating func remove(_ name: String) -> Bool {
        var old = storage.removeValue(forKey: name)
        guard old != nil else { return false }
        Variables.discard(&old)
        return true
    }

    /// Removes every variable.
    mutating func removeAll() {
        guard storage.values.contains(where: { $0.isContainer }) else {
            storage.removeAll()
            return
        }
        var dropped = Array(storage.values)
        storage.removeAll()
        ContainerTeardown.release(&dropped)
    }

    /// Releases a dropped value; containers go through the teardown, which needs to hold the only reference.
    private static func discard(_ old: inout Value?) {
        guard old?.isContainer == true else { return }
        var dropped: [Value] = []
        if let value = old { dropped.append(value) }
        old = nil
        ContainerTeardown.release(&dropped)
    }
}
