/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay,
/// computed exactly as `torch.optim.SGD`:
///
///     g ← grad + weightDecay·p
///     b ← g (first step) or momentum·b + (1 − dampening)·g
///     g ← g + momentum·b (Nesterov) or b
///     p ← p − lr·g
public final class SGD: Optimizer {
    /// Tag stored with the state in checkpoints.
    public let kind = "sgd"
    /// The parameter groups with their current hyper-parameters.
    public var groups: [OptimizerGroup]
    /// Fraction of the new gradient withheld from the momentum buffer (0 in most recipes).
    public let dampening: Double
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// Momentum buffers by parameter name, created on a parameter's first update.
    private var momentumBuffers: [String: [Float]] = [:]

    /// SGD over one group of `parameters`.
    public convenience init(_ parameters: [NamedTensor], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false) throws {
        try self.init(groups: [ParameterGroup(name: "all", parameters: parameters)], learningRate: learningRate, momentum: momentum,
                      dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    /// SGD over parameter groups; a group's own `weightDecay` overrides `weightDecay`.
    public init(groups: [ParameterGroup], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) throws {
        guard momentum >= 0, momentum.isFinite else {
            throw KernelError.invalidArgument(op: "SGD", message: "momentum must be a finite number ≥ 0, found \(momentum)")
        }
        guard dampening >= 0, dampening <= 1 else {
            throw KernelError.invalidArgument(op: "SGD", message: "dampening must be in [0, 1], found \(dampening)")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw KernelError.invalidArgument(op: "SGD", message: "Nesterov momentum requires a momentum > 0 and zero dampening")
        }
        self.groups = try SGD.resolve(groups, op: "SGD", learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        self.dampening = dampening
        self.nesterov = nesterov
    }

    /// Applies one update, as in the formula above, to every parameter that has a gradient.
    public func step() throws {
        for group in groups {
            let lr = Float(group.learningRate)
            let decay = Float(group.weightDecay)
            let momentum = Float(group.momentum)
            let keep = Float(1 - dampening)
            for p in group.parameters {
                guard let grad = p.tensor.grad else { continue }
                var d = grad.data
                let values = p.tensor.data
                if decay != 0 {
                    for i in d.indices { d[i] += decay * values[i] }
                }
                if momentum != 0 {
                    var buffer: [Float]
                    if let previous = momentumBuffers[p.name] {
                        buffer = previous
                        for i in buffer.indices { buffer[i] = momentum * buffer[i] + keep * d[i] }
                    } else {
                        buffer = d
                    }
                    momentumBuffers[p.name] = buffer
                    if nesterov {
                        for i in d.indices { d[i] += momentum * buffer[i] }
                    } else {
                        d = buffer
                    }
                }
                p.tensor.data.withUnsafeMutableBufferPointer { x in
                    for i in 0..<x.count { x[i] -= lr * d[i] }
                }
            }
        }
    }

    /// The per-parameter buffers, step counts and group hyper-parameters.
    public func exportState() -> OptimizerState {
        var buffers: [String: Tensor] = [:]
        for p in parameters {
            if let b = momentumBuffers[p.name] { buffers[OptimizerState.key("momentum_buffer", p.name)] = Tensor(unchecked: p.tensor.shape, data: b) }
        }
        return OptimizerState(kind: kind, groups: groupHyperParameters, buffers: buffers, steps: [:])
    }

    /// Restores a state exported by an optimizer of the same kind over parameters with the same names and shapes.
    public func importState(_ state: OptimizerState) throws {
        try importCommon(state, bufferNames: ["momentum_buffer"])
        var restored: [String: [Float]] = [:]
        for (key, tensor) in state.buffers {
            if let (_, name) = OptimizerState.split(key) { restored[name] = tensor.data }
        }
        momentumBuffers = restored
    }
}
