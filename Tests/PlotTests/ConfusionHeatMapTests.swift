import Foundation
import XCTest
@testable import Plot

/// A confusion matrix in a terminal is a readable heat map (issue #20): graded background colours with the counts on
/// top where the terminal has colours, the table of numbers where it has none, and only the lines its classes need.
final class ConfusionHeatMapTests: XCTestCase {
    private let session = GnuplotSession()

    /// Ten classes, 87–96 right on the diagonal, a few errors (11 of them in one cell) and many zeros.
    private let digits: HeatMap = {
        var counts = (0..<10).map { row in (0..<10).map { column in row == column ? 87 + row : 0 } }
        counts[2][5] = 11
        counts[3][8] = 1
        return HeatMap(
            counts: counts, rowLabels: (0..<10).map(String.init), columnLabels: (0..<10).map(String.init),
            title: "confusion matrix (rows: actual)", xLabel: "predicted", yLabel: "actual")
    }()

    /// The text with colour codes removed.
    private func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }

    func testWithoutColoursItIsTheTableOfCountsInTheLinesTheClassesNeed() throws {
        let text = try session.renderText(digits, width: 160, height: 50, color: .plain)
        XCTAssertFalse(text.contains("\u{1B}"), text)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 3 + 10, "title, x label, column names and one line a class, not 50:\n\(text)")
        XCTAssertEqual(lines[2].split(separator: " "), ["actual"] + (0..<10).map { Substring(String($0)) })
        XCTAssertEqual(lines[5].split(separator: " ").map(String.init), ["2", "0", "0", "89", "0", "0", "11", "0", "0", "0", "0"])
        XCTAssertTrue(lines[1].contains("predicted") && lines[0].contains("confusion matrix (rows: actual)"), text)
        XCTAssertFalse(text.contains("X"), "no wall of X")
    }

    func testIn256ColoursEachCountSitsOnAGradedBackground() throws {
        let text = try session.renderText(digits, width: 80, height: 24, color: .ansi256)
        let table = try session.renderText(digits, width: 80, height: 24, color: .plain)
        XCTAssertEqual(
            plain(text).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) },
            table.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }, "the same table under the colours")
        let lines = text.split(separator: "\n").map(String.init)
        let row2 = lines[5]
        // Zero cells have no background; 11 errors get one, lighter than the 89 on the diagonal.
        let eleven = try XCTUnwrap(background(before: "11", in: row2), row2)
        let diagonal = try XCTUnwrap(background(before: "89", in: row2), row2)
        XCTAssertTrue(eleven.hasPrefix("48;5;") && diagonal.hasPrefix("48;5;"), row2)
        XCTAssertNotEqual(eleven, diagonal)
        XCTAssertNil(background(before: " 0 ", in: lines[6]), "zero stays on the terminal's background: \(lines[6])")
        let shades = HeatMapShades(values: digits.values)
        XCTAssertGreaterThan(shades.level(11), 0.15 + 0.2, "11 errors of 96 show clearly, not as 0")
        XCTAssertEqual(shades.level(0), 0)
        XCTAssertGreaterThan(shades.level(1), 0)
    }

    func testTrueColourAndEightColourTerminals() throws {
        let truecolor = try session.renderText(digits, width: 80, height: 24, color: .ansiRGB)
        XCTAssertTrue(truecolor.contains("48;2;"), truecolor)
        XCTAssertTrue(truecolor.contains("\u{1B}[97;48;2;8;48;107m"), "white on the darkest blue at the maximum: \(truecolor)")
        let eight = try session.renderText(digits, width: 80, height: 24, color: .ansi)
        XCTAssertTrue(eight.contains("\u{1B}[97;44m") && eight.contains("\u{1B}[30;47m"), eight)
        XCTAssertEqual(HeatMapShades.paletteIndex(255, 255, 255), 231)
        XCTAssertEqual(HeatMapShades.paletteIndex(0, 0, 0), 16)
    }

    func testNarrowTerminalsCutClassNamesThenDropNumbersForColourAlone() throws {
        let names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        let cifar = HeatMap(
            counts: digits.values.map { $0.map { Int($0) } }, rowLabels: names, columnLabels: names, xLabel: "predicted", yLabel: "actual")
        let cut = try session.renderText(cifar, width: 80, height: 24, color: .ansi256)
        XCTAssertTrue(plain(cut).split(separator: "\n").allSatisfy { $0.count <= 80 }, plain(cut))
        XCTAssertTrue(plain(cut).contains("89") && plain(cut).contains("automobile"), plain(cut))
        let narrow = try session.renderText(cifar, width: 40, height: 24, color: .ansi256)
        XCTAssertTrue(plain(narrow).split(separator: "\n").allSatisfy { $0.count <= 40 }, plain(narrow))
        XCTAssertFalse(plain(narrow).contains("89"), "too narrow for numbers: colour alone")
        XCTAssertTrue(narrow.contains("48;5;"))
        let table = try session.renderText(cifar, width: 40, height: 24, color: .plain)
        XCTAssertTrue(table.contains("89"), "without colours the numbers stay, however wide")
    }

    func testFractionsAndTheErrorsOfAnInvalidMap() throws {
        let fractions = HeatMap(values: [[0.87, 0.13], [0.0, 1.0]])
        let text = try session.renderText(fractions, width: 40, height: 10, color: .plain)
        XCTAssertTrue(text.contains("0.87") && text.contains("0.13") && text.contains(" 1\n"), text)
        XCTAssertThrowsError(try session.renderText(HeatMap(values: [[1, 2], [3]]), width: 40, height: 10)) { error in
            XCTAssertEqual("\(error)", "plot: heat map row 1 has 1 value but row 0 has 2")
        }
    }

    /// The background code (`48;…`) in force where `text` first appears in `line`, if any.
    private func background(before text: String, in line: String) -> String? {
        guard let range = line.range(of: text) else { return nil }
        let before = line[..<range.lowerBound]
        guard let start = before.range(of: "\u{1B}[", options: .backwards) else { return nil }
        let code = before[start.upperBound...].prefix { $0 != "m" }
        guard !before[start.upperBound...].contains("\u{1B}[0m"), let background = code.range(of: "48;") else { return nil }
        return String(code[background.lowerBound...])
    }
}

/// Pictures drawn as characters keep every column (issue #20: a blank column every 5 characters).
final class ImageGridTextTests: XCTestCase {
    private let session = GnuplotSession()

    func testAFilledPictureHasNoBlankColumn() throws {
        let image = GridImage(width: 28, height: 28, pixels: [Double](repeating: 1, count: 28 * 28), caption: "seven", valueRange: 0...1)
        for (width, perRow) in [(80, 4), (160, 4), (80, 1), (50, 3)] {
            let grid = ImageGrid(images: Array(repeating: image, count: perRow), columns: perRow, title: "samples")
            let text = try session.renderText(grid, width: width, height: 40)
            let lines = text.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines[0].contains("samples") && lines[1].contains("seven"), text)
            let picture = lines.dropFirst(2)
            XCTAssertFalse(picture.isEmpty)
            for line in picture {
                let cells = line.split(separator: " ", omittingEmptySubsequences: true)
                XCTAssertEqual(cells.count, perRow, "\(perRow) solid blocks at \(width) columns:\n\(text)")
                XCTAssertTrue(cells.allSatisfy { $0.allSatisfy { $0 == "@" } }, text)
            }
            XCTAssertTrue(lines.allSatisfy { $0.count <= width }, text)
        }
    }

    func testAPictureKeepsItsShapeAndBrightness() throws {
        // Left half dark, right half bright, twice as wide as tall.
        let pixels = (0..<8).flatMap { _ in (0..<16).map { Double($0 < 8 ? 0 : 1) } }
        let text = try session.renderText(ImageGrid(images: [GridImage(width: 16, height: 8, pixels: pixels)]), width: 17, height: 10)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 4, "16 characters wide, 8 pixels tall at two pixels a line:\n\(text)")
        XCTAssertTrue(lines.allSatisfy { $0 == "        @@@@@@@@" }, text)
    }
}
