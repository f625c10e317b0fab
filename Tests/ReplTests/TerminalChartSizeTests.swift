import Foundation
import XCTest

/// Charts and training output in real terminals of 80×24 and 160×50 (tmux draws the screen as a person sees it;
/// issue #20): every chart gets readable room, the live chart redraws cleanly, the confusion matrix is a heat map.
final class TerminalChartSizeTests: XCTestCase {
    /// A tiny model on 640 MNIST digits: fast, and enough for the LR finder's 100 iterations.
    private let setup = "seed(0); data = mnist5k(batch_size=64, limit=640); x = input([1, 28, 28]); m = model(x, dense(flatten(x), 10))"

    func testTheFinalLRFinderChartKeepsItsMarkersOnEnoughRows() throws {
        for (columns, rows) in [(80, 24), (160, 50)] {
            let terminal = try TmuxTerminal(columns: columns, rows: rows)
            terminal.type(setup)
            terminal.type("r = lr_find(m, data, live=True)")
            let screen = try terminal.waitFor("as fastai has it")
            let chart = try XCTUnwrap(PlotArea(screen), "no chart at \(columns)×\(rows):\n\(screen)")
            XCTAssertGreaterThanOrEqual(chart.rows.count, 12, "plot rows at \(columns)×\(rows):\n\(screen)")
            let legend = screen.matches(of: try Regex("(valley|slide|minimum/10|steep) [0-9.e+-]+ +([^ ])"))
            XCTAssertEqual(legend.count, 4, "the four suggestions in the legend:\n\(screen)")
            // Two suggestions may share a point (slide and steep often do), so only the two that never coincide.
            for entry in legend where ["valley", "minimum/10"].contains(entry.output[1].substring ?? "") {
                let name = entry.output[1].substring ?? "", symbol = entry.output[2].substring ?? ""
                XCTAssertTrue(chart.rows.contains { $0.contains(symbol) }, "\(name)'s marker \(symbol) is on the plot:\n\(screen)")
            }
            XCTAssertTrue(screen.contains("minimum = the lr at the lowest loss"), screen)
        }
    }

    func testTheLiveFitChartHasReadableTicksAndTheBarFitsTheWidth() throws {
        let terminal = try TmuxTerminal(columns: 80, rows: 24)
        terminal.type(setup)
        terminal.type("def slow(h):\n    for i in range(30000): pass\n")
        terminal.type("h = fit(m, data, 4, lr=0.1, metrics=[accuracy], live=True, callbacks=[slow], every=1)")
        let screen = try terminal.waitFor("training loss", andThen: "it/s]")
        let chart = try XCTUnwrap(PlotArea(screen), screen)
        XCTAssertGreaterThanOrEqual(chart.rows.count, 12, "the live chart is not squashed:\n\(screen)")
        for tick in chart.yTicks {
            XCTAssertNotNil(try tick.wholeMatch(of: Regex("-?[0-9][0-9.e+-]*")), "a y tick reads as one number, not '\(tick)':\n\(screen)")
        }
        let bar = try XCTUnwrap(screen.split(separator: "\n").last { $0.hasPrefix("epoch ") }, screen)
        XCTAssertLessThanOrEqual(bar.count, 79, String(bar))
        XCTAssertNotNil(try bar.firstMatch(of: Regex("loss [0-9]+[.][0-9]{4}$")), "the loss is whole: \(bar)")
    }

    func testEnterDuringALiveChartLeavesNoStrayLine() throws {
        let terminal = try TmuxTerminal(columns: 80, rows: 24)
        terminal.type(setup)
        terminal.type("def slow(h):\n    for i in range(100000): pass\n")
        terminal.type("h = fit(m, data, 6, lr=0.1, live=True, callbacks=[slow], every=1)")
        _ = try terminal.waitFor("training loss", andThen: "it/s]")
        for _ in 0..<3 {
            terminal.press("Enter")
            Thread.sleep(forTimeInterval: 0.3)
        }
        let screen = try terminal.waitForPrompt(after: "step")
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("epoch  train_loss") }, screen)
        let rows = lines[(header + 1)...].prefix { $0.first?.isNumber == true }
        XCTAssertEqual(rows.count, 6, "the six epoch rows follow the header with nothing between:\n\(screen)")
    }

    func testTheConfusionMatrixIsAHeatMapOfTheLinesItsClassesNeed() throws {
        let terminal = try TmuxTerminal(columns: 160, rows: 50)
        terminal.type(setup)
        terminal.type("h = fit(m, data, 1, lr=0.1, progress=False); i = interpret(m, data.valid); confusion(i)")
        let screen = try terminal.waitForPrompt(after: "predicted", colours: true)
        let lines = screen.split(separator: "\n").map(String.init)
        let title = try XCTUnwrap(lines.firstIndex { $0.contains("confusion matrix") }, screen)
        let chart = lines[title...].prefix { !$0.contains("rnx>") }
        XCTAssertEqual(chart.count, 13, "title, x label, class names and ten rows:\n\(screen)")
        XCTAssertTrue(chart.contains { $0.contains("48;5;") }, "graded backgrounds in a 256-colour terminal:\n\(screen)")
        XCTAssertFalse(screen.contains("XXX"), screen)

        let directory = try TemporaryDirectory()
        let piped = try RnxProcess.run([], input: "confusion([[87, 11], [0, 96]], labels=['cat', 'dog'])\n", in: directory.url)
        XCTAssertFalse(piped.output.contains("\u{1B}["), "a pipe gets the table of numbers:\n\(piped.output)")
        XCTAssertNotNil(try piped.output.firstMatch(of: Regex("cat +87 +11")), piped.output)
    }

    func testChartsSavedByRunAreNamedAfterTheirCellAndTitleOncePerChart() throws {
        let directory = try TemporaryDirectory()
        let script = """
            # %%
            \(setup)
            # %%
            r = lr_find(m, data, live=True)
            # %%
            h = fit(m, data, 2, lr=0.1, metrics=[accuracy], live=True)
            plot(h)
            hist([1, 2, 2, 3])
            """
        try script.write(to: directory.url.appendingPathComponent("exp.rnx"), atomically: true, encoding: .utf8)
        let result = try RnxProcess.run(["run", "exp.rnx", "--charts", "charts"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        let charts = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("charts").path).sorted()
        XCTAssertEqual(
            charts, ["cell02-learning-rate-finder.png", "cell03-histogram.png", "cell03-loss.png"],
            "the live chart's final state and plot(h) are one chart, one file")
    }
}

/// The plot area of the last text chart on a screen: the rows between its top and bottom border, and the y tick
/// labels written left of them.
private struct PlotArea {
    var rows: [String] = []
    var yTicks: [String] = []

    init?(_ screen: String) {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let borders = lines.indices.filter { lines[$0].contains("+----------") }
        guard borders.count >= 2, let bottom = borders.last else { return nil }
        let top = borders[borders.count - 2]
        for line in lines[(top + 1)..<bottom] {
            guard let left = line.firstIndex(where: { $0 == "|" || $0 == "+" }) else { continue }
            rows.append(String(line[line.index(after: left)...]))
            let label = line[..<left].split(separator: " ").last.map(String.init)
            if let label { yTicks.append(label) }
        }
    }
}
