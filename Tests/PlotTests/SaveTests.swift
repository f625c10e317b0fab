import Basics
import Foundation
import XCTest
@testable import Plot

/// Saving charts as PNG or SVG files, chosen by extension and written atomically.
final class SaveTests: XCTestCase {
    private let session = GnuplotSession()

    func testSavesPNGWithTheRequestedSize() throws {
        let directory = try makeScratchDirectory(self)
        try session.save(SampleCharts.lossCurve, toFile: directory + "/loss.png", width: 640, height: 480)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: directory + "/loss.png"))
        let size = pngSize([UInt8](bytes))
        XCTAssertEqual(size?.width, 640)
        XCTAssertEqual(size?.height, 480)
        XCTAssertEqual(try entries(of: directory), ["loss.png"])
    }

    func testSavesSVGAndAcceptsUppercaseExtensions() throws {
        let directory = try makeScratchDirectory(self)
        try session.save(SampleCharts.confusion, toFile: directory + "/cm.SVG", width: 300, height: 300)
        let svg = try String(contentsOfFile: directory + "/cm.SVG", encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg"))
        XCTAssertTrue(svg.contains("cat"))
    }

    func testReplacesAnExistingFile() throws {
        let directory = try makeScratchDirectory(self)
        let path = directory + "/chart.png"
        try "old".write(toFile: path, atomically: true, encoding: .utf8)
        try session.save(SampleCharts.histogram, toFile: path, width: 100, height: 100)
        XCTAssertEqual(pngSize([UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path))))?.width, 100)
        XCTAssertEqual(try entries(of: directory), ["chart.png"])
    }

    func testUnknownExtensionIsAClearErrorAndWritesNothing() throws {
        let directory = try makeScratchDirectory(self)
        for name in ["chart.jpg", "chart", ".png", "chart.png.txt"] {
            XCTAssertThrowsError(try session.save(SampleCharts.histogram, toFile: directory + "/" + name)) { error in
                XCTAssertEqual(error as? PlotError, .unsupportedFileExtension(path: directory + "/" + name))
                XCTAssertTrue("\(error)".contains("use a name ending in .png or .svg"))
            }
        }
        XCTAssertEqual(try entries(of: directory), [])
    }

    func testMissingDirectoryIsAClearError() throws {
        let directory = try makeScratchDirectory(self)
        XCTAssertThrowsError(try session.save(SampleCharts.histogram, toFile: directory + "/missing/chart.png")) { error in
            XCTAssertEqual("\(error)", "savefig: cannot write '\(directory)/missing/chart.png': directory \(directory)/missing does not exist")
        }
    }

    func testAtomicWriteLeavesNoTemporaryFile() throws {
        let directory = try makeScratchDirectory(self)
        try AtomicFile.write(Array("hello".utf8), to: directory + "/a.txt")
        XCTAssertEqual(try String(contentsOfFile: directory + "/a.txt", encoding: .utf8), "hello")
        XCTAssertEqual(try entries(of: directory), ["a.txt"])
    }

    func testFormatFollowsTheExtension() throws {
        XCTAssertEqual(try ChartFileFormat(path: "runs/a.b/loss.png"), .png)
        XCTAssertEqual(try ChartFileFormat(path: "loss.Svg"), .svg)
        XCTAssertEqual(ChartFileFormat.png.target(width: 10, height: 20), .png(width: 10, height: 20))
        XCTAssertThrowsError(try ChartFileFormat(path: "runs.png/loss"))
    }
}
