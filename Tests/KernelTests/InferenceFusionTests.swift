import XCTest

@testable import Kernel

/// Inference without gradients folds each batch norm into its convolution and keeps the fold (and oneDNN's reordered
/// copy of it) across calls (`InferenceFusion.swift`): the logits must equal the layer-by-layer evaluation path for every
/// ResNet flavour, and the kept fold must never outlive a change of the tensors it was made from.
final class InferenceFusionTests: XCTestCase {
    /// Gives every batch norm running statistics and affine parameters far from their initial values, so a stale or
    /// wrong fold shows in the logits.
    private func randomizeBatchNorms(_ model: Model, seed: UInt64) throws {
        let g = RandomGenerator(seed: seed)
        for layer in model.layers {
            guard let bn = layer as? BatchNormalization, let channels = bn.runningMean?.count else { continue }
            try bn.runningMean?.assign(try Tensor.randn([channels], generator: g).data.map { 0.3 * $0 })
            try bn.runningVar?.assign(try Tensor.rand([channels], low: 0.5, high: 2, generator: g).data)
            try bn.weight?.assign(try Tensor.rand([channels], low: 0.5, high: 1.2, generator: g).data)
            try bn.bias?.assign(try Tensor.randn([channels], generator: g).data.map { 0.3 * $0 })
        }
    }

    /// The evaluation-mode logits with gradients on, where convolutions and batch norms run as separate ops.
    private func layerByLayer(_ model: Model, _ x: Tensor) throws -> Tensor {
        try model(x)
    }

    private func folded(_ model: Model, _ x: Tensor) throws -> Tensor {
        try noGrad { try model(x) }
    }

    private func smallConfig(_ name: String) -> ResNetConfig {
        ResNetConfig(
            name: name, inputShape: [3, 16, 16], classes: 5, blocksPerStage: [1, 2], widths: [8, 16], strides: [1, 2],
            kernelSizes: [3, 3], stem: ResNetConfig.Stem(width: 8, kernelSize: 3, stride: 1, maxPool: true))
    }

    func testFoldedLogitsEqualTheLayerByLayerPathForEveryResNetFlavour() throws {
        var flavours: [(String, Model)] = [("basic, option A (CIFAR)", try ResNet.cifarResNet(depth: 8, classes: 5, inputShape: [3, 16, 16]))]
        flavours.append(("basic, option B", try ResNet.make(smallConfig("basic_b"))))
        var bottleneck = smallConfig("bottleneck")
        bottleneck.block = .bottleneck
        flavours.append(("bottleneck, option B", try ResNet.make(bottleneck)))
        var preActivation = smallConfig("preact")
        preActivation.preActivation = true
        flavours.append(("pre-activation", try ResNet.make(preActivation)))
        var optionC = smallConfig("option_c")
        optionC.shortcut = .c
        flavours.append(("option C", try ResNet.make(optionC)))
        var concat = smallConfig("concat")
        concat.merge = .concat
        flavours.append(("concatenating merge", try ResNet.make(concat)))
        for (index, (flavour, model)) in flavours.enumerated() {
            try randomizeBatchNorms(model, seed: 40 + UInt64(index))
            model.eval()
            let x = try Tensor.randn([2, 3, 16, 16], generator: RandomGenerator(seed: 50 + UInt64(index)))
            let reference = try layerByLayer(model, x)
            let first = try folded(model, x)
            assertClose(first.data, reference.data, tolerance: 1e-5, flavour)
            // The second call reads the kept fold and its reordered copies: the same numbers exactly.
            XCTAssertEqual(try folded(model, x).data, first.data, flavour)
            // Batch 1, the REPL's case, takes other oneDNN plans (and weight layouts) than batch 2.
            let one = try x.slice(axis: 0, start: 0, end: 1)
            assertClose(try folded(model, one).data, try layerByLayer(model, one).data, tolerance: 1e-5, "\(flavour), batch 1")
        }
    }

    func testTheKeptFoldIsReplacedWhenAnyTensorItWasMadeFromChanges() throws {
        let input = try Input(shape: [3, 6, 6])
        let convolution = try Conv2D(filters: 4, kernelSize: 3, padding: .same)
        let batchNorm = try BatchNormalization()
        let model = try Model(inputs: input, outputs: try batchNorm(try convolution(input)))
        try randomizeBatchNorms(model, seed: 60)
        let weight = try XCTUnwrap(convolution.weight)
        func fold() throws -> FoldedWeights {
            try convolution.folding.folded(weight: weight, bias: convolution.bias, batchNorm: batchNorm)
        }
        var kept = try fold()
        XCTAssertTrue(try fold() === kept, "unchanged tensors keep the fold")
        let changes: [(String, () throws -> Void)] = [
            ("weight assigned", { try weight.assign(try Tensor.randn(weight.shape)) }),
            ("bias changed in place", { convolution.bias?.data[0] += 1 }),
            ("running variance loaded", { try batchNorm.runningVar?.assign([Float](repeating: 3, count: 4)) }),
            ("batch-norm scale changed in place", { batchNorm.weight?.data[3] *= 2 }),
            ("running mean updated by a training pass", { _ = try model.forward(try Tensor.randn([2, 3, 6, 6]), training: true) }),
        ]
        for (change, apply) in changes {
            try apply()
            let fresh = try fold()
            XCTAssertFalse(fresh === kept, change)
            let (scale, shift) = try batchNorm.evaluationAffine()
            XCTAssertEqual(fresh.weight[0], weight.data[0] * scale[0], change)
            XCTAssertEqual(fresh.bias[3], (convolution.bias?.data[3] ?? 0) * scale[3] + shift[3], change)
            kept = fresh
        }
    }

    func testInferenceFollowsOptimizerStepsWeightLoadsAndModeSwitches() throws {
        let model = try ResNet.make(smallConfig("steps"))
        try randomizeBatchNorms(model, seed: 70)
        let x = try Tensor.randn([1, 3, 16, 16], generator: RandomGenerator(seed: 71))
        model.eval()
        let before = try folded(model, x)
        assertClose(before.data, try layerByLayer(model, x).data, tolerance: 1e-5, "before training")

        // One SGD step in training mode changes the weights in place and moves the running statistics.
        model.train()
        let batch = try Tensor.randn([4, 3, 16, 16], generator: RandomGenerator(seed: 72))
        try model(batch).pow(2).mean().backward()
        try SGD(model.trainableParameters, learningRate: 0.1, momentum: 0.9).step()
        model.eval()
        let afterStep = try folded(model, x)
        XCTAssertNotEqual(afterStep.data, before.data)
        assertClose(afterStep.data, try layerByLayer(model, x).data, tolerance: 1e-5, "after an optimizer step")

        // Switching modes without changing anything keeps the numbers.
        model.train()
        model.eval()
        XCTAssertEqual(try folded(model, x).data, afterStep.data)

        // Loading another model's state, as `load` does, replaces every value the folds were made from.
        let other = try ResNet.make(smallConfig("steps"))
        try randomizeBatchNorms(other, seed: 73)
        for (target, source) in zip(model.stateTensors, other.stateTensors) { try target.tensor.assign(source.tensor) }
        other.eval()
        let loaded = try folded(model, x)
        XCTAssertEqual(loaded.data, try folded(other, x).data)
        assertClose(loaded.data, try layerByLayer(model, x).data, tolerance: 1e-5, "after a weight load")
    }
}
