import XCTest
@testable import Kernel

final class NNResizeTests: XCTestCase {
    func testUpsamplingMatchesAlignCornersFalse() throws {
        let x = try Tensor(shape: [1, 2, 3], data: [1, 2, 3, 4, 5, 6])
        let y = try x.resize(height: 3, width: 5)
        XCTAssertEqual(y.shape, [1, 3, 5])
        // source = (dst + 0.5)·in/out − 0.5, clamped at 0; e.g. column 1 samples 0.4 between 1 and 2.
        let expected: [Float] = [1, 1.4, 2, 2.6, 3, 2.5, 2.9, 3.5, 4.1, 4.5, 4, 4.4, 5, 5.6, 6]
        for (a, e) in zip(y.data, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    func testDownsamplingBatch() throws {
        let x = try Tensor(shape: [1, 1, 4, 4], data: (0..<16).map(Float.init))
        let y = try x.resize(height: 2, width: 3)
        XCTAssertEqual(y.shape, [1, 1, 2, 3])
        let expected: [Float] = [2.166667, 3.5, 4.833333, 10.166667, 11.5, 12.833333]
        for (a, e) in zip(y.data, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    func testSameSizeIsIdentity() throws {
        let x = try Tensor.randn([2, 1, 3, 4], generator: RandomGenerator(seed: 20))
        XCTAssertEqual(try x.resize(height: 3, width: 4).data, x.data)
    }

    func testGradients() throws {
        let x = try Tensor.randn([1, 2, 3, 4], generator: RandomGenerator(seed: 21))
        try assertGradientsMatch([x]) { t in try t[0].resize(height: 5, width: 3) }
    }

    func testBadSizesAreRefused() throws {
        XCTAssertThrowsError(try Tensor.zeros([1, 2, 2]).resize(height: 0, width: 2)) { error in
            XCTAssertEqual("\(error)", "resize: output size must be positive, found 0×2")
        }
        XCTAssertThrowsError(try Tensor.zeros([2, 2]).resize(height: 4, width: 4))
    }
}
