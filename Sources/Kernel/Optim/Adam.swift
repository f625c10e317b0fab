/// Adam with bias correction and L2 weight decay added to the gradient, computed as `torch.optim.Adam`:
///
///     g ← grad + weightDecay·p
///     m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²
///     p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// β₁ is each group's `momentum`, so one-cycle's momentum schedule cycles it. `AdamW` is this optimizer with the decay
/// decoupled from the gradient, as `torch.optim.AdamW` subclasses `Adam`.
public class Adam: Optimizer {
    /// Tag stored with the state in checkpoints (`adam`, `adamw`).
    public let kind: String
    /// The parameter groups with their current hyper-parameters.
    public var groups: [OptimizerGroup]
    private var moments: AdamMoments
    /// Whether weight decay shrinks the parameters directly (AdamW) instead of joining the gradient.
    private let decoupled: Bool

    /// Adam over one group of `parameters` (PyTorch defaults: β = (0.9, 0.999), ε = 1e-8, no weight decay).
    public convenience init(
        _ parameters: [NamedTensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 0
    ) throws {
        try self.init(
            groups: [ParameterGroup(name: "all", parameters: parameters)], learningRate: learningRate, betas: betas,
            epsilon: epsilon, weightDecay: weightDecay)
    }

    /// Adam over parameter groups; a group's own `weightDecay` overrides `weightDecay`.
    public convenience init(
        groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 0
    ) throws {
        try self.init(groups: groups, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
    }

    /// The optimizer of either kind; errors name it `Adam` or `AdamW`.
    init(groups: [ParameterGroup], learningRate: Double, betas: (Double, Double), epsilon: Double, weightDecay: Double, decoupled: Bool) throws {
        let op = decoupled ? "AdamW" : "Adam"
        kind = op.lowercased()
        self.decoupled = decoupled
        moments = try AdamMoments(beta2: betas.1, epsilon: epsilon, op: op, beta1: betas.0)
        self.groups = try Adam.resolve(groups, op: op, learningRate: learningRate, momentum: betas.0, weightDecay: weightDecay)
    }

    /// Applies one update, as in the formula above (AdamW's, for an `AdamW`), to every parameter that has a gradient.
    public func step() throws {
        moments.step(groups, decoupled: decoupled)
    }

    /// The per-parameter buffers, step counts and group hyper-parameters.
    public func exportState() -> OptimizerState {
        let (buffers, steps) = moments.export(parameters)
        return OptimizerState(kind: kind, groups: groupHyperParameters, buffers: buffers, steps: steps)
    }

    /// Restores a state exported by an optimizer of the same kind over parameters with the same names and shapes.
    public func importState(_ state: OptimizerState) throws {
        try importCommon(state, bufferNames: AdamMoments.bufferNames)
        moments.restore(state)
    }
}
