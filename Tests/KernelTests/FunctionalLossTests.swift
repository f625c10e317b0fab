import XCTest
@testable import Kernel

/// The functional losses against values PyTorch 2.13 computed for the same inputs, and their gradients against
/// finite differences. The expected numbers come from this script:
///
/// ```python
/// import torch, torch.nn.functional as F
/// logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 0.3], [2.0, 0.0, -2.0], [0.5, 0.5, 0.5]], requires_grad=True)
/// y = torch.tensor([1, 2, 0, 2]); yi = torch.tensor([1, -100, 0, 2]); w = torch.tensor([1.0, 2.0, 0.5])
/// for red in ['mean', 'sum', 'none']:
///     F.cross_entropy(logits, y, reduction=red); F.cross_entropy(logits, y, reduction=red, label_smoothing=0.1)
///     F.cross_entropy(logits, yi, weight=w, reduction=red, label_smoothing=0.2)
///     F.nll_loss(logits.log_softmax(1), yi, weight=w, reduction=red)
/// F.cross_entropy(logits, yi, weight=w, label_smoothing=0.2).backward(); logits.grad
/// x = torch.tensor([[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]]); t = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])
/// pw = torch.tensor([2.0, 0.5, 1.0])
/// for red in ['mean', 'sum', 'none']:
///     F.mse_loss(x, t, reduction=red); F.l1_loss(x, t, reduction=red)
///     F.binary_cross_entropy_with_logits(x, t, reduction=red)
///     F.binary_cross_entropy_with_logits(x, t, pos_weight=pw, reduction=red)
/// xg = x.clone().requires_grad_(); F.binary_cross_entropy_with_logits(xg, t, pos_weight=pw).backward(); xg.grad
/// ```
final class FunctionalLossTests: XCTestCase {
    private func logits() throws -> Tensor {
        try Tensor(shape: [4, 3], data: [1.0, 2.0, 0.5, 0.1, -1.0, 0.3, 2.0, 0.0, -2.0, 0.5, 0.5, 0.5])
    }
    private let targets = [1, 2, 0, 2]
    private let targetsWithIgnored = [1, -100, 0, 2]
    private let weight: [Float] = [1.0, 2.0, 0.5]

    private func regressionPair() throws -> (Tensor, Tensor) {
        (
            try Tensor(shape: [2, 3], data: [0.5, -1.0, 2.0, 0.0, 3.0, -0.5]),
            try Tensor(shape: [2, 3], data: [1.0, 0.0, 1.0, 0.0, 1.0, 0.5])
        )
    }

    func testCrossEntropyEqualsTorchForEveryReduction() throws {
        let expected: [LossReduction: [Float]] = [
            .mean: [0.6109202], .sum: [2.4436808], .none: [0.4643688, 0.737768, 0.1429317, 1.0986123],
        ]
        let smoothed: [LossReduction: [Float]] = [
            .mean: [0.6942536], .sum: [2.7770143], .none: [0.5477021, 0.7877679, 0.3429317, 1.0986123],
        ]
        for reduction in LossReduction.allCases {
            let plain = try Loss.crossEntropy(logits: try logits(), targets: targets, reduction: reduction)
            assertClose(plain.data, expected[reduction] ?? [], tolerance: 1e-6, "cross_entropy \(reduction)")
            let smooth = try Loss.crossEntropy(logits: try logits(), targets: targets, labelSmoothing: 0.1, reduction: reduction)
            assertClose(smooth.data, smoothed[reduction] ?? [], tolerance: 1e-6, "cross_entropy smoothing 0.1 \(reduction)")
        }
    }

    func testWeightedSmoothedCrossEntropyWithIgnoredTargetsEqualsTorch() throws {
        let expected: [LossReduction: [Float]] = [.mean: [0.6318552], .sum: [2.2114935], .none: [0.9680095, 0, 0.5476961, 0.6957878]]
        for reduction in LossReduction.allCases {
            let loss = try Loss.crossEntropy(
                logits: try logits(), targets: targetsWithIgnored, labelSmoothing: 0.2, reduction: reduction, weight: weight, ignoreIndex: -100)
            assertClose(loss.data, expected[reduction] ?? [], tolerance: 1e-6, "weighted cross_entropy \(reduction)")
        }
        let x = try logits()
        x.requiresGrad = true
        try Loss.crossEntropy(logits: x, targets: targetsWithIgnored, labelSmoothing: 0.2, reduction: .mean, weight: weight, ignoreIndex: -100)
            .backward()
        assertClose(
            x.grad?.data ?? [],
            [0.1020697, -0.1660072, 0.0639375, 0, 0, 0, 0.0082973, -0.0034607, -0.0048365, 0.0412698, 0.0222222, -0.0634921],
            tolerance: 1e-6, "torch's gradient")
    }

    func testNLLLossEqualsTorch() throws {
        let expected: [LossReduction: [Float]] = [.mean: [0.4631359], .sum: [1.6209755], .none: [0.9287376, 0, 0.1429317, 0.5493062]]
        for reduction in LossReduction.allCases {
            let loss = try Loss.nll(
                logProbabilities: try logits().logSoftmax(axis: 1), targets: targetsWithIgnored, reduction: reduction, weight: weight,
                ignoreIndex: -100)
            assertClose(loss.data, expected[reduction] ?? [], tolerance: 1e-6, "nll_loss \(reduction)")
        }
    }

    func testRegressionLossesEqualTorch() throws {
        let (x, t) = try regressionPair()
        let posWeight = Tensor.vector([2.0, 0.5, 1.0])
        let expected: [(String, LossReduction, [Float], (Tensor, Tensor, LossReduction) throws -> Tensor)] = [
            ("mse", .mean, [1.2083334], { try Loss.mse($0, $1, reduction: $2) }),
            ("mse", .sum, [7.25], { try Loss.mse($0, $1, reduction: $2) }),
            ("mse", .none, [0.25, 1, 1, 0, 4, 1], { try Loss.mse($0, $1, reduction: $2) }),
            ("l1", .mean, [0.9166667], { try Loss.l1($0, $1, reduction: $2) }),
            ("l1", .sum, [5.5], { try Loss.l1($0, $1, reduction: $2) }),
            ("l1", .none, [0.5, 1, 1, 0, 2, 1], { try Loss.l1($0, $1, reduction: $2) }),
            ("bce", .mean, [0.3966797], { try Loss.binaryCrossEntropyWithLogits($0, $1, reduction: $2) }),
            ("bce", .sum, [2.3800783], { try Loss.binaryCrossEntropyWithLogits($0, $1, reduction: $2) }),
            (
                "bce", .none, [0.474077, 0.3132617, 0.126928, 0.6931472, 0.0485874, 0.724077],
                { try Loss.binaryCrossEntropyWithLogits($0, $1, reduction: $2) }
            ),
            ("bce pos_weight", .mean, [0.4716436], { try Loss.binaryCrossEntropyWithLogits($0, $1, posWeight: posWeight, reduction: $2) }),
            ("bce pos_weight", .sum, [2.8298616], { try Loss.binaryCrossEntropyWithLogits($0, $1, posWeight: posWeight, reduction: $2) }),
            (
                "bce pos_weight", .none, [0.948154, 0.3132617, 0.126928, 0.6931472, 0.0242937, 0.724077],
                { try Loss.binaryCrossEntropyWithLogits($0, $1, posWeight: posWeight, reduction: $2) }
            ),
        ]
        for (name, reduction, values, loss) in expected {
            let result = try loss(x, t, reduction)
            XCTAssertEqual(result.shape, reduction == .none ? [2, 3] : [], "\(name) \(reduction)")
            assertClose(result.data, values, tolerance: 1e-6, "\(name) \(reduction)")
        }
        let logits = x.detach()
        logits.requiresGrad = true
        try Loss.binaryCrossEntropyWithLogits(logits, t, posWeight: posWeight, reduction: .mean).backward()
        assertClose(
            logits.grad?.data ?? [], [-0.1258469, 0.0448236, -0.0198672, 0.0833333, -0.0039522, -0.0204099], tolerance: 1e-6, "torch's gradient")
    }

    func testGradientsMatchFiniteDifferences() throws {
        for reduction in LossReduction.allCases {
            try assertGradientsMatch([try logits()]) {
                try Loss.crossEntropy(
                    logits: $0[0], targets: self.targetsWithIgnored, labelSmoothing: 0.2, reduction: reduction, weight: self.weight, ignoreIndex: -100
                )
            }
            try assertGradientsMatch([try logits()]) {
                try Loss.nll(logProbabilities: $0[0], targets: self.targets, reduction: reduction, weight: self.weight)
            }
            // Inputs away from the kink of |x − y| and from x = y, where finite differences cross it.
            let input = try Tensor(shape: [2, 3], data: [0.3, -1.2, 2.1, 0.4, 2.6, -0.3])
            let target = try Tensor(shape: [2, 3], data: [1.0, 0.0, 1.0, 0.0, 1.0, 0.5])
            try assertGradientsMatch([input, target]) { try Loss.mse($0[0], $0[1], reduction: reduction) }
            try assertGradientsMatch([input, target]) { try Loss.l1($0[0], $0[1], reduction: reduction) }
            try assertGradientsMatch([input, target]) {
                try Loss.binaryCrossEntropyWithLogits($0[0], $0[1], posWeight: Tensor.vector([2.0, 0.5, 1.0]), reduction: reduction)
            }
        }
    }

    func testBinaryCrossEntropyIsStableForLargeLogitsAndExactAtZero() throws {
        let x = try Tensor(shape: [3], data: [200, -200, 0])
        x.requiresGrad = true
        let loss = try Loss.binaryCrossEntropyWithLogits(x, try Tensor(shape: [3], data: [0, 1, 1]), reduction: .none)
        assertClose(loss.data, [200, 200, 0.6931472], tolerance: 1e-6, "softplus without overflow")
        try loss.sum().backward()
        assertClose(x.grad?.data ?? [], [1, -1, -0.5], tolerance: 1e-6, "σ(x) − y, including x = 0")
    }

    func testBadArgumentsAreClearErrors() throws {
        XCTAssertThrowsError(try Loss.crossEntropy(logits: try logits(), targets: [1, 2, 3, 0], reduction: .mean)) {
            XCTAssertTrue("\($0)".contains("target 3 (sample 2) is out of range for 3 classes"), "\($0)")
        }
        XCTAssertThrowsError(try Loss.crossEntropy(logits: try logits(), targets: targets, reduction: .sum, weight: [1, 2])) {
            XCTAssertTrue("\($0)".contains("one value per class (3)"), "\($0)")
        }
        XCTAssertThrowsError(try Loss.nll(logProbabilities: try logits(), targets: [0, 1], reduction: .mean)) {
            XCTAssertTrue("\($0)".contains("4 targets"), "\($0)")
        }
        XCTAssertThrowsError(try Loss.l1(try logits(), try Tensor.zeros([3, 4]), reduction: .mean))
        XCTAssertThrowsError(
            try Loss.binaryCrossEntropyWithLogits(try logits(), try logits(), posWeight: Tensor.vector([1, 2]), reduction: .mean)
        ) { XCTAssertTrue("\($0)".contains("pos_weight"), "\($0)") }
        let allIgnored = try Loss.crossEntropy(logits: try logits(), targets: [-100, -100, -100, -100], reduction: .mean, ignoreIndex: -100)
        XCTAssertTrue(try allIgnored.item().isNaN, "torch's mean over no samples is NaN")
    }

    func testGraphsAreReleased() throws {
        assertReleased("cross_entropy") {
            try Loss.crossEntropy(
                logits: try Tensor.randn([4, 3], requiresGrad: true), targets: self.targets, labelSmoothing: 0.1, reduction: .none,
                weight: self.weight)
        }
        assertReleased("nll_loss") {
            try Loss.nll(logProbabilities: try Tensor.randn([4, 3], requiresGrad: true), targets: self.targets, reduction: .sum)
        }
        assertReleased("l1_loss") { try Loss.l1(try Tensor.randn([4, 3], requiresGrad: true), try Tensor.randn([4, 3]), reduction: .mean) }
        assertReleased("binary_cross_entropy_with_logits") {
            try Loss.binaryCrossEntropyWithLogits(try Tensor.randn([4, 3], requiresGrad: true), try Tensor.zeros([4, 3]), reduction: .none)
        }
    }
}
