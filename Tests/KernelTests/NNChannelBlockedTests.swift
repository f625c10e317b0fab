import XCTest
@testable import Kernel

/// Feature maps in oneDNN's channel-blocked layouts (8 and 16 channels a block): the layout conversions, convolution,
/// batch norm and option-A shortcut on blocked values give the plain ops' values and gradients, and a model in training
/// keeps its feature maps blocked between its first convolution and its pooling head. The layout-only kernels are
/// checked at both widths here; the convolutions and models at the width oneDNN uses on this CPU, and at 8 channels by
/// `NNChannelBlockedAVX2Tests`, which reruns this class with oneDNN capped at AVX2.
final class NNChannelBlockedTests: XCTestCase {
    override func setUp() {
        seed(7)
    }

    /// The block width of oneDNN's convolutions here; skips below AVX2, where there is no blocked path.
    private func convolutionWidth() throws -> ChannelBlockWidth {
        guard let width = DNNLConvolution.channelBlockWidth else {
            throw XCTSkip("oneDNN has no channel-blocked convolutions on this CPU (below AVX2) or is off")
        }
        return width
    }

    /// `t` in the blocked layout of `width`, by default the one oneDNN's convolutions use here.
    private func blocked(_ t: Tensor, _ width: ChannelBlockWidth? = nil) throws -> Tensor {
        try t.reordered(to: .channelBlocked(try width ?? convolutionWidth()))
    }
    private func plain(_ t: Tensor) throws -> Tensor { try t.reordered(to: .plain) }

    /// A copy of `t` that requires a gradient.
    private func leaf(_ t: Tensor) throws -> Tensor { try Tensor(shape: t.shape, data: t.data, requiresGrad: true) }

    /// Skips below AVX2; fails when oneDNN does not compute these sides of `shape` in the blocked layout.
    func requireChannelBlocks(
        _ shape: DNNLConvolutionShape, _ sides: [DNNLConvolution.BlockedSide], bias: Bool,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let width = try convolutionWidth()
        for side in sides where !DNNLConvolution.usesChannelBlocks(shape, side: side, bias: bias) {
            XCTFail("oneDNN does not use the nChw\(width.rawValue)c layout for the \(side) of \(shape)", file: file, line: line)
        }
    }

    func testTheBlockWidthIsTheVectorWidthOfTheInstructionSetOneDNNUses() throws {
        let summary = KernelLibraries.summary
        let expected: ChannelBlockWidth? =
            summary.contains("ISA avx512") ? .sixteen : summary.contains("ISA avx2") ? .eight : nil
        XCTAssertEqual(DNNLConvolution.channelBlockWidth, expected, summary)
        // Set by NNChannelBlockedAVX2Tests, so the rerun proves that the cap reached oneDNN.
        if let expected = ProcessInfo.processInfo.environment[NNChannelBlockedAVX2Tests.expectedWidthVariable] {
            XCTAssertEqual(DNNLConvolution.channelBlockWidth?.rawValue, Int(expected))
        }
    }

    func testBlockedLayoutConvertsToNCHWAndBack() {
        for width in ChannelBlockWidth.allCases {
            // Two samples, 32 channels, a 3-pixel plane; value (n, c, p) is n·1000 + c·10 + p.
            let w = width.rawValue
            let blocks = ChannelBlocks(batch: 2, channels: 32, plane: 3, width: width)
            var blockedValues = [Float](repeating: 0, count: blocks.count)
            var plainValues: [Float] = []
            for n in 0..<2 {
                for c in 0..<32 {
                    for p in 0..<3 {
                        blockedValues[((n * (32 / w) + c / w) * 3 + p) * w + c % w] = Float(n * 1000 + c * 10 + p)
                        plainValues.append(Float(n * 1000 + c * 10 + p))
                    }
                }
            }
            XCTAssertEqual(blocks.converted(blockedValues, toBlocked: false), plainValues, "\(width)")
            XCTAssertEqual(blocks.converted(plainValues, toBlocked: true), blockedValues, "\(width)")
        }
    }

    func testReorderingIsDifferentiableBothWays() throws {
        for width in ChannelBlockWidth.allCases {
            let x = try Tensor.randn([2, 16, 3, 2])
            // Each direction alone: its output (or input) relabelled, so the plain ops around it read the bytes as they are.
            try assertGradientsMatch([x]) { t in
                let b = try self.blocked(t[0], width)
                b.layout = .plain
                return try b * Tensor.randn([2, 16, 3, 2], generator: RandomGenerator(seed: 3))
            }
            try assertGradientsMatch([x]) { t in
                let b = t[0] + 0
                b.layout = .channelBlocked(width)
                return try self.plain(b) * Tensor.randn([2, 16, 3, 2], generator: RandomGenerator(seed: 4))
            }
            XCTAssertThrowsError(try Tensor.randn([2, 12, 3, 3]).reordered(to: .channelBlocked(width)))
        }
    }

    /// The blocked convolution with the given blocked sides against `conv2d`: values, and the gradients of input,
    /// weight and bias.
    private func assertBlockedConvolutionMatches(
        input: [Int], weight: [Int], stride: Int, bias: Bool, inputBlocked: Bool, outputBlocked: Bool,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let pad = weight[2] / 2
        let shape = try DNNLConvolutionShape(
            batch: input[0], inChannels: input[1], height: input[2], width: input[3], outChannels: weight[0],
            kernelHeight: weight[2], kernelWidth: weight[3], stride: (stride, stride), padding: (pad, pad))
        try requireChannelBlocks(shape, (inputBlocked ? [.input] : []) + (outputBlocked ? [.output] : []), bias: bias)
        let g = RandomGenerator(seed: 41)
        let start = [try Tensor.randn(input, generator: g), try Tensor.randn(weight, generator: g), try Tensor.randn([weight[0]], generator: g)]
        let upstream = try Tensor.randn([input[0], weight[0], shape.outHeight, shape.outWidth], generator: g)

        let t = try start.map(leaf)
        let x = inputBlocked ? try blocked(t[0]) : t[0]
        let out = try XCTUnwrap(
            try x.channelBlockedConv2d(
                weight: t[1], bias: bias ? t[2] : nil, stride: (stride, stride),
                padding: (pad, pad), dilation: (1, 1), preferBlockedOutput: outputBlocked),
            file: file, line: line)
        let isBlocked = out.layout != .plain
        XCTAssertEqual(isBlocked, outputBlocked, "output layout", file: file, line: line)
        let y = isBlocked ? try plain(out) : out
        try y.backward(upstream)

        let r = try start.map(leaf)
        let reference = try r[0].conv2d(weight: r[1], bias: bias ? r[2] : nil, stride: (stride, stride), padding: (pad, pad))
        try reference.backward(upstream)
        assertClose(y.data, reference.data, "values", file: file, line: line)
        for (i, name) in ["input", "weight", "bias"].enumerated() where bias || i < 2 {
            assertClose(
                try XCTUnwrap(t[i].grad, file: file, line: line).data, try XCTUnwrap(r[i].grad).data, tolerance: 2e-4, "\(name) gradient",
                file: file, line: line)
        }
    }

    func testConvolutionWithBlockedInputOutputOrBothEqualsConv2d() throws {
        for (inputBlocked, outputBlocked) in [(true, true), (true, false), (false, true)] {
            try assertBlockedConvolutionMatches(
                input: [3, 16, 8, 8], weight: [16, 16, 3, 3], stride: 1, bias: false,
                inputBlocked: inputBlocked, outputBlocked: outputBlocked)
        }
    }

    func testStridedConvolutionWithBiasAndTwoChannelBlocksEqualsConv2d() throws {
        try assertBlockedConvolutionMatches(
            input: [2, 16, 10, 10], weight: [32, 16, 3, 3], stride: 2, bias: true, inputBlocked: true, outputBlocked: true)
        try assertBlockedConvolutionMatches(
            input: [2, 32, 6, 6], weight: [16, 32, 1, 1], stride: 2, bias: true, inputBlocked: true, outputBlocked: true)
    }

    func testAStemConvolutionReadsThreePlainChannelsAndWritesBlocks() throws {
        try assertBlockedConvolutionMatches(
            input: [2, 3, 8, 8], weight: [16, 3, 3, 3], stride: 1, bias: false, inputBlocked: false, outputBlocked: true)
    }

    func testBlockedConvolutionGradientsMatchFiniteDifferences() throws {
        let shape = try DNNLConvolutionShape(
            batch: 2, inChannels: 16, height: 4, width: 4, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
            padding: (1, 1))
        try requireChannelBlocks(shape, [.input, .output], bias: true)
        let g = RandomGenerator(seed: 43)
        let operands = [
            try Tensor.randn([2, 16, 4, 4], generator: g), try Tensor.randn([16, 16, 3, 3], generator: g), try Tensor.randn([16], generator: g),
        ]
        try assertGradientsMatch(operands) { t in
            guard
                let out = try self.blocked(t[0]).channelBlockedConv2d(
                    weight: t[1], bias: t[2], stride: (1, 1), padding: (1, 1),
                    dilation: (1, 1), preferBlockedOutput: true)
            else {
                throw KernelError.invalidArgument(op: "test", message: "the blocked convolution did not apply")
            }
            return try self.plain(out)
        }
    }

    func testChannelsThatAreNotAMultipleOfTheBlockWidthHaveNoBlockedConvolution() throws {
        let x = try Tensor.randn([2, 3, 6, 6])
        XCTAssertNil(
            try x.channelBlockedConv2d(
                weight: try Tensor.randn([12, 3, 3, 3]), bias: nil, stride: (1, 1), padding: (1, 1),
                dilation: (1, 1), preferBlockedOutput: true))
    }

    func testAnInputInAnotherBlockWidthThanOneDNNsHasNoBlockedConvolution() throws {
        let width = try convolutionWidth()
        let other: ChannelBlockWidth = width == .eight ? .sixteen : .eight
        XCTAssertNil(
            try blocked(try Tensor.randn([2, 16, 6, 6]), other).channelBlockedConv2d(
                weight: try Tensor.randn([16, 16, 3, 3]), bias: nil, stride: (1, 1), padding: (1, 1),
                dilation: (1, 1), preferBlockedOutput: true))
    }

    func testBlockedBatchNormEqualsBatchNormWithAndWithoutReLU() throws {
        for width in ChannelBlockWidth.allCases {
            for relu in [false, true] { try assertBlockedBatchNormMatches(width, relu: relu) }
        }
    }

    private func assertBlockedBatchNormMatches(_ width: ChannelBlockWidth, relu: Bool) throws {
        let g = RandomGenerator(seed: 45)
        let start = [
            try Tensor.randn([3, 32, 5, 5], generator: g) * 2 + 1, try Tensor.rand([32], low: 0.5, high: 1.5, generator: g),
            try Tensor.randn([32], generator: g),
        ]
        let upstream = try Tensor.randn([3, 32, 5, 5], generator: g)
        let t = try start.map(leaf), r = try start.map(leaf)
        let rm1 = try Tensor.full([32], 0.3), rv1 = try Tensor.full([32], 1.7)
        let rm2 = try Tensor.full([32], 0.3), rv2 = try Tensor.full([32], 1.7)
        let out = try XCTUnwrap(
            try blocked(t[0], width).channelBlockedBatchNorm(
                weight: t[1], bias: t[2], runningMean: rm1, runningVar: rv1,
                momentum: 0.1, eps: 1e-5, thenReLU: relu))
        let y = try plain(out)
        try y.backward(upstream)
        let reference = try r[0].batchNorm(
            weight: r[1], bias: r[2], runningMean: rm2, runningVar: rv2, training: true, momentum: 0.1,
            eps: 1e-5, thenReLU: relu)
        try reference.backward(upstream)
        XCTAssertEqual(out.layout, .channelBlocked(width))
        assertClose(y.data, reference.data, "values (\(width), relu \(relu))")
        assertClose(rm1.data + rv1.data, rm2.data + rv2.data, "running statistics")
        for i in 0..<3 {
            assertClose(
                try XCTUnwrap(t[i].grad).data, try XCTUnwrap(r[i].grad).data, tolerance: 2e-4, "gradient \(i) (\(width), relu \(relu))")
        }
    }

    func testBlockedBatchNormGradientsMatchFiniteDifferences() throws {
        for width in ChannelBlockWidth.allCases { try assertBlockedBatchNormGradientsMatchFiniteDifferences(width) }
    }

    private func assertBlockedBatchNormGradientsMatchFiniteDifferences(_ width: ChannelBlockWidth) throws {
        let g = RandomGenerator(seed: 47)
        let operands = [
            try Tensor.randn([2, 16, 3, 3], generator: g), try Tensor.rand([16], low: 0.5, high: 1.5, generator: g),
            try Tensor.randn([16], generator: g),
        ]
        let weights = try Tensor.randn([2, 16, 3, 3], generator: g)
        try assertGradientsMatch(operands) { t in
            guard
                let out = try self.blocked(t[0], width).channelBlockedBatchNorm(
                    weight: t[1], bias: t[2], runningMean: try Tensor.zeros([16]),
                    runningVar: try Tensor.ones([16]), momentum: 0.1, eps: 1e-5,
                    thenReLU: false)
            else {
                throw KernelError.invalidArgument(op: "test", message: "the blocked batch norm did not apply")
            }
            // Weighted, so the loss is not invariant to the normalised values (a plain sum's gradient would be zero).
            return try self.plain(out) * weights
        }
    }

    func testBlockedZeroPadShortcutEqualsSubsampleAndChannelPadding() throws {
        for width in ChannelBlockWidth.allCases { try assertBlockedZeroPadShortcutMatches(width) }
    }

    private func assertBlockedZeroPadShortcutMatches(_ width: ChannelBlockWidth) throws {
        // 8 → 24 pads one block before and one after at width 8, and splits a block at width 16 (blocked 16 → 32 only).
        let cases = [(16, 32, 2), (32, 64, 2), (16, 16, 1)] + (width == .eight ? [(8, 24, 2)] : [])
        for (channels, outChannels, stride) in cases {
            let start = try Tensor.randn([2, channels, 6, 5])
            let upstream = try Tensor.randn([2, outChannels, (6 + stride - 1) / stride, (5 + stride - 1) / stride])
            let t = try leaf(start), r = try leaf(start)
            let y = try plain(try XCTUnwrap(try blocked(t, width).channelBlockedZeroPadShortcut(stride: stride, outChannels: outChannels)))
            try y.backward(upstream)
            let extra = outChannels - channels
            let reference = try r.subsample(stride: stride).padChannels(before: extra / 2, after: extra - extra / 2)
            try reference.backward(upstream)
            XCTAssertEqual(y.data, reference.data, "\(width): \(channels) → \(outChannels), stride \(stride)")
            XCTAssertEqual(try XCTUnwrap(t.grad).data, try XCTUnwrap(r.grad).data, "\(width): gradient \(channels) → \(outChannels)")
        }
        XCTAssertNil(try blocked(try Tensor.randn([1, 16, 4, 4]), width).channelBlockedZeroPadShortcut(stride: 2, outChannels: 20))
        XCTAssertNil(try Tensor.randn([1, 16, 4, 4]).channelBlockedZeroPadShortcut(stride: 2, outChannels: 32), "a plain input")
    }

    // MARK: - In a model

    /// A small option-A ResNet: stem, a block at 16 channels, a block widening to 32 with stride 2, pooled, classified.
    private func residualModel() throws -> Model {
        var config = try ResNetConfig.cifar(depth: 8, classes: 3, inputShape: [3, 8, 8])
        config.widths = [16, 32, 32]
        return try ResNet.make(config)
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

    func testTrainingKeepsFeatureMapsBlockedAndEqualsTheLayerByLayerOps() throws {
        let stem = try DNNLConvolutionShape(
            batch: 4, inChannels: 3, height: 8, width: 8, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
            padding: (1, 1))
        try requireChannelBlocks(stem, [.output], bias: false)
        let layout = TensorLayout.channelBlocked(try convolutionWidth())
        let model = try residualModel()
        let x = try Tensor.randn([4, 3, 8, 8], generator: RandomGenerator(seed: 34))
        let logits = try model(x)
        let names = opNames(reachableFrom: logits)
        // Where oneDNN does not block a convolution's input (some small strided shapes with AVX2), that convolution runs
        // plain, its blocked input reordered once more.
        let inner = [(16, 16, 8, 1), (16, 16, 8, 1), (16, 32, 8, 2), (32, 32, 4, 1), (32, 32, 4, 2), (32, 32, 2, 1)]
        let plainConvolutions = try inner.filter { inChannels, outChannels, size, stride in
            let shape = try DNNLConvolutionShape(
                batch: 4, inChannels: inChannels, height: size, width: size, outChannels: outChannels, kernelHeight: 3,
                kernelWidth: 3, stride: (stride, stride), padding: (1, 1))
            return !DNNLConvolution.usesChannelBlocks(shape, side: .input, bias: false)
        }.count
        XCTAssertEqual(
            names.filter { $0 == "from_\(layout)" }.count, 1 + plainConvolutions, "one reorder, before the pooling head: \(names)")
        XCTAssertFalse(names.contains { $0.hasPrefix("to_nChw") }, "\(names)")
        XCTAssertEqual(names.filter { $0 == "conv2d" }.count, plainConvolutions, "every other convolution reads or writes blocks: \(names)")
        XCTAssertTrue(names.contains("zero_pad_shortcut_\(layout)"), "\(names)")
        try logits.sum().backward()
        let fusedGradients = model.parameters.map { $0.tensor.grad?.data ?? [] }
        let norms = model.layers.compactMap { $0 as? BatchNormalization }
        let fusedStatistics = norms.flatMap { ($0.runningMean?.data ?? []) + ($0.runningVar?.data ?? []) }
        model.zeroGrad()
        // Undo the first pass's running-statistics update, then run the same network op by op.
        for bn in norms {
            let channels = bn.runningMean?.count ?? 0
            try bn.runningMean?.assign(try Tensor.zeros([channels]))
            try bn.runningVar?.assign(try Tensor.ones([channels]).data)
        }
        let reference = try layerByLayerOutput(of: model, x)
        try reference.sum().backward()
        assertClose(logits.data, reference.data, "logits")
        assertClose(fusedStatistics, norms.flatMap { ($0.runningMean?.data ?? []) + ($0.runningVar?.data ?? []) }, "running statistics")
        for (name, (fused, separate)) in zip(model.parameters.map(\.name), zip(fusedGradients, model.parameters.map { $0.tensor.grad?.data ?? [] })) {
            XCTAssertFalse(fused.isEmpty, name)
            assertClose(fused, separate, tolerance: 2e-4, "\(name) gradient")
        }
    }
}

extension NNChannelBlockedTests {
    func testSixteenChannelTrainingConvolutionsAskForChannelsLastWhichIsTheSameBytesAsOneBlock() throws {
        let width = try convolutionWidth()
        let sixteen = try DNNLConvolutionShape(
            batch: 2, inChannels: 16, height: 8, width: 8, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
            padding: (1, 1))
        let widening = try DNNLConvolutionShape(
            batch: 2, inChannels: 16, height: 8, width: 8, outChannels: 32, kernelHeight: 3, kernelWidth: 3,
            stride: (2, 2), padding: (1, 1))
        XCTAssertFalse(DNNLConvolutionPlan.prefersChannelsLast(.inference(relu: true), sixteen), "inference chains keep oneDNN's choice")
        XCTAssertFalse(DNNLConvolutionPlan.prefersChannelsLast(.forward(bias: false), widening))
        // With 8-channel blocks (AVX2) 16 channels are two blocks, not channels-last.
        XCTAssertEqual(DNNLConvolutionPlan.prefersChannelsLast(.forward(bias: false), sixteen), width == .sixteen)
        XCTAssertEqual(DNNLConvolutionPlan.prefersChannelsLast(.backwardWeights(bias: true), sixteen), width == .sixteen)
        guard width == .sixteen else { return }
        try requireChannelBlocks(sixteen, [.input, .output], bias: false)
        // NHWC with one block of 16 channels is nChw16c byte for byte, so the blocked path takes both sides.
        let blocks = ChannelBlocks(batch: 2, channels: 16, plane: 64, width: .sixteen)
        let x = try Tensor.randn([2, 16, 8, 8])
        let channelsLast = try x.permute([0, 2, 3, 1]).data
        XCTAssertEqual(blocks.converted(x.data, toBlocked: true), channelsLast)
    }
}

extension NNChannelBlockedTests {
    /// Training values and gradients of `config`'s network through the model (blocked where it can) and layer by layer.
    private func assertBlockedTrainingMatchesLayerByLayer(
        _ config: ResNetConfig, _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let model = try ResNet.make(config)
        model.generator = RandomGenerator(seed: 53)
        let x = try Tensor.randn([2] + config.inputShape, generator: RandomGenerator(seed: 51))
        let norms = model.layers.compactMap { $0 as? BatchNormalization }
        let start = norms.map { ($0.runningMean?.data ?? [], $0.runningVar?.data ?? []) }
        let logits = try model(x)
        try logits.sum().backward()
        let fastGradients = model.parameters.map { $0.tensor.grad?.data ?? [] }
        let fastStatistics = norms.flatMap { ($0.runningMean?.data ?? []) + ($0.runningVar?.data ?? []) }
        model.zeroGrad()
        for (bn, (mean, variance)) in zip(norms, start) {
            try bn.runningMean?.assign(mean)
            try bn.runningVar?.assign(variance)
        }
        let reference = try layerByLayerOutput(of: model, x, generator: RandomGenerator(seed: 53), file: file, line: line)
        try reference.sum().backward()
        assertClose(logits.data, reference.data, tolerance: 2e-4, "\(what): logits", file: file, line: line)
        assertClose(
            fastStatistics, norms.flatMap { ($0.runningMean?.data ?? []) + ($0.runningVar?.data ?? []) }, "\(what): running statistics",
            file: file, line: line)
        for (name, (fast, plain)) in zip(model.parameters.map(\.name), zip(fastGradients, model.parameters.map { $0.tensor.grad?.data ?? [] })) {
            assertClose(fast, plain, tolerance: 5e-4, "\(what): \(name) gradient", file: file, line: line)
        }
    }

    func testEveryResNetFlavourTrainsThroughBlockedFeatureMapsWithTheLayerByLayerResults() throws {
        let stem = try DNNLConvolutionShape(
            batch: 2, inChannels: 3, height: 8, width: 8, outChannels: 16, kernelHeight: 3, kernelWidth: 3,
            padding: (1, 1))
        try requireChannelBlocks(stem, [.output], bias: false)
        var base = try ResNetConfig.cifar(depth: 8, classes: 3, inputShape: [3, 8, 8])
        base.widths = [16, 32, 32]
        var flavours: [(String, ResNetConfig)] = [("option A", base)]
        var b = base
        b.shortcut = .b
        flavours.append(("option B", b))
        var pre = base
        pre.preActivation = true
        flavours.append(("pre-activation", pre))
        var concat = base
        concat.merge = .concat
        flavours.append(("concat merge", concat))
        var bottleneck = base
        bottleneck.block = .bottleneck
        bottleneck.widths = [16, 16, 16]
        flavours.append(("bottleneck", bottleneck))
        // Gates that keep every branch: the layer-by-layer reference cannot skip a dropped one as the model does
        // (StochasticDepthSkipTests compares dropped branches with the shortcut alone).
        var stochastic = base
        stochastic.finalSurvivalProbability = 0.9999999
        flavours.append(("stochastic depth", stochastic))
        var odd = base
        odd.widths = [12, 24, 24]
        odd.stem.width = 12
        flavours.append(("12 channels (no blocks)", odd))
        for (what, config) in flavours { try assertBlockedTrainingMatchesLayerByLayer(config, what) }
    }
}
