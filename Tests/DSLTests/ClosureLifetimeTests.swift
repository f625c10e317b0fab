import XCTest
@testable import DSL

/// A call that defines a local function forms a cycle (the scope holds the function, the function its scope):
/// these tests check that such scopes are freed when nothing else reaches them, and kept, with their closures
/// working, when something does.
final class ClosureLifetimeTests: XCTestCase {
    /// Weak references to the lists and functions a program hands to `watch(value)`.
    private final class Watcher {
        private var references: [() -> AnyObject?] = []

        /// How many watched objects are still alive.
        var aliveCount: Int { references.filter { $0() != nil }.count }
        /// How many objects were watched.
        var watchedCount: Int { references.count }

        /// A session with `watch(value)` defined.
        func session() -> Session {
            let session = Session()
            session.interpreter.setGlobal(
                "watch",
                .builtin(
                    BuiltinFunction(
                        "watch", [.required("value")], doc: "Watches a list or function."
                    ) { [unowned self] args in
                        switch try args.value("value") {
                        case .list(let list): self.references.append { [weak list] in list }
                        case .function(let function): self.references.append { [weak function] in function }
                        case let other: throw args.typeError("value", expected: "a list or function", found: other)
                        }
                        return .none
                    }))
            return session
        }
    }

    // MARK: - Scopes nothing reaches are freed

    func testALocalDefHoldingABigListIsFreedAfterEveryCall() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(
            """
            def total(n):
                data = list(range(n))
                watch(data)
                def add_up():
                    return sum(data)
                watch(add_up)
                return add_up()
            results = [total(1000) for i in range(20)]
            """)
        XCTAssertEqual(try session.run("results[19]"), 499_500)
        XCTAssertEqual(watcher.watchedCount, 40)
        XCTAssertEqual(watcher.aliveCount, 0, "each call's list and local function are freed when the call returns")
    }

    func testLocalLambdasMutualRecursionAndDefaultsAreFreed() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(
            """
            def scaled(xs, k):
                f = lambda x: x * k
                watch(f)
                return [f(x) for x in xs]
            def parity(n):
                def is_even(m):
                    return True if m == 0 else is_odd(m - 1)
                def is_odd(m):
                    return False if m == 0 else is_even(m - 1)
                watch(is_even)
                watch(is_odd)
                return is_even(n)
            def with_default(values):
                def pick(choose=lambda: values[0]):
                    return choose()
                watch(pick)
                return pick()
            def in_containers():
                table = [[lambda: table], {'a': 1}]
                watch(table)
                helpers = [len, table[0][0]]
                return len(helpers)
            outcomes = [scaled([1, 2], 3), parity(5), with_default([7]), in_containers()]
            """)
        XCTAssertEqual(try session.run("outcomes"), .list([.list([3, 6]), false, 7, 2]))
        XCTAssertEqual(watcher.watchedCount, 5)
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testThreeLevelsOfNestedClosuresAndComprehensionLambdasAreFreed() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(
            """
            def outer():
                big = [0] * 100
                watch(big)
                def middle():
                    def inner():
                        return len(big)
                    watch(inner)
                    return inner
                keep = middle()
                getters = [lambda: i * 10 for i in range(3)]
                watch(getters)
                return keep() + getters[2]()
            answers = [outer(), outer()]
            """)
        XCTAssertEqual(try session.run("answers"), .list([120, 120]))
        XCTAssertEqual(watcher.watchedCount, 6)
        XCTAssertEqual(watcher.aliveCount, 0, "the inner scope, kept while `inner` escaped it, goes with the outer one")
    }

    // MARK: - Errors and interrupts

    func testACallEndedByAnErrorFreesItsScope() throws {
        let watcher = Watcher()
        let session = watcher.session()
        let error = session.error(
            """
            def failing():
                data = [0] * 100
                watch(data)
                def helper():
                    return data
                watch(helper)
                return helper()[200]
            failing()
            """)
        XCTAssertEqual(error?.kind, .index)
        XCTAssertEqual(watcher.watchedCount, 2)
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testACallEndedByKeyboardInterruptFreesItsScope() throws {
        let watcher = Watcher()
        let session = watcher.session()
        let interrupt = session.interpreter.interrupt
        session.interpreter.setGlobal(
            "press_ctrl_c",
            .builtin(
                BuiltinFunction("press_ctrl_c", doc: "Requests an interrupt.") { _ in
                    interrupt.request()
                    return .none
                }))
        let error = session.error(
            """
            def training():
                history = [0.0] * 100
                watch(history)
                def log(value):
                    history.append(value)
                watch(log)
                press_ctrl_c()
                for epoch in range(10):
                    log(epoch)
            training()
            """)
        XCTAssertEqual(error?.kind, .keyboardInterrupt)
        XCTAssertEqual(watcher.watchedCount, 2)
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    // MARK: - Escaped closures dropped later

    /// `make_counter()` returns a closure over a finished call's scope, which holds the closure in turn; every
    /// call's `history` list is watched, so the number of live lists is the number of live scopes.
    private static let counterFactory = """
        def make_counter():
            history = []
            watch(history)
            count = 0
            def step():
                nonlocal count
                count += 1
                history.append(count)
                return count
            return step
        """

    func testOverwritingTheLastReferenceToAnEscapedClosureFreesItsScope() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(Self.counterFactory + "\ntick = make_counter()\ntick()")
        XCTAssertEqual(watcher.aliveCount, 1, "the escaped closure keeps its scope")
        try session.run("tick = None")
        XCTAssertEqual(watcher.watchedCount, 1)
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testReassigningAClosureInALoopKeepsOnlyTheLastScope() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(Self.counterFactory + "\nfor i in range(20):\n    f = make_counter()\n    f()")
        XCTAssertEqual(watcher.watchedCount, 20)
        XCTAssertEqual(watcher.aliveCount, 1)
        XCTAssertEqual(try session.run("f()"), 2, "the scope still bound to `f` works")
    }

    func testDeletingTheLastReferenceToAnEscapedClosureFreesItsScope() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(
            Self.counterFactory + """

                def local_use():
                    tick = make_counter()
                    tick()
                    del tick
                    return 0
                tick = make_counter()
                local_use()
                """)
        XCTAssertEqual(watcher.aliveCount, 1, "the local `del` freed the scope of the call's counter")
        try session.run("del tick")
        XCTAssertEqual(watcher.watchedCount, 2)
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testAClosureStillReferencedElsewhereKeepsItsScope() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(Self.counterFactory + "\na = make_counter()\nb = a\na = None\nb()")
        XCTAssertEqual(watcher.aliveCount, 1)
        XCTAssertEqual(try session.run("b()"), 2, "the scope kept its count")
        try session.run("b = None")
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testTwoClosuresSharingAScopeKeepItUntilBothAreDropped() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(
            """
            def make_pair():
                value = [0]
                watch(value)
                def get():
                    return value[0]
                def put(new):
                    value[0] = new
                return get, put
            get, put = make_pair()
            put(5)
            put = None
            """)
        XCTAssertEqual(watcher.aliveCount, 1)
        XCTAssertEqual(try session.run("get()"), 5, "the getter still reads the value the setter wrote")
        try session.run("get = None")
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testACallScopeHoldingAnEscapedClosureFreesItWhenTheCallEnds() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(
            Self.counterFactory + """

                def twice():
                    counter = make_counter()
                    counter()
                    return counter()
                results = [twice() for i in range(3)]
                """)
        XCTAssertEqual(try session.run("results"), .list([2, 2, 2]))
        XCTAssertEqual(watcher.watchedCount, 3)
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testDroppingAClosureFreesTheFinishedScopesItsScopeHeld() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(
            Self.counterFactory + """

                def nested(base):
                    kept = [base]
                    watch(kept)
                    def middle(step):
                        def inner():
                            return kept[0] + step
                        return inner
                    return middle(1)
                def wrapper():
                    counter = make_counter()
                    def call():
                        return counter()
                    return call
                def first_getter():
                    getters = [lambda: i * 10 for i in range(3)]
                    watch(getters)
                    return getters[1]
                def appender():
                    items = []
                    watch(items)
                    def add(x):
                        items.append(x)
                    holder = [add]
                    return holder.copy
                eleven = nested(10)
                calls = wrapper()
                calls()
                ten = first_getter()
                copy = appender()
                """)
        XCTAssertEqual(try session.run("eleven(), ten()"), .tuple([11, 20]), "the lambdas see the last `i`, as in Python")
        XCTAssertEqual(watcher.aliveCount, 4)
        try session.run("eleven = None\ncalls = None\nten = None\ncopy = None")
        XCTAssertEqual(watcher.watchedCount, 4)
        XCTAssertEqual(watcher.aliveCount, 0, "the enclosing call's scope and the counter's scope went too")
    }

    func testALongChainOfClosuresOverClosuresIsFreedWithoutDeepRecursion() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(
            """
            def wrap(g):
                def inner():
                    return g
                watch(inner)
                return inner
            f = None
            for i in range(30000):
                f = wrap(f)
            """)
        XCTAssertEqual(watcher.aliveCount, 30_000, "each scope holds the previous closure")
        try session.run("f = None")
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testResettingTheGlobalsFreesTheScopesOfTheirClosures() throws {
        let watcher = Watcher()
        let session = watcher.session()
        try session.run(Self.counterFactory + "\nfirst = make_counter()\nsecond = make_counter()")
        XCTAssertEqual(watcher.aliveCount, 2)
        session.interpreter.resetGlobals()
        XCTAssertEqual(watcher.aliveCount, 0)
    }

    func testAClosureDroppingItselfWhileItRunsKeepsWorking() throws {
        let session = Session()
        try session.run(
            """
            def make():
                items = []
                def step():
                    global tick
                    tick = None
                    items.append(1)
                    return len(items)
                return step
            tick = make()
            outcome = tick()
            """)
        XCTAssertEqual(try session.run("outcome, tick"), .tuple([1, .none]))
    }

    // MARK: - Scopes something reaches are kept

    func testACounterFactoryKeepsItsStateAcrossCalls() throws {
        let session = Session()
        try session.run(
            """
            def counter():
                count = 0
                def step():
                    nonlocal count
                    count += 1
                    return count
                return step
            tick = counter()
            tick()
            tick()
            """)
        XCTAssertEqual(try session.run("tick()"), 3)
        XCTAssertEqual(try session.run("other = counter()\nother()"), 1)
    }

    func testReturnedListsOfLambdasAndAccessorPairsSeeLateBindings() throws {
        let session = Session()
        try session.run(
            """
            def powers():
                fs = []
                for p in range(3):
                    fs.append(lambda x, p=p: x ** p)
                base = 10
                fs.append(lambda x: x + base)
                base = 20
                return fs
            def box(start):
                value = start
                def get():
                    return value
                def put(new):
                    nonlocal value
                    value = new
                return get, put
            fs = powers()
            get, put = box(1)
            put(5)
            """)
        XCTAssertEqual(try session.run("[f(2) for f in fs]"), .list([1, 2, 4, 22]))
        XCTAssertEqual(try session.run("get()"), 5, "the setter wrote to the scope the getter still reads")
    }

    func testClosuresStoredInGlobalsDictsAndOuterListsKeepWorking() throws {
        let session = Session()
        try session.run(
            """
            handlers = {}
            registry = []
            saved = None
            def install(name, factor):
                def handler(x):
                    return x * factor
                handlers[name] = handler
            def register(offset):
                def shift(x):
                    return x + offset
                registry.append(shift)
            def remember(text):
                global saved
                def speak():
                    return text + '!'
                saved = speak
            install('double', 2)
            register(100)
            remember('hi')
            """)
        XCTAssertEqual(try session.run("handlers['double'](21), registry[0](1), saved()"), .tuple([42, 101, "hi!"]))
    }

    func testMutualRecursionAndCapturingClosuresWorkAfterReturn() throws {
        let session = Session()
        try session.run(
            """
            def parity_checker():
                def is_even(n):
                    return True if n == 0 else is_odd(n - 1)
                def is_odd(n):
                    return False if n == 0 else is_even(n - 1)
                return is_even
            def wrapped(greeting):
                def greet(name):
                    return greeting + ', ' + name
                return lambda: greet('world')
            def nested(base):
                def middle(step):
                    def inner():
                        return base + step
                    return inner
                return middle(1)
            def with_fallback(data):
                def first(pick=lambda: data[0]):
                    return pick()
                data.append(2)
                return first
            def appender():
                items = []
                def add(x):
                    items.append(x)
                    return len(items)
                holder = [add]
                return holder.copy
            even = parity_checker()
            hello = wrapped('hello')
            eleven = nested(10)
            fallback = with_fallback([])
            copy = appender()
            """)
        XCTAssertEqual(try session.run("even(10), even(7)"), .tuple([true, false]))
        XCTAssertEqual(try session.run("hello()"), "hello, world")
        XCTAssertEqual(try session.run("eleven()"), 11)
        XCTAssertEqual(try session.run("fallback()"), 2, "a default lambda keeps the scope of the escaping function")
        XCTAssertEqual(try session.run("add = copy()[0]\nadd('a')\nadd('b')"), 2, "a bound method kept the scope alive")
    }

    func testClosuresKeptByBuiltinsAndIteratorsKeepWorking() throws {
        let session = Session()
        var kept: [Value] = []
        session.interpreter.setGlobal(
            "keep",
            .builtin(
                BuiltinFunction("keep", [.required("callbacks")], doc: "Keeps callbacks.") { args in
                    kept += try args.elements("callbacks")
                    return .none
                }))
        try session.run(
            """
            def setup(scale):
                seen = []
                def on_epoch(loss):
                    seen.append(loss * scale)
                    return seen
                keep([on_epoch])
            def lazily(xs, k):
                def times(x):
                    return x * k
                return map(times, xs)
            setup(10)
            later = lazily([1, 2, 3], 5)
            """)
        XCTAssertEqual(kept.count, 1)
        let callback = try XCTUnwrap(kept.first)
        _ = try session.interpreter.callValue(callback, [1], [])
        XCTAssertEqual(try session.interpreter.callValue(callback, [2], []), .list([10, 20]))
        XCTAssertEqual(try session.run("list(later)"), .list([5, 10, 15]))
    }
}
