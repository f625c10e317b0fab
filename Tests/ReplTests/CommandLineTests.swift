import XCTest

/// `rnx run`, `rnx check`, `rnx walk`, piped input and the option parser, run as the real binary.
final class CommandLineTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    private let experiment = """
        # %% [markdown]
        # # Experiment

        # %% Settings
        lr = 0.1
        epochs = 2

        # %%
        print("lr", lr, "epochs", epochs)

        # %%
        print("third cell")
        """

    func testVersionAndHelp() throws {
        let version = try RnxProcess.run(["--version"], in: directory.url)
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.output.hasPrefix("0."), version.output)
        let help = try RnxProcess.run(["--help"], in: directory.url)
        XCTAssertTrue(help.output.contains("walk"), help.output)
        XCTAssertTrue(help.output.contains("check"), help.output)
    }

    func testRunExecutesCellsInOrderWithTimes() throws {
        try directory.write(experiment, to: "exp.rnx")
        let result = try RnxProcess.run(["run", "exp.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("lr 0.1 epochs 2"), result.output)
        XCTAssertTrue(result.output.contains("third cell"), result.output)
        XCTAssertTrue(result.output.contains("── cell 3 · exp.rnx:9 ──"), result.output)
        XCTAssertTrue(result.output.contains("ran 3 cells of exp.rnx"), result.output)
        XCTAssertFalse(result.output.contains("\u{1B}"), "no escape codes without a terminal")
    }

    func testSetOverridesTheScriptsOwnAssignmentAndCellsSelects() throws {
        try directory.write(experiment, to: "exp.rnx")
        let result = try RnxProcess.run(["run", "exp.rnx", "--set", "lr=0.05", "--set", "epochs=3", "--cells", "2-3"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("lr 0.05 epochs 3"), result.output)
        XCTAssertFalse(result.output.contains("third cell"), result.output)
    }

    func testSetPinsANameTheScriptAssignsInsideATopLevelIf() throws {
        try directory.write("# %%\nepochs = 8\nfast = True\nif fast:\n    epochs = 2\nprint('epochs', epochs)\n", to: "pinned.rnx")
        let plain = try RnxProcess.run(["run", "pinned.rnx"], in: directory.url)
        XCTAssertTrue(plain.output.contains("epochs 2\n"), plain.output)
        let pinned = try RnxProcess.run(["run", "pinned.rnx", "--set", "epochs=5"], in: directory.url)
        XCTAssertEqual(pinned.status, 0, pinned.errors)
        XCTAssertTrue(pinned.output.contains("epochs 5\n"), pinned.output)
        XCTAssertEqual(pinned.errors, "", "a setting the script uses gets no warning")
    }

    func testSetOfANameTheScriptNeverUsesIsDefinedWithAWarning() throws {
        try directory.write(experiment, to: "exp.rnx")
        let result = try RnxProcess.run(["run", "exp.rnx", "--set", "epoch=1", "--set", "batch_size=64"], in: directory.url)
        XCTAssertEqual(result.status, 0, "unknown settings are parameters, not errors: \(result.errors)")
        XCTAssertTrue(result.output.contains("lr 0.1 epochs 2"), result.output)
        XCTAssertTrue(
            result.errors.contains("warning: --set epoch: exp.rnx never uses 'epoch' (did you mean 'epochs'?); it is defined anyway"),
            result.errors)
        XCTAssertTrue(
            result.errors.contains("warning: --set batch_size: exp.rnx never uses 'batch_size'; it is defined anyway"),
            result.errors)

        try directory.write("# %%\nprint('limit is', limit)\n", to: "parameter.rnx")
        let parameter = try RnxProcess.run(["run", "parameter.rnx", "--set", "limit=128"], in: directory.url)
        XCTAssertEqual(parameter.status, 0, parameter.errors)
        XCTAssertTrue(parameter.output.contains("limit is 128"), parameter.output)
        XCTAssertEqual(parameter.errors, "", "a name the script only reads is a parameter it expects")
        let help = try RnxProcess.run(["run", "--help"], in: directory.url)
        XCTAssertTrue(help.output.contains("papermill"), "the choice is documented: \(help.output)")
    }

    func testAnEmptyScriptRunsAndChoosingCellsOfItIsExplained() throws {
        try directory.write("", to: "empty.rnx")
        let result = try RnxProcess.run(["run", "empty.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("ran 0 cells of empty.rnx"), result.output)
        let chosen = try RnxProcess.run(["run", "empty.rnx", "--cells", "1"], in: directory.url)
        XCTAssertEqual(chosen.status, 1)
        XCTAssertTrue(chosen.errors.contains("no cells are loaded"), chosen.errors)
    }

    func testBadOptionsAreExplained() throws {
        try directory.write(experiment, to: "exp.rnx")
        let badCells = try RnxProcess.run(["run", "exp.rnx", "--cells", "7"], in: directory.url)
        XCTAssertEqual(badCells.status, 1)
        XCTAssertTrue(badCells.errors.contains("cell '7' is out of range: the cells are numbered 1-4"), badCells.errors)
        let badSet = try RnxProcess.run(["run", "exp.rnx", "--set", "lr"], in: directory.url)
        XCTAssertEqual(badSet.status, 1)
        XCTAssertTrue(badSet.errors.contains("--set lr: expected name=value"), badSet.errors)
        let missing = try RnxProcess.run(["run", "nothere.rnx"], in: directory.url)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("cannot open nothere.rnx: no such file"), missing.errors)
    }

    func testRunStopsAtTheFirstErrorWithTheFilesLineAndColumn() throws {
        try directory.write("# %%\nx = 1\n\n# %%\ny = x +\n\n# %%\nprint('never')\n", to: "broken.rnx")
        let syntax = try RnxProcess.run(["run", "broken.rnx"], in: directory.url)
        XCTAssertEqual(syntax.status, 1)
        XCTAssertTrue(syntax.errors.contains("broken.rnx:5:"), syntax.errors)
        XCTAssertFalse(syntax.output.contains("never"), syntax.output)

        try directory.write("# %%\nx = 1\n\n# %%\n\ny = x + missing_name\n", to: "name.rnx")
        let name = try RnxProcess.run(["run", "name.rnx"], in: directory.url)
        XCTAssertEqual(name.status, 1)
        XCTAssertTrue(name.errors.contains("name.rnx:6:9: error: NameError"), name.errors)

        // Cell 3 fails inside a function from cell 1: every line of the message is the file's own.
        try directory.write(
            "# %%\ndef halve(x):\n    return x / divisor\n\n# %%\ndivisor = 0\n\n# %%\nprint('third')\nhalve(8)\n",
            to: "cells.rnx")
        let third = try RnxProcess.run(["run", "cells.rnx"], in: directory.url)
        XCTAssertEqual(third.status, 1)
        XCTAssertTrue(third.errors.contains("cells.rnx:3:14: error: ZeroDivisionError"), third.errors)
        XCTAssertTrue(third.errors.contains("    return x / divisor\n"), third.errors)
        XCTAssertTrue(third.errors.contains("cells.rnx:10 in <module>\n    halve(8)"), third.errors)
        XCTAssertTrue(third.errors.contains("cells.rnx: stopped at cell 3"), third.errors)
    }

    func testCtrlCStopsARunningScriptWithAnError() throws {
        try directory.write("# %%\nprint('start' + 'ed')\nwhile True:\n    pass\n# %%\nprint('never')\n", to: "forever.rnx")
        let terminal = try PseudoTerminal(["run", "forever.rnx"], in: directory.url)
        try terminal.expect("started")
        terminal.type("\u{3}")
        try terminal.expect("forever.rnx:3:")
        try terminal.expect("KeyboardInterrupt")
        XCTAssertEqual(try terminal.waitForExit(), 130, "a script stopped by Ctrl-C exits with 128 + SIGINT, as Python's does")
        XCTAssertFalse(terminal.transcript.contains("never\n"))
    }

    func testCheckParsesWithoutRunning() throws {
        try directory.write("# %%\nprint('ran')\n# %%\nfor i in range(3):\n    print(i)\n", to: "good.rnx")
        let good = try RnxProcess.run(["check", "good.rnx"], in: directory.url)
        XCTAssertEqual(good.status, 0, good.errors)
        XCTAssertFalse(good.output.contains("ran\n"), good.output)
        XCTAssertTrue(good.output.contains("good.rnx: 2 code cells, no errors"), good.output)

        try directory.write("# %%\nx = 1\n# %%\nprint('a'\n# %%\ny = ]\n", to: "bad.rnx")
        let bad = try RnxProcess.run(["check", "bad.rnx"], in: directory.url)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.errors.contains("bad.rnx:6:5"), bad.errors)
        XCTAssertTrue(bad.errors.contains("bad.rnx: 2 errors in 3 code cells"), bad.errors)
    }

    func testCheckTakesTheSettingsRunWouldPin() throws {
        // A script written for papermill-style parameters uses `limit` only when it is set from the command line.
        try directory.write("# %%\nprint(limit * 2)\n", to: "params.rnx")
        let unset = try RnxProcess.run(["check", "params.rnx"], in: directory.url)
        XCTAssertEqual(unset.status, 1)
        XCTAssertTrue(unset.errors.contains("params.rnx:2:7"), unset.errors)

        let set = try RnxProcess.run(["check", "params.rnx", "--set", "limit=128", "--set", "epoch=1"], in: directory.url)
        XCTAssertEqual(set.status, 0, set.errors)
        XCTAssertTrue(set.output.contains("params.rnx: 1 code cell, no errors"), set.output)
        XCTAssertTrue(set.errors.contains("warning: --set epoch: params.rnx never uses 'epoch'"), set.errors)

        let badValue = try RnxProcess.run(["check", "params.rnx", "--set", "limit=12 +"], in: directory.url)
        XCTAssertEqual(badValue.status, 1)
        XCTAssertTrue(badValue.errors.contains("--set limit=12 +:"), badValue.errors)
        let noEquals = try RnxProcess.run(["check", "params.rnx", "--set", "limit"], in: directory.url)
        XCTAssertTrue(noEquals.errors.contains("--set limit: expected name=value, e.g. --set lr=0.05"), noEquals.errors)
    }

    func testCheckListsEveryUndefinedNameWithoutRunning() throws {
        try directory.write(
            """
            # %%
            learning_rate = 0.1
            print('ran')

            # %%
            def train(steps):
                return [learning_rate * s for s in range(steps)]

            # %% [markdown]
            # Uses a name before it exists, and two typos.

            # %%
            print(total)
            total = train(epochs)
            print(learnin_rate)
            """, to: "names.rnx")
        let result = try RnxProcess.run(["check", "names.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.output.contains("ran\n"), result.output)
        XCTAssertTrue(
            result.errors.contains("names.rnx:13:7: error: NameError: name 'total' is used before it is defined (it is first assigned at line 14)"),
            result.errors)
        XCTAssertTrue(result.errors.contains("names.rnx:14:15: error: NameError: name 'epochs' is not defined"), result.errors)
        XCTAssertTrue(
            result.errors.contains(
                "names.rnx:15:7: error: NameError: name 'learnin_rate' is not defined (did you mean 'learning_rate'?)\n    print(learnin_rate)\n          ^"
            ),
            result.errors)
        XCTAssertTrue(result.errors.contains("names.rnx: 3 errors in 3 code cells"), result.errors)
    }

    func testPipedInputRunsWithoutPromptsAndFailsAfterAnError() throws {
        let input = """
            x = 3
            for i in range(2):
                x = x + i
            print("x is", x)
            x * 2
            :vars
            y = undefined_thing
            print("still running")
            """
        let result = try RnxProcess.run([], input: input, in: directory.url)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.contains("x is 4\n8\n"), result.output)
        XCTAssertFalse(result.output.contains("still running"), "piped input stops at the first error, as python < script.py")
        XCTAssertFalse(result.output.contains("rnx>"), result.output)
        XCTAssertFalse(result.output.contains("\u{1B}"), result.output)
        XCTAssertTrue(result.errors.contains("<stdin>:7:5: error: NameError"), result.errors)

        let tensors = try RnxProcess.run([], input: "w = zeros([256, 1000])\nn = 3\n:vars\n", in: directory.url)
        XCTAssertTrue(tensors.output.contains("name  type    shape        memory"), tensors.output)
        XCTAssertTrue(tensors.output.contains("w     Tensor  [256, 1000]  1.0 MB"), tensors.output)

        let clean = try RnxProcess.run([], input: "print(1 + 1)\n", in: directory.url)
        XCTAssertEqual(clean.status, 0, clean.errors)
        XCTAssertEqual(clean.output, "2\n")
    }

    func testWalkWithScriptedKeysOnATerminal() throws {
        try directory.write(
            """
            # %% [markdown]
            # # Lesson *one*
            # Run the `setup` cell.

            # %%
            base = 5

            # %%
            skipped = True

            # %%
            doubled = base * 2
            """, to: "lesson.rnx")
        let terminal = try PseudoTerminal(["walk", "lesson.rnx"], in: directory.url)
        try terminal.expect("Lesson one")
        try terminal.expect("base = 5")
        try terminal.expect("q quit")
        terminal.type("\r")
        try terminal.expect("skipped = True")
        terminal.type("s")
        try terminal.expect("doubled = base * 2")
        terminal.type("r")
        try terminal.expect("doubled = base * 2")
        terminal.type("\r")
        try terminal.expect("end of lesson.rnx")
        try terminal.expect("rnx> ")
        terminal.type("doubled\r")
        try terminal.expect("10")
        terminal.type("skipped\r")
        try terminal.expect("NameError")
        try terminal.expect("rnx> ")
        terminal.type("\u{4}")
        XCTAssertEqual(try terminal.waitForExit(), 0)
    }

    func testWalkWithPipedAnswersQuits() throws {
        try directory.write("# %%\nprint('first', 'ran')\n# %%\nprint('second', 'ran')\n", to: "lesson.rnx")
        let result = try RnxProcess.run(["walk", "lesson.rnx"], input: "\nq\n", in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("first ran"), result.output)
        XCTAssertFalse(result.output.contains("second ran"), result.output)
    }

    func testWalkLeavesForTheReplOnIWithTheLessonsState() throws {
        try directory.write("# %%\nbase = 21\n# %%\nprint('not', 'reached')\n", to: "lesson.rnx")
        let result = try RnxProcess.run(["walk", "lesson.rnx"], input: "\ni\nprint(base * 2)\n:cells\n", in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("42\n"), result.output)
        XCTAssertFalse(result.output.contains("not reached"), result.output)
        XCTAssertTrue(result.output.contains("→2"), "the next cell is the one the walk stopped at:\n" + result.output)
    }

    func testAChartsDirectoryBlockedByAFileSaysWhich() throws {
        let directory = try TemporaryDirectory()
        try directory.write("x", to: "taken")
        try directory.write("plot([1, 2, 3])\n", to: "a.rnx")
        let result = try RnxProcess.run(["run", "a.rnx", "--charts", "taken/charts"], in: directory.url)
        XCTAssertEqual(result.status, 1, result.errors)
        XCTAssertTrue(result.errors.contains("charts directory taken/charts: cannot create the directory: "), result.errors)
        XCTAssertTrue(result.errors.contains("/taken is a file"), result.errors)
        XCTAssertFalse(result.errors.contains("NSCocoaErrorDomain"), result.errors)
    }
}
