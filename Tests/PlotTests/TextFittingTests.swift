import XCTest
@testable import Plot

/// Text that would not fit a character chart is shortened with an ellipsis (gnuplot's dumb terminal
/// drops it without a word), and the legend sits above the plot where it covers no data.
final class TextFittingTests: XCTestCase {
    private let session = GnuplotSession()

    private let longTitle = "validation loss of the ResNet-20 trained with one cycle on CIFAR-10"
    private let longEntry = "train loss (smoothed over 98 batches)"

    func testShortTextIsKeptAndLongTextEndsWithAnEllipsis() {
        XCTAssertEqual(TextRoom.fitted("loss", 10), "loss")
        XCTAssertEqual(TextRoom.fitted("0123456789", 10), "0123456789")
        XCTAssertEqual(TextRoom.fitted("0123456789A", 10), "012345678…")
        XCTAssertEqual(TextRoom.fitted("two\nlines  ", 20), "two lines", "control characters become spaces, trailing ones go")
        XCTAssertEqual(TextRoom.fitted("cafe\u{301} au lait", 6), "café…", "a combining mark counts as gnuplot counts it")
    }

    func testRoomForEachKindOfText() {
        let room = TextRoom(columns: 40)
        XCTAssertEqual(room.line, 40)
        XCTAssertEqual(room.legendEntry, 28)
        XCTAssertEqual(room.yLabel, 5)
        XCTAssertEqual(room.caption(perRow: 4), 9)
        XCTAssertEqual(TextRoom(columns: 10).legendEntry, 3, "never less than a letter and the ellipsis")
    }

    func testTextScriptShortensTitleLabelsAndLegendToTheWidth() throws {
        let chart = LineChart(
            series: [Series(name: longEntry, x: [1, 2], y: [2, 1])],
            title: longTitle, xLabel: "optimizer step over all epochs of the run", yLabel: "loss value")
        XCTAssertEqual(
            try chart.textScript(columns: 40).text,
            """
            set title 'validation loss of the ResNet-20 traine…' noenhanced
            set xlabel 'optimizer step over all epochs of the r…' noenhanced
            set ylabel 'loss…' noenhanced
            set grid
            set key above noenhanced
            $rnx0 << e
            1.0 2.0
            2.0 1.0
            e
            plot $rnx0 using 1:2 with lines title 'train loss (smoothed over 9…' noenhanced

            """)
        XCTAssertTrue(try chart.script().text.contains("set title '\(longTitle)' noenhanced"), "files keep the whole text")
    }

    func testGnuplotShowsTheShortenedText() throws {
        let chart = LineChart(
            series: [
                Series(name: longEntry, x: [1, 2, 3, 4], y: [3, 2, 1.5, 1.2]),
                Series(name: "valid", x: [1, 4], y: [2.8, 1.4], style: .linesPoints),
            ],
            title: longTitle, xLabel: "step")
        let text = try session.renderText(chart, width: 40, height: 16)
        XCTAssertTrue(text.contains("validation loss of the ResNet-20 traine…"), text)
        XCTAssertTrue(text.contains("train loss (smoothed over 9…"), text)
        XCTAssertTrue(text.contains("valid"), text)
    }

    func testTheLegendIsAboveThePlotNotOnTheCurves() throws {
        let text = try session.renderText(SampleCharts.lossCurve, width: 60, height: 18)
        let lines = text.split(separator: "\n").map(String.init)
        let border = try XCTUnwrap(lines.firstIndex { $0.contains("+----") }, text)
        for entry in ["train", "valid"] {
            let row = try XCTUnwrap(lines.firstIndex { $0.contains(entry) }, text)
            XCTAssertLessThan(row, border, "'\(entry)' is above the plot's top border:\n\(text)")
        }
    }

    func testHistogramHeatMapAndImageCaptionsAreShortenedToo() throws {
        let histogram = Histogram(values: [1, 2, 2, 3], binCount: 3, title: longTitle)
        XCTAssertTrue(try histogram.textScript(columns: 30).text.contains("set title 'validation loss of the ResNet…' noenhanced"))
        let heatMap = HeatMap(counts: [[1, 0], [0, 1]], rowLabels: ["a", "b"], columnLabels: ["a", "b"], title: longTitle, yLabel: "actual")
        let heatScript = try heatMap.textScript(columns: 30).text
        XCTAssertTrue(heatScript.contains("set title 'validation loss of the ResNet…' noenhanced"), heatScript)
        XCTAssertTrue(heatScript.contains("set ylabel 'actual' noenhanced"), heatScript)
        XCTAssertTrue(heatScript.contains("set lmargin 10"), heatScript)
        let drawn = try session.renderText(heatMap, width: 60, height: 16)
        XCTAssertTrue(drawn.contains("actual"), "the widened margin holds the whole y label:\n\(drawn)")
        let longLabel = HeatMap(counts: [[1]], yLabel: "ground-truth class of the sample")
        XCTAssertTrue(try longLabel.textScript(columns: 60).text.contains("set ylabel 'ground-truth c…' noenhanced"))
        let grid = ImageGrid(
            images: [
                GridImage(width: 2, height: 2, pixels: [0, 1, 1, 0], caption: "cat/dog/0.97"),
                GridImage(width: 2, height: 2, pixels: [1, 0, 0, 1], caption: "ok"),
            ], columns: 2)
        let rendered = try session.renderText(grid, width: 20, height: 8)
        XCTAssertTrue(rendered.contains("cat/dog/…"), rendered)
    }
}
