/// What `fit` does differently as one rank of a data-parallel run: all ranks start from rank 0's state, and with each
/// backward pass they average their gradients and agree on the loss and on stopping, so every rank takes the
/// same optimizer step and the weights stay identical.
final class DataParallel {
    /// The ranks training together.
    let group: ProcessGroup
    /// Set when batch norm uses the statistics of the global batch; `fit` makes it current while it trains.
    let batchNorm: BatchNormSynchronizer?
    private let averager: GradientAverager

    /// Copies rank 0's weights and buffers (batch-norm statistics) to every rank: each rank built and initialised its
    /// own model, and a resumed or reused model must not drift either.
    init(group: ProcessGroup, model: TrainableModel, parameters: [Tensor], syncBatchNorm: Bool) throws {
        self.group = group
        for state in model.stateTensors { try group.broadcast(&state.tensor.data) }
        averager = GradientAverager(group: group, parameters: parameters, scalarCount: 2)
        batchNorm = syncBatchNorm ? BatchNormSynchronizer(group: group) : nil
    }

    /// Runs backward while averaging the gradients over the ranks, and returns the loss averaged over the ranks (the
    /// loss of the whole global batch) and whether any rank asked to stop.
    func backward(_ lossTensor: Tensor, loss: Float, stopRequested: Bool) throws -> (loss: Float, stop: Bool) {
        let means = try averager.backward(lossTensor, scalars: [loss, stopRequested ? 1 : 0])
        try batchNorm?.rethrowFailure()
        return (means[0], means[1] > 0)
    }
}
