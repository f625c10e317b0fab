/// Frees a finished call's scope that only its own functions keep alive.
///
/// A function defined inside a call (a nested `def`, a lambda stored in a local) holds the call's scope as its
/// closure, and the scope holds the function as a variable: reference counting alone never frees that pair, nor
/// anything else the scope's variables hold. When the call ends, `releaseIfUnreachable` decides whether anything
/// outside such cycles still reaches the scope (an escaping closure, a returned value, a value stored elsewhere)
/// and, if nothing does, empties the scope's variables so the cycles fall apart.
///
/// The decision is the trial deletion of Python's collector, with uniqueness tests instead of reference counts:
/// starting from the scope, every reference from an explored object to a list, function, bound method or nested
/// scope is taken out of its place and held once in a table. After the walk, an object still referenced by
/// something other than the table has a holder the walk did not see (a variable of another scope, the call's
/// return value, an error, a dict, a tuple, a Kernel object, …) and is alive, together with everything it
/// reaches through the references taken. The call's scope is freed only when it is not alive; every reference is
/// put back before anything else runs. Dicts, tuples and wrapped objects are not explored: a cycle through them
/// keeps the scope, which errs on the side of keeping closures working.
enum CallScopeRelease {
    /// Inspects `scope`, the scope of a call that just returned or threw, and empties its variables (and those of
    /// the finished scopes nested in it) when nothing outside their cycles reaches it. The caller's reference must
    /// be the only one it holds; it is taken for the inspection and given back.
    static func releaseIfUnreachable(_ scope: inout Scope) {
        // A cycle through the scope leaves it through a variable holding a list, function or bound method.
        guard scope.holdsClosures, scope.variables.containsReferences else { return }
        var graph = ReferenceGraph(placeholder: placeholder)
        var root = placeholder
        swap(&root, &scope)
        graph.add(root)
        root = placeholder
        graph.explore()
        let unreachable = graph.unreachableScopes()
        graph.restore()
        for finished in unreachable {
            // The variables still refer to objects the graph holds, so this frees nothing yet: the cycles are
            // broken here and everything goes when the graph does.
            finished.variables.removeAll()
        }
        if let original = graph.root { scope = original }
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
        var targets = [[Int]](repeating: [], count: objects.count)
        for reference in references { targets[reference.holder].append(reference.target) }
        while let index = pending.popLast() {
            for target in targets[index] where !alive[target] {
                alive[target] = true
                pending.append(target)
            }
        }
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
