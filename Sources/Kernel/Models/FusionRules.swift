// Which steps of an `ExecutionPlan` run as one op, decided once from the graph and the layers' capabilities
// (`LayerCapabilities.swift`), and how such a step runs outside the blocked training path.

extension ExecutionPlan {
    /// How a step runs together with the steps that consume its output.
    enum Fusion: Equatable {
        /// On its own.
        case none
        /// A `FusesFollowingReLU` layer whose only reader is the ReLU step `relu`.
        case followingReLU(relu: Int)
        /// A `FoldsFollowingBatchNorm` layer whose only reader is the batch-norm step `batchNorm`, itself followed by the
        /// ReLU step `relu` if any (used in inference without gradients).
        case convolutionBatchNorm(batchNorm: Int, relu: Int?)
    }

    /// Whether `layer` computes max(x, 0) and nothing else.
    static func isReLU(_ layer: Layer) -> Bool {
        (layer as? ReLUEquivalent)?.computesReLU ?? false
    }

    /// The step fused after step `index`'s ReLU, if any.
    func fusedReLU(after index: Int) -> Int? {
        switch fusions[index] {
        case let .followingReLU(relu): relu
        case .none, .convolutionBatchNorm: nil
        }
    }

    /// Step `index` run with the steps fused after it on plain `arguments`; nil when it runs alone.
    func runFused(_ index: Int, _ arguments: [Tensor], context: ForwardContext, folding: Bool) throws -> FusedOutput? {
        let layer = steps[index].layer
        switch fusions[index] {
        case let .convolutionBatchNorm(bnStep, relu) where folding:
            guard let folder = layer as? FoldsFollowingBatchNorm, let batchNorm = steps[bnStep].layer as? BatchNormalization else { return nil }
            if let nextStep = chains[index], case let .convolutionBatchNorm(nextBNStep, nextReLU) = fusions[nextStep],
                let next = steps[nextStep].layer as? FoldsFollowingBatchNorm, let nextBatchNorm = steps[nextBNStep].layer as? BatchNormalization
            {
                let output = try folder.forwardFoldedChain(
                    arguments[0], batchNorm: batchNorm, relu: relu != nil,
                    next: next, nextBatchNorm: nextBatchNorm, nextReLU: nextReLU != nil)
                let absorbed = [bnStep, relu, nextStep, nextBNStep, nextReLU].compactMap { $0 }
                return FusedOutput(output: output, lastStep: nextReLU ?? nextBNStep, absorbed: absorbed)
            }
            let output = try folder.forwardFolded(arguments[0], batchNorm: batchNorm, relu: relu != nil)
            return FusedOutput(output: output, lastStep: relu ?? bnStep, absorbed: [bnStep, relu].compactMap { $0 })
        case let .followingReLU(relu):
            guard let fuser = layer as? FusesFollowingReLU, let output = try fuser.forwardThenReLU(arguments, context: context) else { return nil }
            return FusedOutput(output: output, lastStep: relu, absorbed: [relu])
        default:
            return nil
        }
    }
}

extension ExecutionPlan.Graph {
    /// Each step's fusion, and the pairs of folded steps that run as one chain in inference.
    func fusions() -> (fusions: [ExecutionPlan.Fusion], chains: [Int: Int]) {
        var fusions = [ExecutionPlan.Fusion](repeating: .none, count: steps.count)
        for (i, step) in steps.enumerated() {
            guard let fuser = step.layer as? FusesFollowingReLU, fuser.fusesReLU(inputCount: step.inputSlots.count),
                let reader = soleReader(of: i), ExecutionPlan.isReLU(steps[reader].layer)
            else { continue }
            fusions[i] = .followingReLU(relu: reader)
        }
        for (i, step) in steps.enumerated() where step.layer is FoldsFollowingBatchNorm {
            guard let reader = soleReader(of: i), steps[reader].layer is BatchNormalization else { continue }
            var relu: Int?
            if case let .followingReLU(r) = fusions[reader] { relu = r }
            fusions[i] = .convolutionBatchNorm(batchNorm: reader, relu: relu)
        }
        var chains: [Int: Int] = [:]
        var chained = Set<Int>()
        for (i, fusion) in fusions.enumerated() where !chained.contains(i) {
            guard case let .convolutionBatchNorm(bnStep, relu) = fusion, let next = soleReader(of: relu ?? bnStep),
                case .convolutionBatchNorm = fusions[next]
            else { continue }
            chains[i] = next
            chained.insert(next)
        }
        return (fusions, chains)
    }
}
