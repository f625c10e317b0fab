import XCTest
@testable import Kernel

/// The fast paths (fused batch norm + ReLU, vectorised ReLU and residual add, batch norm folded into convolutions for
/// inference) give the values and gradients of the plain ops they replace.
final class NNFusedPathTests: XCTestCase {
    override func setUp() {
        seed(7)
    }

    /// Leaves with the same values as `tensors`, requiring gradients.
    private func leaves(_ tensors: [Tensor]) throws -> [Tensor] {
        try tensors.map { try Tensor(shape: $0.shape, data: $0.data, requiresGrad: true) }
    }

    // MARK: - Batch norm + ReLU

    /// 5×5 planes leave a remainder after the 8-wide vector loops, so both code paths are compared.
    private func batchNormOperands() throws -> [Tensor] {
        let g = RandomGenerator(seed: 11)
        return [try Tensor.randn([4, 3, 5, 5], generator: g), try Tensor.randn([3], generator: g), try Tensor.randn([3], generator: g)]
    }

    private func assertFusedBatchNormMatchesSeparateOps(training: Bool) throws {
        let operands = try batchNormOperands()
        let upstream = try Tensor.randn([4, 3, 5, 5], generator: RandomGenerator(seed: 12))
        var results: [[Float]] = []
        var gradients: [[[Float]]] = []
        for fused in [true, false] {
            let t = try leaves(operands)
            let rm = try Tensor(shape: [3], data: [0.2, -0.1, 0.4]), rv = try Tensor(shape: [3], data: [0.9, 1.5, 0.6])
            let y =
                fused
                ? try t[0].batchNorm(weight: t[1], bias: t[2], runningMean: rm, runningVar: rv, training: training, thenReLU: true)
                : try t[0].batchNorm(weight: t[1], bias: t[2], runningMean: rm, runningVar: rv, training: training).relu()
            try y.backward(upstream)
            results.append(y.data + rm.data + rv.data)
            gradients.append(t.map { $0.grad?.data ?? [] })
        }
        // The fused op does the same float operations in the same order: equal bit for bit, not just close.
        XCTAssertEqual(results[0], results[1], "values and running statistics")
        for (i, name) in ["input", "weight", "bias"].enumerated() {
            XCTAssertEqual(gradients[0][i], gradients[1][i], "\(name) gradient")
        }
        XCTAssertTrue(results[0].contains(0) && results[0].contains { $0 > 0 }, "the ReLU must cut some values and pass others")
    }

    func testFusedBatchNormReLUEqualsBatchNormThenReLUInTraining() throws {
        try assertFusedBatchNormMatchesSeparateOps(training: true)
    }

    func testFusedBatchNormReLUEqualsBatchNormThenReLUInEvaluation() throws {
        try assertFusedBatchNormMatchesSeparateOps(training: false)
    }

    func testFusedBatchNormReLUGradientsMatchFiniteDifferences() throws {
        let g = RandomGenerator(seed: 13)
        let x = try Tensor.randn([3, 2, 2, 3], generator: g)
        let w = try Tensor.randn([2], generator: g), b = try Tensor.randn([2], generator: g)
        for training in [true, false] {
            let rm = try Tensor(shape: [2], data: [0.1, -0.3]), rv = try Tensor(shape: [2], data: [0.8, 1.3])
            try assertGradientsMatch([x, w, b]) { t in
                try t[0].batchNorm(weight: t[1], bias: t[2], runningMean: rm, runningVar: rv, training: training, thenReLU: true)
            }
        }
    }

    // MARK: - ReLU and residual add

    func testVectorisedReLUMatchesTheScalarDefinitionAndItsGradient() throws {
        // 70 000 values: past the size at which the pass is split over threads, with a tail after the vector loop.
        let x = try Tensor.randn([70_003], generator: RandomGenerator(seed: 14), requiresGrad: true)
        let upstream = try Tensor.randn([70_003], generator: RandomGenerator(seed: 15))
        let y = x.relu()
        XCTAssertEqual(y.data, x.data.map { $0 > 0 ? $0 : 0 })
        try y.backward(upstream)
        XCTAssertEqual(x.grad?.data, zip(x.data, upstream.data).map { $0 > 0 ? $1 : 0 })
        XCTAssertTrue(try Tensor(shape: [9], data: [.nan, 1, -1, 0, 2, -2, 3, -3, .nan]).relu().data[0].isNaN, "NaN stays NaN")
        try assertGradientsMatch([try Tensor.randn([2, 9], generator: RandomGenerator(seed: 16))]) { $0[0].relu() }
    }

    func testSameShapeAddMatchesElementwiseSumAndPassesGradientToBoth() throws {
        let a = try Tensor.randn([2, 40_001], generator: RandomGenerator(seed: 17), requiresGrad: true)
        let b = try Tensor.randn([2, 40_001], generator: RandomGenerator(seed: 18), requiresGrad: true)
        let sum = try a + b
        XCTAssertEqual(sum.data, zip(a.data, b.data).map { $0 + $1 })
        let upstream = try Tensor.randn([2, 40_001], generator: RandomGenerator(seed: 19))
        try sum.backward(upstream)
        XCTAssertEqual(a.grad?.data, upstream.data)
        XCTAssertEqual(b.grad?.data, upstream.data)
        try assertGradientsMatch([try Tensor.randn([3, 5]), try Tensor.randn([3, 5])]) { try $0[0] + $0[1] }
    }

    func testGradientsAccumulateWhenATensorFeedsTwoOps() throws {
        let x = try Tensor.randn([50_000], generator: RandomGenerator(seed: 20), requiresGrad: true)
        let y = try x.relu() + x * 3
        try y.backward(try Tensor.ones([50_000]))
        XCTAssertEqual(x.grad?.data, x.data.map { ($0 > 0 ? 1 : 0) + 3 })
    }

    // MARK: - Inference with folded batch norm

    /// conv → BN → ReLU → conv(+bias) → BN, added to the first activation, ReLU, pooled, classified; the batch norms
    /// get running statistics and affine parameters far from their initial values.
    private func residualModel() throws -> Model {
        let input = try Input(shape: [3, 9, 9])
        let stem = try ReLU()(try BatchNormalization()(try Conv2D(filters: 5, kernelSize: 3, padding: .same, useBias: false)(input)))
        var x = try ReLU()(try BatchNormalization()(try Conv2D(filters: 5, kernelSize: 3, padding: .same)(stem)))
        x = try BatchNormalization()(try Conv2D(filters: 5, kernelSize: 2, padding: .same)(x))
        x = try Activation("relu")(try Add()([x, stem]))
        let logits = try Dense(units: 3)(try GlobalAveragePooling2D()(x))
        let model = try Model(inputs: input, outputs: logits, name: "residual")
        let g = RandomGenerator(seed: 21)
        for layer in model.layers {
            guard let bn = layer as? BatchNormalization else { continue }
            try bn.runningMean?.assign(try Tensor.randn([5], generator: g))
            try bn.runningVar?.assign((try Tensor.rand([5], low: 0.3, high: 2, generator: g)).data)
            try bn.weight?.assign((try Tensor.rand([5], low: 0.5, high: 1.5, generator: g)).data)
            try bn.bias?.assign(try Tensor.randn([5], generator: g))
        }
        return model
    }

    func testModelFindsTheChainsItCanFuse() throws {
        let plan = try residualModel().plan
        let fusions = plan.fusions
        XCTAssertEqual(fusions.filter { if case .convolutionBatchNorm(_, relu: .some) = $0 { return true } else { return false } }.count, 2)
        XCTAssertEqual(fusions.filter { if case .convolutionBatchNorm(_, relu: nil) = $0 { return true } else { return false } }.count, 1)
        let absorbingReLU = fusions.indices.filter { plan.fusedReLU(after: $0) != nil }.map { plan.steps[$0].layer.typeName }
        XCTAssertEqual(absorbingReLU.filter { $0 == "BatchNormalization" }.count, 2)
        XCTAssertEqual(absorbingReLU.filter { $0 == "Add" }.count, 1)
        // stem → second convolution chains; the third (kernel 2, odd "same" padding) is reached from the second, already chained.
        XCTAssertEqual(try residualModel().plan.chains.count, 1)
    }

    func testChainedInferenceConvolutionsEqualTwoSeparateOnes() throws {
        let g = RandomGenerator(seed: 29)
        let x = try Tensor.randn([3, 4, 7, 7], generator: g)
        let first = FoldedConvolution(
            weight: try Tensor.randn([16, 4, 3, 3], generator: g).data, weightShape: [16, 4, 3, 3],
            bias: try Tensor.randn([16], generator: g).data, stride: (1, 1), padding: (1, 1), dilation: (1, 1), relu: true)
        let second = FoldedConvolution(
            weight: try Tensor.randn([16, 16, 3, 3], generator: g).data, weightShape: [16, 16, 3, 3],
            bias: try Tensor.randn([16], generator: g).data, stride: (2, 2), padding: (1, 1), dilation: (1, 1), relu: false)
        let chained = try x.conv2dInferenceChain(first, second)
        let middle = try x.conv2d(
            weight: try Tensor(shape: [16, 4, 3, 3], data: first.weight), bias: try Tensor(shape: [16], data: first.bias),
            padding: (1, 1)
        ).relu()
        let reference = try middle.conv2d(
            weight: try Tensor(shape: [16, 16, 3, 3], data: second.weight),
            bias: try Tensor(shape: [16], data: second.bias), stride: (2, 2), padding: (1, 1))
        XCTAssertEqual(chained.shape, [3, 16, 4, 4])
        assertClose(chained.data, reference.data, "chained convolutions")
    }

    func testTrainingForwardAndGradientsOfTheFusedModelEqualTheLayerByLayerOps() throws {
        let model = try residualModel()
        let x = try Tensor.randn([4, 3, 9, 9], generator: RandomGenerator(seed: 25))
        let logits = try model(x)
        try logits.sum().backward()
        let fusedGradients = model.parameters.map { $0.tensor.grad?.data ?? [] }
        model.zeroGrad()
        let reference = try layerByLayerOutput(of: model, x)
        try reference.sum().backward()
        assertClose(logits.data, reference.data, "logits")
        for (fused, separate) in zip(fusedGradients, model.parameters.map { $0.tensor.grad?.data ?? [] }) {
            assertClose(fused, separate, "parameter gradient")
        }
    }

    func testFusedAddReLUEqualsAddThenReLU() throws {
        let a = try Tensor.randn([3, 30_000], generator: RandomGenerator(seed: 26), requiresGrad: true)
        let b = try Tensor.randn([3, 30_000], generator: RandomGenerator(seed: 27), requiresGrad: true)
        let upstream = try Tensor.randn([3, 30_000], generator: RandomGenerator(seed: 28))
        let fused = try Tensor.addReLU(a, b)
        try fused.backward(upstream)
        let (fusedA, fusedB) = (a.grad?.data, b.grad?.data)
        a.zeroGrad()
        b.zeroGrad()
        let reference = try (a + b).relu()
        try reference.backward(upstream)
        XCTAssertEqual(fused.data, reference.data)
        XCTAssertEqual(fusedA, a.grad?.data)
        XCTAssertEqual(fusedB, b.grad?.data)
        try assertGradientsMatch([try Tensor.randn([2, 7]), try Tensor.randn([2, 7])]) { try Tensor.addReLU($0[0], $0[1]) }
    }

    func testFoldedInferenceEqualsTheLayerByLayerForward() throws {
        let model = try residualModel()
        model.eval()
        let x = try Tensor.randn([6, 3, 9, 9], generator: RandomGenerator(seed: 22))
        // With gradients on, the convolutions and batch norms run as separate ops (only batch norm + ReLU fuse).
        let reference = try model(x)
        let folded = try noGrad { try model(x) }
        assertClose(folded.data, reference.data, "logits")
        XCTAssertFalse(folded.requiresGrad)
    }

    func testFoldedInferenceOfAResNetEqualsTheReferencePath() throws {
        let model = try ResNet.cifarResNet(depth: 8, classes: 4, inputShape: [3, 16, 16])
        let x = try Tensor.randn([4, 3, 16, 16], generator: RandomGenerator(seed: 23))
        // A training-mode pass moves the running statistics away from 0 and 1.
        _ = try noGrad { try model(x) }
        model.eval()
        let reference = try model(x)
        let folded = try noGrad { try model(x) }
        assertClose(folded.data, reference.data, "logits")
    }

    func testFoldedConvolutionFallsBackToIm2colWithTheSameValues() throws {
        let g = RandomGenerator(seed: 24)
        let x = try Tensor.randn([2, 3, 6, 6], generator: g)
        let w = try Tensor.randn([4, 3, 3, 3], generator: g), b = try Tensor.randn([4], generator: g)
        let reference = try x.conv2d(weight: w, bias: b, padding: (1, 1)).relu()
        let fused = try x.conv2dInference(
            weight: w.data, weightShape: w.shape, bias: b.data, stride: (1, 1), padding: (1, 1),
            dilation: (1, 1), relu: true)
        assertClose(fused.data, reference.data, "oneDNN (or im2col) with ReLU")
        let geometry = try x.convolutionGeometry(weightShape: w.shape, biasShape: [4], stride: (1, 1), padding: (1, 1), dilation: (1, 1))
        assertClose(Conv2dCPU.forward(x.data, w.data, b.data, geometry).map { Swift.max($0, 0) }, reference.data, "im2col")
    }
}
