import Foundation
import XCTest

/// Ctrl-C under `rnx run` (and `rnx exp.rnx`) stops the script, not only the cell: fit ends between batches with its
/// checkpoint intact, the run says which cell and line were interrupted and exits with 130, and later cells never
/// run (they would save half-trained weights as if training had finished).
final class ScriptInterruptTests: XCTestCase {
    /// Cell 2 (line 10) trains (practically) forever with a checkpoint after every epoch; cell 3 (line 12) saves the
    /// weights. `InterruptedOutputTests` interrupts it too.
    static let script = """
        # %%
        seed(3)
        x = input([1, 4, 4])
        net = model(x, dense(flatten(x), 3), name="tiny")
        samples = tensor_dataset(randn(24, 1, 4, 4), [i % 3 for i in range(24)])
        train, valid = split(samples, 0.25, seed=1)
        data = databunch(train, valid, batch_size=3, seed=1)
        # %%
        print("training")
        h = fit(net, data, 100000, checkpoint="run.ckpt", progress=False)
        # %%
        net.save_weights("after.safetensors")
        """

    private func interrupt(_ arguments: [String], checkpointName: String = "run.ckpt") throws -> (PseudoTerminal, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        try directory.write(Self.script, to: "train.rnx")
        let checkpoint = directory.url.appendingPathComponent(checkpointName)
        let terminal = try PseudoTerminal(arguments, in: directory.url)
        let deadline = Date().addingTimeInterval(PseudoTerminal.patience)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.path), "no checkpoint in time:\n\(terminal.transcript)")
        terminal.type("\u{3}")
        return (terminal, directory)
    }

    private func assertStoppedInCellTwo(_ terminal: PseudoTerminal, _ directory: TemporaryDirectory) throws {
        try terminal.expect("interrupted in epoch")
        try terminal.expect("train.rnx:10:")
        try terminal.expect("KeyboardInterrupt")
        try terminal.expect("train.rnx: interrupted (Ctrl-C) in cell 2 at line 10; the cells after it did not run")
        XCTAssertEqual(try terminal.waitForExit(), 130, terminal.transcript)
        XCTAssertFalse(terminal.transcript.contains("ran 3 cells"), terminal.transcript)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("after.safetensors").path),
            "cell 3 ran after Ctrl-C:\n\(terminal.transcript)")
        // The checkpoint written after the last whole epoch is intact: it resumes.
        let position = try XCTUnwrap(try SafetensorsFile(directory.url.appendingPathComponent("run.ckpt")).position)
        XCTAssertGreaterThanOrEqual(position.epoch, 1)
    }

    func testCtrlCDuringFitStopsTheScriptWithStatus130() throws {
        let (terminal, directory) = try interrupt(["run", "train.rnx"])
        try assertStoppedInCellTwo(terminal, directory)
    }

    func testCtrlCStopsAScriptRunWithoutTheRunSubcommand() throws {
        let (terminal, directory) = try interrupt(["train.rnx"])
        try assertStoppedInCellTwo(terminal, directory)
    }

    func testCtrlCStopsEveryRankOfADistributedRunWithStatus130() throws {
        let (terminal, directory) = try interrupt(["run", "--np", "2", "train.rnx"])
        try terminal.expect("stopping every rank")
        try assertStoppedInCellTwo(terminal, directory)
    }

    func testTheReplKeepsItsStateAfterCtrlCDuringFit() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.script, to: "train.rnx")
        let terminal = try PseudoTerminal(["--load", "train.rnx"], in: directory.url)
        try terminal.expect("rnx> ")
        terminal.type(":run 1-2\r")
        let checkpoint = directory.url.appendingPathComponent("run.ckpt")
        let deadline = Date().addingTimeInterval(PseudoTerminal.patience)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline { usleep(50_000) }
        terminal.type("\u{3}")
        try terminal.expect("interrupted in epoch")
        try terminal.expect("rnx> ")
        terminal.type("len(h) >= 1\r")
        try terminal.expect("True")
        terminal.type(":quit\r")
        XCTAssertEqual(try terminal.waitForExit(), 0)
    }
}
