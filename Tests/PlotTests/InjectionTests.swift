import Foundation
import XCTest
@testable import Plot

/// Text from users and data sets can never run a gnuplot or shell command.
final class InjectionTests: XCTestCase {
    private let session = GnuplotSession()

    /// Strings that would each create a file in `directory` if they escaped their quotes.
    private func hostileStrings(creatingFilesIn directory: String) -> [String] {
        [
            "'\nsystem(\"touch \(directory)/pwned1\")\n'",
            "'; system('touch \(directory)/pwned2'); '",
            "`touch \(directory)/pwned3`",
            "|touch \(directory)/pwned4",
            "< touch \(directory)/pwned5",
            "x\n!touch \(directory)/pwned6",
            "'\nset output '|touch \(directory)/pwned7'\nplot 1\n",
            "'.system('touch \(directory)/pwned8').'",
            "'\u{301}; system('touch \(directory)/pwned9'); '",
            "\r\u{0}print system('touch \(directory)/pwned10')",
            "@GPVAL_TERM \\' \"; system(\"touch \(directory)/pwned11\") \"",
            "'; system 'touch \(directory)/pwned12'; '",
            "x'; system 'touch \(directory)/pwned13'; 'y",
        ]
    }

    private func hostileCharts(_ text: String) -> [Chart] {
        [
            LineChart(
                series: [Series(name: text, y: [1, 2, 3]), Series(name: "ok " + text, y: [3, 2, 1])],
                title: text, xLabel: text, yLabel: text, markers: [VerticalMarker(x: 1, label: text, y: 2)]),
            Histogram(values: [1, 2, 2, 3], binCount: 3, title: text, xLabel: text, yLabel: text),
            HeatMap(counts: [[1, 2], [3, 4]], rowLabels: [text, "b"], columnLabels: ["a", text], title: text, xLabel: text, yLabel: text),
            ImageGrid(images: [GridImage(width: 2, height: 2, pixels: [0, 1, 1, 0], caption: text)], title: text),
        ]
    }

    func testHostileTextInEveryFieldRunsNothing() throws {
        let directory = try makeScratchDirectory(self)
        var failures: [String] = []
        for text in hostileStrings(creatingFilesIn: directory) {
            for chart in hostileCharts(text) {
                do {
                    _ = try session.renderText(chart, width: 120, height: 30)
                    _ = try session.render(chart, to: .png(width: 200, height: 150))
                } catch {
                    failures.append("\(error)")
                }
            }
        }
        XCTAssertEqual(try entries(of: directory), [])
        XCTAssertEqual(failures, [])
    }

    func testHostileTitleIsShownLiterally() throws {
        let directory = try makeScratchDirectory(self)
        let title = "'; system('touch \(directory)/pwned'); ' @GPVAL_TERM `id`"
        let text = try session.renderText(LineChart(series: [Series(name: "s", y: [1, 2])], title: title), width: 200, height: 12)
        // The leading quote cannot be doubled for gnuplot and is shown as a typographic one.
        XCTAssertTrue(text.contains("\u{2019}" + title.dropFirst()), text)
        XCTAssertEqual(try entries(of: directory), [])
    }

    func testTitleWithNewlineIsShownOnOneLine() throws {
        let text = try session.renderText(LineChart(series: [Series(name: "s", y: [1, 2])], title: "first\nsecond"), width: 60, height: 12)
        XCTAssertTrue(text.contains("first second"), text)
    }

    func testHostileFileNamesAreUsedLiterallyAndNeverReachGnuplot() throws {
        let directory = try makeScratchDirectory(self)
        let names = [
            "a'; system('touch pwned-by-name1'); 'b.png",
            "|touch pwned-by-name2.png",
            "`touch pwned-by-name3`.svg",
            "< touch pwned-by-name4.svg",
        ]
        for name in names {
            try session.save(SampleCharts.histogram, toFile: directory + "/" + name, width: 100, height: 80)
        }
        XCTAssertEqual(try entries(of: directory), names.sorted())
        let workingDirectory = FileManager.default.currentDirectoryPath
        XCTAssertEqual(try entries(of: workingDirectory).filter { $0.hasPrefix("pwned-by-name") }, [])
    }

    func testSessionRefusesCommandLinesWithLineBreaks() throws {
        let directory = try makeScratchDirectory(self)
        let chart = RawChart(lines: ["set title 'a'\nsystem('touch \(directory)/pwned')"])
        XCTAssertThrowsError(try session.renderText(chart, width: 40, height: 10)) { error in
            XCTAssertEqual("\(error)", "plot: a command line may not contain a line break")
        }
        XCTAssertEqual(try entries(of: directory), [])
        XCTAssertTrue(try session.renderText(SampleCharts.histogram, width: 40, height: 10).contains("Weights"))
    }
}
