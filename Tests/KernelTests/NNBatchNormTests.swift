import XCTest
@testable import Kernel

final class NNBatchNormTests: XCTestCase {
    /// Two samples, two channels of 2×2: channel 0 holds 1…4 and 0,1,0,1; channel 1 holds 10,20,30,50 and −5,5,−5,5.
    private func fixedBatch() throws -> Tensor {
        try Tensor(shape: [2, 2, 2, 2], data: [1, 2, 3, 4, 10, 20, 30, 50, 0, 1, 0, 1, -5, 5, -5, 5])
    }

    func testTrainingNormalisesWithBatchStatisticsAndUpdatesRunningStatsUnbiased() throws {
        let x = try fixedBatch()
        let runningMean = try Tensor.zeros([2]), runningVar = try Tensor.ones([2])
        let y = try x.batchNorm(weight: nil, bias: nil, runningMean: runningMean, runningVar: runningVar, training: true)
        // Channel means 1.5 and 13.75; biased variances 1.75 and 310.9375 normalise (numpy reference).
        let expected: [Float] = [
            -0.377963, 0.377963, 1.133890, 1.889817, -0.212664, 0.354441, 0.921546, 2.055755,
            -1.133890, -0.377963, -1.133890, -0.377963, -1.063322, -0.496217, -1.063322, -0.496217,
        ]
        for (a, e) in zip(y.data, expected) { XCTAssertEqual(a, e, accuracy: 1e-4) }
        // PyTorch: running = 0.9·running + 0.1·batch, with the unbiased variances 2 and 355.357143.
        XCTAssertEqual(runningMean.data[0], 0.15, accuracy: 1e-6)
        XCTAssertEqual(runningMean.data[1], 1.375, accuracy: 1e-5)
        XCTAssertEqual(runningVar.data[0], 1.1, accuracy: 1e-6)
        XCTAssertEqual(runningVar.data[1], 36.435714, accuracy: 1e-3)
        XCTAssertFalse(runningMean.requiresGrad)
    }

    func testEvaluationUsesRunningStatisticsAndLeavesThemAlone() throws {
        let x = try Tensor(shape: [2, 2], data: [1, 2, 3, 4])
        let runningMean = try Tensor(shape: [2], data: [1, 2]), runningVar = try Tensor(shape: [2], data: [4, 1])
        let weight = try Tensor(shape: [2], data: [2, 3]), bias = try Tensor(shape: [2], data: [0.5, -1])
        let y = try x.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar, training: false, eps: 0)
        XCTAssertEqual(y.data, [0.5, -1, 2.5, 5])
        XCTAssertEqual(runningMean.data, [1, 2])
        XCTAssertEqual(runningVar.data, [4, 1])
    }

    func testTrainingGradientsImage() throws {
        let g = RandomGenerator(seed: 4)
        let x = try Tensor.randn([3, 2, 2, 3], generator: g)
        let w = try Tensor.randn([2], generator: g), b = try Tensor.randn([2], generator: g)
        let rm = try Tensor.zeros([2]), rv = try Tensor.ones([2])
        try assertGradientsMatch([x, w, b]) { t in
            try t[0].batchNorm(weight: t[1], bias: t[2], runningMean: rm, runningVar: rv, training: true)
        }
    }

    func testTrainingGradientsFeatures() throws {
        let g = RandomGenerator(seed: 5)
        let x = try Tensor.randn([4, 3], generator: g)
        let w = try Tensor.randn([3], generator: g), b = try Tensor.randn([3], generator: g)
        let rm = try Tensor.zeros([3]), rv = try Tensor.ones([3])
        try assertGradientsMatch([x, w, b]) { t in
            try t[0].batchNorm(weight: t[1], bias: t[2], runningMean: rm, runningVar: rv, training: true)
        }
    }

    func testEvaluationGradients() throws {
        let g = RandomGenerator(seed: 6)
        let x = try Tensor.randn([2, 2, 2, 2], generator: g)
        let w = try Tensor.randn([2], generator: g), b = try Tensor.randn([2], generator: g)
        let rm = try Tensor(shape: [2], data: [0.3, -0.2]), rv = try Tensor(shape: [2], data: [0.5, 2])
        try assertGradientsMatch([x, w, b]) { t in
            try t[0].batchNorm(weight: t[1], bias: t[2], runningMean: rm, runningVar: rv, training: false)
        }
    }

    func testBadInputsAreRefused() throws {
        let rm = try Tensor.zeros([3]), rv = try Tensor.ones([3])
        XCTAssertThrowsError(try Tensor.zeros([2, 4, 2, 2]).batchNorm(weight: nil, bias: nil, runningMean: rm, runningVar: rv, training: true)) {
            error in
            XCTAssertEqual("\(error)", "batch_norm: shape mismatch: expected running mean [4] for input [2, 4, 2, 2], found running mean [3]")
        }
        XCTAssertThrowsError(try Tensor.zeros([1, 3]).batchNorm(weight: nil, bias: nil, runningMean: rm, runningVar: rv, training: true)) { error in
            XCTAssertTrue("\(error)".contains("more than 1 value per channel"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor.zeros([2, 3, 4]).batchNorm(weight: nil, bias: nil, runningMean: rm, runningVar: rv, training: false))
    }
}
