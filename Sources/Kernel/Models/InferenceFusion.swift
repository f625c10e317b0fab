import Basics

// Inference without gradients folds each batch norm into the convolution before it (`FusionRules.swift`). The folded
// weight depends only on the two layers' tensors, so it is computed once and kept, together with its copies in
// oneDNN's layouts, until one of those tensors changes: batch-1 calls in the REPL then neither rescale nor reorder a
// ResNet-50's 100 MB of weights every time.

/// A convolution's weight and bias with the evaluation-mode batch norm after it folded in:
/// `weight·scale` per output channel and `bias·scale + shift`, where (scale, shift) is the batch norm's affine map.
final class FoldedWeights {
    /// The tensors the fold read, with their versions then: a training step, an optimizer update or a weight load
    /// changes a version (or replaces a tensor), and the fold is made again.
    private let sources: [(tensor: Tensor?, version: Int)]
    let weight: [Float]
    let bias: [Float]
    /// `weight` in the blocked layouts oneDNN's inference plans read it in.
    let reordered = DNNLReorderedWeights()

    /// Folds `batchNorm` into the convolution `weight` `[O, …]` and `bias` `[O]` (nil: zeros).
    init(weight: Tensor, bias: Tensor?, batchNorm: BatchNormalization) throws {
        sources = FoldedWeights.sources(weight: weight, bias: bias, batchNorm: batchNorm).map { ($0, $0?.version ?? 0) }
        let (scale, shift) = try batchNorm.evaluationAffine()
        let filters = weight.shape.first ?? 0
        guard scale.count == filters, filters > 0 else {
            throw KernelError.shapeMismatch(op: "", expected: "a batch norm over \(filters) channels after it", found: "\(scale.count) channels")
        }
        let perFilter = weight.count / filters
        // One pass writing the scaled copy: no copy of the weight first, which costs as much again on a ResNet-50.
        let source = weight.data
        self.weight = [Float](unsafeUninitializedCapacity: source.count) { folded, initialized in
            source.withUnsafeBufferPointer { w in
                for o in 0..<filters {
                    let factor = scale[o]
                    for i in (o * perFilter)..<((o + 1) * perFilter) { folded[i] = w[i] * factor }
                }
            }
            initialized = source.count
        }
        self.bias = (0..<filters).map { o in (bias?.data[o] ?? 0) * scale[o] + shift[o] }
    }

    /// Whether this fold was made from exactly these tensors with their current values.
    func isCurrent(weight: Tensor, bias: Tensor?, batchNorm: BatchNormalization) -> Bool {
        let now = FoldedWeights.sources(weight: weight, bias: bias, batchNorm: batchNorm)
        return now.count == sources.count
            && zip(now, sources).allSatisfy { tensor, then in tensor === then.tensor && (tensor?.version ?? 0) == then.version }
    }

    private static func sources(weight: Tensor, bias: Tensor?, batchNorm: BatchNormalization) -> [Tensor?] {
        [weight, bias, batchNorm.weight, batchNorm.bias, batchNorm.runningMean, batchNorm.runningVar]
    }
}

/// The fold a convolution layer keeps between inference calls.
final class FoldedWeightsCache {
    private let current = Locked<FoldedWeights?>(nil)

    /// The fold of `batchNorm` into `weight` and `bias`: the kept one while those tensors are unchanged, else a new one
    /// (which replaces it).
    func folded(weight: Tensor, bias: Tensor?, batchNorm: BatchNormalization) throws -> FoldedWeights {
        try current.withLock { kept in
            if let kept, kept.isCurrent(weight: weight, bias: bias, batchNorm: batchNorm) { return kept }
            let fresh = try FoldedWeights(weight: weight, bias: bias, batchNorm: batchNorm)
            kept = fresh
            return fresh
        }
    }
}
