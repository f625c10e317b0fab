import Foundation
import XCTest
@testable import Plot

/// A fresh empty directory under the system temporary directory, removed when the test ends.
func makeScratchDirectory(_ test: XCTestCase) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-plot-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Names of the entries in `directory`, sorted.
func entries(of directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
}

/// Width and height from a PNG's IHDR chunk, or nil if `bytes` is not a PNG.
func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    guard bytes.count >= 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
    func bigEndian(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
    return (bigEndian(16), bigEndian(20))
}

/// A small executable shell script at `directory/name`, e.g. a fake gnuplot.
func makeScript(in directory: String, named name: String, body: String) throws -> String {
    let path = directory + "/" + name
    try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
}

/// Sample charts of every kind, shared by the rendering tests.
enum SampleCharts {
    static let lossCurve = LineChart(
        series: [
            Series(name: "train", x: [1, 2, 3, 4], y: [2.0, 1.2, 0.8, 0.6]),
            Series(name: "valid", x: [1, 2, 3, 4], y: [2.1, 1.5, 1.1, 1.0]),
        ],
        title: "Loss per epoch", xLabel: "epoch", yLabel: "loss")

    static let lrFinder = LineChart(
        series: [Series(name: "loss", x: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1], y: [2.3, 2.2, 1.4, 0.9, 3.5])],
        title: "LR finder", xLabel: "learning rate", yLabel: "loss", logX: true,
        markers: [VerticalMarker(x: 1e-3, label: "suggested", y: 1.4)])

    static let histogram = Histogram(values: [0, 1, 1, 2, 2, 2, 3, 3, 4], binCount: 4, title: "Weights", xLabel: "value")

    static let confusion = HeatMap(
        counts: [[5, 1], [2, 7]], rowLabels: ["cat", "dog"], columnLabels: ["cat", "dog"],
        title: "Confusion", xLabel: "predicted", yLabel: "true")

    static let images = ImageGrid(
        images: [
            GridImage(width: 2, height: 2, pixels: [0, 0.5, 0.5, 1], caption: "true 1 / pred 7 / 0.91"),
            GridImage(width: 2, height: 2, channels: .rgb, pixels: [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1], caption: "red over blue"),
        ],
        columns: 2, title: "Samples")
}

/// A chart made of literal gnuplot lines, for exercising the session itself.
struct RawChart: Chart {
    let lines: [String]
    var title: String? { nil }

    func script() throws -> GnuplotScript {
        var script = GnuplotScript()
        for line in lines { script.command(line) }
        return script
    }
}
