/// Sets every batch norm's running statistics to the exact average over one pass of `data`, as PyTorch's
/// `torch.optim.swa_utils.update_bn`: the statistics are reset, each batch norm keeps a cumulative average
/// (`momentum` nil) while the model runs in training mode without gradients over the batches of `epoch` (all of them,
/// or the first `batches`), then the momenta and the model's mode are put back. The running mean becomes the mean of the
/// batch means and the running variance the mean of the unbiased batch variances, as PyTorch computes them.
///
/// Frozen batch norms (`trainable` false) run in inference mode and keep their statistics. Stochastic depth stays active,
/// as in PyTorch, so a branch's batch norms average the batches in which it ran. When the pass fails or is interrupted
/// (`TrainingError.interrupted`), the statistics are restored.
///
/// ```swift
/// try recomputeBatchNormStatistics(model: model, data: trainLoader)
/// ```
public func recomputeBatchNormStatistics(
    model: Model, data: BatchSource, epoch: Int = 0, batches: Int? = nil, interrupt: InterruptCheck? = nil
) throws {
    if let batches, batches <= 0 {
        throw KernelError.invalidArgument(op: "recompute_bn_stats", message: "batches must be positive, found \(batches)")
    }
    let norms = model.layers.compactMap { $0 as? BatchNormalization }.filter(\.trainable)
    guard !norms.isEmpty else { return }
    let saved = norms.map { norm in
        (momentum: norm.momentum, tracked: norm.batchesTracked, statistics: norm.buffers.map { ($0.tensor, $0.tensor.data) })
    }
    func restoreStatistics() {
        for (norm, state) in zip(norms, saved) {
            norm.batchesTracked = state.tracked
            for (tensor, values) in state.statistics { tensor.data = values }
        }
    }
    for norm in norms {
        norm.resetRunningStatistics()
        norm.momentum = nil
    }
    defer { for (norm, state) in zip(norms, saved) { norm.momentum = state.momentum } }

    let limit = batches ?? Int.max
    var seen = 0
    var interrupted = false
    do {
        try noGrad {
            try data.forEachBatch(epoch: epoch) { inputs, _ in
                if interrupt?() == true {
                    interrupted = true
                    return false
                }
                _ = try model.forward(inputs, training: true)
                seen += 1
                return seen < limit
            }
        }
    } catch {
        restoreStatistics()
        throw error
    }
    if interrupted {
        restoreStatistics()
        throw TrainingError.interrupted("recompute_bn_stats")
    }
    if seen == 0 {
        restoreStatistics()
        throw TrainingError.emptyData("recompute_bn_stats")
    }
}
