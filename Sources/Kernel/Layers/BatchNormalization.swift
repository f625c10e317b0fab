/// Batch normalisation over the channel axis of `[C, H, W]` images or `[C]` feature vectors
/// (PyTorch's `nn.BatchNorm2d`/`BatchNorm1d`, Keras's `BatchNormalization`).
///
/// Momentum follows PyTorch: `running = (1 − momentum)·running + momentum·batch` (Keras's 0.99 is PyTorch's 0.01).
/// A nil momentum keeps a true (cumulative) average instead, as PyTorch's `momentum=None`:
/// `running = running + (batch − running)/n` for the n-th training batch since `batchesTracked` was last 0.
/// The scale `weight` (ones) and shift `bias` (zeros) are trainable; `running_mean` and `running_var` are buffers,
/// which `summary()` counts as non-trainable parameters, as Keras does.
public final class BatchNormalization: Layer {
    /// Weight of the current batch in the running statistics; nil for the cumulative average of all batches.
    /// `recomputeBatchNormStatistics` sets it to nil for its pass and back.
    public internal(set) var momentum: Float?
    /// Training batches that have updated the running statistics (PyTorch's `num_batches_tracked`): the n of the
    /// cumulative average. Kept in the layer, not among `buffers`, so state files keep rnx's keys.
    public internal(set) var batchesTracked = 0
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// Whether the layer has a learnable scale and shift (PyTorch's `affine`).
    public let affine: Bool
    /// How the scale starts: ones, or zeros for the last batch norm of a residual branch ("zero-init residual").
    public let scaleInitializer: Initializer
    /// `[C]` scale, once built.
    public private(set) var weight: Tensor?
    /// `[C]` shift, once built.
    public private(set) var bias: Tensor?
    /// `[C]` running mean, once built.
    public private(set) var runningMean: Tensor?
    /// `[C]` running (unbiased) variance, once built.
    public private(set) var runningVar: Tensor?

    /// A batch-norm layer with PyTorch's defaults.
    public init(
        momentum: Float? = 0.1, epsilon: Float = 1e-5, affine: Bool = true, scaleInitializer: Initializer = .ones,
        name: String? = nil
    ) throws {
        self.momentum = momentum
        self.epsilon = epsilon
        self.affine = affine
        self.scaleInitializer = scaleInitializer
        try super.init(name: name)
        if let momentum, !(momentum >= 0 && momentum <= 1) {
            throw KernelError.invalidArgument(
                op: "BatchNormalization", message: "momentum must be in [0, 1] (PyTorch convention: the weight of the new batch), found \(momentum)")
        }
        guard epsilon > 0, epsilon.isFinite else {
            throw KernelError.invalidArgument(op: "BatchNormalization", message: "epsilon must be a positive number, found \(epsilon)")
        }
    }

    override public var typeName: String { "BatchNormalization" }
    override var baseName: String { "batch_normalization" }
    override var configuration: String {
        "momentum \(momentum.map { "\($0)" } ?? "None (cumulative average)"), epsilon \(epsilon)\(affine ? "" : ", no affine")"
    }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let input = inputShapes[0]
        guard input.count == 3 || input.count == 1 else {
            throw KernelError.shapeMismatch(op: "", expected: "an image [C, H, W] or features [C]", found: shapeString(input))
        }
        if let runningMean, runningMean.shape[0] != input[0] {
            throw KernelError.shapeMismatch(
                op: "", expected: "\(runningMean.shape[0]) channels (the layer was built for them)", found: "\(shapeString(input)) with \(input[0])")
        }
        return input
    }

    override func build(inputShapes: [[Int]]) throws {
        let channels = inputShapes[0][0]
        if affine {
            weight = try makeWeight([channels], scaleInitializer, fanIn: channels, fanOut: channels)
            bias = try makeWeight([channels], .zeros, fanIn: channels, fanOut: channels)
        }
        runningMean = try Tensor.zeros([channels])
        runningVar = try Tensor.ones([channels])
    }

    /// Running mean 0, running variance 1 and no batches tracked, as PyTorch's `reset_running_stats()`.
    func resetRunningStatistics() {
        runningMean?.data = [Float](repeating: 0, count: runningMean?.count ?? 0)
        runningVar?.data = [Float](repeating: 1, count: runningVar?.count ?? 0)
        batchesTracked = 0
    }

    /// The weight of the next training batch in the running statistics: the momentum, or 1/n for the n-th batch of a
    /// cumulative average (PyTorch's `exponential_average_factor`).
    private var nextBatchWeight: Float {
        momentum ?? 1 / Float(batchesTracked + 1)
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        try forward(inputs[0], context: context, thenReLU: false)
    }

    /// `relu(forward(inputs))` as one op (the model runs a batch norm followed only by a ReLU this way).
    func forwardThenReLU(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor? {
        try forward(inputs[0], context: context, thenReLU: true)
    }

    private func forward(_ x: Tensor, context: ForwardContext, thenReLU: Bool) throws -> Tensor {
        guard let runningMean, let runningVar else { throw KernelError.invalidArgument(op: "", message: "used before being built") }
        // A frozen batch norm keeps its statistics, as in Keras: fine-tuning must not disturb them.
        let training = context.training && trainable
        let output = try x.batchNorm(
            weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
            training: training, momentum: nextBatchWeight, eps: epsilon, thenReLU: thenReLU)
        if training { batchesTracked += 1 }
        return output
    }

    /// `forward(x)` (then ReLU when `thenReLU`) in training on a blocked input (see `channelBlockedBatchNorm`), the
    /// output blocked; nil when it has no blocked form (evaluation mode, a frozen layer, a plain input, channels not in
    /// blocks of 16).
    func forwardChannelBlocked(_ inputs: [Tensor], context: ForwardContext, thenReLU: Bool, preferBlockedOutput: Bool) throws -> Tensor? {
        guard context.training, trainable, let runningMean, let runningVar else { return nil }
        guard
            let output = inputs[0].channelBlockedBatchNorm(
                weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                momentum: nextBatchWeight, eps: epsilon, thenReLU: thenReLU)
        else { return nil }
        batchesTracked += 1
        return output
    }

    /// Per channel (scale, shift) with which evaluation mode computes `x·scale + shift`: the running statistics and the
    /// affine parameters combined, for folding into the convolution before this layer.
    func evaluationAffine() throws -> (scale: [Float], shift: [Float]) {
        guard let runningMean, let runningVar else { throw KernelError.invalidArgument(op: "", message: "used before being built") }
        let coefficients = BatchNormCoefficients(evaluation: runningMean, runningVar: runningVar, weight: weight, bias: bias, eps: epsilon)
        return (coefficients.scale, coefficients.shift)
    }

    override public var weights: [NamedTensor] {
        [weight.map { NamedTensor(name: "weight", tensor: $0) }, bias.map { NamedTensor(name: "bias", tensor: $0) }].compactMap { $0 }
    }

    override public var buffers: [NamedTensor] {
        [runningMean.map { NamedTensor(name: "running_mean", tensor: $0) }, runningVar.map { NamedTensor(name: "running_var", tensor: $0) }]
            .compactMap { $0 }
    }
}

extension BatchNormalization: ChannelBlockedCapable, FusesFollowingReLU, BackwardValueUse {
    func fusesReLU(inputCount: Int) -> Bool { true }
    /// The input gradient reads the normalised input.
    var backwardReadsInputValues: Bool { true }
    var backwardKeepsOutputValues: Bool { false }
}
