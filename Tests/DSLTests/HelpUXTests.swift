import Basics
import XCTest

@testable import DSL

/// What a newcomer meets first: help that fits a screen, messages that point to what rnx has, and training output
/// that reads the same everywhere.
final class HelpUXTests: XCTestCase {
    func testHelpWithoutArgumentListsGroupsCompactly() throws {
        let overview = try Session().output("help()")
        let lines = overview.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertLessThan(lines.count, 120, overview)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 80 }, overview)
        XCTAssertTrue(overview.contains("\nTraining:\n"), overview)
        XCTAssertTrue(overview.contains("fit"), overview)
        XCTAssertTrue(overview.contains("\nTypes:\n  "), overview)
    }

    func testHelpLooksNamesUpInAnyCase() throws {
        let session = Session()
        // Conv2d is neither the layer Conv2D nor the function conv2d: both are shown.
        XCTAssertEqual(try session.output("help('Conv2d')"), try session.output("help('Conv2D')\nprint()\nhelp('conv2d')"))
        XCTAssertEqual(try session.output("help('FIT')"), try session.output("help(fit)"))
    }

    func testTextWrapsAtWordBoundaries() {
        let text = "fit(model, data)\n    Train model on data for epochs, printing fastai's epoch table; returns the History."
        let wrapped = TextWrap.wrap(text, width: 40)
        XCTAssertEqual(
            wrapped,
            """
            fit(model, data)
                Train model on data for epochs,
                  printing fastai's epoch table;
                  returns the History.
            """)
        // A word longer than the width stays whole.
        XCTAssertEqual(TextWrap.wrap("a " + String(repeating: "x", count: 12), width: 8), "a\n  " + String(repeating: "x", count: 12))
    }

    func testImportSaysThatModulesDoNotExistAndWhatIsBuiltIn() {
        let session = Session()
        let message = session.error("import numpy as np")?.message ?? ""
        XCTAssertTrue(message.contains("rnx has no modules, so there is no 'numpy' to import"), message)
        XCTAssertTrue(message.contains("sqrt()") && message.contains("tensor()"), message)
        XCTAssertEqual(
            session.error("math.sqrt(2)")?.message,
            "name 'math' is not defined: rnx has no modules; 'sqrt' is a builtin, call it directly: sqrt(...)")
        // A user's own value named like a module is used as usual.
        XCTAssertEqual(try session.run("math = {'a': 1}\nmath.keys()")?.repr, "['a']")
    }

    func testCallingAPropertySaysItIsAProperty() {
        let session = Session()
        XCTAssertEqual(
            session.error("t = zeros(2)\nt.shape()")?.message,
            "'shape' is a property of Tensor, not a method, so it cannot be called: write .shape without ()")
    }

    func testIterAndNext() throws {
        XCTAssertEqual(try eval("it = iter([1, 2])\n[next(it), next(it), next(it, 'done')]")?.repr, "[1, 2, 'done']")
        XCTAssertEqual(try eval("next(iter(range(5, 9)))"), .int(5))
        // iter of an iterator is the iterator itself, as in Python.
        XCTAssertEqual(try eval("it = iter([3, 4])\nnext(iter(it))\nnext(it)"), .int(4))
        let session = Session()
        XCTAssertEqual(session.error("it = iter([])\nnext(it)")?.kind, .stopIteration)
        XCTAssertTrue(session.error("next([1, 2])")?.message.contains("next(iter(x))") == true)
        XCTAssertEqual(session.error("iter(3)")?.kind, .type)
        try session.run(tinyLiveRun)
        XCTAssertEqual(try session.run("images, labels = next(iter(data.train))\nimages.shape, labels.shape")?.repr, "((3, 1, 4, 4), (3,))")
    }

    func testRunTimeSuggestionsPreferTheUsersNames() {
        let session = Session()
        XCTAssertEqual(session.error("data = 1\nm = 2\nfit(m, dat, 1)")?.message, "name 'dat' is not defined (did you mean 'data'?)")
        XCTAssertEqual(session.error("dtat")?.message, "name 'dtat' is not defined (did you mean 'data'?)")
    }

    func testHeaderWithoutColonIsCompleteSoItFailsAtOnce() {
        XCTAssertTrue(Interpreter.isComplete("def f(x)"))
        XCTAssertTrue(Interpreter.isComplete("for i in range(3)"))
        XCTAssertTrue(Interpreter.isComplete("if (a and\n    b)"))
        XCTAssertFalse(Interpreter.isComplete("def f(x):"))
        XCTAssertFalse(Interpreter.isComplete("def f(x=lambda: 1):"))
        XCTAssertFalse(Interpreter.isComplete("if x: y"))
        XCTAssertFalse(Interpreter.isComplete("def f(x,"))
        XCTAssertEqual(Session().error("def f(x)")?.kind, .syntax)
    }

    func testCountsUseTheRightNumber() {
        XCTAssertEqual(Plural.count(1, "batch"), "1 batch")
        XCTAssertEqual(Plural.count(2, "batch"), "2 batches")
        XCTAssertEqual(Plural.count(0, "epoch"), "0 epochs")
        XCTAssertEqual(Plural.count(2, "completed epoch"), "2 completed epochs")
        XCTAssertEqual(Plural.count(1, "class", plural: "classes"), "1 class")
    }

    func testHistoryShowsAsOneLineAndEpochsCountFromOne() throws {
        let session = Session()
        try session.run(tinyLiveRun)
        let printed = try session.output("h = fit(net, data, 2, progress=False)")
        let rows = printed.split(separator: "\n").filter { $0.first?.isNumber == true }
        XCTAssertEqual(rows.map { String($0.prefix(1)) }, ["1", "2"], printed)
        let repr = try XCTUnwrap(try session.run("h")?.repr)
        XCTAssertFalse(repr.contains("\n"), repr)
        XCTAssertTrue(repr.hasPrefix("<History: 2 epochs, 12 steps, valid_loss "), repr)
        XCTAssertEqual(try session.run("h.epochs")?.repr, "[1, 2]")
        // print(h) still shows the table.
        XCTAssertTrue(try session.output("print(h)").contains("train_loss"))
        XCTAssertTrue(try session.run("repr(h)")?.description.hasPrefix("<History") == true)
    }
}
