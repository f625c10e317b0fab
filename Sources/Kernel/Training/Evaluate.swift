/// The loss and metrics of a model over a whole data source.
public struct Evaluation: Equatable {
    /// Mean loss over the samples.
    public var loss: Double
    /// Metric names, in the order of `metrics`.
    public var metricNames: [String]
    /// Metric values averaged over the samples.
    public var metrics: [Double]
    /// Samples seen.
    public var samples: Int

    /// The value of metric `name`.
    public func metric(_ name: String) -> Double? {
        metricNames.firstIndex(of: name).map { metrics[$0] }
    }
}

/// Runs `model` over every batch of `data` in evaluation mode without recording gradients, and averages
/// `loss` and `metrics` over the samples. Throws `TrainingError.interrupted` if `interrupt` fires.
public func evaluate(
    model: TrainableModel, data: BatchSource, loss: LossFunction = crossEntropyLoss, metrics: [Metric] = [.accuracy],
    observers: [TrainingObserver] = [], interrupt: InterruptCheck? = nil
) throws -> Evaluation {
    let history = History(metricNames: metrics.map(\.name))
    switch try validationPass(
        model: model, data: data, loss: loss, metrics: metrics, epoch: 0, epochs: 1, step: 0,
        observers: observers, history: history, interrupt: interrupt, group: nil)
    {
    case let .finished(result): return result
    case .interrupted: throw TrainingError.interrupted("evaluate")
    }
}

/// How an evaluation pass ended.
enum ValidationOutcome {
    case finished(Evaluation)
    /// Stopped by the interrupt check before batch `batch`.
    case interrupted(batch: Int)
}

/// One evaluation pass in inference mode, reporting progress after every batch. With a `group`, each rank evaluates
/// its shard and the sums behind the loss and metrics (and any interrupt) are combined over the ranks at the end.
func validationPass(
    model: TrainableModel, data: BatchSource, loss: LossFunction, metrics: [Metric], epoch: Int, epochs: Int, step: Int,
    observers: [TrainingObserver], history: History, interrupt: InterruptCheck?,
    group: ProcessGroup?
) throws -> ValidationOutcome {
    var lossSum = 0.0
    var samples = 0
    var totals = [Double](repeating: 0, count: metrics.count)
    var counts = [Int](repeating: 0, count: metrics.count)
    var batch = 0
    var interrupted = false
    let clock = Stopwatch()
    try noGrad {
        try data.forEachBatch(epoch: epoch) { inputs, labels in
            if interrupt?() == true {
                interrupted = true
                return false
            }
            let output = try model.forward(inputs, training: false)
            let value = try scalarLoss(loss(output, labels), op: "evaluate")
            lossSum += Double(value) * Double(labels.count)
            samples += labels.count
            for (m, metric) in metrics.enumerated() {
                let (total, count) = try metric.measure(output, labels)
                totals[m] += total
                counts[m] += count
            }
            batch += 1
            let progress = BatchProgress(
                phase: .validation, epoch: epoch, epochs: epochs, batch: batch, batchCount: data.batchCount,
                samples: samples, elapsed: clock.seconds, runningLoss: lossSum / Double(max(samples, 1)),
                learningRate: 0, step: step)
            for observer in observers { observer.batchDidEnd(progress, history: history) }
            return true
        }
    }
    if let group {
        var sums = [lossSum, Double(samples), interrupted ? 1 : 0] + totals + counts.map(Double.init)
        try group.allReduceSum(&sums)
        lossSum = sums[0]
        samples = Int(sums[1])
        interrupted = sums[2] > 0
        totals = Array(sums[3..<(3 + metrics.count)])
        counts = sums[(3 + metrics.count)...].map { Int($0) }
    }
    if interrupted { return .interrupted(batch: batch) }
    guard samples > 0 else { throw TrainingError.emptyData("validation") }
    return .finished(
        Evaluation(
            loss: lossSum / Double(samples), metricNames: metrics.map(\.name),
            metrics: zip(totals, counts).map { $1 > 0 ? $0 / Double($1) : .nan }, samples: samples))
}
