/// 2-D convolution over `[C, H, W]` images (PyTorch's `nn.Conv2d` with groups = 1, Keras's `Conv2D`).
///
/// The weight `[filters, C, kH, kW]` is created on the first call, when C is known.
public final class Conv2D: Layer {
    /// Output channels.
    public let filters: Int
    /// Kernel (height, width).
    public let kernelSize: (Int, Int)
    /// Step (vertical, horizontal).
    public let strides: (Int, Int)
    /// Border handling.
    public let padding: Padding
    /// Spacing between kernel taps (1 = ordinary convolution).
    public let dilation: (Int, Int)
    /// Whether a bias is added (off before batch norm, which has its own shift).
    public let useBias: Bool
    /// How the weight is initialised.
    public let weightInitializer: Initializer
    /// How the bias is initialised.
    public let biasInitializer: Initializer
    /// `[filters, C, kH, kW]`, once built.
    public private(set) var weight: Tensor?
    /// `[filters]`, once built and when `useBias`.
    public private(set) var bias: Tensor?
    /// The batch norm after this layer folded into its weight and bias, kept across inference calls.
    let folding = FoldedWeightsCache()

    /// A convolution with square kernels, strides and dilation.
    public convenience init(
        filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid, dilation: Int = 1,
        useBias: Bool = true, weightInitializer: Initializer = .pytorchDefault,
        biasInitializer: Initializer = .pytorchDefault, name: String? = nil
    ) throws {
        try self.init(
            filters: filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides), padding: padding,
            dilation: (dilation, dilation), useBias: useBias, weightInitializer: weightInitializer,
            biasInitializer: biasInitializer, name: name)
    }

    /// A convolution with (height, width) kernel, strides and dilation.
    public init(
        filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
        dilation: (Int, Int) = (1, 1), useBias: Bool = true, weightInitializer: Initializer = .pytorchDefault,
        biasInitializer: Initializer = .pytorchDefault, name: String? = nil
    ) throws {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilation = dilation
        self.useBias = useBias
        self.weightInitializer = weightInitializer
        self.biasInitializer = biasInitializer
        try super.init(name: name)
        for (what, pair, minimum) in [("kernel size", kernelSize, 1), ("strides", strides, 1), ("dilation", dilation, 1)]
        where pair.0 < minimum || pair.1 < minimum {
            throw KernelError.invalidArgument(op: "Conv2D", message: "\(what) must be positive, found (\(pair.0), \(pair.1))")
        }
        guard filters > 0 else { throw KernelError.invalidArgument(op: "Conv2D", message: "filters must be positive, found \(filters)") }
        if case let .explicit(rows, columns) = padding, rows < 0 || columns < 0 {
            throw KernelError.invalidArgument(op: "Conv2D", message: "padding must be non-negative, found (\(rows), \(columns))")
        }
    }

    override public var typeName: String { "Conv2D" }
    override var baseName: String { "conv2d" }

    override var configuration: String {
        var parts = ["\(filters) filters", "\(kernelSize.0)×\(kernelSize.1)"]
        if strides != (1, 1) { parts.append(strides.0 == strides.1 ? "stride \(strides.0)" : "stride (\(strides.0), \(strides.1))") }
        if padding != .valid { parts.append("padding \(padding)") }
        if dilation != (1, 1) { parts.append("dilation (\(dilation.0), \(dilation.1))") }
        if !useBias { parts.append("no bias") }
        return parts.joined(separator: ", ")
    }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let input = inputShapes[0]
        guard input.count == 3 else {
            throw KernelError.shapeMismatch(op: "", expected: "an image [C, H, W]", found: shapeString(input))
        }
        if let weight, weight.shape[1] != input[0] {
            throw KernelError.shapeMismatch(
                op: "", expected: "\(weight.shape[1]) input channels (the layer was built for them)", found: "\(shapeString(input)) with \(input[0])")
        }
        let geometry = try WindowGeometry(
            height: input[1], width: input[2], kernel: kernelSize, stride: strides, dilation: dilation, padding: padding)
        return [filters, geometry.outHeight, geometry.outWidth]
    }

    override func build(inputShapes: [[Int]]) throws {
        let channels = inputShapes[0][0]
        let shape = [filters, channels, kernelSize.0, kernelSize.1]
        // Validated before the fans are computed: they are partial products of this shape, so then cannot overflow.
        try Shape.validate(shape, op: "")
        let taps = kernelSize.0 * kernelSize.1
        weight = try makeWeight(shape, weightInitializer, fanIn: channels * taps, fanOut: filters * taps)
        if useBias {
            bias = try makeWeight([filters], biasInitializer, fanIn: channels * taps, fanOut: filters * taps)
        }
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        guard let weight else { throw KernelError.invalidArgument(op: "", message: "used before being built") }
        var x = inputs[0]
        guard x.rank == 4 else {
            throw KernelError.shapeMismatch(op: "", expected: "a batch of images [N, C, H, W]", found: shapeString(x.shape))
        }
        let geometry = try WindowGeometry(
            height: x.shape[2], width: x.shape[3], kernel: kernelSize, stride: strides, dilation: dilation, padding: padding)
        // "same" with an odd total pads one more pixel at the bottom/right; conv2d pads symmetrically, so add it here.
        x = try x.padEnd(axis: 2, count: geometry.padBottom - geometry.padTop, value: 0)
        x = try x.padEnd(axis: 3, count: geometry.padRight - geometry.padLeft, value: 0)
        return try x.conv2d(weight: weight, bias: bias, stride: strides, padding: (geometry.padTop, geometry.padLeft), dilation: dilation)
    }

    /// `forward` in training with the input, the output or both in the 16-channel blocked layout (see
    /// `channelBlockedConv2d`); nil when this convolution has no blocked form here (an odd "same" padding, or a shape
    /// oneDNN computes otherwise) or a ReLU is asked for (a convolution does not fuse one in training).
    func forwardChannelBlocked(_ inputs: [Tensor], context: ForwardContext, thenReLU: Bool, preferBlockedOutput: Bool) throws -> Tensor? {
        let x = inputs[0]
        guard !thenReLU, let weight, x.rank == 4 else { return nil }
        let geometry = try WindowGeometry(
            height: x.shape[2], width: x.shape[3], kernel: kernelSize, stride: strides, dilation: dilation,
            padding: padding)
        guard geometry.padBottom == geometry.padTop, geometry.padRight == geometry.padLeft else { return nil }
        return try x.channelBlockedConv2d(
            weight: weight, bias: bias, stride: strides, padding: (geometry.padTop, geometry.padLeft),
            dilation: dilation, preferBlockedOutput: preferBlockedOutput)
    }

    /// `batchNorm(forward(x))` in evaluation mode, then ReLU when `relu`, as one convolution off the tape: the batch
    /// norm's per-channel scale is folded into the weight and its shift into the bias. Equal to the separate layers up
    /// to float rounding; for inference without gradients only.
    func forwardFolded(_ input: Tensor, batchNorm: BatchNormalization, relu: Bool) throws -> Tensor {
        let (convolution, x) = try folded(input, batchNorm: batchNorm, relu: relu)
        return try x.conv2dInference(
            weight: convolution.weight, weightShape: convolution.weightShape, bias: convolution.bias,
            stride: convolution.stride, padding: convolution.padding, dilation: convolution.dilation,
            relu: relu, reordered: convolution.reordered)
    }

    /// `forwardFolded` of this layer, then of `next` on its result (the model runs a convolution whose batch norm and
    /// ReLU feed only another such layer this way): between two convolutions the feature map stays in oneDNN's layout.
    func forwardFoldedChain(
        _ input: Tensor, batchNorm: BatchNormalization, relu: Bool,
        next: any FoldsFollowingBatchNorm, nextBatchNorm: BatchNormalization, nextReLU: Bool
    ) throws -> Tensor {
        guard let next = next as? Conv2D else {
            return try next.forwardFolded(try forwardFolded(input, batchNorm: batchNorm, relu: relu), batchNorm: nextBatchNorm, relu: nextReLU)
        }
        let (first, x) = try folded(input, batchNorm: batchNorm, relu: relu)
        let geometry = try WindowGeometry(
            height: x.shape[2], width: x.shape[3], kernel: kernelSize, stride: strides, dilation: dilation,
            padding: .explicit(rows: first.padding.0, columns: first.padding.1))
        let middleShape = [x.shape[0], filters, geometry.outHeight, geometry.outWidth]
        let nextGeometry = try WindowGeometry(
            height: middleShape[2], width: middleShape[3], kernel: next.kernelSize, stride: next.strides,
            dilation: next.dilation, padding: next.padding)
        // An odd "same" padding needs an extra row or column added to the feature map: run the two apart.
        guard nextGeometry.padBottom == nextGeometry.padTop, nextGeometry.padRight == nextGeometry.padLeft else {
            let middle = try forwardFolded(input, batchNorm: batchNorm, relu: relu)
            return try next.forwardFolded(middle, batchNorm: nextBatchNorm, relu: nextReLU)
        }
        let second = try next.foldedConvolution(
            batchNorm: nextBatchNorm, relu: nextReLU,
            padding: (nextGeometry.padTop, nextGeometry.padLeft))
        return try x.conv2dInferenceChain(first, second)
    }

    /// The folded convolution for `input` and the input padded at the bottom/right as an odd "same" padding needs.
    private func folded(_ input: Tensor, batchNorm: BatchNormalization, relu: Bool) throws -> (FoldedConvolution, Tensor) {
        guard input.rank == 4 else {
            throw KernelError.shapeMismatch(op: "", expected: "a batch of images [N, C, H, W]", found: shapeString(input.shape))
        }
        let geometry = try WindowGeometry(
            height: input.shape[2], width: input.shape[3], kernel: kernelSize, stride: strides, dilation: dilation, padding: padding)
        var x = try input.padEnd(axis: 2, count: geometry.padBottom - geometry.padTop, value: 0)
        x = try x.padEnd(axis: 3, count: geometry.padRight - geometry.padLeft, value: 0)
        return (try foldedConvolution(batchNorm: batchNorm, relu: relu, padding: (geometry.padTop, geometry.padLeft)), x)
    }

    /// The weight scaled and the bias shifted per output channel by `batchNorm`'s evaluation-mode affine map.
    private func foldedConvolution(batchNorm: BatchNormalization, relu: Bool, padding symmetric: (Int, Int)) throws -> FoldedConvolution {
        guard let weight else { throw KernelError.invalidArgument(op: "", message: "used before being built") }
        let folded = try folding.folded(weight: weight, bias: bias, batchNorm: batchNorm)
        return FoldedConvolution(
            weight: folded.weight, weightShape: weight.shape, bias: folded.bias, stride: strides,
            padding: symmetric, dilation: dilation, relu: relu, reordered: folded.reordered)
    }

    override public var weights: [NamedTensor] {
        [weight.map { NamedTensor(name: "weight", tensor: $0) }, bias.map { NamedTensor(name: "bias", tensor: $0) }].compactMap { $0 }
    }

    override func macs(inputShapes: [[Int]], outputShape: [Int]) -> Int {
        Shape.saturatingProduct([Shape.count(outputShape), inputShapes[0][0], kernelSize.0, kernelSize.1])
    }
}

extension Conv2D: ChannelBlockedCapable, FoldsFollowingBatchNorm, BackwardValueUse {
    /// The weight gradient reads the input.
    var backwardReadsInputValues: Bool { true }
    var backwardKeepsOutputValues: Bool { false }
}
