/// The marking step of trial deletion, shared by `CallScopeRelease` and `CycleCollector`: both take every reference
/// between the objects they explore out of its place, find which objects something outside still holds, and keep
/// alive everything those reach.
enum Reachability {
    /// Marks in `alive` every object reachable from `roots` (already marked) along `edges`, each a reference from
    /// `holder` to `target`, both indices into the same object table. Iterative, so long chains need no stack.
    static func mark(from roots: [Int], edges: [(holder: Int, target: Int)], alive: inout [Bool]) {
        var targets = [[Int]](repeating: [], count: alive.count)
        for edge in edges { targets[edge.holder].append(edge.target) }
        var pending = roots
        while let index = pending.popLast() {
            for target in targets[index] where !alive[target] {
                alive[target] = true
                pending.append(target)
            }
        }
    }
}
