import Foundation
import XCTest

/// Live charts in terminals too short to redraw one in place (issue #20): the cursor cannot move up into lines that
/// scrolled away, so a chart taller than the screen would leave a copy of itself behind at every redraw. Below 23
/// rows the progress bar and the epoch rows go on alone, one line per update, and the chart follows once at the end.
final class ShortTerminalChartTests: XCTestCase {
    private let setup = "seed(0); data = mnist5k(batch_size=64, limit=640); x = input([1, 28, 28]); m = model(x, dense(flatten(x), 10))"
    private let notice = "live chart off: the terminal's 16 rows cannot hold it (it needs 23); the chart follows at the end"

    private func borders(_ transcript: String) -> Int {
        transcript.split(separator: "\n").filter { $0.range(of: #"\+-{10,}\+ *$"#, options: .regularExpression) != nil }.count
    }

    func testFitInA16RowTerminalPrintsItsRowsThenOneChart() throws {
        let terminal = try TmuxTerminal(columns: 80, rows: 16)
        terminal.type(setup)
        terminal.type("h = fit(m, data, 3, lr=0.1, metrics=[accuracy], live=True)")
        let transcript = try terminal.waitForPrompt(number: 3)
        XCTAssertEqual(transcript.components(separatedBy: notice).count, 2, "the notice, once:\n\(transcript)")
        let lines = transcript.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("epoch  train_loss") }, transcript)
        // The notice comes with the first update, after the header.
        XCTAssertEqual(
            lines[(header + 1)...].filter { $0 != notice }.prefix { $0.first?.isNumber == true }.map { $0.prefix(1) }, ["1", "2", "3"],
            "the three epoch rows follow the header with nothing else between:\n\(transcript)")
        // The final chart (loss and accuracy panels, two borders each) and no remains of redrawn ones.
        XCTAssertEqual(borders(transcript), 4, transcript)
        XCTAssertFalse(transcript.contains("training loss"), "no live chart was drawn:\n\(transcript)")
    }

    func testLRFinderInA16RowTerminalDrawsItsChartOnceAtTheEnd() throws {
        let terminal = try TmuxTerminal(columns: 80, rows: 16)
        terminal.type(setup)
        terminal.type("r = lr_find(m, data, live=True)")
        let transcript = try terminal.waitForPrompt(number: 3)
        XCTAssertEqual(transcript.components(separatedBy: notice).count, 2, "the notice, once:\n\(transcript)")
        XCTAssertEqual(borders(transcript), 2, "one chart, drawn once:\n\(transcript)")
        XCTAssertTrue(transcript.contains("as fastai has it"), transcript)
    }

    func testA23RowTerminalStillRedrawsTheChartLive() throws {
        let terminal = try TmuxTerminal(columns: 80, rows: 23)
        terminal.type(setup)
        terminal.type("def slow(h):\n    for i in range(30000): pass\n")
        terminal.type("h = fit(m, data, 2, lr=0.1, live=True, callbacks=[slow], every=1)")
        _ = try terminal.waitFor("training loss", andThen: "it/s]")
        let transcript = try terminal.waitForPrompt(number: 4)
        XCTAssertFalse(transcript.contains("live chart off"), transcript)
    }
}
