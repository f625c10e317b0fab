import Foundation
import XCTest
import Kernel
@testable import DSL

/// A session whose charts are plain 80 × 24 text (no sixel, no colours, no environment), whatever terminal runs the tests.
func chartSession(_ configure: (PlotSettings) -> Void = { _ in }) -> Session {
    let session = Session()
    let settings = PlotSettings(environment: { [:] })
    settings.sixel = .off
    settings.color = .off
    settings.live = .off
    settings.size = PlotSettings.Size(width: 80, height: 24)
    configure(settings)
    session.interpreter.plotSettings = settings
    return session
}

/// The drawing a chart value shows in the REPL.
func drawing(_ value: Value?, file: StaticString = #filePath, line: UInt = #line) -> String {
    guard case .object(let object)? = value, object is ChartObject else {
        XCTFail("expected a Chart, got \(value.map(\.repr) ?? "nothing")", file: file, line: line)
        return ""
    }
    return object.repr
}

/// A fresh empty directory, removed when the test ends.
func scratchDirectory(_ test: XCTestCase) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-chart-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Width and height from a PNG file's header, or nil if it is not a PNG.
func pngSize(atPath path: String) -> (width: Int, height: Int)? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let bytes = [UInt8](data)
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    guard bytes.count >= 24, Array(bytes[0..<8]) == signature else { return nil }
    func bigEndian(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
    return (bigEndian(16), bigEndian(20))
}

final class PlotBindingTests: XCTestCase {
    func testPlotOfAListDrawsATextChartWithItsTitle() throws {
        let session = chartSession()
        let text = drawing(try session.run("plot([1, 4, 9, 16, 25], title='squares', xlabel='position', ylabel='n²')"))
        XCTAssertTrue(text.contains("squares") && text.contains("position") && text.contains("n²"), text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertLessThanOrEqual(lines.count, 24)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 80 }, text)
        XCTAssertEqual(try session.run("c = plot(arange(5) * 2)\nc.kind, c.title, type(c)")?.repr, "('line', None, <class 'Chart'>)")
    }

    func testSeveralSeriesGetALegend() throws {
        let session = chartSession()
        let named = drawing(try session.run("plot([0, 1, 2], [[1, 2, 3], [3, 2, 1]], labels=['rising', 'falling'])"))
        XCTAssertTrue(named.contains("rising") && named.contains("falling"), named)
        let fromDict = drawing(try session.run("plot({'train': [3, 2, 1], 'valid': [3.5, 2.5, 2]}, logy=True)"))
        XCTAssertTrue(fromDict.contains("train") && fromDict.contains("valid"), fromDict)
        let fromRows = drawing(try session.run("plot(tensor([[1, 2, 3], [2, 2, 2]]))"))
        XCTAssertTrue(fromRows.contains("series 1") && fromRows.contains("series 2"), fromRows)
    }

    func testBadPlotArgumentsAreClearErrors() throws {
        let session = chartSession()
        XCTAssertEqual(session.error("plot([1, 2, 3], [1, 2])")?.message, "plot(): 3 x values but 2 y values")
        XCTAssertEqual(session.error("plot([[1, 2], [3, 4]], labels=['a'])")?.message, "plot() argument 'labels' has 1 name for 2 series")
        XCTAssertEqual(session.error("plot('abc')")?.kind, .type)
        XCTAssertEqual(session.error("plot([1, 'x'])")?.message, "plot() argument 'data' must be numbers, not str (at position 1)")
        XCTAssertEqual(
            session.error("plot([1, 2], steps=10)")?.message,
            "plot() argument 'steps' does not apply to a list or tensor; it takes: y, labels, logx, logy")
        let logError = session.error("plot([1, -1], logy=True)")
        XCTAssertEqual(logError?.kind, .value)
        XCTAssertTrue(logError?.message.contains("log y axis needs positive y") ?? false, logError?.message ?? "")
        XCTAssertEqual(session.error("plot([])")?.message, "plot() argument 'data' is empty: nothing to plot")
    }

    func testHistogramOfATensor() throws {
        let session = chartSession()
        let text = drawing(try session.run("seed(1)\nhist(randn(10, 100), bins=30, title='weights')"))
        XCTAssertTrue(text.contains("weights") && text.contains("count"), text)
        XCTAssertEqual(try session.run("hist([1, 2, 2, 3]).kind"), "histogram")
        XCTAssertEqual(session.error("hist([1, 2], bins=0)")?.message, "plot: hist needs between 1 and 10000 bins, got 0")
    }

    func testConfusionMatrixShowsCountsAndClassNames() throws {
        let session = chartSession()
        let text = drawing(try session.run("confusion([[50, 3], [7, 40]], labels=['cat', 'dog'])"))
        for expected in ["confusion matrix (rows: actual)", "cat", "dog", "50", "40", "predicted"] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        let fractions = drawing(try session.run("confusion([[3, 1], [0, 4]], normalize=True)"))
        XCTAssertTrue(fractions.contains("0.75") && fractions.contains("0.25"), fractions)
        XCTAssertEqual(session.error("confusion([[1, 2, 3], [4, 5, 6]])")?.kind, .value)
        XCTAssertEqual(
            session.error("confusion([[1, 2], [3, 4]], labels=['a'])")?.message,
            "confusion() argument 'labels' has 1 class name for a 2×2 matrix")
    }

    func testImagesOfASmallBatchWithLabels() throws {
        let session = chartSession()
        try session.run("seed(3)\nx = rand(4, 1, 8, 8)\ny = tensor([0, 1, 2, 1])")
        let text = drawing(try session.run("images(x, labels=y, classes=['zero', 'one', 'two'], title='batch')"))
        for expected in ["batch", "zero", "one", "two"] { XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)") }
        let pair = drawing(try session.run("images((x, y), n=2)"))
        XCTAssertTrue(pair.contains("0") && pair.contains("1"), pair)
        XCTAssertEqual(try session.run("images(rand(2, 3, 6, 6)).kind"), "images")
        XCTAssertEqual(try session.run("images(rand(5, 5)).kind"), "images")
        XCTAssertEqual(
            session.error("images(rand(2, 2, 6, 6))")?.message,
            "images(): an image must have shape [C, H, W] with 1 or 3 channels, or [H, W]; got [2, 6, 6]")
        XCTAssertEqual(session.error("images(x, labels=[0, 1])")?.message, "images(): 4 images but 2 labels")
        XCTAssertEqual(
            session.error("images(x, labels=y, classes=['a'])")?.message, "images() argument 'labels' holds class 1, but classes has 1 names")
        XCTAssertEqual(session.error("images(x, n=0)")?.message, "images() argument 'n' must be between 1 and 400, got 0")
    }

    func testImagesOfADatasetAreCaptionedWithClassNames() throws {
        let session = chartSession()
        let images = try Tensor.rand([3, 1, 6, 6])
        let dataset = try Dataset(images: images, labels: [0, 1, 0], classNames: ["shoe", "bag"], name: "tiny")
        session.interpreter.setGlobal("ds", .object(DatasetObject(dataset)))
        let text = drawing(try session.run("images(ds, n=2)"))
        XCTAssertTrue(text.contains("shoe") && text.contains("bag"), text)
        XCTAssertEqual(
            session.error("images(ds, classes=['a', 'b'])")?.message,
            "images() argument 'classes' does not apply to Dataset: it names its classes itself")
    }

    func testSavefigWritesTheLastChartAtTheRequestedSize() throws {
        let session = chartSession()
        let directory = try scratchDirectory(self)
        XCTAssertEqual(
            session.error("savefig('\(directory)/none.png')")?.message,
            "savefig(): no chart has been drawn yet; make one with plot(), hist(), confusion() or images()")
        try session.run("plot([3, 1, 2], title='loss')\nsavefig('\(directory)/loss.png')")
        XCTAssertEqual(pngSize(atPath: directory + "/loss.png")?.width, 800)
        XCTAssertEqual(pngSize(atPath: directory + "/loss.png")?.height, 600)
        try session.run("h = hist([1, 2, 2, 3])\nsavefig('\(directory)/small.png', width=320, height=200)")
        XCTAssertEqual(pngSize(atPath: directory + "/small.png")?.width, 320)
        XCTAssertEqual(pngSize(atPath: directory + "/small.png")?.height, 200)
        try session.run("h.save('\(directory)/hist.svg')")
        let svg = try String(contentsOfFile: directory + "/hist.svg", encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg"), svg)
        XCTAssertEqual(
            session.error("savefig('\(directory)/loss.jpg')")?.message,
            "savefig: cannot tell the format of '\(directory)/loss.jpg': use a name ending in .png or .svg")
        XCTAssertEqual(
            session.error("savefig('\(directory)/x.png', width=0)")?.message,
            "savefig() argument 'width' must be a positive number of pixels, got 0")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["hist.svg", "loss.png", "small.png"])
    }

    func testShowingAChartMakesItTheOneSavefigSaves() throws {
        let session = chartSession()
        let directory = try scratchDirectory(self)
        try session.run("first = plot([1, 2, 3], title='first')\nsecond = plot([3, 2, 1], title='second')")
        let shown = try session.output("show(first)")
        XCTAssertTrue(shown.contains("first") && shown.hasSuffix("\n"), shown)
        try session.run("savefig('\(directory)/a.svg')")
        XCTAssertTrue(try String(contentsOfFile: directory + "/a.svg", encoding: .utf8).contains("first"))
        XCTAssertTrue(try session.output("print(second)").contains("second"))
    }

    func testEveryChartIsAlsoSavedIntoTheChartsDirectory() throws {
        let directory = try scratchDirectory(self) + "/charts"
        let session = chartSession { $0.chartsDirectory = directory }
        try session.run("plot([1, 2, 3])\nhist([1, 1, 2])\nimages(rand(2, 1, 4, 4))")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
            ["histogram.png", "images.png", "line.png"])
        XCTAssertEqual(pngSize(atPath: directory + "/line.png")?.width, 800)
        XCTAssertEqual(pngSize(atPath: directory + "/histogram.png")?.height, 600)
    }

    func testTheChartsDirectoryAndSizeFallBackToTheEnvironment() throws {
        let directory = try scratchDirectory(self)
        let session = Session()
        let settings = PlotSettings(environment: { ["RNX_CHARTS_DIR": directory, "RNX_PLOT_SIZE": "60x15", "RNX_SIXEL": "0", "NO_COLOR": "1"] })
        session.interpreter.plotSettings = settings
        let text = drawing(try session.run("plot([1, 2, 3], title='from the environment')"))
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines.count <= 15 && lines.allSatisfy { $0.count <= 60 }, text)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["from-the-environment.png"])
        XCTAssertTrue(settings.summary.contains("size 60x15"), settings.summary)
    }

    func testAChartRedrawsWhenTheSizeChanges() throws {
        let session = chartSession()
        let value = try session.run("plot([1, 3, 2], title='resized')")
        XCTAssertTrue(drawing(value).split(separator: "\n").contains { $0.count > 70 })
        session.interpreter.plotSettings.size = PlotSettings.Size(width: 40, height: 12)
        let smaller = drawing(value)
        XCTAssertTrue(smaller.contains("resized"), smaller)
        XCTAssertTrue(smaller.split(separator: "\n").allSatisfy { $0.count <= 40 }, smaller)
    }

    func testSixelAndColourWhenTheSettingsAskForThem() throws {
        let sixel = chartSession {
            $0.sixel = .on
            $0.pixelSize = PlotSettings.Size(width: 320, height: 200)
        }
        let graphics = drawing(try sixel.run("plot([1, 2, 3])"))
        XCTAssertTrue(graphics.hasPrefix("\u{1B}P") && graphics.contains("\u{1B}\\"), "a sixel image: \(graphics.prefix(20).debugDescription)")
        let coloured = drawing(try chartSession { $0.color = .on }.run("plot([1, 2, 3], title='colours')"))
        XCTAssertTrue(coloured.contains("\u{1B}[") && coloured.contains("colours"), coloured)
    }

    func testTextChartsFitTheTerminalSizeFromTheEnvironment() throws {
        try XCTSkipIf(isatty(STDOUT_FILENO) == 1, "the real terminal's size wins over COLUMNS and LINES")
        let session = Session()
        let settings = PlotSettings(environment: { ["COLUMNS": "50", "LINES": "30"] })
        settings.sixel = .off
        session.interpreter.plotSettings = settings
        let lines = drawing(try session.run("plot([1, 2, 3], title='fits')")).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.count <= 29 && lines.allSatisfy { $0.count <= 50 } && lines.contains { $0.count > 40 }, lines.joined(separator: "\n"))
        // A terminal too short for 12 rows of plot scrolls rather than squash the chart (issue #20).
        let short = Session()
        short.interpreter.plotSettings = PlotSettings(environment: { ["COLUMNS": "50", "LINES": "13"] })
        short.interpreter.plotSettings.sixel = .off
        let tall = drawing(try short.run("plot([1, 2, 3], title='scrolls')")).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertGreaterThan(tall.count, 13, tall.joined(separator: "\n"))
    }

    func testHostileTitlesAreDrawnAsTextAndRunNothing() throws {
        // Wide enough for the long titles: the text terminal leaves out what does not fit.
        let session = chartSession { $0.size = PlotSettings.Size(width: 200, height: 30) }
        let directory = try scratchDirectory(self)
        let hostile = [
            "x'; system('touch \(directory)/pwned1'); print '",
            "`touch \(directory)/pwned2`",
            "line\nset output '\(directory)/pwned3'\nplot x",
            "'' set output '\(directory)/pwned4'",
            "@cmd \\' \" $(touch \(directory)/pwned5)",
        ]
        for (index, title) in hostile.enumerated() {
            session.interpreter.setGlobal("hostile", .string(title))
            let text = drawing(try session.run("plot([1, 2, 3], title=hostile, xlabel=hostile, labels=[hostile])"))
            XCTAssertTrue(text.contains("touch") || text.contains("set output"), "title \(index) not drawn:\n\(text)")
            _ = try session.run(
                "hist([1, 2], title=hostile)\nconfusion([[1]], labels=[hostile], title=hostile)\nimages(rand(1, 4, 4), labels=[hostile])")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testAMissingGnuplotIsOneClearErrorAndTheSessionCarriesOn() throws {
        let session = chartSession()
        try session.run("x = [1, 2, 3]")
        setenv("RNX_GNUPLOT", "/nonexistent/gnuplot", 1)
        defer { unsetenv("RNX_GNUPLOT") }
        let error = session.error("plot(x)")
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertEqual(
            error?.message,
            "plot: gnuplot is not installed or not executable (looked for '/nonexistent/gnuplot' from RNX_GNUPLOT); "
                + "install it with: apt-get install gnuplot-nox")
        XCTAssertEqual(error?.location?.line, 1)
        XCTAssertEqual(try session.run("len(x) + 1"), 4)
        unsetenv("RNX_GNUPLOT")
        XCTAssertTrue(drawing(try session.run("plot(x, title='back again')")).contains("back again"))
    }
}
