import Foundation
import XCTest

/// The command line and the REPL as a newcomer meets them: scripts run like Python's, help as IPython's.
final class CommandLineUXTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    func testPipedInputStopsAtTheFirstErrorWithStatus1() throws {
        let run = try RnxProcess.run([], input: "print('one')\nmissing_name\nprint('two')\n", in: directory.url)
        XCTAssertEqual(run.status, 1, run.errors)
        XCTAssertTrue(run.output.contains("one"), run.output)
        XCTAssertFalse(run.output.contains("two"), run.output)
        XCTAssertTrue(run.errors.contains("<stdin>:2:1: error: NameError: name 'missing_name' is not defined"), run.errors)
        // A bad : command stops it too; a good run still exits with 0.
        XCTAssertEqual(try RnxProcess.run([], input: ":nonsense\nprint('two')\n", in: directory.url).status, 1)
        XCTAssertEqual(try RnxProcess.run([], input: "print('fine')\n", in: directory.url).status, 0)
    }

    func testAFileArgumentRunsTheNotebookLikePython() throws {
        try directory.write("# %%\nn = 2\n# %%\nprint('n is', n)\n", to: "exp.rnx")
        let run = try RnxProcess.run(["exp.rnx", "--set", "n=5"], in: directory.url)
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertTrue(run.output.contains("n is 5"), run.output)
        XCTAssertTrue(run.errors.contains("ran 2 cells of exp.rnx") || run.output.contains("ran 2 cells of exp.rnx"), run.output + run.errors)
        let missing = try RnxProcess.run(["nothing.rnx"], in: directory.url)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("nothing.rnx"), missing.errors)
    }

    func testQuestionMarkShowsHelpAsIPython() throws {
        let run = try RnxProcess.run([], input: "fit?\n?len\n:help Conv2d\nConv2D??\n", in: directory.url)
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertTrue(run.output.contains("fit(model, data"), run.output)
        XCTAssertTrue(run.output.contains("len(x)"), run.output)
        XCTAssertEqual(run.output.components(separatedBy: "Conv2D(filters").count - 1, 2, run.output)
    }

    func testTimeOffTurnsTimingOff() throws {
        let run = try RnxProcess.run([], input: ":time off\nsum(range(10**6))\n:time\n", in: directory.url)
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertTrue(run.output.contains("timing: off"), run.output)
        XCTAssertFalse((run.output + run.errors).contains(" ms)") || (run.output + run.errors).contains(" s)"), run.output)
    }

    func testCheckReportsBuiltinKeywordsAndAttributes() throws {
        try directory.write(
            "data = mnist5k(batchsize=3)\nm = resnet18(classes=10)\nfit(m, data, epochz=3)\nr = lr_find(m, data)\nprint(r.valey)\n",
            to: "exp.rnx")
        let run = try RnxProcess.run(["check", "exp.rnx"], in: directory.url)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.errors.contains("exp.rnx:1:"), run.errors)
        XCTAssertTrue(run.errors.contains("(did you mean 'batch_size'?)"), run.errors)
        XCTAssertTrue(run.errors.contains("fit() got an unexpected keyword argument 'epochz' (did you mean 'epochs'?)"), run.errors)
        XCTAssertTrue(run.errors.contains("'LRFinderResult' object has no attribute 'valey' (did you mean 'valley'?)"), run.errors)
        XCTAssertTrue(run.errors.contains("3 errors in 1 code cell"), run.errors)
    }

    func testHeaderWithoutColonFailsAtOnceAndBlocksAutoIndent() throws {
        let terminal = try PseudoTerminal([], in: directory.url)
        try terminal.expect("rnx> ")
        terminal.type("def f(x)\r")
        try terminal.expect("SyntaxError")
        try terminal.expect("rnx> ")
        // The body lines are typed without indentation: the REPL indents them, as IPython does.
        terminal.type("def g(x):\r")
        try terminal.expect("...  ")
        terminal.type("y = x + 1\r")
        try terminal.expect("...  ")
        terminal.type("return y * 10\r")
        try terminal.expect("...  ")
        terminal.type("\r")
        try terminal.expect("rnx> ")
        terminal.type("g(1)\r")
        try terminal.expect("20")
        // Typed ahead (or pasted) lines carry their own indentation, so nothing is added to them.
        terminal.type("for i in range(2):\r    print('row' + str(i))\r\r")
        try terminal.expect("row1")
        terminal.type("fit?\r")
        try terminal.expect("fit(model, data")
        try terminal.expect("rnx> ")
        terminal.type(":quit\r")
        XCTAssertEqual(try terminal.waitForExit(), 0)
    }
}
