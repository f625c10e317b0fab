import Foundation
import XCTest
import Kernel
@testable import DSL

/// Fuzzing of the whole language pipeline — completeness check, syntax check, execution, completion — with
/// grammar-generated programs, mutations of valid programs and hand-picked pathological inputs.
///
/// For every input: nothing crashes (a crash would end the test process), every error is a `DSLError` whose
/// location lies inside a source line, `syntaxError(in:)` agrees with what `execute` reports, completion
/// works at any cursor, and the interpreter still runs `1 + 1` afterwards (checked every fifth input).
/// A watchdog interrupts programs that run past their time budget (or make the process use too much
/// memory) through the interpreter's cooperative `interrupt`.
///
/// Replay or lengthen a run with `RNX_FUZZ_SEED=<n>` and `RNX_FUZZ_SCALE=<factor>`; with
/// `RNX_FUZZ_TRACE=<file>` each input is written there before it runs, so the one that kills the process is
/// kept; `RNX_FUZZ_VERBOSE=1` also prints the commonest errors, slow inputs and the time of each phase.
final class FuzzInterpreterTests: XCTestCase {
    private var savedMemoryLimit = 0

    override func setUp() {
        savedMemoryLimit = MemoryLimit.bytes
        // Tensors beyond this are refused at once (programs still exercise the check), and the largest allowed
        // ones are quick to fill even in debug builds (a builtin cannot be interrupted midway).
        MemoryLimit.bytes = 8 << 20
    }

    override func tearDown() {
        MemoryLimit.bytes = savedMemoryLimit
    }

    func testTheSeedCorpusIsValidAndRunsWithoutErrors() throws {
        let harness = FuzzHarness("seed corpus")
        for program in SeedCorpus.programs {
            XCTAssertNil(Interpreter.syntaxError(in: program, file: "seed.rnx"), program)
            let session = Session()
            XCTAssertNoThrow(try session.run(program), program)
            harness.check(program)
        }
        harness.finish()
    }

    func testGeneratedProgramsNeverCrashTheInterpreter() throws {
        let harness = FuzzHarness("generated")
        var generator = ProgramGenerator(seed: FuzzHarness.seed(0x6E4E), builtins: Interpreter().builtinNames.filter { $0 != "help" })
        for _ in 0..<FuzzHarness.count(800) {
            harness.check(generator.program())
        }
        harness.finish()
    }

    func testMutatedProgramsNeverCrashTheInterpreter() throws {
        let harness = FuzzHarness("mutated")
        var random = FuzzRandom(seed: FuzzHarness.seed(0x307A))
        for _ in 0..<FuzzHarness.count(2500) {
            let program = random.pick(SeedCorpus.programs)
            harness.check(ProgramMutator.mutate(program, other: random.pick(SeedCorpus.programs), using: &random))
        }
        harness.finish()
    }

    func testMutatedGeneratedProgramsNeverCrashTheInterpreter() throws {
        let harness = FuzzHarness("generated+mutated")
        var generator = ProgramGenerator(seed: FuzzHarness.seed(0xB0B), builtins: Interpreter().builtinNames.filter { $0 != "help" })
        var random = FuzzRandom(seed: FuzzHarness.seed(0xB0C))
        for _ in 0..<FuzzHarness.count(600) {
            harness.check(ProgramMutator.mutate(generator.program(), other: generator.program(), using: &random))
        }
        harness.finish()
    }

    func testDeepNestingAndHugeLiteralsAreErrorsNotStackOverflows() throws {
        let harness = FuzzHarness("limits")
        let parens = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        XCTAssertEqual(harness.check(parens)?.message, "too deeply nested (more than 200 levels of brackets, operators or blocks)")
        let openBrackets = String(repeating: "[", count: 100_000)
        XCTAssertEqual(harness.check(openBrackets)?.kind, .syntax)
        XCTAssertFalse(Interpreter.isComplete(openBrackets), "an open bracket asks for more input")
        XCTAssertEqual(harness.check(String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000))?.kind, .syntax)
        XCTAssertEqual(harness.check("x = 10**400")?.kind, .overflow)
        XCTAssertEqual(harness.check("x = 1" + String(repeating: "0", count: 400))?.kind, .syntax)
        XCTAssertNil(harness.check("x = 1e400\ny = 0." + String(repeating: "0", count: 400) + "1"), "huge float literals are inf or 0")
        XCTAssertEqual(harness.check("\"a\" * 10**12")?.kind, .memory)
        XCTAssertEqual(harness.check("zeros([100000, 100000, 100])")?.kind, .memory)
        XCTAssertEqual(harness.check("zeros(100000, 100000, 100)")?.kind, .memory)
        XCTAssertNotNil(harness.check("zeros(2**62, 2**62)"))
        XCTAssertEqual(harness.check("x = " + String(repeating: "-", count: 20_000) + "1")?.kind, .syntax)
        XCTAssertEqual(harness.check("x = " + String(repeating: "not ", count: 20_000) + "x")?.kind, .syntax)
        XCTAssertEqual(harness.check("x = 1" + String(repeating: " + 1", count: 20_000))?.kind, .syntax)
        XCTAssertEqual(harness.check("x = 2" + String(repeating: " ** 2", count: 20_000))?.kind, .syntax)
        XCTAssertEqual(harness.check("f = " + String(repeating: "lambda: ", count: 10_000) + "1")?.kind, .syntax)
        XCTAssertEqual(harness.check("x = " + String(repeating: "a.", count: 20_000) + "b")?.kind, .syntax)
        XCTAssertEqual(harness.check("x = a" + String(repeating: "[0]", count: 20_000))?.kind, .syntax)
        XCTAssertEqual(harness.check("x = f" + String(repeating: "()", count: 20_000))?.kind, .syntax)
        XCTAssertEqual(harness.check("x = " + String(repeating: "1 if 1 else ", count: 10_000) + "1")?.kind, .syntax)
        XCTAssertEqual(harness.check("x = " + String(repeating: "f'{", count: 1_000) + "1" + String(repeating: "}'", count: 1_000))?.kind, .syntax)
        var indented = ""
        for level in 0..<300 { indented += String(repeating: " ", count: level) + "if True:\n" }
        XCTAssertEqual(harness.check(indented + String(repeating: " ", count: 300) + "pass")?.kind, .syntax)
        XCTAssertEqual(harness.check("def f():\n    return f()\nf()")?.kind, .recursion)
        XCTAssertEqual(harness.check("f = lambda v: f(v + 1)\nf(0)")?.kind, .recursion)
        XCTAssertEqual(harness.check("f = lambda v: list(map(f, [v]))\nf(0)")?.kind, .recursion)
        XCTAssertEqual(harness.check("g = lambda v: sorted([v, v], key=g)\ng(0)")?.kind, .recursion)
        XCTAssertEqual(harness.check("while True:\n    pass")?.kind, .keyboardInterrupt, "the watchdog stops endless loops")
        XCTAssertEqual(harness.check("xs = [0]\nfor v in xs:\n    xs.append(v)")?.kind, .keyboardInterrupt)
        XCTAssertNil(harness.check("x = '" + String(repeating: "z", count: 200_000) + "'\nlen(x)"))
        XCTAssertNil(harness.check(String(repeating: "x = 1\n", count: 5_000)))
        harness.finish()
    }

    func testDeeplyNestedValuesAreErrorsNotStackOverflows() throws {
        let harness = FuzzHarness("nested values", sessionLength: Int.max)
        harness.interpreter.recursionLimit = Int.max
        for build in [
            "x = []\nfor i in range(200000):\n    x = [x]", "x = {}\nfor i in range(200000):\n    x = {'k': x}",
            "x = ()\nfor i in range(200000):\n    x = (x,)", "x = 1\nfor i in range(200000):\n    x = lambda v=x: v",
        ] {
            XCTAssertNil(harness.check(build, budget: 30), build)
            for use in [
                "repr(x)", "str(x)", "x == x", "x == [x]", "len(str(x))", "print(x)", "f'{x}'", "sorted([x, x])",
                "x in [x]", "{x: 1}", "list(x)", "max([x, x])", "sum([x], [])", "x()", "isinstance(x, list)", "type(x)", "help(x)",
            ] {
                let error = harness.check(use)
                XCTAssertNotEqual(error?.kind, .syntax, use)
            }
            // Dropping the only reference frees the whole chain.
            XCTAssertNil(harness.check("x = None"))
        }
        XCTAssertNil(harness.check("xs = [1]\nxs.append(xs)\nd = {}\nd['self'] = d\nt = (xs, d)"))
        for use in [
            "repr(xs)", "repr(d)", "str(t)", "xs == xs", "d == d", "t == t", "xs == [1, xs]", "tensor(xs)", "sorted([xs, xs])",
            "xs in xs", "max(xs, xs)", "list(xs)", "xs * 2", "f'{d!r}'", "sum([xs], [])", "{t: 1}", "len(str(t))", "print(xs)",
        ] {
            harness.check(use)
        }
        harness.finish()
    }

    func testExtremeArgumentsToBuiltinsAreErrorsNotTraps() throws {
        let harness = FuzzHarness("extreme arguments")
        let minimum = "(-9223372036854775807 - 1)"
        let maximum = "9223372036854775807"
        let sources = [
            "[1, 2, 3][::\(minimum)]", "'abc'[::\(minimum)]", "range(10)[::\(minimum)]", "range(0, 10, \(minimum))", "range(10)[\(minimum):]",
            "range(\(minimum), \(maximum))", "len(range(\(minimum), \(maximum)))", "range(\(minimum), \(maximum))[-1]",
            "list(range(\(minimum), \(maximum), 2**62))",
            "range(\(maximum))[\(maximum)]", "[1][\(minimum)]", "'abc'[\(maximum)]", "(1, 2)[\(minimum):\(maximum):\(maximum)]",
            "xs = [1, 2, 3]\nxs[\(minimum):\(maximum)] = [4]", "xs = [1, 2, 3]\nxs[::\(maximum)] = [9]", "xs = [1]\nxs.insert(\(minimum), 0)",
            "xs = [1]\nxs.pop(\(minimum))", "del [1, 2][\(minimum)]", "enumerate([1, 2], start=\(maximum))",
            "list(enumerate([1, 2], start=\(maximum)))",
            "round(1.5, \(minimum))", "round(1.5, \(maximum))", "round(1e308, -400)", "round(\(maximum), -18)", "round(\(minimum), -1)", "round(nan)",
            "round(inf)",
            "chr(-1)", "chr(1114112)", "chr(0xD800)", "chr(\(maximum))", "ord('')", "ord('ab')",
            "int('9' * 5000)", "int('z', 37)", "int('10', \(minimum))", "int('١٢')", "int(nan)", "int(inf)", "int(-1e19)", "float('1e99999')",
            "'x'.center(10**12)", "'x'.zfill(\(maximum))", "'x'.ljust(2**62, '*')", "'x'.rjust(\(minimum))", "'abc'.split('', 2)",
            "'ab'.replace('', '-', \(maximum))", "'a,b'.split(',', \(minimum))", "'x' * \(minimum)", "[0] * \(maximum)", "(1,) * 2**62",
            "format(1.5, '.99999999999f')", "format(1, '99999999999')", "format(1.0, '=+#0,.3%')", "format(255, 'c')", "format(-1, 'c')",
            "format(2**40, 'c')", "f'{1:{10**9}}'", "'{:{}}'.format(1, 10**9)", "'{0[0]}'.format([1])", "'{'.format()", "'}'.format()",
            "'{:{:{}}}'.format(1, 2, 3)", "'{} {}'.format(1)", "'{x}'.format(y=1)", "f'{1:.{2**40}f}'", "f'{3!z}'",
            "1.0 ** 1e308", "(-8) ** (1 / 3)", "0.0 ** -1", "2 ** -1075", "(-1) ** 0.5", "\(minimum) % -1", "\(minimum) // -1", "-\(minimum)",
            "abs(\(minimum))", "\(maximum) + 1.0", "int(1e19)", "10 ** 18 * 10", "divmod(1, 0)", "1 % 0.0", "1 // 0.0", "inf % 1",
            "sorted([nan, 1, nan, 0, nan])", "sorted([1, 'a'])", "max([])", "min([], default=None)", "sum(['a', 'b'])", "sum([[1]], [])",
            "xs = [3, 1, 2]\nxs.sort(key=lambda v: xs.clear() or v)\nxs", "xs = [3, 1, 2]\nsorted(xs, key=lambda v: xs.append(v) or v)",
            "xs = [1, 2, 3]\nfor v in xs:\n    xs.clear()", "d = {1: 1, 2: 2}\nfor k in d:\n    del d[k]",
            "d = {1: 1}\nfor k in d:\n    d[k + 1] = 1",
            "d = {}\nd[[1]] = 2", "d = {}\nd[{}] = 1", "{[1]: 2}", "{nan: 1, nan: 2}", "d = {1: 1}\nd.update(d, **d)",
            "zip([1], [1, 2], strict=True)", "list(zip([1], [1, 2], strict=True))", "list(map(None, [1]))", "list(filter(3, [1]))",
            "help(help)", "help('nonexistent')", "help(1)", "help(zeros(2))", "isinstance(1, 1)", "type(1)(2.5)",
            "randn(3, 4) @ randn(5, 6)", "ones(2, 3).reshape(-1, -1)", "ones(2, 3).reshape(7)", "ones(2, 3).permute(0, 0)",
            "ones(2, 3).permute(0, 1, 2)",
            "ones(2, 3).sum(dim=100)", "ones(2, 3).sum(dim=\(minimum))", "ones(2, 3).transpose(5, -9)", "ones(2, 3).unsqueeze(\(maximum))",
            "ones(2, 3).flatten(\(minimum))", "ones(2, 3).size(\(maximum))", "tensor([[1, 2], [3]])", "tensor([[[[[[[[[[[1]]]]]]]]]]]).shape",
            "tensor('abc')", "tensor([1, 'a'])", "tensor([])", "tensor([[], []]).shape", "ones(2).backward()",
            "ones(2, requires_grad=True).sum().backward(ones(3))",
            "t = ones(2, requires_grad=True)\n(t * 2).sum().backward()\n(t * 2).sum().backward()\nt.grad.tolist()",
            "x = ones(1, requires_grad=True)\ny = x\nfor i in range(3000):\n    y = y * 1.0\ny.sum().backward()\nx.grad.tolist()",
            "zeros(0).max()", "zeros(0).argmax()", "zeros(0, 3).mean(dim=0)", "zeros(3, 0).sum(dim=1).tolist()", "ones(2, 2).item()",
            "arange(0, 1e10)", "arange(0, 1, 1e-12)", "arange(0, 1, 0)", "arange(nan)", "arange(0, inf)", "full((10**9, 10**9), 1)", "full(-1, 1)",
            "stack([])", "cat([])", "stack([ones(2), ones(3)])", "cat([ones(2, 3), ones(3, 2)], dim=1)", "stack([ones(2)], dim=\(maximum))",
            "ones(2).pow(ones(2))", "ones(2).clamp(min=2, max=1)", "(zeros(2) / zeros(2)).tolist()", "seed(-1)", "seed(\(maximum))", "rand(-1)",
            "cat([1, 2, 3])", "stack([1, 2])", "cat([tensor(1.0), ones(1)])", "tensor(3.0).sum(dim=0)", "tensor(3.0).mean(dim=-1)",
            "tensor(3.0).max(dim=0)", "tensor(3.0).argmax(dim=0)", "tensor(3.0).size(0)", "tensor(3.0)[0]", "tensor(3.0).flatten()",
            "tensor(3.0).T", "tensor(3.0).transpose()", "tensor(3.0).permute()", "tensor(3.0).permute(0)", "tensor(3.0).unsqueeze(-1)",
            "zeros(1, 1, 0, 0).reshape(0)", "ones(3)[5]", "ones(3)[\(minimum)]", "ones(3)[::-1]", "ones(2, 3)[0][1]", "ones(3).T", "ones(2, 3, 4).T",
            "ones(2).requires_grad = 1",
        ]
        for source in sources { harness.check(source) }
        harness.finish()
    }

    func testStrangeCharactersAndLineStructure() throws {
        let harness = FuzzHarness("line structure")
        let sources = [
            "x = 1\u{0}", "\u{FEFF}x = 1", "x = 1\ry = 2", "x = 1\r\n\r\ny = 2\r\n", "if True:\n\tx = 1\n        y = 2", "if True:\n  x = 1\n\ty = 2",
            "x = 1;;", ";", "\\", "x = \\", "x = 1 \\\n+ 2", "'''", "'''abc", "f\"{\"", "f\"{x\"", "f\"}\"", "f'{'{'}'", "f'{x!r:>{10}}'",
            "\"\\N{BULLET}\"", "'\\u12'", "'\\x4'", "'\\777'", "r'\\'", "b'bytes'", "x = é = 1", "ℌ = 1\nℌ", "x\u{200B} = 1", "😀 = 1",
            "def f(:\n    pass", "def f(a, a): pass", "def f(*, a): return a\nf(a=1)", "def f(**k, a): pass", "def f(a=1, b): pass",
            "lambda: (yield)", "class A: pass", "import os", "from a import b", "try:\n    pass\nexcept:\n    pass", "with open('x') as f: pass",
            "x = [1, 2,\n3,\n\n4]", "x = (1 +\n# comment\n2)", "if True:\n    pass\n  else:\n    pass", "else:\n    pass", "elif x:\n    pass",
            "for in range(3): pass", "for x in: pass", "while: pass", "return 1", "break", "continue", "global x", "nonlocal x",
            "def f():\n    nonlocal q\n    q = 1", "def f():\n    global f\n    f = 2\nf()\nf", "del x", "del 1", "del f()", "x, = 1,", "(a, b) = 1",
            "a, *b, *c = 1, 2, 3", "*a = 1, 2", "a = *b", "print(*)", "f(**)", "f(x for x in y, 1)", "f(a=1, a=2)", "f(a=1, 2)",
            "x = 1 if 2", "x = 1 if 2 else", "x = [v for v in]", "x = {1: 2, 3}", "x = {**{}, 1: 2}", "x = {*[1]}", "x.1", "1.x", "1.e5", "1e", "0x",
            "1__0",
            "x = 5\nx += = 1", "x = 5\nx @= 2", "not", "a not b", "a is is b", "1 < > 2", "assert", "assert 1,", "pass pass",
            String(repeating: "\n", count: 10_000) + "x = ", String(repeating: " ", count: 10_000) + "x", String(repeating: "#", count: 100_000),
        ]
        for source in sources {
            harness.check(source)
            for cut in stride(from: 0, through: source.unicodeScalars.count, by: max(1, source.unicodeScalars.count / 8)) {
                harness.check(String(String.UnicodeScalarView(source.unicodeScalars.prefix(cut))))
            }
        }
        harness.finish()
    }

    func testRegressionCorpusStillRunsCleanly() throws {
        let harness = FuzzHarness("regressions")
        for source in FuzzRegressions.inputs { harness.check(source, budget: 60) }
        harness.finish()
    }

    func testFreeingDeeplyNestedContainersDoesNotRecurse() throws {
        // Built by a program, then released on a thread with a small stack: freeing a 50,000-deep chain one
        // nested deinit at a time needs megabytes of stack; taken apart level by level it needs almost none.
        for build in ["x = []\nfor i in range(50000):\n    x = [x]", "x = {}\nfor i in range(50000):\n    x = {'k': [x, (x,)]}"] {
            let interpreter = Interpreter()
            XCTAssertNil(try interpreter.execute(source: build, file: "build.rnx"))
            let holder = ValueHolder(interpreter.global("x"))
            interpreter.setGlobal("x", .none)
            XCTAssertNotNil(holder.value)
            let released = expectation(description: "released")
            let thread = Thread {
                holder.value = nil
                released.fulfill()
            }
            thread.stackSize = 256 << 10
            thread.start()
            wait(for: [released], timeout: 600)
        }
    }

}

/// Hands a value to another thread (to be released there).
private final class ValueHolder: @unchecked Sendable {
    var value: Value?
    init(_ value: Value?) { self.value = value }
}

/// Inputs that once crashed the test process, kept so the fixes stay fixed.
enum FuzzRegressions {
    /// Crashes found and fixed.
    static let inputs: [String] = [
        // DictKey recursed once per nesting level: a stack overflow (DictObject.swift).
        "x = ()\nfor i in range(200000):\n    x = (x,)\n{x: 1}",
        // A function's repr showed its defaults' reprs, including functions, without a depth limit (ValueDescription.swift).
        "x = 1\nfor i in range(200000):\n    x = lambda v=x: v\nrepr(x)",
        "x = 1\nfor i in range(200000):\n    x = lambda v=[x]: v\nprint(x)",
        // Tensor.concat indexed the shape of 0-d tensors (Kernel/Ops/ShapeOps.swift); found by the generator.
        "xs = [1, 2, 3]\ncat(xs)",
        // round() negated Int.min; str.rjust/center/ljust/zfill and split subtracted from or counted down from it.
        "round(1.5, -9223372036854775807 - 1)", "'x'.rjust(-9223372036854775807 - 1)", "'x'.zfill(-9223372036854775807 - 1)",
        "'a,b'.split(',', -9223372036854775807 - 1)",
        // The traceback of an error in a deeply nested default: the signature in the message is bounded too.
        "f = 1\nfor i in range(20000):\n    f = lambda v=f: v\nf(1, 2)",
        // reshape's sizes overflowed Int while the Kernel multiplied them (Shape.count traps); found with RNX_FUZZ_SEED=7.
        "w = ones(3, 2)\nx = arange(6).reshape(9223372036854775807, 3)\ny = x @ w",
        "arange(6).reshape(-1, 2**62, 4)", "arange(6).reshape(2**62, 4, 0)", "zeros(0).reshape(0, 2**62, 2**62)",
        "zeros(0, 2**62, 2**62)", "ones(2**40, 0, 2**40)",
        // TensorBindings.tensor(from:) converted nested lists recursively without a depth limit: a stack overflow.
        "x = []\nfor i in range(200000):\n    x = [x]\ntensor(x)",
    ]
}

/// Runs inputs through the pipeline and checks the invariants; counts outcomes for the printed summary.
final class FuzzHarness {
    let category: String
    private(set) var interpreter: Interpreter
    private let watchdog = Watchdog()
    private var outcomes: [String: Int] = [:]
    /// With `RNX_FUZZ_VERBOSE` set: how often each error message came up (to tune the generator), and the
    /// seconds spent in each phase of `check`.
    private var messages: [String: Int] = [:]
    private var phases: [String: Double] = [:]
    private let verbose = ProcessInfo.processInfo.environment["RNX_FUZZ_VERBOSE"] != nil
    private var programs = 0
    private var completions = 0
    private var programsInSession = 0
    private var slowest = (seconds: 0.0, input: "")
    private let trace = ProcessInfo.processInfo.environment["RNX_FUZZ_TRACE"]

    /// Programs share one interpreter (state carries over, as in a REPL session) for this many inputs.
    private let sessionLength: Int
    /// Time an input may run before the watchdog interrupts it.
    static let budgetSeconds = 0.5

    init(_ category: String, sessionLength: Int = 40) {
        self.category = category
        self.sessionLength = sessionLength
        interpreter = FuzzHarness.makeInterpreter()
    }

    /// The base seed of a campaign, or `RNX_FUZZ_SEED` mixed with it.
    static func seed(_ base: UInt64) -> UInt64 {
        let override = ProcessInfo.processInfo.environment["RNX_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0
        return base ^ (override &* 0x9E37_79B9_7F4A_7C15)
    }

    /// `base` inputs, times `RNX_FUZZ_SCALE` when set.
    static func count(_ base: Int) -> Int {
        let scale = ProcessInfo.processInfo.environment["RNX_FUZZ_SCALE"].flatMap { Double($0) } ?? 1
        return max(1, Int(Double(base) * scale))
    }

    private static func makeInterpreter() -> Interpreter {
        let interpreter = Interpreter()
        interpreter.output = { _ in }
        return interpreter
    }

    /// Runs `source` through completeness, syntax check, execution and completion; returns the error `execute` threw.
    @discardableResult
    func check(_ source: String, budget: Double = FuzzHarness.budgetSeconds, file: StaticString = #filePath, line: UInt = #line) -> DSLError? {
        programs += 1
        if let trace { try? source.write(toFile: trace, atomically: false, encoding: .utf8) }
        let shown = source.count > 300 ? String(source.prefix(300)) + "… (\(source.count) characters)" : source
        var clock = Date()
        func lap(_ phase: String) {
            if verbose {
                phases[phase, default: 0] += Date().timeIntervalSince(clock)
                clock = Date()
            }
        }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        lap("split")
        // As the REPL does while lines are typed.
        for count in 1..<min(lines.count, 12) { _ = Interpreter.isComplete(lines.prefix(count).joined(separator: "\n")) }
        _ = Interpreter.isComplete(source)

        lap("isComplete")
        let syntaxError = Interpreter.syntaxError(in: source, file: "fuzz.rnx")
        lap("syntaxError")
        if let syntaxError { assertLocated(syntaxError, shown, file: file, line: line) }

        let started = Date()
        watchdog.arm(interpreter.interrupt, seconds: budget)
        var thrown: DSLError?
        do {
            _ = try interpreter.execute(source: source, file: "fuzz.rnx")
            outcomes["ok", default: 0] += 1
        } catch let error as DSLError {
            thrown = error
            outcomes[error.kind.rawValue, default: 0] += 1
            if verbose { messages["\(error.kind.rawValue): \(error.message.prefix(70))", default: 0] += 1 }
            assertLocated(error, shown, file: file, line: line)
            XCTAssertFalse(error.rendered.isEmpty, file: file, line: line)
        } catch {
            XCTFail("\(category): not a DSLError: \(error) from:\n\(shown)", file: file, line: line)
        }
        watchdog.disarm()
        lap("execute")
        let seconds = Date().timeIntervalSince(started)
        if seconds > slowest.seconds { slowest = (seconds, shown) }
        if verbose && seconds > 0.3 { print("  slow (\(String(format: "%.2f", seconds)) s): \(shown.prefix(80))") }

        if let syntaxError {
            XCTAssertEqual(
                thrown?.kind, .syntax, "syntaxError(in:) reported \(syntaxError.message) but execute did not, for:\n\(shown)", file: file, line: line)
            XCTAssertEqual(thrown?.message, syntaxError.message, file: file, line: line)
        } else if thrown?.kind == .syntax, thrown?.traceback.isEmpty ?? false {
            XCTFail(
                "\(category): execute reported the syntax error \(thrown?.message ?? "") that syntaxError(in:) missed, for:\n\(shown)", file: file,
                line: line)
        }

        // Completion at a few cursor positions of a few lines, as readline would ask.
        do {
            let text = lines.isEmpty ? "" : String(lines[programs % lines.count])
            for cursor in [text.utf8.count, text.utf8.count / 2, programs % (text.utf8.count + 3) - 1] {
                _ = interpreter.completions(for: text, cursor: cursor)
                let start = Interpreter.completionWordStart(in: text, cursor: cursor)
                XCTAssertTrue(
                    start >= 0 && start <= max(0, min(cursor, text.utf8.count)), "word start \(start) for cursor \(cursor) in \(text)", file: file,
                    line: line)
                completions += 1
            }
        }

        lap("completions")
        // The session survives whatever happened (checked every few programs: each run costs a thread).
        if programs % 5 == 0 || sessionLength == Int.max {
            watchdog.arm(interpreter.interrupt, seconds: 10)
            XCTAssertEqual(
                try interpreter.execute(source: "1 + 1", file: "probe.rnx"), .int(2), "\(category): the interpreter is unusable after:\n\(shown)",
                file: file, line: line)
            watchdog.disarm()
        }
        lap("probe")
        programsInSession += 1
        if programsInSession == sessionLength {
            interpreter = FuzzHarness.makeInterpreter()
            programsInSession = 0
        }
        return thrown
    }

    /// Every error points at a real position: an existing line of its source and a column within it (or just past its end).
    private func assertLocated(_ error: DSLError, _ shown: String, file: StaticString, line: UInt) {
        // `assert x, ''` is the one error whose message the program chooses.
        XCTAssertTrue(
            !error.message.isEmpty || error.kind == .assertion, "\(category): empty \(error.kind.rawValue) message for:\n\(shown)", file: file,
            line: line)
        guard let location = error.location else {
            return XCTFail("\(category): \(error.kind.rawValue) without a location: \(error.message)\nfor:\n\(shown)", file: file, line: line)
        }
        guard let text = location.source.line(location.line) else {
            return XCTFail(
                "\(category): \(error.kind.rawValue) at \(location), a line the source does not have (\(location.source.lines.count) lines): \(error.message)\nfor:\n\(shown)",
                file: file, line: line)
        }
        // SourceText drops a line's closing "\r", which the scanner counts as a column.
        let lastColumn = text.unicodeScalars.count + (shown.unicodeScalars.contains("\r") ? 2 : 1)
        XCTAssertTrue(
            (1...lastColumn).contains(location.column),
            "\(category): \(error.kind.rawValue) at column \(location.column) of a \(text.unicodeScalars.count)-character line: \(error.message)\nfor:\n\(shown)",
            file: file, line: line)
    }

    /// Prints the counts per outcome.
    func finish() {
        watchdog.stop()
        let kinds = outcomes.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let slow = slowest.input.split(separator: "\n").first.map(String.init) ?? ""
        for (message, count) in messages.sorted(by: { $0.value > $1.value }).prefix(25) { print("  \(count) × \(message)") }
        if verbose { print("  seconds per phase: \(phases.sorted { $0.value > $1.value }.map { "\($0.key) \(String(format: "%.2f", $0.value))" })") }
        print(
            "fuzz: \(category): \(programs) programs, 0 crashes (\(kinds)); \(completions) completions; \(watchdog.interruptions) interrupted by the watchdog; slowest \(String(format: "%.2f", slowest.seconds)) s: \(slow.prefix(60))"
        )
    }
}

/// Requests the interpreter's cooperative interrupt when the input under test outlives its time budget or
/// the process's resident memory passes 3 GiB.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var deadline: Date?
    private var target: Interrupt?
    private var firedSinceArmed = false
    private var running = true
    private(set) var interruptions = 0
    private static let memoryCeiling = 3 << 30

    init() {
        let thread = Thread { [weak self] in
            while let self, self.tick() { usleep(2_000) }
        }
        thread.start()
    }

    func arm(_ interrupt: Interrupt, seconds: Double) {
        lock.lock()
        target = interrupt
        deadline = Date(timeIntervalSinceNow: seconds)
        firedSinceArmed = false
        lock.unlock()
    }

    func disarm() {
        lock.lock()
        deadline = nil
        target = nil
        lock.unlock()
    }

    func stop() {
        lock.lock()
        running = false
        lock.unlock()
    }

    /// One check; false once stopped.
    private func tick() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard running else { return false }
        if let deadline, let target, Date() > deadline || Watchdog.residentBytes() > Watchdog.memoryCeiling {
            target.request()
            if !firedSinceArmed { interruptions += 1 }
            firedSinceArmed = true
            // Keep asking every 50 ms: the program may be inside a builtin that only checks later.
            self.deadline = Date(timeIntervalSinceNow: 0.05)
        }
        return true
    }

    private static func residentBytes() -> Int {
        #if os(Linux)
            guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
            let fields = statm.split(separator: " ")
            return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
        #else
            return 0
        #endif
    }
}
