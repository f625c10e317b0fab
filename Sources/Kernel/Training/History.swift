/// What a training run produced: one row per optimizer step and one per completed epoch.
public struct History: Codable, Equatable {
    /// Names of the metrics, in the order of `EpochRecord.metrics`.
    public var metricNames: [String]
    /// Every optimizer step taken.
    public var steps: [StepRecord] = []
    /// Every completed epoch (an epoch cut short by an interrupt has steps but no row).
    public var epochs: [EpochRecord] = []
    /// Why the last run ended; `nil` while it runs.
    public var stopReason: StopReason?

    /// An empty history for `metricNames`.
    public init(metricNames: [String]) {
        self.metricNames = metricNames
    }

    /// The value of metric `name` in each completed epoch.
    public func metric(_ name: String) -> [Double]? {
        guard let column = metricNames.firstIndex(of: name) else { return nil }
        return epochs.map { column < $0.metrics.count ? $0.metrics[column] : .nan }
    }

    /// The epoch table as plain text: epoch, train_loss, valid_loss, metrics, time.
    public func table() -> String {
        var table = TextTable(header: ["epoch", "train_loss", "valid_loss"] + metricNames + ["time"])
        for row in epochs {
            let metrics = metricNames.indices.map { $0 < row.metrics.count ? TextTable.number(row.metrics[$0]) : "" }
            table.append(
                [String(row.epoch), TextTable.number(row.trainLoss), row.validLoss.map(TextTable.number) ?? ""] + metrics
                    + [TextTable.duration(row.seconds)])
        }
        return table.render()
    }
}

/// One optimizer step.
public struct StepRecord: Codable, Equatable {
    /// Global step number (0-based; the schedule's step).
    public var step: Int
    /// Epoch (0-based).
    public var epoch: Int
    /// Batch within the epoch (0-based).
    public var batch: Int
    /// Learning rate of the first parameter group.
    public var learningRate: Double
    /// Momentum (or Adam's β₁) of the first parameter group.
    public var momentum: Double
    /// The batch's loss.
    public var loss: Double
    /// The smoothed loss after this batch (fastai's β = 0.98 with bias correction).
    public var smoothedLoss: Double
}

/// One completed epoch.
public struct EpochRecord: Codable, Equatable {
    /// Epoch number (0-based, like fastai's table).
    public var epoch: Int
    /// Mean training loss over the epoch's samples.
    public var trainLoss: Double
    /// Mean validation loss, when there is validation data.
    public var validLoss: Double?
    /// Metric values on the validation data, in `History.metricNames` order (empty without validation data).
    public var metrics: [Double]
    /// Wall-clock seconds for training and validation.
    public var seconds: Double
}

/// Why a training run ended.
public enum StopReason: Codable, Equatable {
    /// Every epoch ran.
    case completed
    /// The interrupt check fired before batch `batch` (0-based) of epoch `epoch`, in the training or validation pass.
    case interrupted(epoch: Int, batch: Int, validating: Bool)
}
