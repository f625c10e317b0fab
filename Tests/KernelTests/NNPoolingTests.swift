import XCTest
@testable import Kernel

final class NNPoolingTests: XCTestCase {
    /// 1…25 in a 5×5 image, with the centre replaced by −100 so that maxima and means are easy to tell apart.
    private func fixedImage() throws -> Tensor {
        var values = (1...25).map(Float.init)
        values[12] = -100
        return try Tensor(shape: [1, 1, 5, 5], data: values)
    }

    func testMaxPoolKnownValuesWithStrideAndPadding() throws {
        let y = try fixedImage().maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        XCTAssertEqual(y.shape, [1, 1, 3, 3])
        XCTAssertEqual(y.data, [7, 9, 10, 17, 19, 20, 22, 24, 25])
    }

    func testMaxPoolStrideDefaultsToKernel() throws {
        let y = try fixedImage().maxPool2d(kernel: (2, 2))
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        XCTAssertEqual(y.data, [7, 9, 17, 19])
    }

    func testMaxPoolWideRowsMatchDirectWindowMaxima() throws {
        // Rows wide enough for the eight-at-a-time path, with stride 2 and padding.
        let (height, width) = (3, 21)
        let x = try Tensor.randn([1, 2, height, width], generator: RandomGenerator(seed: 22))
        let y = try x.maxPool2d(kernel: (2, 3), stride: (1, 2), padding: (1, 1))
        XCTAssertEqual(y.shape, [1, 2, 4, 11])
        for c in 0..<2 {
            for oh in 0..<4 {
                for ow in 0..<11 {
                    var expected = -Float.infinity
                    for h in (oh - 1)..<(oh + 1) where h >= 0 && h < height {
                        for w in (ow * 2 - 1)..<(ow * 2 + 2) where w >= 0 && w < width {
                            expected = max(expected, x.data[(c * height + h) * width + w])
                        }
                    }
                    XCTAssertEqual(y.data[(c * 4 + oh) * 11 + ow], expected, "channel \(c) output (\(oh), \(ow))")
                }
            }
        }
    }

    func testMaxPoolPropagatesNaN() throws {
        var values = [Float](repeating: 1, count: 2 * 20)
        values[3] = .nan
        let y = try Tensor(shape: [1, 1, 2, 20], data: values).maxPool2d(kernel: (2, 2))
        XCTAssertTrue(y.data[1].isNaN)
        XCTAssertEqual(y.data.filter { $0.isNaN }.count, 1)
    }

    func testAvgPoolCountsPaddingLikePyTorch() throws {
        let y = try fixedImage().avgPool2d(kernel: (3, 2), stride: (2, 2), padding: (1, 1))
        XCTAssertEqual(y.shape, [1, 1, 3, 3])
        // count_include_pad=True: every window divides by 3·2 = 6, even where it overlaps the padding.
        let expected: [Float] = [7.0 / 6, 20.0 / 6, 28.0 / 6, 5.5, -38.0 / 6, 14.5, 37.0 / 6, 80.0 / 6, 88.0 / 6]
        for (a, e) in zip(y.data, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    func testGlobalAvgPool() throws {
        let x = try Tensor(shape: [2, 2, 1, 2], data: [1, 3, 5, 7, -1, 1, 0, 10])
        let y = try x.globalAvgPool2d()
        XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.data, [2, 6, 0, 5])
    }

    func testMaxPoolGradients() throws {
        // Distinct values keep the maximum away from ties, where finite differences are meaningless.
        let values = RandomGenerator(seed: 7).permutation(2 * 2 * 5 * 6).map { Float($0) * 0.1 }
        let x = try Tensor(shape: [2, 2, 5, 6], data: values)
        try assertGradientsMatch([x], epsilon: 1e-3) { t in try t[0].maxPool2d(kernel: (3, 2), stride: (2, 1), padding: (1, 1)) }
        let wide = try Tensor(shape: [1, 1, 3, 20], data: RandomGenerator(seed: 23).permutation(60).map { Float($0) * 0.1 })
        try assertGradientsMatch([wide], epsilon: 1e-3) { t in try t[0].maxPool2d(kernel: (2, 2), stride: (1, 1)) }
    }

    func testAvgPoolGradients() throws {
        let x = try Tensor.randn([2, 2, 5, 4], generator: RandomGenerator(seed: 8))
        try assertGradientsMatch([x]) { t in try t[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) }
    }

    func testGlobalAvgPoolGradients() throws {
        let x = try Tensor.randn([2, 3, 2, 3], generator: RandomGenerator(seed: 9))
        try assertGradientsMatch([x]) { t in try t[0].globalAvgPool2d() }
    }

    func testBadArgumentsAreRefused() throws {
        let x = try Tensor.zeros([1, 1, 4, 4])
        XCTAssertThrowsError(try x.maxPool2d(kernel: (5, 2))) { error in
            XCTAssertTrue("\(error)".hasPrefix("max_pool2d: shape mismatch: expected padded input height of at least 5"), "\(error)")
        }
        XCTAssertThrowsError(try x.maxPool2d(kernel: (2, 2), stride: (0, 2))) { error in
            XCTAssertEqual("\(error)", "max_pool2d: stride must be positive, found (0, 2)")
        }
        XCTAssertThrowsError(try x.avgPool2d(kernel: (2, 2), padding: (2, 0))) { error in
            XCTAssertTrue("\(error)".contains("at most half the kernel"), "\(error)")
        }
        XCTAssertThrowsError(try x.avgPool2d(kernel: (0, 2)))
        XCTAssertThrowsError(try Tensor.zeros([4, 4]).globalAvgPool2d())
    }
}
