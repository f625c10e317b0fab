import XCTest
@testable import DSL

/// Reference cycles a program builds (a container holding itself, a top-level `def` and the globals it closes over)
/// are freed when the interpreter is freed or reset and at `gc_collect()`, as Python's cycle collector frees them;
/// anything still reachable from outside stays exactly as it was.
final class CycleCollectionTests: XCTestCase {
    /// Weak references to the lists, dicts and functions a program hands to `watch(value)`.
    private final class Watcher {
        private var references: [() -> AnyObject?] = []

        /// How many watched objects are still alive.
        var aliveCount: Int { references.filter { $0() != nil }.count }
        /// How many objects were watched.
        var watchedCount: Int { references.count }

        /// Watches `value`'s object; false for a value that has none.
        @discardableResult
        func watch(_ value: Value) -> Bool {
            switch value {
            case .list(let list): references.append { [weak list] in list }
            case .dict(let dict): references.append { [weak dict] in dict }
            case .function(let function): references.append { [weak function] in function }
            default: return false
            }
            return true
        }

        /// An interpreter with `watch(value)` defined as a builtin (so the watcher itself holds nothing strongly).
        func interpreter() -> Interpreter {
            let interpreter = Interpreter()
            interpreter.output = { _ in }
            interpreter.define(
                BuiltinFunction("watch", [.required("value")], doc: "Watches a container.") { [unowned self] args in
                    let value = try args.value("value")
                    guard watch(value) else { throw args.typeError("value", expected: "a list, dict or function", found: value) }
                    return .none
                })
            return interpreter
        }

        /// Runs `source` in an interpreter that is dropped afterwards, and asserts that everything watched is freed.
        func assertFreedWithInterpreter(_ source: String, watched: Int, line: UInt = #line) throws {
            weak var globals: Scope?
            do {
                let interpreter = interpreter()
                try interpreter.execute(source: source, file: "cycles.rnx")
                globals = interpreter.globals
                XCTAssertEqual(aliveCount, watched, "alive while the interpreter is", line: line)
            }
            XCTAssertEqual(watchedCount, watched, line: line)
            XCTAssertEqual(aliveCount, 0, "freed with the interpreter", line: line)
            XCTAssertNil(globals, "the globals scope is freed", line: line)
        }
    }

    // MARK: - The fuzzer's reproducers (Tests/Fuzz/regressions/dsl), freed with the interpreter

    func testATopLevelFunctionAndLambdaAreFreedWithTheInterpreter() throws {
        try Watcher().assertFreedWithInterpreter(
            """
            def f():
                return 1
            g = lambda: f() + 1
            watch(f)
            watch(g)
            g()
            """, watched: 2)
    }

    func testASelfReferentialListIsFreedWithTheInterpreter() throws {
        try Watcher().assertFreedWithInterpreter(
            """
            x = [1]
            x.append(x)
            watch(x)
            """, watched: 1)
    }

    // MARK: - Variants

    func testDictsListsTuplesAndClosuresInCyclesAreFreedWithTheInterpreter() throws {
        try Watcher().assertFreedWithInterpreter(
            """
            d = {}
            d['me'] = d
            watch(d)
            a = [1]
            b = [a]
            a.append(b)
            watch(a)
            watch(b)
            t = []
            t.append((1, ('deeper', t)))
            watch(t)
            k = {}
            k[(1, 2)] = (k,)
            watch(k)
            def holder():
                items = []
                def get():
                    return items
                items.append(get)
                watch(items)
                watch(get)
                return items
            held = holder()
            fs = [lambda: fs]
            watch(fs)
            watch(fs[0])
            """, watched: 9)
    }

    func testNestedClosuresOfTopLevelFunctionsAreFreedWithTheInterpreter() throws {
        try Watcher().assertFreedWithInterpreter(
            """
            def outer():
                def middle():
                    def inner():
                        return outer
                    watch(inner)
                    return inner
                watch(middle)
                return middle()
            watch(outer)
            g = outer()
            g()()
            """, watched: 5)
    }

    func testResettingTheGlobalsFreesTheirCycles() throws {
        let watcher = Watcher()
        let interpreter = watcher.interpreter()
        try interpreter.execute(source: "x = [1]\nx.append(x)\nwatch(x)\ndef f():\n    return x\nwatch(f)", file: "cycles.rnx")
        interpreter.resetGlobals()
        XCTAssertEqual(watcher.aliveCount, 0)
        XCTAssertNil(interpreter.global("x"))
    }

    // MARK: - gc_collect()

    func testGcCollectFreesDroppedCyclesAndReportsHowMany() throws {
        let watcher = Watcher()
        let interpreter = watcher.interpreter()
        let freed = try interpreter.execute(
            source: """
                x = [1]
                x.append(x)
                watch(x)
                d = {'list': [0]}
                d['list'].append(d)
                watch(d)
                x = None
                del d
                gc_collect()
                """, file: "cycles.rnx")
        XCTAssertEqual(freed, 3, "the self-referential list, the dict and the list inside it")
        XCTAssertEqual(watcher.aliveCount, 0)
        XCTAssertEqual(try interpreter.execute(source: "gc_collect()", file: "cycles.rnx"), 0)
    }

    func testGcCollectInsideACallFreesTheCallsDroppedCycles() throws {
        let watcher = Watcher()
        let interpreter = watcher.interpreter()
        XCTAssertEqual(
            try interpreter.execute(
                source: """
                    def churn():
                        for i in range(3):
                            ys = [i]
                            ys.append(ys)
                            watch(ys)
                        ys = None
                        return gc_collect()
                    churn()
                    """, file: "cycles.rnx"), 3)
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testCyclesStillReachableSurviveGcCollectExactly() throws {
        let interpreter = Interpreter()
        let result = try interpreter.execute(
            source: """
                a = [1]
                d = {'self': a}
                def f():
                    return d
                e = {f: a, (1, f): [f]}
                a.append((2, a, d, 'text'))
                a.append(d)
                a.append(e)
                b = a
                a = None
                def counter():
                    n = [0]
                    def bump():
                        n[0] += 1
                        return n[0]
                    return bump
                bump = counter()
                bump()
                freed = gc_collect()
                checks = [b[0] == 1, b[1][0] == 2, b[1][1] is b, b[1][2] is d, b[1][3] == 'text', b[2] is d,
                          d['self'] is b, b[3] is e, e[f] is b, e[(1, f)][0] is f, f() is d, bump() == 2, len(b) == 4]
                (freed, checks)
                """, file: "cycles.rnx")
        XCTAssertEqual(result, .tuple([0, .list(Array(repeating: true, count: 13))]))
    }

    // MARK: - The host's values

    func testAValueTheHostHoldsSurvivesTheInterpreterIntact() throws {
        var held: Value?
        var dict: Value?
        do {
            let interpreter = Interpreter()
            held = try interpreter.execute(
                source: """
                    d = {'n': 7}
                    x = [1, d]
                    x.append(x)
                    d['back'] = (x,)
                    def f():
                        return x
                    x.append(f)
                    x
                    """, file: "cycles.rnx")
            dict = interpreter.global("d")
        }
        guard case .list(let list)? = held, case .dict(let d)? = dict else { return XCTFail("expected a list and a dict") }
        XCTAssertEqual(list.items.count, 4)
        XCTAssertEqual(list.items[0], 1)
        guard case .dict(let inner) = list.items[1], case .list(let itself) = list.items[2] else { return XCTFail("lost contents") }
        XCTAssertTrue(inner === d)
        XCTAssertTrue(itself === list)
        XCTAssertEqual(try d.get("n"), 7)
        guard case .tuple(let back)? = try d.get("back"), case .list(let again)? = back.first else { return XCTFail("lost the tuple") }
        XCTAssertTrue(again === list)
        guard case .function(let f) = list.items[3] else { return XCTFail("lost the function") }
        XCTAssertEqual(f.name, "f")
        // The test breaks the cycle itself, so the suite leaks nothing.
        list.items.removeAll()
    }

    // MARK: - Long chains

    func testAHundredThousandListLongCycleIsCollectedWithoutDeepRecursion() throws {
        let source = """
            first = []
            x = first
            for i in range(100000):
                x = [x]
            first.append(x)
            watch(first)
            """
        let watcher = Watcher()
        try watcher.assertFreedWithInterpreter(source, watched: 1)
        let interpreter = watcher.interpreter()
        XCTAssertEqual(try interpreter.execute(source: source + "\nfirst = None\nx = None\ngc_collect()", file: "cycles.rnx"), 100_001)
    }
}
