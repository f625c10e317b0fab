import Basics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a loss combines the losses of single samples or elements, as PyTorch's `reduction=`.
public enum LossReduction: String, Sendable, CaseIterable {
    /// The (weighted) mean: a scalar.
    case mean
    /// The sum: a scalar.
    case sum
    /// No reduction: one loss per sample (classification) or per element (regression).
    case none
}

// The losses of `torch.nn.functional`, each with PyTorch's definition, options and gradients.
extension Loss {
    /// `torch.nn.functional.cross_entropy` for logits `[N, K]` and class indices: log-softmax, then the weighted negative
    /// log-likelihood mixed with label smoothing ε as PyTorch computes it,
    /// ℓₙ = (1 − ε)·w[yₙ]·(−log pₙ,yₙ) + ε/K·Σₖ wₖ·(−log pₙ,ₖ), zero for samples whose target is `ignoreIndex`;
    /// `mean` divides the sum by Σ w[yₙ] over the samples not ignored.
    public static func crossEntropy(
        logits: Tensor, targets: [Int], labelSmoothing: Float = 0, reduction: LossReduction, weight: [Float]? = nil,
        ignoreIndex: Int? = nil
    ) throws -> Tensor {
        let op = "cross_entropy"
        let (_, classes) = try checkTargets(logits, targets, weight: weight, ignoreIndex: ignoreIndex, op: op, input: "logits")
        guard labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw KernelError.invalidArgument(op: op, message: "label smoothing must be in [0, 1], found \(labelSmoothing)")
        }
        // The common case is the training loss, fused with its gradient.
        if reduction == .mean, weight == nil, !targets.contains(where: { $0 == ignoreIndex }), !targets.isEmpty {
            return try crossEntropy(logits: logits, targets: targets, labelSmoothing: labelSmoothing)
        }
        let logProbs = try logits.logSoftmax(axis: 1)
        let likelihood = try nll(logProbabilities: logProbs, targets: targets, reduction: reduction, weight: weight, ignoreIndex: ignoreIndex)
        guard labelSmoothing > 0 else { return likelihood }
        // −Σₖ wₖ·log pₙ,ₖ per sample, with ignored samples weighted 0.
        var classWeights = [Float](repeating: 0, count: logits.count)
        for (n, target) in targets.enumerated() where target != ignoreIndex {
            for k in 0..<classes { classWeights[n * classes + k] = weight?[k] ?? 1 }
        }
        let smooth = -(try (logProbs * Tensor(unchecked: logits.shape, data: classWeights)).sum(axes: [1]))
        let smoothReduced: Tensor
        switch reduction {
        case .none: smoothReduced = smooth
        case .sum: smoothReduced = smooth.sum()
        case .mean: smoothReduced = smooth.sum() / Float(targetWeightSum(targets, weight: weight, ignoreIndex: ignoreIndex))
        }
        return try (1 - labelSmoothing) * likelihood + (labelSmoothing / Float(classes)) * smoothReduced
    }

    /// `torch.nn.functional.nll_loss` for log-probabilities `[N, K]`: ℓₙ = −w[yₙ]·xₙ,yₙ, zero for samples whose target is
    /// `ignoreIndex`; `mean` divides by Σ w[yₙ] over the samples not ignored (NaN when every sample is ignored, as PyTorch).
    public static func nll(
        logProbabilities input: Tensor, targets: [Int], reduction: LossReduction, weight: [Float]? = nil, ignoreIndex: Int? = nil
    ) throws -> Tensor {
        let op = "nll_loss"
        let (batch, classes) = try checkTargets(input, targets, weight: weight, ignoreIndex: ignoreIndex, op: op, input: "input")
        // The weight of each sample's term: w[yₙ], or 0 for an ignored sample.
        let sampleWeights = targets.map { $0 == ignoreIndex ? Float(0) : weight?[$0] ?? 1 }
        let losses = (0..<batch).map { n in sampleWeights[n] == 0 ? 0 : -sampleWeights[n] * input.data[n * classes + targets[n]] }
        let divisor = reduction == .mean ? Float(targetWeightSum(targets, weight: weight, ignoreIndex: ignoreIndex)) : 1
        let out: Tensor
        switch reduction {
        case .none: out = Tensor(unchecked: [batch], data: losses)
        case .sum, .mean: out = Tensor(unchecked: [], data: [Float(losses.reduce(0.0) { $0 + Double($1) }) / divisor])
        }
        return out.record(op, inputs: [input]) { g in
            var dx = [Float](repeating: 0, count: batch * classes)
            for n in 0..<batch where sampleWeights[n] != 0 {
                dx[n * classes + targets[n]] = -sampleWeights[n] * (reduction == .none ? g[n] : g[0] / divisor)
            }
            input.accumulateGrad(dx)
        }
    }

    /// `torch.nn.functional.mse_loss`: (input − target)² per element, reduced.
    public static func mse(_ input: Tensor, _ target: Tensor, reduction: LossReduction) throws -> Tensor {
        try elementwise(input, target, reduction: reduction, op: "mse_loss") { x, y, _ in
            let d = x - y
            return (d * d, 2 * d, -2 * d)
        }
    }

    /// `torch.nn.functional.l1_loss`: |input − target| per element, reduced; the gradient is sign(input − target) (0 at 0).
    public static func l1(_ input: Tensor, _ target: Tensor, reduction: LossReduction) throws -> Tensor {
        try elementwise(input, target, reduction: reduction, op: "l1_loss") { x, y, _ in
            let d = x - y
            let sign: Float = d > 0 ? 1 : d < 0 ? -1 : 0
            return (Swift.abs(d), sign, -sign)
        }
    }

    /// `torch.nn.functional.binary_cross_entropy_with_logits`, in PyTorch's stable form
    /// ℓ = (1 − y)·x + (1 + (p − 1)·y)·softplus(−x), where p is `posWeight` (a tensor over the last dimension, one value
    /// per class, or a single value), which weighs the positive examples.
    public static func binaryCrossEntropyWithLogits(
        _ input: Tensor, _ target: Tensor, posWeight: Tensor? = nil, reduction: LossReduction
    ) throws -> Tensor {
        let op = "binary_cross_entropy_with_logits"
        let classes = input.shape.last ?? 1
        if let posWeight {
            try posWeight.requirePlainLayout(op: op)
            guard posWeight.count == 1 || (posWeight.rank == 1 && posWeight.count == classes) else {
                throw KernelError.shapeMismatch(
                    op: op, expected: "pos_weight with 1 value or one per class (\(classes), the input's last dimension)",
                    found: "pos_weight \(shapeString(posWeight.shape))")
            }
        }
        let weights = posWeight?.data
        return try elementwise(input, target, reduction: reduction, op: op) { x, y, i in
            let p = weights.map { $0.count == 1 ? $0[0] : $0[i % classes] } ?? 1
            let logWeight = 1 + (p - 1) * y
            // softplus(−x) = log(1 + e^(−x)), written so that e^(−x) never overflows.
            let softplus = log1pf(expf(-Swift.abs(x))) + Swift.max(-x, 0)
            let sigmoidOfNegative = x >= 0 ? expf(-x) / (1 + expf(-x)) : 1 / (1 + expf(x))
            return ((1 - y) * x + logWeight * softplus, (1 - y) - logWeight * sigmoidOfNegative, -x + (p - 1) * softplus)
        }
    }

    /// A loss of two same-shaped tensors computed element by element: `term(x, y, index)` gives the loss and its partial
    /// derivatives with respect to x and y. Gradients flow to whichever of the two requires them.
    private static func elementwise(
        _ input: Tensor, _ target: Tensor, reduction: LossReduction, op: String,
        _ term: (Float, Float, Int) -> (loss: Float, dInput: Float, dTarget: Float)
    ) throws -> Tensor {
        try input.requirePlainLayout(op: op)
        try target.requirePlainLayout(op: op)
        guard input.shape == target.shape else {
            throw KernelError.shapeMismatch(
                op: op, expected: "target of the input's shape \(shapeString(input.shape))", found: "target \(shapeString(target.shape))")
        }
        var losses = [Float](repeating: 0, count: input.count)
        var dInput = losses, dTarget = losses
        for i in 0..<input.count {
            (losses[i], dInput[i], dTarget[i]) = term(input.data[i], target.data[i], i)
        }
        let out: Tensor
        let scale: Float
        switch reduction {
        case .none:
            out = Tensor(unchecked: input.shape, data: losses)
            scale = 1
        case .sum:
            out = Tensor(unchecked: [], data: [Float(losses.reduce(0.0) { $0 + Double($1) })])
            scale = 1
        case .mean:
            // As PyTorch: the mean of no elements is NaN.
            scale = 1 / Float(input.count)
            out = Tensor(unchecked: [], data: [Float(losses.reduce(0.0) { $0 + Double($1) } / Double(input.count))])
        }
        return out.record(op, inputs: [input, target]) { g in
            func chained(_ partial: [Float]) -> [Float] {
                reduction == .none ? zip(partial, g).map { $0 * $1 } : partial.map { $0 * g[0] * scale }
            }
            if input.requiresGrad { input.accumulateGrad(chained(dInput)) }
            if target.requiresGrad { target.accumulateGrad(chained(dTarget)) }
        }
    }

    /// Checks `[N, K]` scores against N targets, each in `0..<K` or equal to `ignoreIndex`, and `weight` (K finite
    /// values ≥ 0); returns (N, K).
    private static func checkTargets(
        _ scores: Tensor, _ targets: [Int], weight: [Float]?, ignoreIndex: Int?, op: String, input: String
    ) throws -> (Int, Int) {
        try scores.requirePlainLayout(op: op)
        try NNChecks.requireRank(scores, [2], op: op, layout: "[N, classes]", name: input)
        let (batch, classes) = (scores.shape[0], scores.shape[1])
        guard targets.count == batch else {
            throw KernelError.shapeMismatch(
                op: op, expected: "\(batch) targets for \(input) \(shapeString(scores.shape))", found: "\(targets.count) targets")
        }
        if let bad = targets.firstIndex(where: { ($0 < 0 || $0 >= classes) && $0 != ignoreIndex }) {
            throw KernelError.invalidArgument(
                op: op,
                message: "target \(targets[bad]) (sample \(bad)) is out of range for \(Plural.count(classes, "class")) (expected 0...\(classes - 1))")
        }
        if let weight {
            guard weight.count == classes else {
                throw KernelError.shapeMismatch(op: op, expected: "weight with one value per class (\(classes))", found: "\(weight.count) values")
            }
            if let bad = weight.first(where: { !$0.isFinite || $0 < 0 }) {
                throw KernelError.invalidArgument(op: op, message: "class weights must be finite and ≥ 0, found \(bad)")
            }
        }
        return (batch, classes)
    }

    /// Σ w[yₙ] over the samples not ignored: the divisor of a `mean` reduction.
    private static func targetWeightSum(_ targets: [Int], weight: [Float]?, ignoreIndex: Int?) -> Double {
        targets.reduce(0.0) { total, target in target == ignoreIndex ? total : total + Double(weight?[target] ?? 1) }
    }
}
