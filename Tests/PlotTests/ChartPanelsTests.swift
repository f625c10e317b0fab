import XCTest
@testable import Plot

/// Stacked panels: one multiplot whose panels keep their own settings and data, titled by its heading or else by
/// its top panel.
final class ChartPanelsTests: XCTestCase {
    private let loss = LineChart(series: [Series(name: "loss", x: [0, 1], y: [2, 1])], title: "loss")
    private let accuracy = LineChart(series: [Series(name: "accuracy", x: [0, 1], y: [0.5, 0.9])], logY: true)

    func testTitleIsTheHeadingElseTheTopPanelsTitle() {
        XCTAssertEqual(ChartPanels(panels: [loss, accuracy]).title, "loss")
        XCTAssertEqual(ChartPanels(panels: [accuracy, loss]).title, nil)
        XCTAssertEqual(ChartPanels(panels: [loss, accuracy], heading: "training").title, "training")
    }

    func testEveryChartKindHasItsTitle() {
        let charts: [Chart] = [loss, ChartPanels(panels: [loss]), SampleCharts.histogram, SampleCharts.confusion, SampleCharts.images]
        XCTAssertEqual(charts.map(\.title), ["loss", "loss", "Weights", "Confusion", "Samples"])
        XCTAssertFalse(charts.contains { $0.title == nil })
    }

    func testPanelsAreOneMultiplotWithTheirOwnDataBlocks() throws {
        let script = try ChartPanels(panels: [loss, accuracy], heading: "training").script()
        let commands = script.steps.compactMap { step -> String? in
            if case .command(let line) = step { return line } else { return nil }
        }
        XCTAssertEqual(commands.first, "set multiplot layout 2,1 title 'training' noenhanced")
        XCTAssertEqual(commands.last, "unset multiplot")
        XCTAssertEqual(commands.filter { $0 == "reset" }.count, 1)
        let blocks = script.steps.compactMap { step -> String? in
            if case .dataBlock(let name, _, _) = step { return name } else { return nil }
        }
        XCTAssertEqual(Set(blocks).count, blocks.count, "every panel's data gets a name of its own")
    }

    func testNoPanelsIsAnInvalidChart() {
        XCTAssertThrowsError(try ChartPanels(panels: []).script()) { error in
            XCTAssertEqual(error as? PlotError, .invalidChart("nothing to draw: no panels"))
        }
    }

    func testRenamingLeavesQuotedTextAlone() {
        XCTAssertEqual(ChartPanels.renamingBlocks(in: "plot $d0 title 'cost $d0'", ["$d0": "$d3"]), "plot $d3 title 'cost $d0'")
    }
}
