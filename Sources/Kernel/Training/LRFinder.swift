#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The learning-rate range test as fastai 2.8 runs it, without the model: the learning rate of each iteration,
/// and the bookkeeping of recorded points and the divergence stop. `lrFind` drives it with real batches;
/// tests can feed it losses directly.
public struct LRFinderCurve {
    /// First learning rate.
    public let startLR: Double
    /// The rate the ramp heads for (reached at iteration `numIterations`, one past the last).
    public let endLR: Double
    /// Iterations to run (at least 6, as in fastai).
    public let numIterations: Int
    /// Whether to stop once the smoothed loss exceeds 4× the best.
    public let stopOnDivergence: Bool
    /// The learning rate of each recorded iteration.
    public private(set) var learningRates: [Double] = []
    /// The raw loss of each recorded iteration.
    public private(set) var rawLosses: [Double] = []
    /// The smoothed, bias-corrected loss of each recorded iteration (what fastai plots).
    public private(set) var losses: [Double] = []
    /// Whether recording ended because the loss diverged (or became NaN/infinite).
    public private(set) var stoppedByDivergence = false
    private var smoothed: SmoothedLoss
    private var best = Float.infinity

    /// A curve from `startLR` towards `endLR` over `numIterations` iterations.
    public init(startLR: Double = 1e-7, endLR: Double = 10, numIterations: Int = 100, stopOnDivergence: Bool = true, beta: Double = 0.98) throws {
        guard startLR > 0, startLR.isFinite, endLR > 0, endLR.isFinite else {
            throw KernelError.invalidArgument(
                op: "lr_find", message: "start and end learning rates must be finite numbers > 0, found \(startLR) and \(endLR)")
        }
        guard numIterations >= 1 else {
            throw KernelError.invalidArgument(op: "lr_find", message: "the number of iterations must be at least 1, found \(numIterations)")
        }
        self.startLR = startLR
        self.endLR = endLR
        self.numIterations = max(numIterations, 6)
        self.stopOnDivergence = stopOnDivergence
        self.smoothed = SmoothedLoss(beta: beta)
    }

    /// The learning rate of iteration `i`: `start · (end/start)^(i / numIterations)` (fastai divides by
    /// `numIterations`, not `numIterations − 1`, so the end rate itself is never used).
    public func learningRate(at iteration: Int) -> Double {
        startLR * pow(endLR / startLR, Double(iteration) / Double(numIterations))
    }

    /// The learning rate of the next iteration.
    public var nextLearningRate: Double { learningRate(at: learningRates.count) }

    /// Whether no more iterations should run.
    public var isFinished: Bool { stoppedByDivergence || learningRates.count >= numIterations }

    /// Records the raw `loss` of the next iteration. The iteration that trips the divergence test is recorded too.
    public mutating func record(loss: Float) {
        guard !isFinished else { return }
        learningRates.append(nextLearningRate)
        rawLosses.append(Double(loss))
        let value = smoothed.add(loss)
        losses.append(Double(value))
        if value < best { best = value }
        if !loss.isFinite || (stopOnDivergence && value > 4 * best) { stoppedByDivergence = true }
    }

    /// Index of the last recorded iteration (-1 when none).
    public var stopIndex: Int { learningRates.count - 1 }

    /// fastai's suggestions over the recorded curve.
    public func suggestions(_ methods: [LRSuggestionMethod] = LRSuggestionMethod.allCases) -> [LRSuggestion] {
        LRSuggestions.suggest(learningRates: learningRates, losses: losses, numIterations: numIterations, methods: methods)
    }
}

/// What `lrFind` measured.
public struct LRFinderResult {
    /// The recorded curve.
    public let curve: LRFinderCurve
    /// The suggestions, in the order asked for.
    public let suggestions: [LRSuggestion]
    /// Whether the user interrupted the search.
    public let interrupted: Bool

    /// The recorded learning rates.
    public var learningRates: [Double] { curve.learningRates }
    /// The recorded smoothed losses.
    public var losses: [Double] { curve.losses }

    /// The suggestion made by `method`, if it could be computed.
    public func suggestion(_ method: LRSuggestionMethod) -> LRSuggestion? {
        suggestions.first { $0.method == method }
    }

    /// The suggestions as a plain-text table: each suggested lr, the point of the curve it was read at (index, lr and
    /// loss there), and, when `minimum` is among them, a line saying why its lr is not the one at its point.
    public func table() -> String {
        var table = TextTable(header: ["method", "lr", "at index", "lr there", "loss there"])
        for s in suggestions {
            table.append([
                s.method.rawValue, String(format: "%.2e", s.learningRate), String(s.index), String(format: "%.2e", s.pointLearningRate),
                TextTable.number(s.pointLoss),
            ])
        }
        guard let minimum = suggestion(.minimum) else { return table.render() }
        return table.render() + "\n"
            + "minimum = the lr at the lowest loss (\(String(format: "%.2e", minimum.pointLearningRate)), index \(minimum.index)) / 10, as fastai has it"
    }
}

/// The learning-rate range test (fastai's `lr_find`): trains on batches from `data` with a learning rate growing
/// exponentially from `startLR` towards `endLR` over `numIterations` batches (several passes if needed), records the
/// smoothed loss, and stops early once it exceeds 4× the best (or is not finite). Afterwards the model's weights and
/// buffers and the optimizer's state are put back exactly as they were; the global random generator is not.
public func lrFind(
    model: TrainableModel, data: BatchSource, optimizer: Optimizer, loss: @escaping LossFunction = crossEntropyLoss,
    startLR: Double = 1e-7, endLR: Double = 10, numIterations: Int = 100, stopOnDivergence: Bool = true,
    suggest methods: [LRSuggestionMethod] = LRSuggestionMethod.allCases,
    observers: [TrainingObserver] = [], interrupt: InterruptCheck? = nil
) throws -> LRFinderResult {
    var curve = try LRFinderCurve(startLR: startLR, endLR: endLR, numIterations: numIterations, stopOnDivergence: stopOnDivergence)
    guard data.batchCount > 0 else { throw TrainingError.emptyData("lr_find") }
    let snapshot = ModelSnapshot(model)
    let optimizerState = optimizer.exportState()
    defer {
        snapshot.restore()
        optimizer.zeroGrad()
        // The state was exported from this very optimizer, so importing it back cannot fail.
        try? optimizer.importState(optimizerState)
    }
    // The mock training's steps, so observers (live charts) can draw the curve while it grows.
    var history = History(metricNames: [])
    let clock = Stopwatch()
    let total = curve.numIterations
    let passes = total / data.batchCount + 1
    var interrupted = false
    var samples = 0
    for pass in 0..<passes where !curve.isFinished && !interrupted {
        try data.forEachBatch(epoch: pass) { inputs, labels in
            if interrupt?() == true {
                interrupted = true
                return false
            }
            let lr = curve.nextLearningRate
            optimizer.setLearningRate(lr)
            let value = try loss(model.forward(inputs, training: true), labels)
            let lossValue = try scalarLoss(value, op: "lr_find")
            if lossValue.isFinite {
                optimizer.zeroGrad()
                try value.backward()
                try optimizer.step()
            }
            curve.record(loss: lossValue)
            samples += labels.count
            history.steps.append(
                StepRecord(
                    step: curve.learningRates.count - 1, epoch: pass, batch: history.steps.count - pass * data.batchCount,
                    learningRate: lr, momentum: optimizer.groups.first?.momentum ?? 0, loss: Double(lossValue),
                    smoothedLoss: curve.losses.last ?? .nan))
            let progress = BatchProgress(
                phase: .lrFind, epoch: 0, epochs: 1, batch: curve.learningRates.count, batchCount: total,
                samples: samples, elapsed: clock.seconds, runningLoss: curve.losses.last ?? 0,
                learningRate: lr, step: curve.learningRates.count)
            for observer in observers { observer.batchDidEnd(progress, history: history) }
            return !curve.isFinished
        }
    }
    return LRFinderResult(curve: curve, suggestions: curve.suggestions(methods), interrupted: interrupted)
}
