import Foundation

/// Writes a `fit` run for TensorBoard (`fit(..., tensorboard="runs/exp1")`), as Keras' `TensorBoard` callback and
/// PyTorch's `SummaryWriter` do: one event file per run in the run's directory, holding
///
/// - per training step: `train/loss` (the batch loss), `train/lr` and `train/momentum`;
/// - per epoch, at the step the epoch ended: `train/epoch_loss`, `valid/loss` and each metric (`valid/accuracy`, …),
///   and with `weightHistograms` a histogram of every trainable tensor (`weights/<layer>.<name>`);
/// - once, before the first step: the model's summary as text (`model/summary`);
/// - with `hparams`: the run's hyper-parameters for the HParams dashboard (session start before the first step,
///   session end, succeeded unless training was interrupted, at the end), as Keras' `hp.KerasCallback` does.
///
/// Events are flushed to disk after each epoch and at the end. Observers cannot throw, so a write failure stops
/// further writing and is kept in `failure` for the caller to report once training returns.
public final class TensorBoardLog: TrainingObserver {
    /// The event file written.
    public let file: TensorBoardEventFile
    /// The first error writing the file, if any; nothing more is written after one.
    public private(set) var failure: Error?
    private let modelSummary: String?
    private let weights: (() -> [NamedTensor])?
    private let hparams: [String: HyperParameter]?
    private let group: String

    /// A log in `directory`; `modelSummary` is shown in the text dashboard, `weights` (when given) is histogrammed
    /// after every epoch, `hparams` (when given) go to the HParams dashboard under the directory's name.
    public init(
        directory: String, modelSummary: String?, weights: (() -> [NamedTensor])? = nil, hparams: [String: HyperParameter]? = nil
    ) throws {
        file = try TensorBoardEventFile(directory: directory)
        self.modelSummary = modelSummary
        self.weights = weights
        self.hparams = hparams
        group = (directory as NSString).lastPathComponent
    }

    /// Writes the model summary and the session start.
    public func trainingWillStart(epochs: Int, batchesPerEpoch: Int, history: History) {
        if let hparams { file.hparamsSessionStart(hparams, group: group) }
        if let modelSummary {
            // The text plugin renders markdown: a fence keeps the table's columns.
            file.text("model/summary", "```\n" + modelSummary + "\n```", step: history.steps.last.map { $0.step + 1 } ?? 0)
        }
        flush()
    }

    /// Writes the loss, learning rate and momentum of each training step.
    public func batchDidEnd(_ progress: BatchProgress, history: History) {
        guard progress.phase == .train, failure == nil, let record = history.steps.last else { return }
        file.scalar("train/loss", record.loss, step: record.step)
        file.scalar("train/lr", record.learningRate, step: record.step)
        file.scalar("train/momentum", record.momentum, step: record.step)
    }

    /// Writes the epoch's losses and metrics (and weight histograms) at the step the epoch ended, then flushes.
    public func epochDidEnd(_ record: EpochRecord, history: History) {
        guard failure == nil else { return }
        let step = history.steps.last?.step ?? record.epoch
        file.scalar("train/epoch_loss", record.trainLoss, step: step)
        if let validLoss = record.validLoss { file.scalar("valid/loss", validLoss, step: step) }
        for (name, value) in zip(history.metricNames, record.metrics) { file.scalar("valid/\(name)", value, step: step) }
        for weight in weights?() ?? [] { file.histogram("weights/\(weight.name)", weight.tensor.data, step: step) }
        flush()
    }

    /// Writes the session end and flushes what is left.
    public func trainingDidEnd(history: History) {
        if hparams != nil, failure == nil { file.hparamsSessionEnd(succeeded: history.stopReason == .completed) }
        flush()
    }

    private func flush() {
        guard failure == nil else { return }
        do {
            try file.flush()
        } catch {
            failure = error
        }
    }
}
