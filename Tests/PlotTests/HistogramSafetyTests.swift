import XCTest
@testable import Plot

/// Samples whose bin arithmetic used to reach `Int(NaN)` or `Int(±inf)` (a SIGILL): a single huge value, a span
/// beyond the largest double, spans of a few subnormals. Every finite sample must bin into counts that add up.
final class HistogramSafetyTests: XCTestCase {
    private func assertBinned(_ values: [Double], bins: Int = 30, file: StaticString = #filePath, line: UInt = #line) throws -> HistogramBins {
        let histogram = try HistogramBins(values: values, binCount: bins)
        XCTAssertEqual(histogram.counts.reduce(0, +), values.filter(\.isFinite).count, "every finite value is counted", file: file, line: line)
        XCTAssertEqual(histogram.edges.count, bins + 1, file: file, line: line)
        XCTAssertTrue(histogram.edges.allSatisfy(\.isFinite), "\(histogram.edges)", file: file, line: line)
        XCTAssertTrue(zip(histogram.edges, histogram.edges.dropFirst()).allSatisfy { $0 <= $1 }, "\(histogram.edges)", file: file, line: line)
        XCTAssertLessThan(histogram.edges[0], histogram.edges[bins], file: file, line: line)
        return histogram
    }

    func testReproducersThatCrashedBinWithoutTrapping() throws {
        _ = try assertBinned([1e16])
        _ = try assertBinned(Array(repeating: 3e17, count: 10))
        let wide = try assertBinned([1e308, -1e308])
        XCTAssertEqual(wide.counts.first, 1)
        XCTAssertEqual(wide.counts.last, 1)
        let tiny = try assertBinned([0, 5e-324, 1e-323], bins: 2)
        XCTAssertEqual(tiny.counts, [1, 2], "numpy: [0, 5e-324) holds 0; [5e-324, 1e-323] holds the others")
    }

    func testExtremeButFiniteSamples() throws {
        _ = try assertBinned([.greatestFiniteMagnitude])
        _ = try assertBinned([-.greatestFiniteMagnitude, .greatestFiniteMagnitude, 0, .nan, .infinity], bins: 7)
        _ = try assertBinned([.leastNonzeroMagnitude])
        _ = try assertBinned([-0.0, 0.0])
        _ = try assertBinned([1, 1 + 1e-15, 1 + 2e-15], bins: 10_000)
    }

    func testUsualSamplesStillMatchNumPy() throws {
        // numpy.histogram([1, 2, 2, 3], bins=2) -> counts [1, 3], edges [1, 2, 3]
        let bins = try HistogramBins(values: [1, 2, 2, 3], binCount: 2)
        XCTAssertEqual(bins.counts, [1, 3])
        XCTAssertEqual(bins.edges, [1, 2, 3])
        // numpy.histogram([5], bins=2) -> edges [4.5, 5, 5.5]
        XCTAssertEqual(try HistogramBins(values: [5], binCount: 2).edges, [4.5, 5, 5.5])
    }

    func testTheChartScriptHoldsOnlyFiniteNumbers() throws {
        for values in [[1e308, -1e308], [1e16], [0, 5e-324, 1e-323]] {
            let text = try Histogram(values: values, binCount: 3).script().text
            XCTAssertFalse(text.contains("inf") || text.contains("nan"), text)
        }
    }

    func testSaturatingConversionNeverTraps() {
        XCTAssertEqual(Int(saturating: .nan), 0)
        XCTAssertEqual(Int(saturating: .infinity), .max)
        XCTAssertEqual(Int(saturating: -.infinity), .min)
        XCTAssertEqual(Int(saturating: 1e300), .max)
        XCTAssertEqual(Int(saturating: -9_223_372_036_854_775_808.0), .min)
        XCTAssertEqual(Int(saturating: 9_223_372_036_854_775_808.0), .max)
        XCTAssertEqual(Int(saturating: -2.9), -2)
        XCTAssertEqual(Int(saturating: 42.5), 42)
    }
}
