import XCTest
@testable import Kernel

final class NNSoftmaxLossTests: XCTestCase {
    private func fixedLogits() throws -> Tensor {
        try Tensor(shape: [2, 3], data: [2, 1, 0.1, 0.5, 2.5, -1])
    }

    func testSoftmaxKnownValuesAndStability() throws {
        let p = try fixedLogits().softmax()
        let expected: [Float] = [0.659001, 0.242433, 0.098566, 0.116115, 0.857977, 0.025909]
        for (a, e) in zip(p.data, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
        // Huge logits would overflow exp without subtracting the maximum.
        let big = try Tensor(shape: [2], data: [1000, 1000]).softmax()
        XCTAssertEqual(big.data, [0.5, 0.5])
        let logP = try Tensor(shape: [2], data: [1000, 0]).logSoftmax()
        XCTAssertEqual(logP.data[0], 0, accuracy: 1e-6)
        XCTAssertEqual(logP.data[1], -1000, accuracy: 1e-3)
    }

    func testSoftmaxOverAMiddleAxis() throws {
        let x = try Tensor(shape: [1, 2, 2], data: [0, 1, 0, 3])
        let p = try x.softmax(axis: 1)
        XCTAssertEqual(p.data[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(p.data[2], 0.5, accuracy: 1e-6)
        XCTAssertEqual(p.data[3], 1 / (1 + expf(-2)), accuracy: 1e-6)
    }

    func testSoftmaxGradients() throws {
        let x = try Tensor.randn([2, 3, 4], generator: RandomGenerator(seed: 17))
        try assertGradientsMatch([x]) { t in try t[0].softmax(axis: 1) }
        try assertGradientsMatch([x]) { t in try t[0].logSoftmax() }
        try assertGradientsMatch([x]) { t in try t[0].logSoftmax(axis: 0) }
    }

    func testCrossEntropyKnownValues() throws {
        let logits = try fixedLogits()
        // −log softmax at the targets: 0.417030 and 3.653178 (numpy reference, same as torch's F.cross_entropy).
        XCTAssertEqual(try Loss.crossEntropy(logits: logits, targets: [0, 2]).item(), 2.035104, accuracy: 1e-5)
        let perSample = try Loss.crossEntropyPerSample(logits: logits, targets: [0, 2])
        XCTAssertEqual(perSample[0], 0.417030, accuracy: 1e-5)
        XCTAssertEqual(perSample[1], 3.653178, accuracy: 1e-5)
        // PyTorch's label smoothing: (1 − 0.1)·nll + 0.1/3·Σ −log p.
        XCTAssertEqual(try Loss.crossEntropy(logits: logits, targets: [0, 2], labelSmoothing: 0.1).item(), 2.000104, accuracy: 1e-5)
    }

    func testCrossEntropyGradients() throws {
        let x = try Tensor.randn([3, 4], generator: RandomGenerator(seed: 18))
        try assertGradientsMatch([x]) { t in try Loss.crossEntropy(logits: t[0], targets: [1, 3, 0]) }
        try assertGradientsMatch([x]) { t in try Loss.crossEntropy(logits: t[0], targets: [2, 2, 1], labelSmoothing: 0.1) }
    }

    func testMSE() throws {
        let a = try Tensor(shape: [2, 2], data: [1, 2, 3, 4]), b = try Tensor(shape: [2, 2], data: [1, 0, 3, 8])
        XCTAssertEqual(try Loss.mse(a, b).item(), 5)
        let g = RandomGenerator(seed: 19)
        try assertGradientsMatch([try Tensor.randn([2, 3], generator: g), try Tensor.randn([2, 3], generator: g)]) { t in
            try Loss.mse(t[0], t[1])
        }
        XCTAssertThrowsError(try Loss.mse(a, try Tensor.zeros([4])))
    }

    func testBadTargetsAreRefused() throws {
        let logits = try fixedLogits()
        XCTAssertThrowsError(try Loss.crossEntropy(logits: logits, targets: [0, 3])) { error in
            XCTAssertEqual("\(error)", "cross_entropy: target 3 (sample 1) is out of range for 3 classes (expected 0...2)")
        }
        XCTAssertThrowsError(try Loss.crossEntropyPerSample(logits: logits, targets: [-1, 0]))
        XCTAssertThrowsError(try Loss.crossEntropy(logits: logits, targets: [0])) { error in
            XCTAssertEqual("\(error)", "cross_entropy: shape mismatch: expected 2 targets for logits [2, 3], found 1 targets")
        }
        XCTAssertThrowsError(try Loss.crossEntropy(logits: try Tensor.zeros([3]), targets: [0]))
        XCTAssertThrowsError(try logits.softmax(axis: 2))
    }
}
