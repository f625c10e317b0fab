import Basics

/// Frees reference cycles among the language's containers, as Python's cycle collector does: `x = [1]`,
/// `x.append(x)`, a dict holding itself, a list holding a function whose closure scope holds the list, or a
/// top-level `def` (its closure is the globals scope, which holds it). Reference counting alone never frees those.
///
/// The collection starts from values being dropped (the roots) and is the trial deletion of CPython's `gc`, with
/// uniqueness tests instead of reference counts: every reference from a container reachable from the roots to
/// another such container (list, dict, tuple, function, bound method, closure scope) is taken out of its place and
/// held once in a side table, which records each one as an edge between table positions. Afterwards a container
/// still referenced by anything but the table has a holder outside the graph (a variable, the host program, a
/// running call, a Kernel object, …) and is alive, with everything it reaches through the recorded edges; those
/// references are put back exactly where they were. The remaining containers are garbage: they stay emptied, so
/// they are freed one by one when the table goes, without recursion however long their chains are.
///
/// It runs when an interpreter is freed or its globals are reset (`collectGlobals`) and when a program calls
/// `gc_collect()`; containers that a dropped variable still shared with others are remembered (`CycleSuspects`)
/// as roots for those collections.
enum CycleCollector {
    /// Collects the cycles reachable from `roots`, which it empties (the caller's references must be the ones being
    /// dropped), leaving `kept` (a live globals scope) and everything only it reaches unexplored. Returns the number
    /// of containers freed (lists, dicts, tuples, functions and bound methods; closure scopes are not counted).
    static func collect(_ roots: inout [Value], keeping kept: Scope?) -> Int {
        var graph = CycleGraph(kept: kept)
        var dropped: [Value] = []
        swap(&dropped, &roots)
        while var root = dropped.popLast() {
            graph.add(root: &root)
        }
        graph.explore()
        return graph.release()
    }

    /// The builtin `gc_collect()`.
    static let builtin = BuiltinFunction(
        "gc_collect", [],
        doc: """
            Free the reference cycles nothing else reaches (like Python's gc.collect()); returns how many lists, dicts, \
            tuples and functions were freed. Also done when the interpreter is freed or reset.
            """
    ) { args in
        .int(args.interpreter.collectCycles())
    }

    /// Stands in for the closure of a function while the collector holds its scope (a closure cannot be empty).
    fileprivate static let placeholder = Scope(parent: nil, function: nil)
}

extension Interpreter {
    /// Collects the cycles among the containers dropped variables still shared when they were dropped (`gc_collect()`).
    func collectCycles() -> Int {
        var roots = extensionState(CycleSuspects.self).take()
        return CycleCollector.collect(&roots, keeping: globals)
    }

    /// Empties the globals and frees what they held, cycles included (a top-level `def` keeps the globals scope alive
    /// through its closure, so dropping the interpreter alone would free neither), together with `extra` (values the
    /// interpreter is letting go, which it empties) and the remembered suspects.
    func collectGlobals(with extra: inout [Value]) {
        var roots = Array(globals.variables.values)
        // `roots` holds every value, so emptying the variables frees nothing yet.
        globals.variables = Variables()
        roots += extra
        extra = []
        roots += extensionState(CycleSuspects.self).take()
        _ = CycleCollector.collect(&roots, keeping: globals)
    }
}

/// Containers that were still shared when a variable holding them was dropped (overwritten, deleted, its scope
/// ending): the only way a cycle can become unreachable through a variable, so the roots of the next collection.
/// Held weakly, so remembering them keeps nothing alive. One per interpreter; the program thread finds it as
/// `CycleSuspects.current`, which the interpreter binds while it runs a program.
final class CycleSuspects: InterpreterExtensionState, @unchecked Sendable {
    /// The suspects of the program running on this thread.
    @TaskLocal static var current: CycleSuspects?

    /// Most suspects remembered between two collections: a loop dropping many shared containers (`for row in table`)
    /// must not grow memory without bound. Drops beyond it are not remembered: a garbage cycle only they lead to is
    /// never found (not even when the interpreter is freed), unless a later drop of one of its containers is remembered.
    static let limit = 50_000

    private struct Suspect {
        weak var object: AnyObject?
    }

    private struct State {
        var suspects: [ObjectIdentifier: Suspect] = [:]
        /// Set when pruning freed too little to be worth repeating before the next collection.
        var isFull = false
    }

    // Locked because a value can be dropped on any thread that runs language code.
    private let state = Locked(State())

    init() {}

    /// Remembers `object` (a list, dict, function or bound method that a dropped variable shared with others).
    func note(_ object: AnyObject) {
        state.withLock { state in
            let identifier = ObjectIdentifier(object)
            if state.suspects[identifier]?.object === object { return }
            if state.suspects.count >= CycleSuspects.limit {
                guard !state.isFull else { return }
                state.suspects = state.suspects.filter { $0.value.object != nil }
                // Pruning again costs as much as this time: only worth it once many entries can have died since.
                if state.suspects.count > CycleSuspects.limit * 3 / 4 {
                    state.isFull = true
                    return
                }
            }
            state.suspects[identifier] = Suspect(object: object)
        }
    }

    /// The suspects still alive, as values, forgetting them all.
    func take() -> [Value] {
        let suspects = state.withLock { state in
            defer { state = State() }
            return state.suspects.values.compactMap(\.object)
        }
        return suspects.compactMap(CycleGraph.value(of:))
    }
}

/// Holds a tuple's elements while the collector has taken them out of their place. A tuple has no identity in the
/// language (`is` compares tuples by value), so each occurrence is its own node; its elements are mutated in place
/// when nothing else shares them, or copied (leaving the shared original, which then keeps its elements alive).
private final class TupleNode {
    var items: [Value]

    init(_ items: [Value]) {
        self.items = items
    }
}

/// The containers reachable from the roots, with every reference between them taken out of its place.
private struct CycleGraph {
    /// Where a taken reference lived in its holder.
    private enum Place {
        case variable(String)
        case parent
        case item(Int)
        case key(Int)
        case value(Int)
        case defaultValue(Int)
        case closure
        case receiver
    }

    /// A reference taken out of `holder` (an index into `objects`) that pointed at `target`.
    private struct Reference {
        let holder: Int
        let place: Place
        let target: Int
    }

    private let kept: Scope?
    /// Each explored container held exactly once: lists, dicts, functions, bound methods, scopes and tuple nodes.
    private var objects: [AnyObject] = []
    private var positions: [ObjectIdentifier: Int] = [:]
    private var references: [Reference] = []
    private var explored = 0

    init(kept: Scope?) {
        self.kept = kept
    }

    /// Adds a root: a dropped value, whose reference the graph takes over.
    mutating func add(root value: inout Value) {
        guard value.mayReachContainers else { return }
        _ = adopt(&value)
    }

    /// Moves the reference to a container out of `value` (leaving `.none`) into the graph and returns its position.
    /// `value` must be one that `mayReachContainers`.
    private mutating func adopt(_ value: inout Value) -> Int? {
        let object: AnyObject
        switch value {
        case .list(let list): object = list
        case .dict(let dict): object = dict
        case .function(let function): object = function
        case .method(let method): object = method
        case .tuple(let items):
            // Once `value` lets go, `items` holds the slot's only reference to the elements; the node takes it over.
            value = .none
            objects.append(TupleNode(items))
            return objects.count - 1
        default:
            return nil
        }
        value = .none
        return position(of: object)
    }

    /// Takes the reference `value` holds out of `holder` (leaving `.none`) and records it as an edge.
    private mutating func take(_ value: inout Value, from holder: Int, at place: Place) {
        guard let target = adopt(&value) else { return }
        references.append(Reference(holder: holder, place: place, target: target))
    }

    /// Takes a reference to a scope (a closure or a parent link) out of `holder`.
    private mutating func take(scope: Scope, from holder: Int, at place: Place) {
        references.append(Reference(holder: holder, place: place, target: position(of: scope)))
    }

    /// Takes out every reference from explored containers to other containers, exploring each one found in turn
    /// (a work list, not recursion: chains can be millions of containers long).
    mutating func explore() {
        while explored < objects.count {
            let holder = explored
            explored += 1
            switch objects[holder] {
            case let list as ListObject:
                for index in list.items.indices where list.items[index].mayReachContainers {
                    var value = list.items[index]
                    list.items[index] = .none
                    take(&value, from: holder, at: .item(index))
                }
            case let tuple as TupleNode:
                for index in tuple.items.indices where tuple.items[index].mayReachContainers {
                    var value = tuple.items[index]
                    tuple.items[index] = .none
                    take(&value, from: holder, at: .item(index))
                }
            case let dict as DictObject:
                for index in 0..<dict.count {
                    if dict.keys[index].mayReachContainers {
                        var key = dict.exchangeKey(at: index, with: .none)
                        take(&key, from: holder, at: .key(index))
                    }
                    if dict.values[index].mayReachContainers {
                        var value = dict.exchangeValue(at: index, with: .none)
                        take(&value, from: holder, at: .value(index))
                    }
                }
            case let function as Function:
                for index in function.parameters.indices where function.parameters[index].defaultValue?.mayReachContainers == true {
                    var value = function.exchangeDefault(at: index, with: .none) ?? .none
                    take(&value, from: holder, at: .defaultValue(index))
                }
                if function.closure !== kept, function.closure !== CycleCollector.placeholder {
                    take(scope: function.exchangeClosure(CycleCollector.placeholder), from: holder, at: .closure)
                }
            case let method as BoundMethod:
                guard method.receiver.mayReachContainers else { continue }
                var receiver = method.exchangeReceiver(.none)
                take(&receiver, from: holder, at: .receiver)
            case let scope as Scope:
                for name in Array(scope.variables.keys) where scope.variables[name]?.mayReachContainers == true {
                    var value = scope.variables.exchange(name, with: .none) ?? .none
                    take(&value, from: holder, at: .variable(name))
                }
                if let parent = scope.parent, parent !== kept {
                    take(scope: scope.exchangeParent(nil) ?? parent, from: holder, at: .parent)
                }
            default:
                continue
            }
        }
    }

    /// Puts back the references of the containers something outside the graph still reaches and empties the graph,
    /// freeing the rest (already emptied, so without recursion). Returns how many containers were freed.
    mutating func release() -> Int {
        var alive = [Bool](repeating: false, count: objects.count)
        var pending: [Int] = []
        for index in objects.indices where !(objects[index] is TupleNode) {
            // A tuple node is never held from outside: a shared original keeps its elements alive by itself.
            guard !isKnownUniquelyReferenced(&objects[index]) else { continue }
            alive[index] = true
            pending.append(index)
        }
        Reachability.mark(from: pending, edges: references.map { ($0.holder, $0.target) }, alive: &alive)
        // Backwards, so a tuple node has all its elements back before it goes back into its holder.
        for reference in references.reversed() {
            guard alive[reference.holder] else { continue }
            restore(objects[reference.target], into: objects[reference.holder], at: reference.place)
        }
        let freed = objects.indices.count(where: { !alive[$0] && !(objects[$0] is Scope) })
        objects = []
        return freed
    }

    /// Puts `target` back into `holder` at `place`.
    private func restore(_ target: AnyObject, into holder: AnyObject, at place: Place) {
        switch (holder, place) {
        case (let list as ListObject, .item(let index)):
            list.items[index] = Self.value(of: target) ?? .none
        case (let tuple as TupleNode, .item(let index)):
            tuple.items[index] = Self.value(of: target) ?? .none
        case (let dict as DictObject, .key(let index)):
            _ = dict.exchangeKey(at: index, with: Self.value(of: target) ?? .none)
        case (let dict as DictObject, .value(let index)):
            _ = dict.exchangeValue(at: index, with: Self.value(of: target) ?? .none)
        case (let function as Function, .defaultValue(let index)):
            _ = function.exchangeDefault(at: index, with: Self.value(of: target) ?? .none)
        case (let function as Function, .closure):
            if let scope = target as? Scope { _ = function.exchangeClosure(scope) }
        case (let method as BoundMethod, .receiver):
            _ = method.exchangeReceiver(Self.value(of: target) ?? .none)
        case (let scope as Scope, .variable(let name)):
            scope.variables.exchange(name, with: Self.value(of: target) ?? .none)
        case (let scope as Scope, .parent):
            _ = scope.exchangeParent(target as? Scope)
        default:
            // `explore` records each place only with a holder of the matching kind.
            return
        }
    }

    private mutating func position(of object: AnyObject) -> Int {
        let identifier = ObjectIdentifier(object)
        if let known = positions[identifier] { return known }
        objects.append(object)
        positions[identifier] = objects.count - 1
        return objects.count - 1
    }

    /// The value that referred to `object`; nil for a scope.
    static func value(of object: AnyObject) -> Value? {
        switch object {
        case let list as ListObject: return .list(list)
        case let dict as DictObject: return .dict(dict)
        case let function as Function: return .function(function)
        case let method as BoundMethod: return .method(method)
        case let tuple as TupleNode: return .tuple(tuple.items)
        default: return nil
        }
    }
}

extension Value {
    /// Whether the value is a container the collector explores, or a tuple holding one or a tuple that may.
    fileprivate var mayReachContainers: Bool {
        switch self {
        case .list, .dict, .function, .method: return true
        case .tuple(let items): return items.contains(where: \.isExploredOrNonEmptyTuple)
        default: return false
        }
    }

    private var isExploredOrNonEmptyTuple: Bool {
        switch self {
        case .list, .dict, .function, .method: return true
        case .tuple(let items): return !items.isEmpty
        default: return false
        }
    }
}
