import XCTest
@testable import DSL

final class ReplSupportTests: XCTestCase {
    func testExecuteReturnsTheFinalExpressionValue() throws {
        let session = Session()
        XCTAssertEqual(try session.run("x = 20\nx + 1"), 21)
        XCTAssertNil(try session.run("y = 5"), "assignments show nothing")
        XCTAssertNil(try session.run("x + 1;"), "a trailing ';' suppresses the value")
        XCTAssertNil(try session.run("print('hi')"), "None is not shown")
        XCTAssertEqual(try session.run("[x, y]")?.repr, "[20, 5]")
        XCTAssertEqual(try session.run("'text'")?.repr, "'text'")
    }

    func testIsCompleteForSingleLines() {
        XCTAssertTrue(Interpreter.isComplete("x = 1"))
        XCTAssertTrue(Interpreter.isComplete(""))
        XCTAssertTrue(
            Interpreter.isComplete(
                "x = (1 +"
                    + " 2)"))
        XCTAssertTrue(Interpreter.isComplete("x = 'unterminated"), "errors are complete: running reports them")
        XCTAssertTrue(Interpreter.isComplete("x = 1)"))
    }

    func testIsCompleteWaitsForOpenBracketsStringsAndContinuations() {
        XCTAssertFalse(Interpreter.isComplete("x = (1 +"))
        XCTAssertFalse(Interpreter.isComplete("xs = [1,\n 2,"))
        XCTAssertFalse(Interpreter.isComplete("d = {'a':"))
        XCTAssertFalse(Interpreter.isComplete("s = '''first line"))
        XCTAssertFalse(Interpreter.isComplete("x = 1 + \\"))
        XCTAssertTrue(Interpreter.isComplete("s = '''first\nlast'''"))
    }

    func testIsCompleteWaitsForBlocksToEndWithABlankLine() {
        XCTAssertFalse(Interpreter.isComplete("for i in range(3):"))
        XCTAssertFalse(Interpreter.isComplete("for i in range(3):\n    print(i)"))
        XCTAssertTrue(Interpreter.isComplete("for i in range(3):\n    print(i)\n"))
        XCTAssertFalse(Interpreter.isComplete("if x:\n    y = 1\nelse:"))
        XCTAssertFalse(Interpreter.isComplete("if x: y = 1"), "an else may follow")
        XCTAssertTrue(Interpreter.isComplete("if x: y = 1\n"))
        XCTAssertFalse(Interpreter.isComplete("def f():\n    return (1,"))
        XCTAssertTrue(Interpreter.isComplete("def f():\n    return 1\n   "))
    }

    func testCompletionOfNames() throws {
        let session = Session()
        try session.run("learning_rate = 0.1\nlearn_steps = 3\n_private = 1")
        let completions = session.interpreter.completions(for: "x = learn", cursor: 9)
        XCTAssertEqual(completions, ["learn_steps", "learning_rate"])
        XCTAssertEqual(session.interpreter.completions(for: "prin", cursor: 4), ["print"])
        XCTAssertEqual(session.interpreter.completions(for: "whi", cursor: 3), ["while"])
        XCTAssertEqual(session.interpreter.completions(for: "_pri", cursor: 4), ["_private"])
        XCTAssertFalse(session.interpreter.completions(for: "", cursor: 0).contains("_private"))
        XCTAssertEqual(session.interpreter.completions(for: "print('lea", cursor: 10), [], "nothing inside strings")
        XCTAssertEqual(session.interpreter.completions(for: "# lea", cursor: 5), [], "nothing inside comments")
    }

    func testCompletionOfAttributes() throws {
        let session = Session()
        try session.run("xs = [1]\nconfig = {'a': 1}\nname = 'rnx'")
        XCTAssertEqual(session.interpreter.completions(for: "xs.ap", cursor: 5), ["append"])
        XCTAssertEqual(
            session.interpreter.completions(for: "xs.", cursor: 3),
            ["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"])
        XCTAssertEqual(session.interpreter.completions(for: "print(config.ke", cursor: 15), ["keys"])
        XCTAssertEqual(session.interpreter.completions(for: "name.upper().lo", cursor: 15), [], "nothing is called to complete")
        XCTAssertEqual(session.interpreter.completions(for: "unknown.x", cursor: 9), [])
        XCTAssertEqual(Interpreter.completionWordStart(in: "print(xs.ap", cursor: 11), 9)
    }

    func testCompletionOfKeywordArguments() throws {
        let session = Session()
        try session.run("def train(model, epochs=1, lr=0.1):\n    pass")
        XCTAssertEqual(Array(session.interpreter.completions(for: "train(m, ", cursor: 9).prefix(3)), ["model=", "epochs=", "lr="])
        XCTAssertEqual(session.interpreter.completions(for: "train(m, ep", cursor: 11), ["epochs="])
        XCTAssertEqual(session.interpreter.completions(for: "train(m, epochs=3, l", cursor: 20).first, "lr=")
        XCTAssertTrue(session.interpreter.completions(for: "train(m, epochs=3, l", cursor: 20).contains("len"))
        XCTAssertFalse(session.interpreter.completions(for: "train(epochs=3, ", cursor: 16).contains("epochs="))
        XCTAssertEqual(session.interpreter.completions(for: "sorted(xs, rev", cursor: 14), ["reverse=", "reversed"])
        try session.run("text = 'a b'")
        let splitCompletions = session.interpreter.completions(for: "text.split(max", cursor: 14)
        XCTAssertEqual(splitCompletions.first, "maxsplit=", "keyword arguments come first")
        XCTAssertTrue(splitCompletions.contains("max"))
    }

    func testGlobalsSummary() throws {
        let session = Session()
        try session.run(
            """
            rate = 0.5
            names = ['a', 'b']
            def f(x, y=2):
                return x
            long = 'x' * 100
            """)
        XCTAssertEqual(
            session.interpreter.globalsSummary(),
            [
                GlobalSummary(name: "f", typeName: "function", description: "f(x, y=2)", shape: nil, memoryBytes: nil),
                GlobalSummary(
                    name: "long", typeName: "str", description: "'" + String(repeating: "x", count: 56) + "...", shape: nil, memoryBytes: nil),
                GlobalSummary(name: "names", typeName: "list", description: "['a', 'b']", shape: nil, memoryBytes: nil),
                GlobalSummary(name: "rate", typeName: "float", description: "0.5", shape: nil, memoryBytes: nil),
            ])
        try session.run("w = zeros([2, 3])")
        let tensorRow = session.interpreter.globalsSummary().first { $0.name == "w" }
        XCTAssertEqual(tensorRow?.shape, [2, 3])
        XCTAssertEqual(tensorRow?.memoryBytes, 24)
        session.interpreter.resetGlobals()
        XCTAssertEqual(session.interpreter.globalsSummary(), [])
    }

    func testOutputSinkReceivesPrintAndHelp() throws {
        var received: [String] = []
        let interpreter = Interpreter()
        interpreter.output = { received.append($0) }
        try interpreter.execute(source: "print('a', 1)\nhelp(len)", file: "<stdin>")
        XCTAssertEqual(received, ["a 1\n", "len(x)\n    The number of elements of a list, tuple, dict, range or tensor, or characters of a str.\n"])
    }

    func testInterruptStopsAnInfiniteLoopAndKeepsState() throws {
        let session = Session()
        let interrupt = session.interpreter.interrupt
        let started = expectation(description: "interrupt requested")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
            interrupt.request()
            started.fulfill()
        }
        let error = session.error("before = 1\nn = 0\nwhile True:\n    n += 1")
        wait(for: [started], timeout: 5)
        XCTAssertEqual(error?.kind, .keyboardInterrupt)
        XCTAssertEqual(error?.location?.line, 3)
        XCTAssertEqual(session.interpreter.global("before"), 1)
        XCTAssertNotEqual(session.interpreter.global("n"), 0, "the loop ran until interrupted")
        XCTAssertEqual(try session.run("before + 1"), 2, "the next statement runs normally")
    }

    func testInterruptStopsFunctionCallsInsideBuiltins() throws {
        let session = Session()
        let interrupt = session.interpreter.interrupt
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { interrupt.request() }
        let error = session.error("any(map(lambda x: False, range(10 ** 12)))")
        XCTAssertEqual(error?.kind, .keyboardInterrupt)
        XCTAssertEqual(error?.rendered.hasPrefix("test.rnx:1:1: error: KeyboardInterrupt: interrupted"), true, error?.rendered ?? "")
    }

    func testSyntaxCheckWithoutRunning() throws {
        XCTAssertNil(Interpreter.syntaxError(in: "x = 1\nprint(x)", file: "ok.rnx"))
        let error = try XCTUnwrap(Interpreter.syntaxError(in: "x = 1\nprint(x", file: "bad.rnx"))
        XCTAssertEqual(error.location?.description, "bad.rnx:2:6")
        XCTAssertEqual(error.message, "'(' was never closed")
        XCTAssertNil(Interpreter.syntaxError(in: "undefined_name + 1", file: "names.rnx"), "names are resolved when running")
    }

    func testHelpByNameCoversGlobals() throws {
        let session = Session()
        try session.run("def step(lr=0.1):\n    'One training step.'\nlabel = 'text'")
        XCTAssertEqual(try session.output("help('step')"), "step(lr=0.1)\n    One training step.\n")
        XCTAssertTrue(try session.output("help('label')").hasPrefix("class str\n"))
    }

    func testHostDefinedBuiltins() throws {
        let session = Session()
        session.interpreter.define(
            BuiltinFunction("double", [.required("x")], doc: "Twice x.") { args in
                .int(try args.int("x") * 2)
            })
        XCTAssertEqual(try session.run("double(21)"), 42)
        XCTAssertEqual(session.error("double('a')")?.message, "double() argument 'x' must be int, not str")
    }
}
