import XCTest

/// The REPL as a user meets it: the real `rnx` binary on a pseudo-terminal, typed at key by key.
final class TerminalReplTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    private func startRepl(_ arguments: [String] = []) throws -> PseudoTerminal {
        let terminal = try PseudoTerminal(arguments, in: directory.url)
        try terminal.expect("rnx> ")
        return terminal
    }

    func testBannerPromptAndCtrlDExit() throws {
        let terminal = try PseudoTerminal([], in: directory.url)
        let screen = try terminal.expect("rnx> ")
        XCTAssertTrue(screen.contains("rnx 0."), screen)
        XCTAssertTrue(screen.contains(":help"), screen)
        terminal.type("\u{4}")
        XCTAssertEqual(try terminal.waitForExit(), 0)
    }

    func testExpressionValuesAreShownAndSemicolonSuppressesThem() throws {
        let terminal = try startRepl()
        terminal.type("6 * 7\r")
        try terminal.expect("42")
        try terminal.expect("rnx> ")
        terminal.type("6 * 8;\r")
        try terminal.expect("rnx> ")
        terminal.type("'shown'\r")
        let screen = try terminal.expect("'shown'\r\n".replacingOccurrences(of: "\r", with: "") + "")
        XCTAssertFalse(screen.contains("48"), screen)
    }

    func testTabCompletesNamesInScopeAndCommands() throws {
        let terminal = try startRepl()
        terminal.type("learning_rate = 0.25\r")
        try terminal.expect("rnx> ")
        terminal.type("learn\t")
        try terminal.expect("learning_rate")
        terminal.type(" * 4\r")
        try terminal.expect("1.0")
        try terminal.expect("rnx> ")
        terminal.type(":ti\t")
        try terminal.expect(":time")
        terminal.type(" on\r")
        try terminal.expect("timing: every entry")
    }

    func testTabCompletesAttributesKeywordArgumentsAndPathsInStrings() throws {
        try directory.write("", to: "lesson_data.csv")
        let terminal = try startRepl()
        terminal.type("numbers = [3, 1, 2]\r")
        try terminal.expect("rnx> ")
        terminal.type("numbers.app\t")
        try terminal.expect("numbers.append")
        terminal.type("(4)\r")
        try terminal.expect("rnx> ")
        terminal.type("def scaled(value, factor=1):\r    return value * factor\r\r")
        try terminal.expect("rnx> ")
        terminal.type("scaled(5, fac\t")
        try terminal.expect("factor=")
        terminal.type("3)\r")
        try terminal.expect("15")
        try terminal.expect("rnx> ")
        terminal.type("path = \"lesson_d\t")
        try terminal.expect("lesson_data.csv\"")
        terminal.type("\r")
        try terminal.expect("rnx> ")
        terminal.type("len(numbers), path\r")
        try terminal.expect("(4, 'lesson_data.csv')")
    }

    func testHistoryPersistsAcrossSessionsAndReverseSearchFindsIt() throws {
        let first = try startRepl()
        first.type("remembered_value = 41 + 1\r")
        try first.expect("rnx> ")
        first.type(":quit\r")
        XCTAssertEqual(try first.waitForExit(), 0)
        let history = try String(contentsOf: directory.url.appendingPathComponent("history"), encoding: .utf8)
        XCTAssertEqual(history, "remembered_value = 41 + 1\n:quit\n")
        let permissions =
            try FileManager.default.attributesOfItem(atPath: directory.url.appendingPathComponent("history").path)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o600)

        let second = try startRepl()
        second.type("\u{12}remembered")  // Ctrl-R: reverse search
        try second.expect("remembered_value = 41 + 1")
        second.type("\r")
        try second.expect("rnx> ")
        second.type("remembered_value\r")
        try second.expect("42")
    }

    func testAMultiLineBlockIsOneHistoryEntryRecalledByUpArrowInTheNextSession() throws {
        let home = ["RNX_HISTORY": "", "HOME": directory.url.path]
        let first = try PseudoTerminal([], in: directory.url, environment: home)
        try first.expect("rnx> ")
        first.type("total = 0\r")
        try first.expect("rnx> ")
        first.type("for i in range(4):\r    total = total + i\r\r")
        try first.expect("rnx> ")
        first.type("total\r")
        try first.expect("6")
        try first.expect("rnx> ")
        first.type("\u{4}")
        XCTAssertEqual(try first.waitForExit(), 0)
        let history = try String(contentsOf: directory.url.appendingPathComponent(".rnx_history"), encoding: .utf8)
        XCTAssertEqual(history, "total = 0\nfor i in range(4):\r\n    total = total + i\ntotal\n")

        let second = try PseudoTerminal([], in: directory.url, environment: home)
        try second.expect("rnx> ")
        second.type("total = 100\r")
        try second.expect("rnx> ")
        second.type("\u{1B}[A\u{1B}[A\u{1B}[A")  // up-arrow three times: "total = 100", "total", then the block
        try second.expect("for i in range(4):")
        try second.expect("total = total + i")
        second.type("\r")  // the recalled block runs at once, without a blank line
        try second.expect("rnx> ")
        second.type("total\r")
        try second.expect("106")
    }

    func testMultiLineForBlockRunsAfterBlankLine() throws {
        let terminal = try startRepl()
        terminal.type("total = 0\r")
        try terminal.expect("rnx> ")
        terminal.type("for i in range(5):\r")
        try terminal.expect("...  ")
        terminal.type("    total = total + i\r")
        try terminal.expect("...  ")
        terminal.type("\r")
        try terminal.expect("rnx> ")
        terminal.type("total\r")
        try terminal.expect("10")
    }

    func testCtrlCInterruptsARunningLoopAndKeepsState() throws {
        let terminal = try startRepl()
        terminal.type("kept = 7\r")
        try terminal.expect("rnx> ")
        terminal.type("n = 0\r")
        try terminal.expect("rnx> ")
        // The output 'looping' differs from the echoed input 'loop' + 'ing': seeing it means the loop runs.
        terminal.type("while True:\r    n = n + 1\r    if n == 1:\r        print('loop' + 'ing')\r\r")
        try terminal.expect("looping")
        terminal.type("\u{3}")
        try terminal.expect("KeyboardInterrupt")
        try terminal.expect("rnx> ")
        terminal.type("kept + 1\r")
        try terminal.expect("8")
        // Ctrl-C may land right after the print, before the next pass: the loop's progress is kept either way.
        terminal.type("n >= 1\r")
        try terminal.expect("True")
    }

    func testCtrlCAtThePromptClearsTheLineAndNeverExits() throws {
        let terminal = try startRepl()
        terminal.type("this is abandoned")
        try terminal.expect("abandoned")
        terminal.type("\u{3}")
        try terminal.expect("^C")
        try terminal.expect("rnx> ")
        terminal.type("\u{3}")
        try terminal.expect("rnx> ")
        terminal.type("for i in range(2):\r")
        try terminal.expect("...  ")
        terminal.type("\u{3}")
        try terminal.expect("rnx> ")
        terminal.type("1 + 2\r")
        try terminal.expect("3")
        try terminal.expect("rnx> ")
        terminal.type("\u{4}")
        XCTAssertEqual(try terminal.waitForExit(), 0)
    }

    func testErrorsAreReportedAndTheSessionGoesOn() throws {
        let terminal = try startRepl()
        terminal.type("before = 1\r")
        try terminal.expect("rnx> ")
        terminal.type("1 / 0\r")
        try terminal.expect("ZeroDivisionError")
        try terminal.expect("rnx> ")
        terminal.type("before\r")
        try terminal.expect("1")
        terminal.type(":bogus\r")
        try terminal.expect("unknown command ':bogus'")
    }

    func testVarsLoadCellsRunNextSaveAndTime() throws {
        try directory.write(
            """
            # %% [markdown]
            # # Lesson

            # %%
            a = 2

            # %%
            b = a * 10
            b
            """, to: "lesson.rnx")
        let terminal = try startRepl()
        terminal.type(":load lesson.rnx\r")
        try terminal.expect("loaded 3 cells (2 code)")
        terminal.type(":cells\r")
        try terminal.expect("b = a * 10")
        terminal.type(":next\r")
        try terminal.expect("cell 2 · lesson.rnx:5")
        try terminal.expect("rnx> ")
        terminal.type(":run 3\r")
        try terminal.expect("20")
        try terminal.expect("rnx> ")
        terminal.type(":vars\r")
        try terminal.expect("name")
        try terminal.expect("b ")
        try terminal.expect("rnx> ")
        terminal.type(":time on\r")
        try terminal.expect("timing: every entry")
        terminal.type("c = b + 1\r")
        try terminal.expect(" ms)")
        terminal.type(":plot size 100x30\r")
        try terminal.expect("size 100x30")
        terminal.type(":plot sixel maybe\r")
        try terminal.expect("expected on, off or auto after ':plot sixel', found 'maybe'")
        terminal.type(":save session.rnx\r")
        try terminal.expect("saved 3 cells to session.rnx")
        let saved = try String(contentsOf: directory.url.appendingPathComponent("session.rnx"), encoding: .utf8)
        XCTAssertEqual(saved, "# %%\na = 2\n\n# %%\nb = a * 10\nb\n\n# %%\nc = b + 1\n")
    }

    func testHelpAndReset() throws {
        let terminal = try startRepl()
        terminal.type(":help\r")
        try terminal.expect(":save FILE.rnx")
        try terminal.expect("rnx> ")
        terminal.type(":help len\r")
        try terminal.expect("len(")
        try terminal.expect("rnx> ")
        terminal.type(":help :edit\r")
        try terminal.expect("edit cell N in $EDITOR")
        try terminal.expect("rnx> ")
        terminal.type("forgotten = 1\r")
        try terminal.expect("rnx> ")
        terminal.type(":reset\r")
        try terminal.expect("all variables forgotten")
        try terminal.expect("rnx> ")
        terminal.type("forgotten\r")
        try terminal.expect("NameError")
    }

    func testPastedBlockRunsLineByLine() throws {
        let terminal = try startRepl()
        // What a terminal sends for a paste in bracketed-paste mode.
        terminal.type("\u{1B}[200~pasted = 0\nfor i in range(3):\n    pasted = pasted + 2\n\u{1B}[201~\r")
        try terminal.expect("rnx> ")
        terminal.type("\r")
        try terminal.expect("rnx> ")
        terminal.type("pasted\r")
        try terminal.expect("6")
    }

    func testEditOpensTheEditorOnACell() throws {
        try directory.write("# %%\nvalue = 1\n", to: "edit.rnx")
        // A scripted "editor": replaces the cell's text.
        let editor = try directory.write("#!/bin/sh\nprintf 'value = 99\\n' > \"$1\"\n", to: "editor.sh")
        chmod(editor.path, 0o755)
        let terminal = try PseudoTerminal([], in: directory.url, environment: ["EDITOR": editor.path, "VISUAL": ""])
        try terminal.expect("rnx> ")
        terminal.type(":load edit.rnx\r")
        try terminal.expect("rnx> ")
        terminal.type(":edit 1\r")
        try terminal.expect("cell 1 updated")
        terminal.type(":run 1\r")
        try terminal.expect("rnx> ")
        terminal.type("value\r")
        try terminal.expect("99")
    }
}
