import Foundation
import XCTest
@testable import Plot

/// Charts saved into a directory are named after where and what they are, never overwrite each other, and a chart
/// shown twice is one file (issue #20); saved images label their y axis and stacked panels share their x range.
final class ChartFileNameTests: XCTestCase {
    private let curve = LineChart(series: [Series(name: "", x: [1e-3, 1e-2, 1e-1], y: [2.3, 1.1, 3.0])], title: "learning rate finder")

    func testNamesComeFromTheCellAndTheTitle() {
        XCTAssertEqual(ChartFileNames.stem(prefix: "cell04", title: "learning rate finder", kind: "line"), "cell04-learning-rate-finder")
        XCTAssertEqual(ChartFileNames.stem(prefix: nil, title: "Loss (train/valid) — ResNet-18!", kind: "line"), "loss-train-valid-resnet-18")
        XCTAssertEqual(ChartFileNames.stem(prefix: "cell02", title: nil, kind: "histogram"), "cell02-histogram")
        XCTAssertEqual(ChartFileNames.stem(prefix: "cell02", title: "../../etc/passwd\n", kind: "line"), "cell02-etc-passwd")
        XCTAssertEqual(ChartFileNames.stem(prefix: nil, title: "日本語", kind: "images"), "images")
        XCTAssertEqual(ChartFileNames.stem(prefix: nil, title: String(repeating: "ab ", count: 50), kind: "line").count, 40)
    }

    func testEveryChartGetsItsOwnFileAndTheSameChartOne() throws {
        let names = ChartFileNames()
        let other = LineChart(series: [Series(name: "", x: [1, 2], y: [3, 4])], title: "learning rate finder")
        XCTAssertEqual(try names.path(in: "/d", stem: "cell04-learning-rate-finder", for: curve), "/d/cell04-learning-rate-finder.png")
        XCTAssertNil(try names.path(in: "/d", stem: "cell04-learning-rate-finder", for: curve), "the same chart again is the same file")
        XCTAssertEqual(try names.path(in: "/d", stem: "cell04-learning-rate-finder", for: other), "/d/cell04-learning-rate-finder-2.png")
        XCTAssertEqual(
            try names.path(in: "/d", stem: "cell04-learning-rate-finder", for: LineChart(series: [Series(name: "", y: [9])])),
            "/d/cell04-learning-rate-finder-3.png")
        XCTAssertNil(try names.path(in: "/d", stem: "cell04-learning-rate-finder", for: other))
        XCTAssertEqual(try names.path(in: "/e", stem: "cell04-learning-rate-finder", for: other), "/e/cell04-learning-rate-finder.png")
    }

    func testPanelsThatShareXSpanTheSameRange() throws {
        let loss = LineChart(series: [Series(name: "train", x: [0, 1, 2, 3, 4, 5], y: [2, 1.5, 1.2, 1, 0.9, 0.8])], title: "loss", yLabel: "loss")
        let accuracy = LineChart(series: [Series(name: "accuracy", x: [2, 5], y: [0.6, 0.8])], title: "accuracy", yLabel: "accuracy")
        let shared = try ChartPanels(panels: [loss, accuracy], sharesX: true).script().text
        XCTAssertEqual(shared.components(separatedBy: "set xrange [0.0:5.0]\n").count - 1, 2, shared)
        XCTAssertFalse(try ChartPanels(panels: [loss, accuracy]).script().text.contains("set xrange"))
    }

    func testSavedImagesHaveTheirYAxisLabel() throws {
        let directory = try makeScratchDirectory(self)
        let session = GnuplotSession()
        let chart = LineChart(series: [Series(name: "", x: [0, 1, 2], y: [2, 1, 0.5])], title: "loss", yLabel: "loss")
        try session.save(chart, toFile: directory + "/loss.svg", width: 400, height: 300)
        let svg = try String(contentsOfFile: directory + "/loss.svg", encoding: .utf8)
        XCTAssertNotNil(svg.range(of: "rotate\\(270\\)[^<]*>\\s*<text>loss</text>", options: .regularExpression), "a turned y label:\n\(svg)")
    }
}
