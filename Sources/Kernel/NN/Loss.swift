import Basics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loss functions, PyTorch conventions: `Loss.crossEntropy(logits:targets:)`, `Loss.mse(_:_:)`, and
/// `Loss.crossEntropyPerSample(logits:targets:)` for ranking examples by loss (no tape).
public enum Loss {
    /// Mean cross-entropy of `logits` `[N, K]` against class indices `targets` (N of them, each in `0..<K`).
    ///
    /// With `labelSmoothing` ε the target distribution is (1 − ε)·one-hot + ε/K (PyTorch's formula), so the loss of a sample is
    /// (1 − ε)·(−log p_target) + ε/K·Σₖ(−log pₖ). Gradient flows to `logits`.
    public static func crossEntropy(logits: Tensor, targets: [Int], labelSmoothing: Float = 0) throws -> Tensor {
        try logits.requirePlainLayout(op: "cross_entropy")
        let op = "cross_entropy"
        let (batch, classes) = try checkClassification(logits, targets, op: op)
        guard labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw KernelError.invalidArgument(op: op, message: "label smoothing must be in [0, 1], found \(labelSmoothing)")
        }
        guard batch > 0 else {
            throw KernelError.invalidArgument(op: op, message: "the batch is empty (logits \(shapeString(logits.shape)))")
        }
        let logProbs = SoftmaxKernel.forward(logits.data, outer: batch, length: classes, inner: 1, log: true)
        let onTarget = 1 - labelSmoothing, uniform = labelSmoothing / Float(classes)
        var total = 0.0
        for n in 0..<batch {
            let row = n * classes
            var loss = -onTarget * logProbs[row + targets[n]]
            if uniform > 0 {
                var sum: Float = 0
                for k in 0..<classes { sum += logProbs[row + k] }
                loss -= uniform * sum
            }
            total += Double(loss)
        }
        let out = Tensor(unchecked: [], data: [Float(total / Double(batch))])
        return out.record(op, inputs: [logits]) { g in
            // d/dlogits = (softmax − target distribution) / N
            let scale = g[0] / Float(batch)
            var dx = [Float](repeating: 0, count: logProbs.count)
            for n in 0..<batch {
                let row = n * classes
                for k in 0..<classes { dx[row + k] = (expf(logProbs[row + k]) - uniform) * scale }
                dx[row + targets[n]] -= onTarget * scale
            }
            logits.accumulateGrad(dx)
        }
    }

    /// The unsmoothed cross-entropy of each sample, −log softmax(logits)[target], off the tape (for "top losses").
    public static func crossEntropyPerSample(logits: Tensor, targets: [Int]) throws -> [Float] {
        try logits.requirePlainLayout(op: "cross_entropy_per_sample")
        let (batch, classes) = try checkClassification(logits, targets, op: "cross_entropy_per_sample")
        let logProbs = SoftmaxKernel.forward(logits.data, outer: batch, length: classes, inner: 1, log: true)
        return (0..<batch).map { -logProbs[$0 * classes + targets[$0]] }
    }

    /// Mean squared error, mean((input − target)²), over non-empty tensors of the same shape; gradients flow to both.
    public static func mse(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        guard input.count > 0 else {
            throw KernelError.invalidArgument(op: "mse_loss", message: "the input is empty (shape \(shapeString(input.shape)))")
        }
        return try mse(input, target, reduction: .mean)
    }

    /// Checks `[N, K]` logits against N targets in `0..<K`; returns (N, K).
    private static func checkClassification(_ logits: Tensor, _ targets: [Int], op: String) throws -> (Int, Int) {
        try NNChecks.requireRank(logits, [2], op: op, layout: "[N, classes]", name: "logits")
        let batch = logits.shape[0], classes = logits.shape[1]
        guard targets.count == batch else {
            throw KernelError.shapeMismatch(
                op: op, expected: "\(batch) targets for logits \(shapeString(logits.shape))", found: "\(targets.count) targets")
        }
        guard classes > 0 else {
            throw KernelError.invalidArgument(op: op, message: "logits \(shapeString(logits.shape)) have no classes")
        }
        if let bad = targets.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw KernelError.invalidArgument(
                op: op,
                message: "target \(targets[bad]) (sample \(bad)) is out of range for \(Plural.count(classes, "class")) (expected 0...\(classes - 1))")
        }
        return (batch, classes)
    }
}
