/// Adam with decoupled weight decay (Loshchilov & Hutter), computed as `torch.optim.AdamW`:
/// first `p ← p·(1 − lr·weightDecay)`, then the Adam step on the raw gradient.
public final class AdamW: Adam {
    /// AdamW over one group of `parameters` (PyTorch defaults: β = (0.9, 0.999), ε = 1e-8, weight decay 0.01).
    public convenience init(
        _ parameters: [NamedTensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 0.01
    ) throws {
        try self.init(
            groups: [ParameterGroup(name: "all", parameters: parameters)], learningRate: learningRate, betas: betas,
            epsilon: epsilon, weightDecay: weightDecay)
    }

    /// AdamW over parameter groups; a group's own `weightDecay` overrides `weightDecay`.
    public init(
        groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 0.01
    ) throws {
        try super.init(groups: groups, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }
}
