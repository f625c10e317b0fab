/// The first and second moment estimates shared by `Adam` and `AdamW`, and their update,
/// following `torch.optim.Adam`'s single-tensor implementation step for step.
struct AdamMoments {
    /// β₂, the decay of the squared-gradient average (β₁ lives in each group's `momentum`).
    let beta2: Double
    /// Added to the denominator for numerical stability.
    let epsilon: Double
    private var expAvg: [String: [Float]] = [:]
    private var expAvgSq: [String: [Float]] = [:]
    private var steps: [String: Int] = [:]

    init(beta2: Double, epsilon: Double, op: String, beta1: Double) throws {
        guard beta1 >= 0, beta1 < 1 else {
            throw KernelError.invalidArgument(op: op, message: "β₁ must be in [0, 1), found \(beta1)")
        }
        guard beta2 >= 0, beta2 < 1 else {
            throw KernelError.invalidArgument(op: op, message: "β₂ must be in [0, 1), found \(beta2)")
        }
        guard epsilon >= 0, epsilon.isFinite else {
            throw KernelError.invalidArgument(op: op, message: "epsilon must be a finite number ≥ 0, found \(epsilon)")
        }
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// One update of every parameter with a gradient. `decoupled` selects AdamW's decay
    /// (`p ← p·(1 − lr·wd)` before the step) instead of Adam's L2 term added to the gradient.
    mutating func step(_ groups: [OptimizerGroup], decoupled: Bool) {
        for group in groups {
            let beta1 = group.momentum
            let decay = Float(group.weightDecay)
            for p in group.parameters {
                guard let grad = p.tensor.grad else { continue }
                let step = (steps[p.name] ?? 0) + 1
                steps[p.name] = step
                var g = grad.data
                if decoupled {
                    let shrink = Float(1 - group.learningRate * group.weightDecay)
                    if shrink != 1 {
                        p.tensor.data.withUnsafeMutableBufferPointer { x in
                            for i in 0..<x.count { x[i] *= shrink }
                        }
                    }
                } else if decay != 0 {
                    let values = p.tensor.data
                    for i in g.indices { g[i] += decay * values[i] }
                }
                var m = expAvg[p.name] ?? [Float](repeating: 0, count: g.count)
                var v = expAvgSq[p.name] ?? [Float](repeating: 0, count: g.count)
                let oneMinusBeta1 = Float(1 - beta1)
                let beta2f = Float(beta2), oneMinusBeta2 = Float(1 - beta2)
                for i in g.indices {
                    m[i] += oneMinusBeta1 * (g[i] - m[i])
                    v[i] = beta2f * v[i] + oneMinusBeta2 * g[i] * g[i]
                }
                let biasCorrection1 = 1 - pow(beta1, Double(step))
                let biasCorrection2Sqrt = (1 - pow(beta2, Double(step))).squareRoot()
                let stepSize = Float(group.learningRate / biasCorrection1)
                let sqrtCorrection = Float(biasCorrection2Sqrt)
                let eps = Float(epsilon)
                p.tensor.data.withUnsafeMutableBufferPointer { x in
                    for i in 0..<x.count {
                        let denominator = v[i].squareRoot() / sqrtCorrection + eps
                        x[i] -= stepSize * (m[i] / denominator)
                    }
                }
                expAvg[p.name] = m
                expAvgSq[p.name] = v
            }
        }
    }

    /// The moments and step counts as checkpointable tensors and numbers.
    func export(_ parameters: [NamedTensor]) -> (buffers: [String: Tensor], steps: [String: Int]) {
        var buffers: [String: Tensor] = [:]
        for p in parameters {
            if let m = expAvg[p.name] { buffers[OptimizerState.key("exp_avg", p.name)] = Tensor(unchecked: p.tensor.shape, data: m) }
            if let v = expAvgSq[p.name] { buffers[OptimizerState.key("exp_avg_sq", p.name)] = Tensor(unchecked: p.tensor.shape, data: v) }
        }
        return (buffers, steps)
    }

    /// Replaces the moments with those of an already validated state.
    mutating func restore(_ state: OptimizerState) {
        expAvg = [:]
        expAvgSq = [:]
        for (key, tensor) in state.buffers {
            guard let (buffer, name) = OptimizerState.split(key) else { continue }
            if buffer == "exp_avg" { expAvg[name] = tensor.data } else { expAvgSq[name] = tensor.data }
        }
        steps = state.steps
    }

    /// Buffer names this state may contain.
    static let bufferNames: Set<String> = ["exp_avg", "exp_avg_sq"]
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
