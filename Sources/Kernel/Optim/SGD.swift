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
    public convenience init(
        _ parameters: [NamedTensor], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) throws {
        try self.init(
            groups: [ParameterGroup(name: "all", parameters: parameters)], learningRate: learningRate, momentum: momentum,
            dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    /// SGD over parameter groups; a group's own `weightDecay` overrides `weightDecay`.
    public init(
        groups: [ParameterGroup], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) throws {
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
                guard let grad = p.tensor.grad, grad.count == p.tensor.count else { continue }
                // A parameter's first momentum step starts its buffer from the gradient itself.
                let fresh = momentum != 0 && momentumBuffers[p.name] == nil
                if fresh { momentumBuffers[p.name] = [Float](repeating: 0, count: p.tensor.count) }
                // Updated in place with the same operations in the same order as the formula: no copy of the gradient
                // or of the momentum buffer per step.
                grad.data.withUnsafeBufferPointer { gb in
                    p.tensor.data.withUnsafeMutableBufferPointer { xb in
                        guard let g = gb.baseAddress, let x = xb.baseAddress else { return }
                        let n = xb.count
                        guard momentum != 0 else {
                            SGD.descend(x, g, n, lr: lr, decay: decay)
                            return
                        }
                        momentumBuffers[p.name]?.withUnsafeMutableBufferPointer { bb in
                            guard let buffer = bb.baseAddress else { return }
                            SGD.descendWithMomentum(
                                x, g, buffer, n, lr: lr, decay: decay, momentum: momentum, keep: keep,
                                fresh: fresh, nesterov: nesterov)
                        }
                    }
                }
            }
        }
    }

    /// x ← x − lr·(g + decay·x), with the decay term only when `decay` is not 0 (as the formula's `if`).
    private static func descend(_ x: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, lr: Float, decay: Float) {
        if decay != 0 {
            for i in 0..<n { x[i] -= lr * (g[i] + decay * x[i]) }
        } else {
            for i in 0..<n { x[i] -= lr * g[i] }
        }
    }

    /// The momentum update of the formula: the buffer starts as the (decayed) gradient when `fresh`, else
    /// b ← momentum·b + keep·g; then x ← x − lr·(g + momentum·b) (Nesterov) or x ← x − lr·b.
    /// Each case is its own loop so the compiler vectorises it.
    private static func descendWithMomentum(
        _ x: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>,
        _ n: Int, lr: Float, decay: Float, momentum: Float, keep: Float, fresh: Bool, nesterov: Bool
    ) {
        switch (decay != 0, fresh, nesterov) {
        case (true, true, true):
            for i in 0..<n {
                let d = g[i] + decay * x[i]
                b[i] = d
                x[i] -= lr * (d + momentum * d)
            }
        case (true, true, false):
            for i in 0..<n {
                let d = g[i] + decay * x[i]
                b[i] = d
                x[i] -= lr * d
            }
        case (true, false, true):
            for i in 0..<n {
                let d = g[i] + decay * x[i]
                let m = momentum * b[i] + keep * d
                b[i] = m
                x[i] -= lr * (d + momentum * m)
            }
        case (true, false, false):
            for i in 0..<n {
                let d = g[i] + decay * x[i]
                let m = momentum * b[i] + keep * d
                b[i] = m
                x[i] -= lr * m
            }
        case (false, true, true):
            for i in 0..<n {
                let d = g[i]
                b[i] = d
                x[i] -= lr * (d + momentum * d)
            }
        case (false, true, false):
            for i in 0..<n {
                let d = g[i]
                b[i] = d
                x[i] -= lr * d
            }
        case (false, false, true):
            for i in 0..<n {
                let d = g[i]
                let m = momentum * b[i] + keep * d
                b[i] = m
                x[i] -= lr * (d + momentum * m)
            }
        case (false, false, false):
            for i in 0..<n {
                let m = momentum * b[i] + keep * g[i]
                b[i] = m
                x[i] -= lr * m
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
