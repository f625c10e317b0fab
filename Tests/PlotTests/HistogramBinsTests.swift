import XCTest
@testable import Plot

/// Bin edges and counts follow numpy.histogram.
final class HistogramBinsTests: XCTestCase {
    func testCountsMatchNumPy() throws {
        // numpy.histogram([0, 1, 1, 2, 2, 2, 3, 3, 4], bins=4) -> counts [1, 2, 3, 3], edges [0, 1, 2, 3, 4]
        let bins = try HistogramBins(values: [0, 1, 1, 2, 2, 2, 3, 3, 4], binCount: 4)
        XCTAssertEqual(bins.counts, [1, 2, 3, 3])
        XCTAssertEqual(bins.edges, [0, 1, 2, 3, 4])
        XCTAssertEqual(bins.skipped, 0)
    }

    func testMaximumFallsInLastBin() throws {
        let bins = try HistogramBins(values: [0, 10], binCount: 5)
        XCTAssertEqual(bins.counts, [1, 0, 0, 0, 1])
    }

    func testNonFiniteValuesAreSkippedAndCounted() throws {
        let bins = try HistogramBins(values: [1, .nan, 2, .infinity, 3], binCount: 2)
        XCTAssertEqual(bins.counts.reduce(0, +), 3)
        XCTAssertEqual(bins.skipped, 2)
    }

    func testEqualValuesGetOneUnitWideRange() throws {
        // numpy.histogram([5, 5], bins=2) -> edges [4.5, 5, 5.5], counts [0, 2]
        let bins = try HistogramBins(values: [5, 5], binCount: 2)
        XCTAssertEqual(bins.edges, [4.5, 5, 5.5])
        XCTAssertEqual(bins.counts, [0, 2])
    }

    func testNoFiniteValueIsAnError() {
        XCTAssertThrowsError(try HistogramBins(values: [.nan], binCount: 3)) { error in
            XCTAssertEqual("\(error)", "plot: hist needs at least one finite value, got 1 value and none finite")
        }
    }

    func testBinCountMustBePositive() {
        XCTAssertThrowsError(try HistogramBins(values: [1], binCount: 0)) { error in
            XCTAssertEqual("\(error)", "plot: hist needs between 1 and 10000 bins, got 0")
        }
    }
}
