import XCTest
@testable import Kernel

final class NNConvTests: XCTestCase {
    /// x[1, 2, 4, 4] = (i mod 7 − 3) / 2 and w[2, 2, 2, 3] = (i mod 5 − 2) / 4, small exact binary fractions.
    private func fixedInputAndWeight() throws -> (Tensor, Tensor) {
        let x = try Tensor(shape: [1, 2, 4, 4], data: (0..<32).map { Float($0 % 7 - 3) / 2 })
        let w = try Tensor(shape: [2, 2, 2, 3], data: (0..<24).map { Float($0 % 5 - 2) / 4 })
        return (x, w)
    }

    func testKnownValuesWithStridePaddingAndBias() throws {
        let (x, w) = try fixedInputAndWeight()
        let b = try Tensor(shape: [2], data: [0.5, -1])
        let y = try x.conv2d(weight: w, bias: b, stride: (2, 1), padding: (1, 1))
        XCTAssertEqual(y.shape, [1, 2, 3, 4])
        // Reference: direct sliding-window sum in numpy, as torch.nn.functional.conv2d computes it.
        let expected: [Float] = [
            0.5, -0.5, -0.5, 0.125, -0.375, -1.625, -1.125, 0.375, 0, -0.125, 0.375, 1.625,
            -0.625, 0.25, -0.125, -0.875, 1.5, 1, -1.5, -2.25, -0.25, -2, -2.375, -1.375,
        ]
        for (a, e) in zip(y.data, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    func testKnownValuesWithDilation() throws {
        let (x, w) = try fixedInputAndWeight()
        let y = try x.conv2d(weight: w, bias: nil, dilation: (2, 1))
        XCTAssertEqual(y.shape, [1, 2, 2, 2])
        let expected: [Float] = [0.25, -0.125, 0.5, -0.75, 0, 0.125, 0.5, -1.125]
        for (a, e) in zip(y.data, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    func testPointwiseConvolutionIsAChannelMatrixProduct() throws {
        let x = try Tensor(shape: [1, 2, 1, 2], data: [1, 2, 3, 4])
        let w = try Tensor(shape: [1, 2, 1, 1], data: [10, 100])
        XCTAssertEqual(try x.conv2d(weight: w, bias: nil).data, [310, 420])
    }

    func testEmptyChannelsGiveTheBias() throws {
        let x = try Tensor.zeros([2, 0, 3, 3], requiresGrad: true)
        let w = try Tensor.zeros([2, 0, 2, 2], requiresGrad: true)
        let y = try x.conv2d(weight: w, bias: try Tensor(shape: [2], data: [1, -1]))
        XCTAssertEqual(y.shape, [2, 2, 2, 2])
        XCTAssertEqual(y.data, [1, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1])
        try y.sum().backward()
        XCTAssertEqual(x.grad?.count, 0)
    }

    func testGradientsOddSizesStridePaddingBias() throws {
        let g = RandomGenerator(seed: 1)
        let x = try Tensor.randn([3, 3, 5, 7], generator: g)
        let w = try Tensor.randn([4, 3, 3, 3], generator: g)
        let b = try Tensor.randn([4], generator: g)
        try assertGradientsMatch([x, w, b]) { t in try t[0].conv2d(weight: t[1], bias: t[2], stride: (2, 2), padding: (1, 1)) }
    }

    func testGradientsDilationAndNonSquareKernel() throws {
        let g = RandomGenerator(seed: 2)
        let x = try Tensor.randn([2, 2, 6, 5], generator: g)
        let w = try Tensor.randn([3, 2, 2, 3], generator: g)
        try assertGradientsMatch([x, w]) { t in try t[0].conv2d(weight: t[1], bias: nil, stride: (1, 2), padding: (2, 1), dilation: (2, 2)) }
    }

    func testGradientsWideRows() throws {
        // Rows of at least eight outputs take the vectorised paths of the column folding.
        let g = RandomGenerator(seed: 25)
        let x = try Tensor.randn([2, 1, 3, 12], generator: g)
        let w = try Tensor.randn([2, 1, 2, 3], generator: g)
        try assertGradientsMatch([x, w]) { t in try t[0].conv2d(weight: t[1], bias: nil, padding: (0, 1)) }
    }

    func testGradientsPointwise() throws {
        let g = RandomGenerator(seed: 3)
        let x = try Tensor.randn([3, 3, 2, 3], generator: g)
        let w = try Tensor.randn([2, 3, 1, 1], generator: g)
        let b = try Tensor.randn([2], generator: g)
        try assertGradientsMatch([x, w, b]) { t in try t[0].conv2d(weight: t[1], bias: t[2]) }
    }

    func testGradientForOnlyOneOperand() throws {
        let g = RandomGenerator(seed: 24)
        let x = try Tensor.randn([3, 2, 4, 4], generator: g), w = try Tensor.randn([2, 2, 3, 3], generator: g)
        x.requiresGrad = true
        w.requiresGrad = true
        try x.conv2d(weight: w, bias: nil, padding: (1, 1)).sum().backward()
        let (bothX, bothW) = (x.grad?.data, w.grad?.data)
        // An input image usually needs no gradient; the weight's must not change because of that.
        x.requiresGrad = false
        w.zeroGrad()
        try x.conv2d(weight: w, bias: nil, padding: (1, 1)).sum().backward()
        XCTAssertEqual(w.grad?.data, bothW)
        x.requiresGrad = true
        w.requiresGrad = false
        w.zeroGrad()
        x.zeroGrad()
        try x.conv2d(weight: w, bias: nil, padding: (1, 1)).sum().backward()
        XCTAssertEqual(x.grad?.data, bothX)
        XCTAssertNil(w.grad)
    }

    func testChannelMismatchNamesBothShapes() throws {
        let x = try Tensor.zeros([2, 4, 8, 8])
        let w = try Tensor.zeros([16, 3, 3, 3])
        XCTAssertThrowsError(try x.conv2d(weight: w, bias: nil)) { error in
            XCTAssertEqual(
                "\(error)",
                "conv2d: shape mismatch: expected input with 3 channels to match weight [16, 3, 3, 3], found input [2, 4, 8, 8] with 4 channels")
        }
    }

    func testBadArgumentsAreRefused() throws {
        let x = try Tensor.zeros([1, 1, 4, 4])
        let w = try Tensor.zeros([1, 1, 3, 3])
        XCTAssertThrowsError(try x.conv2d(weight: try Tensor.zeros([1, 1, 7, 3]), bias: nil, padding: (1, 1))) { error in
            XCTAssertTrue("\(error)".contains("padded input height of at least 7"), "\(error)")
        }
        XCTAssertThrowsError(try x.conv2d(weight: w, bias: nil, stride: (0, 1))) { error in
            XCTAssertEqual("\(error)", "conv2d: stride must be positive, found (0, 1)")
        }
        XCTAssertThrowsError(try x.conv2d(weight: w, bias: nil, stride: (1, -2)))
        XCTAssertThrowsError(try x.conv2d(weight: w, bias: nil, padding: (-1, 0)))
        XCTAssertThrowsError(try x.conv2d(weight: w, bias: nil, dilation: (0, 1)))
        XCTAssertThrowsError(try x.conv2d(weight: w, bias: try Tensor.zeros([2]))) { error in
            XCTAssertTrue("\(error)".contains("bias [1]"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor.zeros([1, 4, 4]).conv2d(weight: w, bias: nil)) { error in
            XCTAssertTrue("\(error)".contains("[N, C, H, W]"), "\(error)")
        }
    }
}
