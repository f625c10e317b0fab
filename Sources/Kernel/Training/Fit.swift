/// Settings of `fit` beyond the essentials.
public struct FitOptions {
    /// Clip gradients to this global L2 norm before each update (`nil`: no clipping).
    public var gradientClipNorm: Double?
    /// Progress, chart and logging observers.
    public var observers: [TrainingObserver]
    /// Checked before every batch; when it returns true, training stops between batches and `fit` returns the partial history.
    public var interrupt: InterruptCheck?
    /// A per-epoch metrics file (`.csv`, otherwise JSON Lines), appended and flushed after each epoch.
    public var metricsLogPath: String?
    /// A full checkpoint written atomically after each epoch (see `TrainingCheckpoint`).
    public var checkpointPath: String?
    /// Where training starts: `.start`, or a checkpoint's position to resume.
    public var start: TrainingPosition
    /// A history to extend (a resumed run's), instead of a fresh one.
    public var history: History?
    /// Weight of the past in the running loss (fastai's 0.98).
    public var smoothingBeta: Double
    /// The ranks to train with in data parallel; nil: the `mpirun` launch this process belongs to, if any
    /// (`Distributed.world()`), otherwise a single process.
    public var processGroup: ProcessGroup?
    /// In data-parallel training, normalise batch norm with the statistics of the global batch (PyTorch's
    /// `SyncBatchNorm`) instead of each rank's share; no effect in a single process.
    public var syncBatchNorm = false

    /// Options with everything off and training from the start.
    public init(
        gradientClipNorm: Double? = nil, observers: [TrainingObserver] = [], interrupt: InterruptCheck? = nil,
        metricsLogPath: String? = nil, checkpointPath: String? = nil, start: TrainingPosition = .start,
        history: History? = nil, smoothingBeta: Double = 0.98
    ) {
        self.gradientClipNorm = gradientClipNorm
        self.observers = observers
        self.interrupt = interrupt
        self.metricsLogPath = metricsLogPath
        self.checkpointPath = checkpointPath
        self.start = start
        self.history = history
        self.smoothingBeta = smoothingBeta
    }

    /// Options that continue the run saved in `checkpoint` (after `checkpoint.restore(model:optimizer:)`).
    public init(resuming checkpoint: TrainingCheckpoint) {
        self.init(start: checkpoint.position, history: checkpoint.history)
    }
}

/// Trains `model` for `epochs` epochs on `train`, validating on `valid` after each, and returns the history.
///
/// Each batch: the schedule (if any) sets the learning rate and momentum for the global step, the model runs in
/// training mode, the loss is checked to be finite, gradients are computed, optionally clipped, and the optimizer
/// steps. Validation runs in evaluation mode under `noGrad`. An interrupt stops between batches and returns the
/// history so far (the model keeps the weights reached). A NaN or infinite loss throws
/// `TrainingError.nonFiniteLoss` naming the epoch, batch and learning rate, before that update is applied.
///
/// As one rank of several (`options.processGroup`, or an `mpirun` launch), training is data parallel: each rank
/// trains on its shard of every epoch (see `DataShard`), starts from rank 0's weights, and averages gradients, the
/// loss and validation metrics with the other ranks, so all ranks keep identical weights and histories. Batch-norm
/// statistics stay per rank unless `options.syncBatchNorm`. Only rank 0 calls the observers and writes the metrics log
/// and the checkpoint.
@discardableResult
public func fit(
    model: TrainableModel, train: BatchSource, valid: BatchSource? = nil, epochs: Int, optimizer: Optimizer,
    schedule: LearningRateSchedule? = nil, loss: @escaping LossFunction = crossEntropyLoss, metrics: [Metric] = [.accuracy],
    options: FitOptions = FitOptions()
) throws -> History {
    let trainer = try Trainer(
        model: model, train: train, valid: valid, epochs: epochs, optimizer: optimizer, schedule: schedule,
        loss: loss, metrics: metrics, options: options)
    return try trainer.run()
}

/// The state of one `fit` call.
final class Trainer {
    let model: TrainableModel
    let train: BatchSource
    let valid: BatchSource?
    let epochs: Int
    let optimizer: Optimizer
    let schedule: LearningRateSchedule?
    let loss: LossFunction
    let metrics: [Metric]
    let options: FitOptions
    var history: History
    var step: Int
    var smoothed: SmoothedLoss
    let log: MetricsLog?
    /// Set in data-parallel training; nil in a single process.
    let parallel: DataParallel?
    /// Observers of this rank: all of them on rank 0, none elsewhere.
    let observers: [TrainingObserver]
    /// In data-parallel training, a rank's stop request takes effect after the batch in flight, once all ranks know.
    var stopAfterBatch = false

    init(
        model: TrainableModel, train: BatchSource, valid: BatchSource?, epochs: Int, optimizer: Optimizer, schedule: LearningRateSchedule?,
        loss: @escaping LossFunction, metrics: [Metric], options: FitOptions
    ) throws {
        guard epochs >= 1 else {
            throw KernelError.invalidArgument(op: "fit", message: "epochs must be at least 1, found \(epochs)")
        }
        guard options.start.epoch >= 0, options.start.epoch <= epochs, options.start.step >= 0 else {
            throw KernelError.invalidArgument(op: "fit", message: "cannot start at epoch \(options.start.epoch) of \(epochs)")
        }
        let group = try options.processGroup ?? Distributed.world()
        let train = try Distributed.trainingShard(of: train, group: group)
        let valid = try valid.map { try Distributed.validationShard(of: $0, group: group) }
        guard train.batchCount > 0 else { throw TrainingError.emptyData("fit") }
        if let clip = options.gradientClipNorm, !(clip > 0 && clip.isFinite) {
            throw KernelError.invalidArgument(op: "fit", message: "the gradient clipping norm must be a finite number > 0, found \(clip)")
        }
        try schedule?.checkCovers(steps: epochs * train.batchCount)
        let names = metrics.map(\.name)
        if let previous = options.history, previous.metricNames != names {
            throw KernelError.invalidArgument(
                op: "fit", message: "the history to extend has metrics \(previous.metricNames), this run measures \(names)")
        }
        self.model = model
        self.train = train
        self.valid = valid
        self.epochs = epochs
        self.optimizer = optimizer
        self.schedule = schedule
        self.loss = loss
        self.metrics = metrics
        self.options = options
        self.history = options.history ?? History(metricNames: names)
        self.history.stopReason = nil
        // A checkpoint written with another number of ranks (or batch size) counted its steps in other batches: the
        // schedule continues where this run's batches put the start of the epoch.
        let epochStart = options.start.epoch * train.batchCount
        self.step = options.start.epoch > 0 && options.start.step != epochStart ? epochStart : options.start.step
        self.smoothed = SmoothedLoss(beta: options.smoothingBeta)
        let isRoot = group?.isRoot ?? true
        self.log = try isRoot ? options.metricsLogPath.map { try MetricsLog(path: $0, append: options.start.epoch > 0) } : nil
        self.observers = isRoot ? options.observers : []
        self.parallel = try group.flatMap { group in
            group.worldSize > 1
                ? try DataParallel(
                    group: group, model: model, parameters: optimizer.parameters.map(\.tensor),
                    syncBatchNorm: options.syncBatchNorm) : nil
        }
    }

    func run() throws -> History {
        for observer in observers {
            observer.trainingWillStart(epochs: epochs, batchesPerEpoch: train.batchCount, history: history)
        }
        epochLoop: for epoch in options.start.epoch..<epochs {
            let clock = Stopwatch()
            guard let trainLoss = try trainEpoch(epoch) else { break epochLoop }
            var record = EpochRecord(epoch: epoch, trainLoss: trainLoss, validLoss: nil, metrics: [], seconds: 0)
            if let valid {
                switch try validationPass(
                    model: model, data: valid, loss: loss, metrics: metrics, epoch: epoch, epochs: epochs, step: step,
                    observers: observers, history: history, interrupt: options.interrupt, group: parallel?.group)
                {
                case let .finished(evaluation):
                    record.validLoss = evaluation.loss
                    record.metrics = evaluation.metrics
                case let .interrupted(batch):
                    history.stopReason = .interrupted(epoch: epoch, batch: batch, validating: true)
                }
                if history.stopReason != nil { break epochLoop }
            }
            record.seconds = clock.seconds
            history.epochs.append(record)
            try log?.append(record, metricNames: history.metricNames)
            if let path = options.checkpointPath, parallel?.group.isRoot ?? true {
                try TrainingCheckpoint.capture(
                    model: model, optimizer: optimizer, position: TrainingPosition(epoch: epoch + 1, step: step),
                    history: history
                ).save(to: path)
            }
            for observer in observers { observer.epochDidEnd(record, history: history) }
        }
        if history.stopReason == nil { history.stopReason = .completed }
        for observer in observers { observer.trainingDidEnd(history: history) }
        return history
    }

    /// One training pass; returns the mean loss, or `nil` when interrupted.
    private func trainEpoch(_ epoch: Int) throws -> Double? {
        BatchNormSynchronizer.current = parallel?.batchNorm
        defer { BatchNormSynchronizer.current = nil }
        let clock = Stopwatch()
        let parameters = optimizer.parameters.map(\.tensor)
        var batch = 0
        var samples = 0
        var lossSum = 0.0
        try train.forEachBatch(epoch: epoch) { inputs, labels in
            let interrupted = options.interrupt?() == true
            if stopAfterBatch || (interrupted && parallel == nil) {
                history.stopReason = .interrupted(epoch: epoch, batch: batch, validating: false)
                return false
            }
            if let value = schedule?.value(at: step) {
                optimizer.setLearningRate(value.learningRate)
                if let momentum = value.momentum { optimizer.setMomentum(momentum) }
            }
            let output = try model.forward(inputs, training: true)
            let lossTensor = try loss(output, labels)
            var value = try scalarLoss(lossTensor, op: "fit")
            if let parallel {
                // Ranks must agree before anyone throws, so the loss checked is the global one, known after backward.
                optimizer.zeroGrad()
                (value, stopAfterBatch) = try parallel.backward(lossTensor, loss: value, stopRequested: interrupted)
            }
            guard value.isFinite else {
                throw TrainingError.nonFiniteLoss(
                    epoch: epoch, batch: batch, step: step, learningRate: optimizer.learningRate,
                    loss: value, history: history)
            }
            if parallel == nil {
                optimizer.zeroGrad()
                try lossTensor.backward()
            }
            if let clip = options.gradientClipNorm { try clipGradientNorm(parameters, maxNorm: clip) }
            try optimizer.step()
            optimizer.zeroGrad()

            let smoothedValue = smoothed.add(value)
            history.steps.append(
                StepRecord(
                    step: step, epoch: epoch, batch: batch, learningRate: optimizer.learningRate,
                    momentum: optimizer.groups.first?.momentum ?? 0, loss: Double(value),
                    smoothedLoss: Double(smoothedValue)))
            step += 1
            batch += 1
            samples += labels.count
            lossSum += Double(value) * Double(labels.count)
            let progress = BatchProgress(
                phase: .train, epoch: epoch, epochs: epochs, batch: batch, batchCount: train.batchCount,
                samples: samples, elapsed: clock.seconds, runningLoss: Double(smoothedValue),
                learningRate: optimizer.learningRate, step: step)
            for observer in observers { observer.batchDidEnd(progress, history: history) }
            return true
        }
        if history.stopReason != nil { return nil }
        guard samples > 0 else { throw TrainingError.emptyData("fit, epoch \(epoch)") }
        return lossSum / Double(samples)
    }
}
