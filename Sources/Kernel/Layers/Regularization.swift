/// Zeroes each element with probability `rate` in training and scales the rest by 1/(1 − rate)
/// (inverted dropout, as Keras's `Dropout` and PyTorch's `nn.Dropout`); the identity in evaluation.
public final class Dropout: Layer {
    /// The probability of dropping an element, in [0, 1).
    public let rate: Float

    /// A dropout layer.
    public init(rate: Float, name: String? = nil) throws {
        self.rate = rate
        try super.init(name: name)
        guard rate >= 0, rate < 1 else { throw KernelError.invalidArgument(op: "Dropout", message: "rate must be in [0, 1), found \(rate)") }
    }

    override public var typeName: String { "Dropout" }
    override var baseName: String { "dropout" }
    override var configuration: String { "rate \(rate)" }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        try inputs[0].dropout(p: rate, training: context.training, generator: context.generator)
    }
}

/// Stochastic depth (Huang et al., 2016) on a residual branch: in training the branch survives with probability
/// `survivalProbability` and is otherwise replaced by zeros; in evaluation it is scaled by `survivalProbability`,
/// the paper's test-time rule, so the expected contribution matches. Place it on the branch, before the `Add`.
///
/// In a `Model` whose gate feeds only a sum (`Add`, as in every ResNet block), a per-batch draw happens before the
/// branch runs, and a dropped branch is skipped: none of its layers runs forward or backward (their weights get no
/// gradient, their batch norms keep their statistics) and the block's output is its shortcut, which is what makes
/// training faster. Per sample, the branch always runs and each sample's part of it is multiplied by 0 or 1.
public final class StochasticDepth: Layer {
    /// Whether one draw decides for the whole batch (the paper) or each sample draws its own.
    public enum Mode: String {
        /// One Bernoulli draw per batch; a dropped branch is not computed.
        case batch
        /// One Bernoulli draw per sample; the branch is computed and masked.
        case sample
    }

    /// The probability that the branch is kept in a training step, in (0, 1].
    public let survivalProbability: Float
    /// Per batch or per sample.
    public let mode: Mode

    /// A stochastic-depth gate keeping the branch with probability `survivalProbability`.
    public init(survivalProbability: Float, mode: Mode = .batch, name: String? = nil) throws {
        self.survivalProbability = survivalProbability
        self.mode = mode
        try super.init(name: name)
        guard survivalProbability > 0, survivalProbability <= 1 else {
            throw KernelError.invalidArgument(op: "StochasticDepth", message: "survival probability must be in (0, 1], found \(survivalProbability)")
        }
    }

    override public var typeName: String { "StochasticDepth" }
    override var baseName: String { "stochastic_depth" }
    override var configuration: String { "survival \(survivalProbability), per \(mode.rawValue)" }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        let x = inputs[0]
        guard survivalProbability < 1 else { return x }
        guard context.training else { return x * survivalProbability }
        if let keep = drawKeep(context: context) { return keep ? x : x * 0 }
        guard x.rank >= 1 else { return x }
        let keep = (0..<x.shape[0]).map { _ in context.generator.uniform() < survivalProbability ? Float(1) : 0 }
        let mask = try Tensor(shape: [x.shape[0]] + [Int](repeating: 1, count: x.rank - 1), data: keep)
        return try x * mask
    }
}

extension StochasticDepth: DropsWholeInput, ChannelBlockedCapable {
    func drawKeep(context: ForwardContext) -> Bool? {
        guard context.training, mode == .batch, survivalProbability < 1 else { return nil }
        return context.generator.uniform() < survivalProbability
    }

    /// Per batch the gate passes its input on in any layout (or zeros when a model could not skip the branch).
    var readsChannelBlocks: Bool { mode == .batch }

    func forwardChannelBlocked(_ inputs: [Tensor], context: ForwardContext, thenReLU: Bool, preferBlockedOutput: Bool) throws -> Tensor? {
        guard mode == .batch, !thenReLU else { return nil }
        let x = inputs[0]
        guard let keep = drawKeep(context: context) else { return survivalProbability < 1 ? nil : x }
        return keep ? x : try x.reordered(to: .plain) * 0
    }
}
