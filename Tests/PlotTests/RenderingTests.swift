import XCTest
@testable import Plot

/// Every chart kind drawn by the real gnuplot to each target.
final class RenderingTests: XCTestCase {
    // XCTest makes a new instance, so a new session, for every test.
    private let session = GnuplotSession()

    private static let allCharts: [(String, Chart)] = [
        ("line", SampleCharts.lossCurve), ("lr finder", SampleCharts.lrFinder), ("histogram", SampleCharts.histogram),
        ("heat map", SampleCharts.confusion), ("image grid", SampleCharts.images),
    ]

    func testLineChartAsTextShowsTitleLegendAndAxisLabels() throws {
        let text = try session.renderText(SampleCharts.lossCurve, width: 70, height: 20)
        for expected in ["Loss per epoch", "train", "valid", "epoch", "loss"] {
            XCTAssertTrue(text.contains(expected), "missing '\(expected)' in\n\(text)")
        }
    }

    func testTextHasTheRequestedSizeAndNoFormFeed() throws {
        let text = try session.renderText(SampleCharts.lossCurve, width: 70, height: 20)
        XCTAssertFalse(text.hasPrefix("\u{0C}"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 20)
        XCTAssertTrue(lines.allSatisfy { $0.count == 70 }, text)
    }

    func testLRFinderAsTextShowsTheSuggestionAndShortLogTics() throws {
        let text = try session.renderText(SampleCharts.lrFinder, width: 80, height: 20)
        for expected in ["LR finder", "suggested", "loss", "0.001", "1e-05"] {
            XCTAssertTrue(text.contains(expected), "missing '\(expected)' in\n\(text)")
        }
    }

    func testHistogramAsText() throws {
        let text = try session.renderText(SampleCharts.histogram, width: 60, height: 16)
        XCTAssertTrue(text.contains("Weights"), text)
        XCTAssertTrue(text.contains("count"), text)
    }

    func testConfusionMatrixAsTextShowsClassNamesAndCounts() throws {
        let text = try session.renderText(SampleCharts.confusion, width: 60, height: 16)
        for expected in ["Confusion", "cat", "dog", "predicted", "true", " 5 ", " 7"] {
            XCTAssertTrue(text.contains(expected), "missing '\(expected)' in\n\(text)")
        }
    }

    func testImageGridAsTextShowsCaptionsAndBrightPixels() throws {
        let text = try session.renderText(SampleCharts.images, width: 70, height: 20)
        for expected in ["Samples", "true 1 / pred 7 / 0.91", "red over blue", "@"] {
            XCTAssertTrue(text.contains(expected), "missing '\(expected)' in\n\(text)")
        }
    }

    func testColouredTextUsesANSIEscapes() throws {
        let plain = try session.renderText(SampleCharts.lossCurve, width: 60, height: 15, color: .plain)
        let coloured = try session.renderText(SampleCharts.lossCurve, width: 60, height: 15, color: .ansi)
        let trueColour = try session.renderText(SampleCharts.lossCurve, width: 60, height: 15, color: .ansiRGB)
        XCTAssertFalse(plain.contains("\u{1B}["))
        XCTAssertTrue(coloured.contains("\u{1B}["))
        XCTAssertTrue(trueColour.contains("\u{1B}[38;2;"))
    }

    func testEveryKindAsPNGHasTheRequestedPixelSize() throws {
        for (name, chart) in Self.allCharts {
            let bytes = try session.render(chart, to: .png(width: 320, height: 240))
            let size = pngSize(bytes)
            XCTAssertEqual(size?.width, 320, name)
            XCTAssertEqual(size?.height, 240, name)
        }
    }

    func testEveryKindAsSVG() throws {
        for (name, chart) in Self.allCharts {
            let svg = String(decoding: try session.render(chart, to: .svg(width: 400, height: 300)), as: UTF8.self)
            XCTAssertTrue(svg.contains("<svg"), name)
            XCTAssertTrue(svg.contains("width=\"400\" height=\"300\""), name)
            XCTAssertTrue(svg.contains("</svg>"), name)
        }
    }

    func testEveryKindAsSixelStartsWithTheSixelIntroducer() throws {
        for (name, chart) in Self.allCharts {
            let bytes = try session.render(chart, to: .sixel(width: 200, height: 120))
            XCTAssertEqual(Array(bytes.prefix(2)), [0x1B, UInt8(ascii: "P")], name)
            XCTAssertTrue(bytes.prefix(16).contains(UInt8(ascii: "q")), name)
        }
    }

    func testOneProcessDrawsManyCharts() throws {
        _ = try session.renderText(SampleCharts.histogram, width: 40, height: 10)
        let first = session.processID
        XCTAssertNotNil(first)
        for _ in 0..<5 { _ = try session.render(SampleCharts.confusion, to: .png(width: 64, height: 64)) }
        XCTAssertEqual(session.processID, first)
    }

    func testSettingsDoNotLeakFromOneChartToTheNext() throws {
        _ = try session.renderText(SampleCharts.lrFinder, width: 70, height: 18)
        let text = try session.renderText(LineChart(series: [Series(name: "plain", y: [1, 2, 3])]), width: 70, height: 18)
        XCTAssertFalse(text.contains("LR finder"), text)
        XCTAssertFalse(text.contains("suggested"), text)
    }

    func testNaNLeavesAGapInsteadOfFailing() throws {
        let chart = LineChart(series: [Series(name: "loss", y: [1, .nan, 0.5, 0.25])], title: "gappy")
        XCTAssertTrue(try session.renderText(chart, width: 50, height: 12).contains("gappy"))
    }

    func testNothingIsLeftInTheTemporaryDirectory() throws {
        let directory = try makeScratchDirectory(self)
        let session = GnuplotSession(temporaryDirectory: directory)
        _ = try session.render(SampleCharts.histogram, to: .png(width: 64, height: 64))
        _ = try session.renderText(SampleCharts.histogram, width: 40, height: 10)
        XCTAssertEqual(try entries(of: directory), [])
    }

    func testNothingIsLeftInTheTemporaryDirectoryAfterAFailure() throws {
        let directory = try makeScratchDirectory(self)
        let session = GnuplotSession(temporaryDirectory: directory)
        XCTAssertThrowsError(try session.renderText(RawChart(lines: ["plot no_such_variable"]), width: 40, height: 10))
        XCTAssertEqual(try entries(of: directory), [])
    }
}
