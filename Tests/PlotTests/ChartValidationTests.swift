import XCTest
@testable import Plot

/// Unusable chart specifications fail with one clear message before gnuplot is involved.
final class ChartValidationTests: XCTestCase {
    private func message(_ chart: Chart) -> String? {
        do {
            _ = try chart.script()
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testLineChartNeedsSeries() {
        XCTAssertEqual(message(LineChart(series: [])), "plot: nothing to draw: give at least one series")
    }

    func testSeriesLengthsMustMatch() {
        XCTAssertEqual(
            message(LineChart(series: [Series(name: "a", x: [1, 2, 3], y: [1, 2])])),
            "plot: series 'a' has 3 x values but 2 y values")
    }

    func testSeriesNeedsAFinitePoint() {
        XCTAssertEqual(
            message(LineChart(series: [Series(name: "a", y: [.nan, .nan])])),
            "plot: series 'a' has no point with finite x and y")
    }

    func testLogAxesNeedPositiveValues() {
        XCTAssertEqual(
            message(LineChart(series: [Series(name: "lr", x: [0, 1], y: [1, 2])], logX: true)),
            "plot: a log x axis needs positive x, but series 'lr' has x = 0.0 at index 0")
        XCTAssertEqual(
            message(LineChart(series: [Series(name: "acc", y: [1, -1])], logY: true)),
            "plot: a log y axis needs positive y, but series 'acc' has y = -1.0 at index 1")
        XCTAssertEqual(
            message(
                LineChart(
                    series: [Series(name: "lr", x: [1, 2], y: [1, 2])], logX: true,
                    markers: [VerticalMarker(x: -1, label: "m")])),
            "plot: a log x axis needs positive x, but marker 'm' is at x = -1.0")
    }

    func testMarkerPositionMustBeFinite() {
        XCTAssertEqual(
            message(LineChart(series: [Series(name: "a", y: [1, 2])], markers: [VerticalMarker(x: .infinity, label: "m")])),
            "plot: marker 'm' x must be a finite number, got inf")
    }

    func testHeatMapShapeAndLabelsMustAgree() {
        XCTAssertEqual(message(HeatMap(values: [])), "plot: a heat map needs at least one row and one column")
        XCTAssertEqual(message(HeatMap(values: [[1, 2], [3]])), "plot: heat map row 1 has 1 value but row 0 has 2")
        XCTAssertEqual(message(HeatMap(counts: [[1, 2], [3, 4]], rowLabels: ["a"])), "plot: heat map has 2 rows but 1 row labels")
        XCTAssertEqual(message(HeatMap(counts: [[1, 2]], columnLabels: ["a", "b", "c"])), "plot: heat map has 2 columns but 3 column labels")
    }

    func testImageGridChecksEveryImage() {
        XCTAssertEqual(message(ImageGrid(images: [])), "plot: an image grid needs at least one image")
        XCTAssertEqual(
            message(ImageGrid(images: [GridImage(width: 2, height: 2, pixels: [1, 2, 3])])),
            "plot: image 0 is 2×2×1 = 4 values but has 3")
        XCTAssertEqual(
            message(ImageGrid(images: [GridImage(width: 1, height: 5, pixels: [1, 2, 3, 4, 5])])),
            "plot: image 0 must be at least 2×2 pixels, got 1×5")
        XCTAssertEqual(
            message(ImageGrid(images: [GridImage(width: 2, height: 2, pixels: [0, 0, 0, 0])], columns: 0)),
            "plot: an image grid needs at least 1 column, got 0")
    }

    func testImagePixelsAreScaledToTheirRangeAndClamped() throws {
        let image = GridImage(width: 2, height: 2, pixels: [0, 127.5, 255, 300], valueRange: 0...255)
        XCTAssertEqual(try image.normalizedPixels(index: 0), [0, 0.5, 1, 1])
        let automatic = GridImage(width: 2, height: 2, pixels: [-1, 0, .nan, 1])
        XCTAssertEqual(try automatic.normalizedPixels(index: 0), [0, 0.5, 0, 1])
    }

    func testGridLayoutIsNearSquareUnlessColumnsAreGiven() {
        let image = GridImage(width: 2, height: 2, pixels: [0, 0, 0, 0])
        let five = ImageGrid(images: Array(repeating: image, count: 5))
        XCTAssertEqual([five.rowCount, five.columnCount], [2, 3])
        let wide = ImageGrid(images: Array(repeating: image, count: 5), columns: 5)
        XCTAssertEqual([wide.rowCount, wide.columnCount], [1, 5])
    }

    func testFloatArraysAreAccepted() throws {
        let floats: [Float] = [1, 2, 3]
        XCTAssertEqual(Series(name: "f", y: floats).y, [1, 2, 3])
        XCTAssertEqual(Histogram(values: floats, binCount: 3).values, [1, 2, 3])
        XCTAssertEqual(GridImage(width: 1, height: 3, pixels: floats).pixels, [1, 2, 3])
    }
}
