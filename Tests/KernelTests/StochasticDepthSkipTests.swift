import XCTest
@testable import Kernel

/// Stochastic depth in a model: a branch dropped for the batch is not computed at all (no forward, nothing recorded for
/// backward), the block's output is its shortcut, kept branches behave as without stochastic depth, and evaluation
/// scales each branch by its survival probability.
final class StochasticDepthSkipTests: XCTestCase {
    override func setUp() {
        seed(3)
    }

    /// One post-activation block: stem → [conv, batch norm, ReLU, conv, gate] + stem → ReLU → pooling → dense; and the
    /// same layers wired without the gate (`plain`) and without the branch (`shortcutOnly`).
    private struct Block {
        let gated: Model
        let plain: Model
        let shortcutOnly: Model
        let branchConvolutions: [Conv2D]
        let branchNorm: BatchNormalization

        init(channels: Int, survival: Float, mode: StochasticDepth.Mode = .batch) throws {
            let x = try Input(shape: [3, 6, 6])
            let stem = try Conv2D(filters: channels, kernelSize: 3, padding: .same, useBias: false, name: "stem")(x)
            let conv1 = try Conv2D(filters: channels, kernelSize: 3, padding: .same, useBias: false, name: "branch_conv1")
            let norm = try BatchNormalization(name: "branch_bn")
            let conv2 = try Conv2D(filters: channels, kernelSize: 3, padding: .same, useBias: false, name: "branch_conv2")
            let branch = try conv2(try ReLU(name: "branch_relu")(try norm(try conv1(stem))))
            let pool = try GlobalAveragePooling2D(name: "pool")
            let classifier = try Dense(units: 3, name: "fc")
            func head(_ features: SymbolicTensor) throws -> SymbolicTensor { try classifier(try pool(try ReLU()(features))) }
            let gate = try StochasticDepth(survivalProbability: survival, mode: mode, name: "gate")
            gated = try Model(inputs: x, outputs: try head(try Add(name: "add")([try gate(branch), stem])))
            plain = try Model(inputs: x, outputs: try head(try Add()([branch, stem])))
            shortcutOnly = try Model(inputs: x, outputs: try head(stem))
            branchConvolutions = [conv1, conv2]
            branchNorm = norm
        }
    }

    /// Logits and every parameter's gradient (nil where none arrived) after one training step on `x`.
    private func trainingStep(_ model: Model, _ x: Tensor) throws -> (logits: [Float], gradients: [String: [Float]?]) {
        model.zeroGrad()
        let logits = try model(x)
        try logits.sum().backward()
        return (logits.data, Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.tensor.grad?.data) }))
    }

    func testADroppedBranchRunsNeitherForwardNorBackwardAndTheBlockIsItsShortcut() throws {
        // 8 channels run the plain ops, 16 the blocked training path.
        for channels in [8, 16] {
            let block = try Block(channels: channels, survival: 1e-6)
            let x = try Tensor.randn([4, 3, 6, 6])
            let dropped = try trainingStep(block.gated, x)
            let reference = try trainingStep(block.shortcutOnly, x)
            assertClose(dropped.logits, reference.logits, "\(channels) channels: logits of the shortcut alone")
            for conv in block.branchConvolutions {
                XCTAssertNil(conv.weights[0].tensor.grad, "\(channels) channels: \(conv.name) never ran")
            }
            XCTAssertNil(block.branchNorm.weight?.grad, "\(channels) channels")
            XCTAssertEqual(block.branchNorm.batchesTracked, 0, "\(channels) channels: the branch's batch norm never ran")
            XCTAssertEqual(block.branchNorm.runningMean?.data, [Float](repeating: 0, count: channels))
            for name in ["stem.weight", "fc.weight", "fc.bias"] {
                let got = try XCTUnwrap(dropped.gradients[name] ?? nil, name)
                assertClose(got, try XCTUnwrap(reference.gradients[name] ?? nil), "\(channels) channels: \(name) gradient")
            }
        }
    }

    func testKeptBranchesAndSurvivalOneEqualTheNetworkWithoutStochasticDepth() throws {
        for channels in [8, 16] {
            for survival: Float in [1, 0.9999999] {
                let block = try Block(channels: channels, survival: survival)
                let x = try Tensor.randn([4, 3, 6, 6])
                let gated = try trainingStep(block.gated, x)
                let plain = try trainingStep(block.plain, x)
                XCTAssertEqual(gated.logits, plain.logits, "\(channels) channels, survival \(survival)")
                XCTAssertEqual(gated.gradients.count, 7)
                for (name, gradient) in gated.gradients {
                    XCTAssertNotNil(gradient, name)
                    XCTAssertEqual(gradient, plain.gradients[name] ?? nil, "\(channels) channels, survival \(survival): \(name)")
                }
            }
        }
    }

    func testEvaluationScalesTheBranchByItsSurvivalProbability() throws {
        let block = try Block(channels: 8, survival: 0.7)
        let x = try Tensor.randn([2, 3, 6, 6])
        block.gated.eval()
        let logits = try block.gated(x)
        let layer = { (name: String) in try XCTUnwrap(block.gated.layer(named: name)) }
        let stem = try layer("stem")(x)
        var branch = try layer("branch_conv2")(try layer("branch_relu")(try layer("branch_bn")(try layer("branch_conv1")(stem))))
        branch = branch * 0.7
        let expected = try layer("fc")(try layer("pool")(try (try branch + stem).relu()))
        assertClose(logits.data, expected.data, "p_l · branch + shortcut")
    }

    func testPerSampleModeComputesTheBranchAndMasksEachSample() throws {
        let block = try Block(channels: 8, survival: 1e-6, mode: .sample)
        let x = try Tensor.randn([4, 3, 6, 6])
        let masked = try trainingStep(block.gated, x)
        assertClose(masked.logits, try trainingStep(block.shortcutOnly, x).logits, "every sample drops its branch")
        XCTAssertEqual(block.branchNorm.batchesTracked, 1, "the branch ran")
        let gradient = try XCTUnwrap(masked.gradients["branch_conv1.weight"] ?? nil)
        XCTAssertTrue(gradient.allSatisfy { $0 == 0 }, "masked to zero")
    }

    func testAGateNotFeedingASumStillDropsToZeros() throws {
        let x = try Input(shape: [2, 4, 4])
        let branch = try Conv2D(filters: 2, kernelSize: 1, useBias: false, name: "branch")(x)
        let joined = try Concatenate(name: "concat")([try StochasticDepth(survivalProbability: 1e-6)(branch), x])
        let model = try Model(inputs: x, outputs: joined)
        let input = try Tensor.randn([3, 2, 4, 4])
        let output = try model(input).data
        let perSample = 4 * 4 * 4
        for n in 0..<3 {
            let sample = Array(output[(n * perSample)..<((n + 1) * perSample)])
            XCTAssertEqual(Array(sample.prefix(32)), [Float](repeating: 0, count: 32), "the concatenated branch is zeros")
            XCTAssertEqual(Array(sample.suffix(32)), Array(input.data[(n * 32)..<((n + 1) * 32)]))
        }
    }

    func testResNetBranchesSurviveWithLinearlyDecayingProbability() throws {
        var config = try ResNetConfig.cifar(depth: 8, classes: 3, inputShape: [3, 8, 8])
        config.blocksPerStage = [1, 1, 1]
        config.widths = [16, 16, 16]
        config.preActivation = true
        config.finalSurvivalProbability = 0.5
        let model = try ResNet.make(config)
        let gates = model.layers.compactMap { $0 as? StochasticDepth }
        XCTAssertEqual(gates.count, 3)
        for (index, gate) in gates.enumerated() {
            XCTAssertEqual(gate.survivalProbability, 1 - Float(index + 1) / 3 * 0.5, accuracy: 1e-6, "p_l = 1 − l/L·(1 − p_L)")
        }
        model.generator = RandomGenerator(seed: 21)
        let x = try Tensor.randn([2, 3, 8, 8])
        let passes = 300
        try noGrad {
            for _ in 0..<passes { _ = try model(x) }
        }
        for (index, gate) in gates.enumerated() {
            let norm = try XCTUnwrap(model.layer(named: "layer\(index + 1).0.bn2") as? BatchNormalization)
            let expected = Double(passes) * Double(gate.survivalProbability)
            XCTAssertEqual(Double(norm.batchesTracked), expected, accuracy: 4 * (expected * (1 - Double(gate.survivalProbability))).squareRoot())
        }
    }

    func testAResNetWithEveryBranchDroppedTrainsThroughItsShortcuts() throws {
        // Option A: the zero-padding shortcut feeds only the sum, which then passes it on as the block's output.
        var config = try ResNetConfig.cifar(depth: 8, classes: 3, inputShape: [3, 8, 8])
        config.widths = [16, 32, 32]
        config.finalSurvivalProbability = 1e-6
        for preActivation in [false, true] {
            config.preActivation = preActivation
            let model = try ResNet.make(config)
            let x = try Tensor.randn([2, 3, 8, 8])
            let step = try trainingStep(model, x)
            XCTAssertTrue(step.logits.allSatisfy(\.isFinite))
            let stem = try XCTUnwrap(step.gradients["conv1.weight"] ?? nil)
            XCTAssertTrue(stem.allSatisfy(\.isFinite) && stem.contains { $0 != 0 }, "preact \(preActivation)")
            // The first block's gate keeps its branch with probability 1 − 1/3·(1 − p_L), so look at the last block.
            XCTAssertNil(step.gradients["layer3.0.conv2.weight"] ?? nil, "preact \(preActivation)")
        }
    }
}
