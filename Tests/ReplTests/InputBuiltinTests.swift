import Foundation
import XCTest

/// `input(prompt)`, Python's, outside the Jupyter kernel: standard input under `rnx run`, the terminal in the REPL.
/// The model input `input(shape)` shares the name and keeps working beside it.
final class InputBuiltinTests: XCTestCase {
    func testRunReadsLinesFromStandardInputAndEndOfInputIsEOFError() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            """
            name = input("name? ")
            count = int(input())
            print("hello", name, count * 2)
            x = input([1, 28, 28])
            print(x.shape)
            rest = input("more? ")
            """, to: "ask.rnx")
        let result = try RnxProcess.run(["run", "ask.rnx"], input: "Ada Lovelace\r\n21\n", in: directory.url)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("\nname? hello Ada Lovelace 42\n"), result.output)
        XCTAssertTrue(result.output.contains("more? "), result.output)
        XCTAssertTrue(result.errors.contains("ask.rnx:6"), result.errors)
        XCTAssertTrue(result.errors.contains("EOFError: EOF when reading a line"), result.errors)

        // A last line without its newline is still a line.
        try directory.write("print(repr(input()), repr(input()))", to: "last.rnx")
        let last = try RnxProcess.run(["run", "last.rnx"], input: "old mac\rno newline", in: directory.url)
        XCTAssertEqual(last.status, 0, last.errors)
        XCTAssertTrue(last.output.contains("\n'old mac' 'no newline'\n"), last.output)
    }

    func testReplReadsTheTerminalAndCtrlCStopsTheWait() throws {
        let directory = try TemporaryDirectory()
        let terminal = try PseudoTerminal([], in: directory.url)
        try terminal.expect("rnx> ")
        // The prompt is built so that the echo of the typed line does not already show it.
        terminal.type("name = input('name' + '? ')\r")
        try terminal.expect("name? ")
        terminal.type("Ada\r")
        try terminal.expect("rnx> ")
        terminal.type("name + '!'\r")
        try terminal.expect("'Ada!'")
        try terminal.expect("rnx> ")

        terminal.type("other = input('wait' + '? ')\r")
        try terminal.expect("wait? ")
        terminal.type("\u{3}")
        try terminal.expect("KeyboardInterrupt")
        try terminal.expect("rnx> ")
        // The line editor works as before: editing keys and history still apply to the next prompt.
        terminal.type("40 + 2\r")
        try terminal.expect("42")
        try terminal.expect("rnx> ")
        terminal.type("\u{1b}[A\u{1b}[A\u{1b}[A\r")
        try terminal.expect("'Ada!'")
        terminal.type("\u{4}")
        XCTAssertEqual(try terminal.waitForExit(), 0)
    }
}
