import Foundation
import XCTest
import Kernel
@testable import DSL

final class LimitTests: XCTestCase {
    func testInfiniteRecursionIsAnErrorWithACompactTraceback() throws {
        let session = Session()
        let error = try XCTUnwrap(session.error("def down(n):\n    return down(n + 1)\ndown(0)"))
        XCTAssertEqual(error.kind, .recursion)
        XCTAssertEqual(error.message, "maximum recursion depth exceeded (more than 1000 nested calls) in down()")
        XCTAssertTrue(error.rendered.contains("[the frame above repeats 999 more times]"), error.rendered)
        XCTAssertLessThan(error.rendered.count, 1000)
        XCTAssertEqual(try session.run("down"), session.interpreter.global("down"), "the session survives")
    }

    func testRecursionUpToTheLimitWorks() throws {
        let session = Session()
        try session.run("def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)")
        XCTAssertEqual(try session.run("depth(900)"), 900)
    }

    func testTheStackGuardCatchesRecursionEvenWithoutACallLimit() throws {
        let session = Session()
        session.interpreter.recursionLimit = Int.max
        let error = session.error("def down(n):\n    return [down(n + 1)]\ndown(0)")
        XCTAssertEqual(error?.kind, .recursion)
        XCTAssertEqual(error?.message, "recursion depth exceeded (the program nests too deeply)")
    }

    func testDeepNestingIsASyntaxError() throws {
        let session = Session()
        let parentheses = "x = " + String(repeating: "(", count: 250) + "1" + String(repeating: ")", count: 250)
        XCTAssertEqual(session.error(parentheses)?.message, "too deeply nested (more than 200 levels of brackets, operators or blocks)")
        let fine = "x = " + String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150) + "\nx"
        XCTAssertEqual(try session.run(fine), 1)
        XCTAssertEqual(session.error("x = " + String(repeating: "-", count: 500) + "1")?.kind, .syntax)
        let longChain = Array(repeating: "1", count: 2000).joined(separator: " + ")
        XCTAssertEqual(session.error(longChain)?.message, "expression too deeply nested (more than 1000 levels)")
        var blocks = ""
        for level in 0..<120 { blocks += String(repeating: " ", count: level) + "if True:\n" }
        blocks += String(repeating: " ", count: 120) + "pass"
        XCTAssertEqual(session.error(blocks)?.message, "too many levels of indentation (the limit is 100)")
    }

    func testHugeIntegerLiteralsAreErrors() throws {
        let session = Session()
        XCTAssertEqual(
            session.error("x = 99999999999999999999")?.message,
            "integer literal 99999999999999999999 is too large (the largest integer is 9223372036854775807)")
        XCTAssertEqual(session.error("x = 0xFFFFFFFFFFFFFFFFFF")?.kind, .syntax)
        XCTAssertEqual(try session.run("1e400"), .float(.infinity), "huge float literals are infinite, as in Python")
    }

    func testIntegerOverflowIsAnErrorNotATrap() throws {
        let session = Session()
        XCTAssertEqual(session.error("9223372036854775807 + 1")?.kind, .overflow)
        XCTAssertEqual(session.error("2 ** 64")?.kind, .overflow)
        XCTAssertEqual(session.error("(-9223372036854775807 - 1) // -1")?.kind, .overflow)
        XCTAssertEqual(session.error("-(-9223372036854775807 - 1)")?.kind, .overflow)
        XCTAssertEqual(session.error("abs(-9223372036854775807 - 1)")?.kind, .overflow)
        XCTAssertEqual(
            session.error("3037000500 * 3037000500")?.message,
            "integer overflow in 3037000500 * 3037000500 (integers are 64-bit; use floats for larger values, e.g. 3037000500.0)")
        XCTAssertEqual(session.error("int(1e30)")?.kind, .overflow)
        XCTAssertEqual(session.error("[0] * 10 ** 12")?.kind, .memory, "Python raises MemoryError")
    }

    func testDivisionByZero() throws {
        let session = Session()
        XCTAssertEqual(session.error("1 / 0")?.message, "division by zero")
        XCTAssertEqual(session.error("1 // 0")?.message, "integer division by zero")
        XCTAssertEqual(session.error("1 % 0")?.message, "integer modulo by zero")
        XCTAssertEqual(session.error("1.0 / 0")?.message, "float division by zero")
        XCTAssertEqual(session.error("0 ** -1")?.kind, .zeroDivision)
    }

    func testSelfContainingListsPrintAndCompareSafely() throws {
        let session = Session()
        try session.run("xs = [1]\nxs.append(xs)")
        XCTAssertEqual(try session.run("repr(xs)"), "[1, [...]]")
        XCTAssertEqual(session.error("ys = [1]\nys.append(ys)\nxs == ys")?.kind, .recursion)
    }

    func testTextOfSharedNestedListsIsAMemoryErrorNotAHang() throws {
        // Each level holds the previous list twice: 2^60 leaves, yet only 61 lists.
        let session = Session()
        try session.run("a = [1]\nfor i in range(60):\n    a = [a, a]")
        for source in ["str(a)", "print(a)", "f'{a!r}'", "'%s' % (a,)", "'{}'.format(a)"] {
            let error = try XCTUnwrap(session.error(source), source)
            XCTAssertEqual(error.kind, .memory, source)
            XCTAssertEqual(error.message, "the text of this list would be longer than 16 MiB (it holds the same values many times over)", source)
        }
        // The REPL's echo and error messages show the beginning, cut.
        guard case .list(let list) = try XCTUnwrap(session.run("a")) else { return XCTFail("a is not a list") }
        let shown = Value.list(list).repr
        XCTAssertTrue(shown.hasPrefix("[[[[[[") && shown.hasSuffix("..."), String(shown.suffix(40)))
        XCTAssertLessThanOrEqual(shown.utf8.count, Value.maximumTextBytes + 64)
        // Smaller shared structures print in full, as Python prints them.
        XCTAssertEqual(try session.run("b = [1]\nb = [b, b]\nstr([b, b])"), "[[[1], [1]], [[1], [1]]]")
    }

    func testIteratorsNestedTooDeeplyAreARecursionErrorNotAStackOverflow() throws {
        let session = Session()
        for wrap in ["zip(z)", "map(abs, z)", "enumerate(z)", "filter(None, z)"] {
            let error = try XCTUnwrap(session.error("z = [1, 2]\nfor i in range(100000):\n    z = \(wrap)"), wrap)
            XCTAssertEqual(error.kind, .recursion, wrap)
            XCTAssertTrue(error.message.contains("nested 1000 deep"), error.message)
            // The chain built up to the limit still iterates, and is freed without trouble.
            XCTAssertEqual(try session.run("len(list(z))"), 2, wrap)
            try session.run("z = None")
        }
    }

    func testTensorOfDeeplyNestedListsIsAnErrorNotAStackOverflow() throws {
        let session = Session()
        XCTAssertEqual(
            session.error("x = []\nfor i in range(200000):\n    x = [x]\ntensor(x)")?.message,
            "tensor(): the lists nest more than 64 levels deep (a tensor has at most 64 dimensions)")
        XCTAssertEqual(try session.run("x = 1\nfor i in range(64):\n    x = [x]\nlen(tensor(x).shape)"), 64, "64 levels are still a tensor")
        XCTAssertEqual(session.error("x = 1\nfor i in range(65):\n    x = (x,)\ntensor(x)")?.kind, .value)
    }

    func testListsAndStringsBuiltInOneGoFollowTheMemoryLimit() throws {
        let saved = MemoryLimit.bytes
        defer { MemoryLimit.bytes = saved }
        MemoryLimit.bytes = 1 << 20
        let session = Session()
        let most = (1 << 20) / MemoryLayout<Value>.stride
        XCTAssertEqual(try session.run("len([0] * \(most))"), .int(most))
        XCTAssertEqual(
            session.error("[0] * \(most + 1)")?.message,
            "the repetition (\(most + 1) copies of 1 elements) would take 1.0 MiB (\(most + 1) elements), more than the memory limit of 1.0 MiB")
        XCTAssertEqual(try session.run("len('ab' * \(1 << 19))"), .int(1 << 20))
        XCTAssertEqual(session.error("'ab' * \((1 << 19) + 1)")?.kind, .memory)
        XCTAssertEqual(session.error("x = [0] * \(most / 2 + 1)\nx + x")?.message.hasPrefix("the concatenated list would take"), true)
        XCTAssertEqual(session.error("s = 'a' * \(1 << 19)\ns + s + s")?.message.hasPrefix("the concatenated string would take"), true)
        XCTAssertEqual(session.error("xs = [0]\nwhile True:\n    xs += xs")?.message.hasPrefix("the extended list would take"), true)
        XCTAssertEqual(session.error("xs = [0]\nwhile True:\n    xs.extend(xs)")?.message.hasPrefix("the extended list would take"), true)
        XCTAssertEqual(try session.run("len(xs)"), .int(1 << 14), "the list keeps its last size that fit")
        for source in [
            "list(range(10**18))", "tuple(range(10**18))", "sorted(range(10**18))", "list(map(abs, range(10**18)))",
            "list(enumerate(range(10**18)))", "dict(zip(range(10**18), range(10**18)))", "[*range(10**18)]",
            "[0 for v in range(10**18)]", "sum(v for v in range(10**18))",
        ] {
            let error = session.error(source)
            XCTAssertEqual(error?.kind, .memory, source)
            XCTAssertEqual(error?.message.hasSuffix("more than the memory limit of 1.0 MiB"), true, "\(source): \(error?.message ?? "")")
        }
        XCTAssertEqual(
            session.error("list(range(10**18))")?.message,
            "a list of range(0, 1000000000000000000) would take 44703483581.5 GiB (1000000000000000000 elements), more than the memory limit of 1.0 MiB"
        )
        XCTAssertEqual(
            try session.run("max(range(10**5)), min(range(3, 10**5)), sum(range(10**5))"), .tuple([99_999, 3, 4_999_950_000]),
            "consuming a long range needs no list of it")
    }

    func testBuiltinsConsumingHugeRangesStopOnCtrlC() throws {
        let sources = [
            "sum(range(10**18))", "any(range(0, -1) for v in range(10**18))", "all(range(1, 10**18))", "max(range(10**18))",
            "min(range(10**18), key=abs)", "sorted(zip(range(10**17)))", "list(enumerate(range(10**17)))", "tuple(map(abs, range(10**18)))",
            "dict(zip(range(10**18), range(10**18)))", "list(filter(lambda v: v < 0, range(10**18)))",
            "list(filter(None, map(abs, range(-10**18, 1))))", "10**18 - 1 in zip(range(10**18))",
        ]
        for source in sources {
            let session = Session()
            let interrupt = session.interpreter.interrupt
            let requested = expectation(description: "interrupt requested")
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
                interrupt.request()
                requested.fulfill()
            }
            let error = session.error("kept = 1\n" + source)
            wait(for: [requested], timeout: 60)
            XCTAssertEqual(error?.kind, .keyboardInterrupt, "\(source): \(error?.message ?? "")")
            XCTAssertEqual(error?.location?.line, 2, source)
            XCTAssertEqual(try session.run("kept + 1"), 2, "the session goes on after \(source)")
        }
    }

    func testDroppingDeepTupleChainsDoesNotRecurse() throws {
        // Built by a program, then dropped on a thread with a small stack: freeing a 100,000-deep chain of tuples
        // one nested release at a time needs megabytes of stack; taken apart level by level it needs almost none.
        let interpreter = Interpreter()
        XCTAssertNil(
            try interpreter.execute(
                source: """
                    def chain(n):
                        x = ()
                        for i in range(n):
                            x = (x, i)
                        return x
                    a = chain(100000)
                    b = chain(100000)
                    c = chain(100000)
                    shared = chain(100000)
                    alias = shared
                    xs = [chain(100000), 0]
                    """, file: "build.rnx"))
        // A deep result handed back to the caller, which drops it on its own (here small) stack.
        let result = DroppedResult(try interpreter.execute(source: "chain(100000)", file: "result.rnx"))
        let released = expectation(description: "released")
        let thread = Thread {
            result.value = nil
            interpreter.setGlobal("a", .none)
            XCTAssertTrue(interpreter.globals.variables.remove("b"))
            interpreter.globals.variables["shared"] = nil
            do {
                try Operations.setItem(of: interpreter.global("xs") ?? .none, at: 0, to: .none)
            } catch {
                XCTFail("replacing the chain in a list: \(error)")
            }
            XCTAssertNotNil(interpreter.global("alias"), "a shared chain stays whole")
            interpreter.resetGlobals()
            released.fulfill()
        }
        thread.stackSize = 256 << 10
        thread.start()
        wait(for: [released], timeout: 600)
        XCTAssertNil(interpreter.global("c"))
        // The same in the language: a local chain freed when its function returns, deleting and overwriting.
        XCTAssertEqual(
            try interpreter.execute(
                source: "def local(n):\n    x = ()\n    for i in range(n):\n        x = (x, i)\n    return len(x)\nlocal(50000)", file: "use.rnx"), 2)
    }

    func testDroppingDeepChainsOfFunctionsDoesNotRecurse() throws {
        // Functions hold their defaults and their closure scope, bound methods their receiver: the program below
        // builds 20,000-deep chains of them, dropped on a thread with a 256 KiB stack (freed one nested deinit at a
        // time, such a chain needs megabytes).
        let interpreter = Interpreter()
        XCTAssertNil(
            try interpreter.execute(
                source: """
                    def wrap(f):
                        return lambda: f
                    def length(f):
                        n = 0
                        while f is not None:
                            f = f()
                            n += 1
                        return n
                    defaults = None
                    closures = None
                    mixed = None
                    methods = None
                    for i in range(20000):
                        defaults = lambda v=defaults: v
                        closures = wrap(closures)
                        mixed = [lambda v=(mixed, {i: closures}): v]
                        methods = [methods].copy
                    kept_defaults = lambda v=defaults: v
                    alias = closures
                    """, file: "build.rnx"))
        // A deep chain handed back to the caller, which drops it on its own (here small) stack.
        let result = DroppedResult(try interpreter.execute(source: "wrap(closures)", file: "result.rnx"))
        let released = expectation(description: "released")
        let thread = Thread {
            result.value = nil
            interpreter.setGlobal("defaults", .none)
            interpreter.setGlobal("closures", .none)
            XCTAssertTrue(interpreter.globals.variables.remove("mixed"))
            interpreter.globals.variables["methods"] = nil
            released.fulfill()
        }
        thread.stackSize = 256 << 10
        thread.start()
        wait(for: [released], timeout: 600)
        // Shared functions and scopes stay whole: the chains behind `kept_defaults` and `alias` still work.
        XCTAssertEqual(try interpreter.execute(source: "length(kept_defaults), length(alias)", file: "use.rnx"), .tuple([20_001, 20_000]))
        let dropAll = expectation(description: "all released")
        let second = Thread {
            interpreter.resetGlobals()
            dropAll.fulfill()
        }
        second.stackSize = 256 << 10
        second.start()
        wait(for: [dropAll], timeout: 600)
        XCTAssertNil(interpreter.global("alias"))
    }

    func testFreeingAFunctionKeepsAScopeOtherFunctionsShare() throws {
        let session = Session()
        try session.run(
            """
            def pair(start):
                count = [start]
                def bump():
                    count[0] += 1
                    return count[0]
                return (lambda: count[0]), bump
            read, bump = pair(41)
            bump()
            read = None
            """)
        XCTAssertEqual(try session.run("bump()"), 43, "the closure scope outlives the freed lambda that shared it")
        try session.run("counter = pair(0)[1]\ncounter()")
        XCTAssertEqual(try session.run("counter()"), 2, "a function the teardown saw in its own scope is not taken apart")
    }

    func testImageFolderStopsOnCtrlCAndTheSessionGoesOn() throws {
        let root = NSTemporaryDirectory() + "rnx-limit-tests-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        // 400 copies of one 192×192 picture, each cut down to 16×16 when loaded: decoding and scaling them takes
        // well over a hundred milliseconds even in a release build.
        let side = 192
        let picture = try Tensor(shape: [3, side, side], data: (0..<(3 * side * side)).map { Float($0 % side) / Float(side) })
        try ImageFile.write(picture, to: root + ".png")
        defer { try? FileManager.default.removeItem(atPath: root + ".png") }
        for name in ["ants", "bees"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            for index in 0..<200 { try FileManager.default.copyItem(atPath: root + ".png", toPath: "\(root)/\(name)/\(index).png") }
        }
        let session = Session()
        let interrupt = session.interpreter.interrupt
        // `arm(x)` returns x and has another thread request an interrupt: at once (before image_folder looks at the
        // flag for the first time), or, with a delay, over and over until the load has stopped (so while it runs).
        let done = LockedFlag()
        let requesterStopped = DispatchSemaphore(value: 0)
        session.interpreter.setGlobal(
            "arm",
            .builtin(
                BuiltinFunction("arm", [.required("x"), .optional("delay_ms", 0)], doc: "test hook") { args in
                    let delay = try args.int("delay_ms")
                    let requested = DispatchSemaphore(value: 0)
                    Thread {
                        if delay == 0 {
                            interrupt.request()
                            requested.signal()
                            return
                        }
                        requested.signal()
                        usleep(useconds_t(delay * 1000))
                        while !done.isSet {
                            interrupt.request()
                            usleep(1000)
                        }
                        requesterStopped.signal()
                    }.start()
                    requested.wait()
                    return try args.value("x")
                }))

        let early = session.error("kept = 1\ndata = image_folder(arm('\(root)'), size=16)")
        XCTAssertEqual(early?.kind, .keyboardInterrupt)
        XCTAssertEqual(early?.location?.line, 2)
        XCTAssertEqual(early?.message, "interrupted while loading \(root): listing the image files (0 found so far)")
        XCTAssertFalse(interrupt.isRequested, "the request is consumed")

        let during = session.error("data = image_folder(arm('\(root)', delay_ms=2), size=16)")
        done.set()
        requesterStopped.wait()
        XCTAssertEqual(during?.kind, .keyboardInterrupt, during?.message ?? "loading finished before the interrupt")
        XCTAssertEqual(during?.message.hasPrefix("interrupted while loading \(root): "), true, during?.message ?? "")
        XCTAssertNil(session.interpreter.global("data"), "nothing half-loaded is bound")
        XCTAssertEqual(try session.run("kept + 1"), 2, "the session goes on")
        XCTAssertEqual(try session.run("len(image_folder('\(root)', size=16))"), 400, "and the next load reads everything")
    }
}

/// A flag one thread sets and another polls.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Hands a value to another thread, to be dropped there.
private final class DroppedResult: @unchecked Sendable {
    var value: Value?
    init(_ value: Value?) { self.value = value }
}
