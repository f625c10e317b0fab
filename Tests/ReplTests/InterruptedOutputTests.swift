import Foundation
import XCTest

/// Ctrl-C stops a script the same way whichever way it runs: `rnx < script.rnx` as `rnx run` does (status 130, where it
/// stopped, nothing after it), and `rnx run --to out.ipynb|out.html` too, still writing the notebook of the cells
/// that ran, the interrupted one ending in a KeyboardInterrupt as Jupyter shows it (issue #20).
final class InterruptedOutputTests: XCTestCase {
    /// `ScriptInterruptTests`' training script: line 10 trains (practically) forever, line 12 saves the weights.
    private static let script = ScriptInterruptTests.script

    /// Waits until training has written its first checkpoint: Ctrl-C then lands inside `fit`.
    private func waitForTraining(in directory: TemporaryDirectory, showing output: () -> String) {
        let checkpoint = directory.url.appendingPathComponent("run.ckpt")
        let deadline = Date().addingTimeInterval(PseudoTerminal.patience)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.path), "no checkpoint in time:\n\(output())")
    }

    private func assertLaterCellsDidNotRun(_ directory: TemporaryDirectory, _ output: String) {
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("after.safetensors").path),
            "the code after the interrupted fit ran:\n\(output)")
    }

    func testCtrlCOnPipedInputStopsWith130AndSaysWhere() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.script, to: "train.rnx")
        let run = try BackgroundRnx([], in: directory.url, input: "train.rnx")
        waitForTraining(in: directory) { "" }
        run.interrupt()
        let result = run.wait()
        XCTAssertEqual(result.status, 130, result.output + result.errors)
        XCTAssertTrue(result.output.contains("interrupted in epoch"), result.output)
        XCTAssertTrue(result.errors.contains("<stdin>:10:"), result.errors)
        XCTAssertTrue(result.errors.contains("KeyboardInterrupt"), result.errors)
        XCTAssertTrue(
            result.errors.contains("error: <stdin>: interrupted (Ctrl-C) at line 10; the input after it did not run"), result.errors)
        assertLaterCellsDidNotRun(directory, result.output + result.errors)
    }

    private func interruptRun(writing output: String) throws -> (PseudoTerminal, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        try directory.write(Self.script, to: "train.rnx")
        let terminal = try PseudoTerminal(["run", "train.rnx", "--to", output], in: directory.url)
        waitForTraining(in: directory) { terminal.transcript }
        terminal.type("\u{3}")
        try terminal.expect(
            "train.rnx: interrupted (Ctrl-C) in cell 2 at line 10; the cells after it did not run; wrote \(output) up to it")
        XCTAssertEqual(try terminal.waitForExit(), 130, terminal.transcript)
        assertLaterCellsDidNotRun(directory, terminal.transcript)
        return (terminal, directory)
    }

    func testCtrlCDuringRunToIpynbExits130AndWritesTheCellsThatRan() throws {
        let (_, directory) = try interruptRun(writing: "out.ipynb")
        let check = try TestPython.run(
            """
            import nbformat
            nb = nbformat.read("out.ipynb", as_version=4)
            nbformat.validate(nb)
            setup, train, save = nb.cells
            assert setup.execution_count == 1 and train.execution_count == 2, (setup, train)
            assert train.outputs[0].output_type == "stream" and "training" in train.outputs[0].text, train.outputs
            error = train.outputs[-1]
            assert error.output_type == "error" and error.ename == "KeyboardInterrupt", train.outputs
            assert any("train.rnx:10" in line for line in error.traceback), error.traceback
            assert save.execution_count is None and save.outputs == [], save
            print("OK")
            """, in: directory.url)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("OK"), check.output)
    }

    func testCtrlCDuringRunToHtmlExits130AndWritesThePage() throws {
        let (_, directory) = try interruptRun(writing: "out.html")
        let page = try String(contentsOf: directory.url.appendingPathComponent("out.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("KeyboardInterrupt"), page)
        XCTAssertTrue(page.contains("training"), page)
    }
}
