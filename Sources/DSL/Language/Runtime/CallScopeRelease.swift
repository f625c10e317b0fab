/// Frees finished call scopes that only their own functions keep alive.
///
/// A function defined inside a call (a nested `def`, a lambda stored in a local) holds the call's scope as its
/// closure, and the scope holds the function as a variable: reference counting alone never frees that pair, nor
/// anything else the scope's variables hold. The scope is checked when the call ends (`finishCall`) and again
/// whenever a closure over it that escaped the call is dropped later: a variable overwritten or deleted, a call
/// scope holding it ending, the globals reset (`finishedScopes(closedOverBy:)`, then `releaseFinished`).
/// `releaseIfUnreachable` decides whether anything outside such cycles still reaches the scope (an escaping
/// closure, a returned value, a value stored elsewhere, a call running in a scope nested in it) and, if nothing
/// does, empties the scope's variables so the cycles fall apart.
///
/// The decision is the trial deletion of Python's collector, with uniqueness tests instead of reference counts:
/// starting from the scope, every reference from an explored object to a list, function, bound method or nested
/// scope is taken out of its place and held once in a table. After the walk, an object still referenced by
/// something other than the table has a holder the walk did not see (a variable of another scope, the call's
/// return value, an error, a dict, a tuple, a Kernel object, a running call, …) and is alive, together with
/// everything it reaches through the references taken. The scope is freed only when it is not alive; every
/// reference is put back before anything else runs. Dicts, tuples and wrapped objects are not explored: a cycle
/// through them keeps the scope, which errs on the side of keeping closures working. Likewise an extra reference
/// (a scope still waiting in the work list, a value the interpreter holds) only ever keeps a scope.
enum CallScopeRelease {
    /// Marks `scope`, the scope of a call that just returned or threw, as finished, frees it when nothing
    /// outside its cycles reaches it, and frees the finished scopes its local variables were the last outside
    /// reference to (`c = make_counter()` in a call). The caller's reference must be the only one it holds.
    static func finishCall(_ scope: inout Scope) {
        scope.markCallFinished()
        var dropped = releaseIfUnreachable(&scope)
        releaseFinished(&dropped)
    }

    /// The finished call scopes that the function in `value` (or the functions in the list a bound method in
    /// `value` is bound to) close over, for the caller to check with `releaseFinished` once the value is dropped.
    static func finishedScopes(closedOverBy value: Value?) -> [Scope] {
        var scopes = FinishedScopes()
        if let value { scopes.add(closedOverBy: value) }
        return scopes.found
    }

    /// The finished call scopes that functions stored in `values` close over (see `finishedScopes(closedOverBy:)`).
    static func finishedScopes<Values: Sequence>(closedOverByAll values: Values) -> [Scope] where Values.Element == Value {
        var scopes = FinishedScopes()
        for value in values { scopes.add(closedOverBy: value) }
        return scopes.found
    }

    /// Checks each finished call scope in `pending` (emptying it) and frees those nothing outside their cycles
    /// reaches, then the finished scopes those held the last outside reference to: their enclosing call's scope
    /// and the scopes of functions stored in their variables. `pending` must hold the caller's only references.
    static func releaseFinished(_ pending: inout [Scope]) {
        // A work list rather than recursion: a chain of closures over closures can be millions of scopes long.
        while var scope = pending.popLast() {
            let enclosing = scope.parent.flatMap(enclosingCallScope)
            pending += releaseIfUnreachable(&scope)
            // Only this loop still holds a scope that goes now: its enclosing call's scope loses a holder.
            if isKnownUniquelyReferenced(&scope), let enclosing { pending.append(enclosing) }
        }
    }

    /// Inspects `scope`, a finished call's scope, and empties its variables (and those of the finished scopes
    /// nested in it) when nothing outside their cycles reaches it; the variables of a scope only the caller holds
    /// are emptied too when they hold functions. Returns the finished call scopes that functions in the emptied
    /// variables close over, which may now be unreachable in turn. The caller's reference must be the only one
    /// it holds; it is taken for the inspection and given back.
    static func releaseIfUnreachable(_ scope: inout Scope) -> [Scope] {
        // A cycle through the scope leaves it through a variable holding a list, function or bound method.
        guard scope.variables.containsReferences else { return [] }
        guard scope.holdsClosures else {
            // No cycle runs through the scope, but it may be the last holder of closures over finished scopes.
            guard isKnownUniquelyReferenced(&scope) else { return [] }
            let dropped = finishedScopes(closedOverByAll: scope.variables.values)
            if !dropped.isEmpty { scope.variables.removeAll() }
            return dropped
        }
        var graph = ReferenceGraph(placeholder: placeholder)
        var root = placeholder
        swap(&root, &scope)
        graph.add(root)
        root = placeholder
        graph.explore()
        let unreachable = graph.unreachableScopes()
        graph.restore()
        var dropped = FinishedScopes()
        for finished in unreachable {
            for value in finished.variables.values { dropped.add(closedOverBy: value, unless: graph.contains) }
            // The variables still refer to objects the graph holds, so this frees nothing yet: the cycles are
            // broken here and everything goes when the graph does.
            finished.variables.removeAll()
        }
        if let original = graph.root { scope = original }
        return dropped.found
    }

    /// The call scope `scope` is or is nested in through comprehensions, if that call has finished.
    private static func enclosingCallScope(_ scope: Scope) -> Scope? {
        var current = scope
        while current.function == nil, let parent = current.parent { current = parent }
        return current.isFinishedCall ? current : nil
    }

    /// Finished call scopes found in dropped values, each once.
    private struct FinishedScopes {
        /// The scopes, in the order found.
        private(set) var found: [Scope] = []
        private var seen: Set<ObjectIdentifier> = []

        /// Adds the finished call scope a function in `value` closes over (a function, or a bound method of a list
        /// holding functions), except scopes for which `excluded` is true.
        mutating func add(closedOverBy value: Value, unless excluded: (Scope) -> Bool = { _ in false }) {
            switch value {
            case .function(let function):
                guard let scope = CallScopeRelease.enclosingCallScope(function.closure), !excluded(scope),
                    seen.insert(ObjectIdentifier(scope)).inserted
                else { return }
                found.append(scope)
            case .method(let method):
                // Dropping a bound method is rare, so looking through its list costs little.
                guard case .list(let list) = method.receiver else { return }
                for item in list.items where item.isFunction { add(closedOverBy: item, unless: excluded) }
            default:
                return
            }
        }
    }

    /// Stands in for the call's scope in the caller, and for closures taken out of functions, during an inspection.
    private static let placeholder = Scope(parent: nil, function: nil)
}

/// The objects reachable from a finished call's scope, with every reference between them taken out of its place.
private struct ReferenceGraph {
    /// Where a taken reference lived in its holder.
    private enum Place {
        case variable(String)
        case item(Int)
        case defaultValue(Int)
        case closure
        case receiver
        case parent
    }

    /// One reference taken out of `holder` (an index into `objects`) that pointed at `target`.
    private struct Reference {
        let holder: Int
        let place: Place
        let target: Int
    }

    /// Stands in for closures taken out of functions (a function's closure cannot be empty).
    private let placeholder: Scope
    /// The explored objects (scopes, lists, functions, bound methods), each held exactly once; the call's scope first.
    private var objects: [AnyObject] = []
    private var positions: [ObjectIdentifier: Int] = [:]
    private var references: [Reference] = []

    init(placeholder: Scope) {
        self.placeholder = placeholder
    }

    /// The call's scope, once the graph holds it.
    var root: Scope? { objects.first as? Scope }

    /// Whether `scope` is one of the explored objects.
    func contains(_ scope: Scope) -> Bool {
        positions[ObjectIdentifier(scope)] != nil
    }

    /// Adds the call's scope, the starting point.
    mutating func add(_ scope: Scope) {
        _ = position(of: scope)
    }

    /// Takes out every reference from explored objects to lists, functions, bound methods and to scopes nested in
    /// the call's scope, exploring each newly found object in turn.
    mutating func explore() {
        var next = 0
        while next < objects.count {
            let holder = next
            next += 1
            switch objects[holder] {
            case let scope as Scope:
                for name in Array(scope.variables.keys) {
                    guard let value = scope.variables[name], let object = value.referencedObject else { continue }
                    scope.variables.exchange(name, with: .none)
                    take(object, from: holder, at: .variable(name))
                }
                // The call's own parent is where the function was defined: outside the graph.
                if holder != 0, let parent = scope.exchangeParent(nil) {
                    take(parent, from: holder, at: .parent)
                }
            case let list as ListObject:
                for index in list.items.indices {
                    guard let object = list.items[index].referencedObject else { continue }
                    list.items[index] = .none
                    take(object, from: holder, at: .item(index))
                }
            case let function as Function:
                for index in function.parameters.indices {
                    guard let object = function.parameters[index].defaultValue?.referencedObject else { continue }
                    _ = function.exchangeDefault(at: index, with: .none)
                    take(object, from: holder, at: .defaultValue(index))
                }
                if isNested(function.closure) {
                    take(function.exchangeClosure(placeholder), from: holder, at: .closure)
                }
            case let method as BoundMethod:
                guard let object = method.receiver.referencedObject else { continue }
                _ = method.exchangeReceiver(.none)
                take(object, from: holder, at: .receiver)
            default:
                continue
            }
        }
    }

    /// The explored scopes that nothing outside the graph reaches, or none at all when something reaches the
    /// call's scope. Must run after `explore` and before `restore`.
    mutating func unreachableScopes() -> [Scope] {
        var alive = [Bool](repeating: false, count: objects.count)
        var pending: [Int] = []
        for index in objects.indices where !isKnownUniquelyReferenced(&objects[index]) {
            // Held from outside: the call's scope is alive, whatever else is.
            if index == 0 { return [] }
            alive[index] = true
            pending.append(index)
        }
        if pending.isEmpty { return objects.compactMap { $0 as? Scope } }
        Reachability.mark(from: pending, edges: references.map { ($0.holder, $0.target) }, alive: &alive)
        guard alive.first == false else { return [] }
        return objects.indices.compactMap { alive[$0] ? nil : objects[$0] as? Scope }
    }

    /// Puts every taken reference back where it was.
    func restore() {
        for reference in references {
            let target = objects[reference.target]
            switch (objects[reference.holder], reference.place) {
            case (let scope as Scope, .variable(let name)):
                scope.variables.exchange(name, with: Self.value(of: target))
            case (let scope as Scope, .parent):
                _ = scope.exchangeParent(target as? Scope)
            case (let list as ListObject, .item(let index)):
                list.items[index] = Self.value(of: target)
            case (let function as Function, .defaultValue(let index)):
                _ = function.exchangeDefault(at: index, with: Self.value(of: target))
            case (let function as Function, .closure):
                if let closure = target as? Scope { _ = function.exchangeClosure(closure) }
            case (let method as BoundMethod, .receiver):
                _ = method.exchangeReceiver(Self.value(of: target))
            default:
                // `explore` records each place only with a holder of the matching kind.
                continue
            }
        }
    }

    /// Records a reference taken out of `holder`, adding `object` to the graph the first time it is seen.
    private mutating func take(_ object: AnyObject, from holder: Int, at place: Place) {
        references.append(Reference(holder: holder, place: place, target: position(of: object)))
    }

    private mutating func position(of object: AnyObject) -> Int {
        let identifier = ObjectIdentifier(object)
        if let known = positions[identifier] { return known }
        objects.append(object)
        positions[identifier] = objects.count - 1
        return objects.count - 1
    }

    /// Whether `scope` is the call's scope or nested in it (its chain of parents meets an explored scope; explored
    /// scopes other than the call's own have had their parent taken, so the chain stops at one of them).
    private func isNested(_ scope: Scope) -> Bool {
        var current: Scope? = scope
        while let candidate = current {
            if positions[ObjectIdentifier(candidate)] != nil { return true }
            current = candidate.parent
        }
        return false
    }

    /// The value that referred to `object` (a list, function or bound method).
    private static func value(of object: AnyObject) -> Value {
        switch object {
        case let list as ListObject: return .list(list)
        case let function as Function: return .function(function)
        case let method as BoundMethod: return .method(method)
        default: return .none
        }
    }
}

extension Value {
    /// Whether this is a function defined in the language.
    fileprivate var isFunction: Bool {
        if case .function = self { return true }
        return false
    }

    /// The object behind a list, function or bound method: the references `CallScopeRelease` follows.
    fileprivate var referencedObject: AnyObject? {
        switch self {
        case .list(let list): return list
        case .function(let function): return function
        case .method(let method): return method
        default: return nil
        }
    }
}
