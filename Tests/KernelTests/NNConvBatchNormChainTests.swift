import XCTest
@testable import Kernel

/// convolution → training-mode batch norm (→ ReLU) → convolution as one op on oneDNN's 16-channel blocked layout gives
/// the values, running statistics and gradients of the separate ops, and the model uses it in training.
final class NNConvBatchNormChainTests: XCTestCase {
    override func setUp() {
        seed(7)
    }

    /// Skips the test when oneDNN does not compute these convolutions in the blocked layout here (the chain is then
    /// never taken, and the separate ops run instead).
    private func requireChannelBlocks(input: [Int], first: [Int], firstStride: Int, second: [Int], bias: Bool) throws {
        let s1 = try DNNLConvolutionShape(batch: input[0], inChannels: input[1], height: input[2], width: input[3], outChannels: first[0],
                                          kernelHeight: first[2], kernelWidth: first[3], stride: (firstStride, firstStride),
                                          padding: (first[2] / 2, first[3] / 2))
        let s2 = try DNNLConvolutionShape(batch: input[0], inChannels: first[0], height: s1.outHeight, width: s1.outWidth, outChannels: second[0],
                                          kernelHeight: second[2], kernelWidth: second[3], padding: (second[2] / 2, second[3] / 2))
        guard DNNLConvolution.usesChannelBlocks(s1, side: .output, bias: bias), DNNLConvolution.usesChannelBlocks(s2, side: .input, bias: bias) else {
            throw XCTSkip("oneDNN does not use the nChw16c layout for \(s1) → \(s2) on this machine")
        }
    }

    /// Input, first weight and bias, batch-norm weight and bias, second weight and bias.
    private func operands(input: [Int], first: [Int], second: [Int], seed: UInt64) throws -> [Tensor] {
        let g = RandomGenerator(seed: seed)
        return [try Tensor.randn(input, generator: g), try Tensor.randn(first, generator: g), try Tensor.randn([first[0]], generator: g),
                try Tensor.rand([first[0]], low: 0.5, high: 1.5, generator: g), try Tensor.randn([first[0]], generator: g),
                try Tensor.randn(second, generator: g), try Tensor.randn([second[0]], generator: g)]
    }

    private func chain(_ t: [Tensor], firstStride: Int, bias: Bool, relu: Bool, runningMean: Tensor, runningVar: Tensor) throws -> Tensor? {
        let k1 = t[1].shape[2] / 2, k2 = t[5].shape[2] / 2
        return try t[0].convolutionBatchNormChain(
            ChainConvolution(weight: t[1], bias: bias ? t[2] : nil, stride: (firstStride, firstStride), padding: (k1, k1), dilation: (1, 1)),
            ChainBatchNorm(weight: t[3], bias: t[4], runningMean: runningMean, runningVar: runningVar, momentum: 0.1, eps: 1e-5, relu: relu),
            ChainConvolution(weight: t[5], bias: bias ? t[6] : nil, stride: (1, 1), padding: (k2, k2), dilation: (1, 1)))
    }

    /// Runs the chain and the separate ops on the same operands and compares values, running statistics and gradients.
    private func assertChainMatchesSeparateOps(input: [Int], first: [Int], firstStride: Int, second: [Int], bias: Bool, relu: Bool,
                                               file: StaticString = #filePath, line: UInt = #line) throws {
        try requireChannelBlocks(input: input, first: first, firstStride: firstStride, second: second, bias: bias)
        let start = try operands(input: input, first: first, second: second, seed: 31)
        let channels = first[0]
        var results: [[Float]] = []
        var gradients: [[[Float]]] = []
        var upstream: Tensor?
        for chained in [true, false] {
            let t = try start.map { try Tensor(shape: $0.shape, data: $0.data, requiresGrad: true) }
            let rm = try Tensor.full([channels], 0.3), rv = try Tensor.full([channels], 1.7)
            let y: Tensor
            if chained {
                y = try XCTUnwrap(try chain(t, firstStride: firstStride, bias: bias, relu: relu, runningMean: rm, runningVar: rv),
                                  "the chain must apply", file: file, line: line)
            } else {
                let k1 = first[2] / 2, k2 = second[2] / 2
                let z = try t[0].conv2d(weight: t[1], bias: bias ? t[2] : nil, stride: (firstStride, firstStride), padding: (k1, k1))
                let a = try z.batchNorm(weight: t[3], bias: t[4], runningMean: rm, runningVar: rv, training: true, momentum: 0.1, eps: 1e-5,
                                        thenReLU: relu)
                y = try a.conv2d(weight: t[5], bias: bias ? t[6] : nil, padding: (k2, k2))
            }
            let gradient = try upstream ?? Tensor.randn(y.shape, generator: RandomGenerator(seed: 32))
            upstream = gradient
            try y.backward(gradient)
            results.append(y.data + rm.data + rv.data)
            gradients.append(t.map { $0.grad?.data ?? [] })
        }
        assertClose(results[0], results[1], "values and running statistics", file: file, line: line)
        let names = ["input", "first weight", "first bias", "batch-norm weight", "batch-norm bias", "second weight", "second bias"]
        for (i, name) in names.enumerated() where bias || (i != 2 && i != 6) {
            XCTAssertFalse(gradients[0][i].isEmpty, "\(name) gradient", file: file, line: line)
            assertClose(gradients[0][i], gradients[1][i], tolerance: 2e-4, "\(name) gradient", file: file, line: line)
        }
    }

    func testChainWithReLUEqualsTheSeparateOps() throws {
        try assertChainMatchesSeparateOps(input: [3, 16, 8, 8], first: [16, 16, 3, 3], firstStride: 1, second: [16, 16, 3, 3],
                                          bias: false, relu: true)
    }

    func testChainWithBiasesTwoChannelBlocksAndAStrideEqualsTheSeparateOps() throws {
        try assertChainMatchesSeparateOps(input: [2, 16, 10, 10], first: [32, 16, 3, 3], firstStride: 2, second: [16, 32, 3, 3],
                                          bias: true, relu: false)
        try assertChainMatchesSeparateOps(input: [2, 16, 10, 10], first: [32, 16, 3, 3], firstStride: 2, second: [16, 32, 3, 3],
                                          bias: true, relu: true)
    }

    func testChainGradientsMatchFiniteDifferences() throws {
        try requireChannelBlocks(input: [2, 3, 4, 4], first: [16, 3, 3, 3], firstStride: 1, second: [4, 16, 1, 1], bias: true)
        // Without the ReLU: finite differences across its kinks are unreliable at these sizes, for the separate ops too.
        // The ReLU variant is compared with the separate ops above, whose gradients are checked on their own.
        let start = try operands(input: [2, 3, 4, 4], first: [16, 3, 3, 3], second: [4, 16, 1, 1], seed: 33)
        let rm = try Tensor.zeros([16]), rv = try Tensor.ones([16])
        try assertGradientsMatch(start) { t in
            guard let y = try chain(t, firstStride: 1, bias: true, relu: false, runningMean: rm, runningVar: rv) else {
                throw KernelError.invalidArgument(op: "test", message: "the chain did not apply")
            }
            return y
        }
    }

    func testTheFirstConvolutionsWeightGradientReadsTheInputReorderedInForward() throws {
        try requireChannelBlocks(input: [3, 16, 8, 8], first: [16, 16, 3, 3], firstStride: 1, second: [16, 16, 3, 3], bias: false)
        let s1 = try DNNLConvolutionShape(batch: 3, inChannels: 16, height: 8, width: 8, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
                                          padding: (1, 1))
        // 16 input channels fill one block exactly, so the kept copy is as large as the input; the comparisons with the
        // separate ops above (every operand requiring a gradient) run through this copy.
        XCTAssertEqual(DNNLConvolution.keptInputBytes(s1, bias: false), s1.inputCount * MemoryLayout<Float>.size)
    }

    func testAFrozenFirstWeightKeepsNoInputCopyAndGivesTheSeparateOpsInputGradient() throws {
        try requireChannelBlocks(input: [3, 16, 8, 8], first: [16, 16, 3, 3], firstStride: 1, second: [16, 16, 3, 3], bias: false)
        let start = try operands(input: [3, 16, 8, 8], first: [16, 16, 3, 3], second: [16, 16, 3, 3], seed: 37)
        var inputGradients: [[Float]] = []
        for chained in [true, false] {
            let t = try start.enumerated().map { i, s in try Tensor(shape: s.shape, data: s.data, requiresGrad: i != 1) }
            let rm = try Tensor.zeros([16]), rv = try Tensor.ones([16])
            let y: Tensor
            if chained {
                y = try XCTUnwrap(try chain(t, firstStride: 1, bias: false, relu: true, runningMean: rm, runningVar: rv))
            } else {
                let a = try t[0].conv2d(weight: t[1], bias: nil, padding: (1, 1))
                    .batchNorm(weight: t[3], bias: t[4], runningMean: rm, runningVar: rv, training: true, momentum: 0.1, eps: 1e-5, thenReLU: true)
                y = try a.conv2d(weight: t[5], bias: nil, padding: (1, 1))
            }
            try y.backward(try Tensor.randn(y.shape, generator: RandomGenerator(seed: 38)))
            XCTAssertNil(t[1].grad)
            inputGradients.append(try XCTUnwrap(t[0].grad).data)
        }
        assertClose(inputGradients[0], inputGradients[1], tolerance: 2e-4, "input gradient")
    }

    func testChannelsThatAreNotAMultipleOf16AreLeftToTheSeparateOps() throws {
        let t = try operands(input: [2, 3, 6, 6], first: [12, 3, 3, 3], second: [16, 12, 3, 3], seed: 35)
        XCTAssertNil(try chain(t, firstStride: 1, bias: false, relu: true, runningMean: try Tensor.zeros([12]), runningVar: try Tensor.ones([12])))
    }

    func testBlockedLayoutConvertsToNCHWAndBack() {
        // Two samples, 32 channels (two blocks), a 3-pixel plane; value (n, c, p) is n·1000 + c·10 + p.
        let blocks = ChannelBlocks(batch: 2, channels: 32, plane: 3)
        var blocked = [Float](repeating: 0, count: blocks.count)
        var plain: [Float] = []
        for n in 0..<2 {
            for c in 0..<32 {
                for p in 0..<3 {
                    blocked[((n * 2 + c / 16) * 3 + p) * 16 + c % 16] = Float(n * 1000 + c * 10 + p)
                    plain.append(Float(n * 1000 + c * 10 + p))
                }
            }
        }
        XCTAssertEqual(blocks.converted(blocked, toBlocked: false), plain)
        XCTAssertEqual(blocks.converted(plain, toBlocked: true), blocked)
    }

    /// conv(16) → BN → ReLU → conv(16) → BN, added to the stem's activation, ReLU, pooled, classified.
    private func residualModel() throws -> Model {
        let input = try Input(shape: [3, 8, 8])
        let stem = try ReLU()(try BatchNormalization()(try Conv2D(filters: 16, kernelSize: 3, padding: .same, useBias: false)(input)))
        var x = try ReLU()(try BatchNormalization()(try Conv2D(filters: 16, kernelSize: 3, padding: .same, useBias: false)(stem)))
        x = try BatchNormalization()(try Conv2D(filters: 16, kernelSize: 3, padding: .same)(x))
        x = try Activation("relu")(try Add()([x, stem]))
        let logits = try Dense(units: 3)(try GlobalAveragePooling2D()(x))
        return try Model(inputs: input, outputs: logits, name: "residual16")
    }

    /// The names of the recorded ops in the graph of `output`.
    private func opNames(reachableFrom output: Tensor) -> [String] {
        var names: [String] = [], seen = Set<ObjectIdentifier>(), stack = [output]
        while let t = stack.popLast() {
            guard seen.insert(ObjectIdentifier(t)).inserted, let fn = t.gradFn else { continue }
            names.append(fn.name)
            stack.append(contentsOf: fn.inputs)
        }
        return names
    }

    func testModelTrainingStepThroughTheChainEqualsTheLayerByLayerOps() throws {
        try requireChannelBlocks(input: [4, 16, 8, 8], first: [16, 16, 3, 3], firstStride: 1, second: [16, 16, 3, 3], bias: true)
        let model = try residualModel()
        XCTAssertEqual(model.plan.trainingChains.count, 1, "the middle convolution feeds the last one through batch norm and ReLU")
        let x = try Tensor.randn([4, 3, 8, 8], generator: RandomGenerator(seed: 34))
        let logits = try model(x)
        XCTAssertEqual(opNames(reachableFrom: logits).filter { $0 == "conv2d_batch_norm_relu_conv2d" }.count, 1)
        try logits.sum().backward()
        let fusedGradients = model.parameters.map { $0.tensor.grad?.data ?? [] }
        let norms = model.layers.compactMap { $0 as? BatchNormalization }
        let fusedStatistics = norms.flatMap { ($0.runningMean?.data ?? []) + ($0.runningVar?.data ?? []) }
        model.zeroGrad()
        // Undo the first pass's running-statistics update, then run the same network op by op.
        for bn in norms {
            try bn.runningMean?.assign(try Tensor.zeros([16]))
            try bn.runningVar?.assign(try Tensor.ones([16]).data)
        }
        var values: [ObjectIdentifier: Tensor] = [ObjectIdentifier(model.inputs[0]): x]
        for node in model.nodes {
            let arguments = node.inputs.compactMap { values[ObjectIdentifier($0)] }
            values[ObjectIdentifier(node)] = try node.layer.forward(arguments, context: ForwardContext(training: true))
        }
        let reference = try XCTUnwrap(values[ObjectIdentifier(model.outputs[0])])
        try reference.sum().backward()
        assertClose(logits.data, reference.data, "logits")
        assertClose(fusedStatistics, norms.flatMap { ($0.runningMean?.data ?? []) + ($0.runningVar?.data ?? []) }, "running statistics")
        for (fused, separate) in zip(fusedGradients, model.parameters.map { $0.tensor.grad?.data ?? [] }) {
            XCTAssertFalse(fused.isEmpty)
            assertClose(fused, separate, tolerance: 2e-4, "parameter gradient")
        }
    }
}
