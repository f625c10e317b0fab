/// Which pass a progress report is about.
public enum TrainingPhase: String, Codable {
    /// Training batches of `fit`.
    case train
    /// Validation batches of `fit` or `evaluate`.
    case validation
    /// The LR finder's mock training.
    case lrFind = "lr_find"
}

/// Everything a progress bar needs after each batch. The Kernel only provides the numbers;
/// the REPL draws them.
public struct BatchProgress {
    /// The pass being run.
    public var phase: TrainingPhase
    /// Current epoch (0-based).
    public var epoch: Int
    /// Total epochs of the run.
    public var epochs: Int
    /// Batches done in this pass (1-based: `batch` of `batchCount`).
    public var batch: Int
    /// Batches in this pass.
    public var batchCount: Int
    /// Samples processed in this pass so far.
    public var samples: Int
    /// Seconds since the pass started.
    public var elapsed: Double
    /// Throughput of this pass so far, samples per second.
    public var itemsPerSecond: Double
    /// Estimated seconds left in this pass, from the average batch time so far.
    public var eta: Double
    /// Smoothed training loss (the running loss of a progress bar); the mean loss so far when validating.
    public var runningLoss: Double
    /// Learning rate in use (0 in validation passes).
    public var learningRate: Double
    /// Global optimizer step after this batch.
    public var step: Int
}

/// Receives training events; every method has an empty default, so observers implement only what they need.
/// Methods run on the training thread between batches: keep them quick.
public protocol TrainingObserver: AnyObject {
    /// Called once before the first batch, with the epochs to run and batches per epoch.
    func trainingWillStart(epochs: Int, batchesPerEpoch: Int, history: History)
    /// Called after every batch of every pass.
    func batchDidEnd(_ progress: BatchProgress, history: History)
    /// Called after each completed epoch, once its row is in `history`.
    func epochDidEnd(_ record: EpochRecord, history: History)
    /// Called once at the end of the run (completed or interrupted; not when an error is thrown).
    func trainingDidEnd(history: History)
}

extension TrainingObserver {
    /// Does nothing unless the observer implements it.
    public func trainingWillStart(epochs: Int, batchesPerEpoch: Int, history: History) {}
    /// Does nothing unless the observer implements it.
    public func batchDidEnd(_ progress: BatchProgress, history: History) {}
    /// Does nothing unless the observer implements it.
    public func epochDidEnd(_ record: EpochRecord, history: History) {}
    /// Does nothing unless the observer implements it.
    public func trainingDidEnd(history: History) {}
}

/// Calls `action` with the history every `interval` training steps and once at the end of training —
/// the hook for live loss charts.
public final class EveryNSteps: TrainingObserver {
    /// Steps between calls.
    public let interval: Int
    private let action: (History) -> Void

    /// Calls `action` every `interval` (≥ 1) training steps.
    public init(_ interval: Int, action: @escaping (History) -> Void) throws {
        guard interval >= 1 else {
            throw KernelError.invalidArgument(op: "every_n_steps", message: "the interval must be at least 1 step, found \(interval)")
        }
        self.interval = interval
        self.action = action
    }

    /// Calls the action after every `interval`-th training step.
    public func batchDidEnd(_ progress: BatchProgress, history: History) {
        if progress.phase == .train && progress.step % interval == 0 { action(history) }
    }

    /// Calls the action once more with the final history.
    public func trainingDidEnd(history: History) {
        action(history)
    }
}
