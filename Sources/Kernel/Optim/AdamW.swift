/// Adam with decoupled weight decay (Loshchilov & Hutter), computed as `torch.optim.AdamW`:
/// first `p ← p·(1 − lr·weightDecay)`, then the Adam step on the raw gradient.
public final class AdamW: Optimizer {
    /// Tag stored with the state in checkpoints.
    public let kind = "adamw"
    /// The parameter groups with their current hyper-parameters.
    public var groups: [OptimizerGroup]
    private var moments: AdamMoments

    /// AdamW over one group of `parameters` (PyTorch defaults: β = (0.9, 0.999), ε = 1e-8, weight decay 0.01).
    public convenience init(_ parameters: [NamedTensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            epsilon: Double = 1e-8, weightDecay: Double = 0.01) throws {
        try self.init(groups: [ParameterGroup(name: "all", parameters: parameters)], learningRate: learningRate, betas: betas,
                      epsilon: epsilon, weightDecay: weightDecay)
    }

    /// AdamW over parameter groups; a group's own `weightDecay` overrides `weightDecay`.
    public init(groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0.01) throws {
        moments = try AdamMoments(beta2: betas.1, epsilon: epsilon, op: "AdamW", beta1: betas.0)
        self.groups = try AdamW.resolve(groups, op: "AdamW", learningRate: learningRate, momentum: betas.0, weightDecay: weightDecay)
    }

    /// Applies one update, as in the formula above, to every parameter that has a gradient.
    public func step() throws {
        moments.step(groups, decoupled: true)
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
