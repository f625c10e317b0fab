// Parameters are `NamedTensor`s (Sources/Kernel/IO): names key optimizer state in checkpoints,
// so within one optimizer they must be unique.

/// Parameters that should be trained with their own weight decay or learning-rate multiplier,
/// like one entry of PyTorch's `param_groups` before the optimizer fills in its defaults.
public struct ParameterGroup {
    /// A label shown in summaries (`decay`, `no_decay`, `head`…).
    public var name: String
    /// The tensors of this group.
    public var parameters: [NamedTensor]
    /// Weight decay for this group; `nil` takes the optimizer's.
    public var weightDecay: Double?
    /// The group's learning rate is the optimizer's (or the schedule's) value times this factor,
    /// which gives discriminative learning rates for free.
    public var lrScale: Double

    /// A group of `parameters`; leave `weightDecay` nil to use the optimizer's.
    public init(name: String, parameters: [NamedTensor], weightDecay: Double? = nil, lrScale: Double = 1) {
        self.name = name
        self.parameters = parameters
        self.weightDecay = weightDecay
        self.lrScale = lrScale
    }

    /// Whether the common recipe exempts `parameter` from weight decay: biases and every
    /// tensor of rank ≤ 1 (batch-norm scales and shifts), as timm and fastai do.
    public static func isExemptFromWeightDecay(_ parameter: NamedTensor) -> Bool {
        parameter.tensor.rank <= 1 || parameter.name.hasSuffix("bias")
    }

    /// Splits `parameters` into a `decay` group (weight decay `weightDecay`) and a `no_decay` group
    /// (weight decay 0) for the tensors `isExempt` selects; empty groups are left out.
    public static func splitByWeightDecay(
        _ parameters: [NamedTensor],
        weightDecay: Double,
        isExempt: (NamedTensor) -> Bool = ParameterGroup.isExemptFromWeightDecay
    ) -> [ParameterGroup] {
        let exempt = parameters.filter(isExempt)
        let decayed = parameters.filter { !isExempt($0) }
        var groups: [ParameterGroup] = []
        if !decayed.isEmpty { groups.append(ParameterGroup(name: "decay", parameters: decayed, weightDecay: weightDecay)) }
        if !exempt.isEmpty { groups.append(ParameterGroup(name: "no_decay", parameters: exempt, weightDecay: 0)) }
        return groups
    }
}

/// A parameter group as the optimizer uses it: every hyper-parameter resolved.
/// Schedules overwrite `learningRate` and `momentum` before each step.
public struct OptimizerGroup {
    /// The label from the `ParameterGroup`.
    public let name: String
    /// The tensors this group updates.
    public let parameters: [NamedTensor]
    /// The learning rate used by the next `step()`.
    public var learningRate: Double
    /// SGD's momentum, or Adam's β₁.
    public var momentum: Double
    /// L2 penalty (SGD, Adam) or decoupled decay (AdamW).
    public var weightDecay: Double
    /// Multiplier applied when a schedule sets the learning rate.
    public let lrScale: Double
}

extension Optimizer {
    /// Resolves `groups` against the optimizer defaults, rejecting duplicate names and bad values.
    static func resolve(_ groups: [ParameterGroup], op: String, learningRate: Double, momentum: Double, weightDecay: Double) throws
        -> [OptimizerGroup]
    {
        guard learningRate >= 0, learningRate.isFinite else {
            throw KernelError.invalidArgument(op: op, message: "learning rate must be a finite number ≥ 0, found \(learningRate)")
        }
        var seen = Set<String>()
        var resolved: [OptimizerGroup] = []
        for group in groups {
            let decay = group.weightDecay ?? weightDecay
            guard decay >= 0, decay.isFinite else {
                throw KernelError.invalidArgument(
                    op: op, message: "weight decay of group '\(group.name)' must be a finite number ≥ 0, found \(decay)")
            }
            guard group.lrScale >= 0, group.lrScale.isFinite else {
                throw KernelError.invalidArgument(
                    op: op, message: "lrScale of group '\(group.name)' must be a finite number ≥ 0, found \(group.lrScale)")
            }
            for p in group.parameters {
                guard seen.insert(p.name).inserted else {
                    throw KernelError.invalidArgument(
                        op: op, message: "parameter '\(p.name)' appears twice; each parameter may belong to one group only")
                }
            }
            resolved.append(
                OptimizerGroup(
                    name: group.name, parameters: group.parameters, learningRate: learningRate * group.lrScale,
                    momentum: momentum, weightDecay: decay, lrScale: group.lrScale))
        }
        return resolved
    }
}
