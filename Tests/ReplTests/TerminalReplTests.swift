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

    func testHistoryPersistsAcrossSessionsAndReverseSearchFindsIt() throws {
        let first = try startRepl()
        first.type("remembered_value = 41 + 1\r")
        try first.expect("rnx> ")
        first.type(":quit\r")
        XCTAssertEqual(try first.waitForExit(), 0)
        let history = try String(contentsOf: directory.url.appendingPathComponent("history"), encoding: .utf8)
        XCTAssertEqual(history, "remembered_value = 41 + 1\n:quit\n")

        let second = try startRepl()
        second.type("\u{12}remembered")   // Ctrl-R: reverse search
        try second.expect("remembered_value = 41 + 1")
        second.type("\r")
        try second.expect("rnx> ")
        second.type("remembered_value\r")
        try second.expect("42")
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
        terminal.type("while True:\r    n = n + 1\r    if n == 1:\r        print('looping')\r\r")
        try terminal.expect("looping")
        terminal.type("\u{3}")
        try terminal.expect("KeyboardInterrupt")
        try terminal.expect("rnx> ")
        terminal.type("kept + 1\r")
        try terminal.expect("8")
        terminal.type("n > 1\r")
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
        try directory.write("""
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
        terminal.type(":save session.rnx\r")
        try terminal.expect("saved 3 cells to session.rnx")
        let saved = try String(contentsOf: directory.url.appendingPathComponent("session.rnx"), encoding: .utf8)
        XCTAssertEqual(saved, "# %%\na = 2\n\n# %%\nb = a * 10\nb\n\n# %%\nc = b + 1\n")
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
