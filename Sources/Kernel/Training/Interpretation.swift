import Basics
import Foundation

/// One sample's prediction, as shown in a top-losses table.
public struct PredictionRecord: Equatable {
    /// Position of the sample in the order the data was read (its data-set index for an unshuffled source).
    public var index: Int
    /// The true class.
    public var target: Int
    /// The predicted class (highest score; ties to the lower index).
    public var predicted: Int
    /// Softmax probability of the predicted class.
    public var probability: Double
    /// Softmax probability of the true class.
    public var targetProbability: Double
    /// Cross-entropy loss of the sample: −log(targetProbability).
    public var loss: Double
}

/// A pair of classes the model mixes up, with how often.
public struct ConfusedPair: Equatable {
    /// The true class.
    public var actual: Int
    /// The class predicted instead.
    public var predicted: Int
    /// Number of samples.
    public var count: Int
}

/// What a classifier gets wrong, fastai's `ClassificationInterpretation`: the confusion matrix, per-class accuracy,
/// the samples with the highest loss and the most confused pairs, each with a plain-text table.
public struct Interpretation {
    /// Class names; class `k` is `classNames[k]`.
    public let classNames: [String]
    /// Every sample's prediction, in data order.
    public let records: [PredictionRecord]
    /// `confusion[actual][predicted]` sample counts.
    public let confusion: [[Int]]

    /// Builds the analysis from class scores `[N, C]` (logits) and the true labels.
    public init(logits: Tensor, targets: [Int], classNames: [String]? = nil) throws {
        guard logits.rank == 2 else {
            throw KernelError.shapeMismatch(op: "interpret", expected: "class scores of shape [samples, classes]", found: shapeString(logits.shape))
        }
        let (n, classes) = (logits.shape[0], logits.shape[1])
        guard classes > 0 else {
            throw KernelError.invalidArgument(op: "interpret", message: "the model output has no classes")
        }
        guard targets.count == n else {
            throw KernelError.shapeMismatch(op: "interpret", expected: "\(n) labels, one per row", found: "\(targets.count) labels")
        }
        if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
            throw KernelError.invalidArgument(op: "interpret", message: "label \(bad) is out of range for \(Plural.count(classes, "class"))")
        }
        let names = classNames ?? (0..<classes).map(String.init)
        guard names.count == classes else {
            throw KernelError.invalidArgument(
                op: "interpret", message: "\(Plural.count(names.count, "class name")) for a model with \(Plural.count(classes, "output"))")
        }
        var records: [PredictionRecord] = []
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for row in 0..<n {
            let scores = logits.data[(row * classes)..<((row + 1) * classes)].map(Double.init)
            var predicted = 0
            for c in 1..<classes where scores[c] > scores[predicted] { predicted = c }
            let largest = scores.max() ?? 0
            let logSum = largest + log(scores.reduce(0) { $0 + exp($1 - largest) })
            let target = targets[row]
            let targetLogProbability = scores[target] - logSum
            records.append(
                PredictionRecord(
                    index: row, target: target, predicted: predicted, probability: exp(scores[predicted] - logSum),
                    targetProbability: exp(targetLogProbability), loss: -targetLogProbability))
            confusion[target][predicted] += 1
        }
        self.classNames = names
        self.records = records
        self.confusion = confusion
    }

    /// Fraction of all samples predicted correctly.
    public var accuracy: Double {
        records.isEmpty ? .nan : Double(records.filter { $0.predicted == $0.target }.count) / Double(records.count)
    }

    /// For each class, the fraction of its samples predicted correctly (`nil` for a class with no samples).
    public var perClassAccuracy: [Double?] {
        confusion.enumerated().map { c, row in
            let total = row.reduce(0, +)
            return total == 0 ? nil : Double(row[c]) / Double(total)
        }
    }

    /// The `k` samples with the highest loss, highest first (ties by index).
    public func topLosses(_ k: Int = 9) -> [PredictionRecord] {
        Array(records.sorted { $0.loss != $1.loss ? $0.loss > $1.loss : $0.index < $1.index }.prefix(max(0, k)))
    }

    /// Off-diagonal cells of the confusion matrix with at least `minCount` samples, most frequent first
    /// (ties by actual, then predicted class), like fastai's `most_confused`.
    public func mostConfused(minCount: Int = 1) -> [ConfusedPair] {
        var pairs: [ConfusedPair] = []
        for (actual, row) in confusion.enumerated() {
            for (predicted, count) in row.enumerated() where predicted != actual && count >= max(minCount, 1) {
                pairs.append(ConfusedPair(actual: actual, predicted: predicted, count: count))
            }
        }
        return pairs.sorted { ($1.count, $0.actual, $0.predicted) < ($0.count, $1.actual, $1.predicted) }
    }

    /// The confusion matrix: rows are actual classes, columns predicted ones.
    public func confusionMatrixTable() -> String {
        var table = TextTable(header: ["actual \\ predicted"] + classNames)
        for (c, row) in confusion.enumerated() {
            table.append([classNames[c]] + row.map(String.init))
        }
        return table.render()
    }

    /// Per-class sample count, correct predictions and accuracy.
    public func perClassTable() -> String {
        var table = TextTable(header: ["class", "samples", "correct", "accuracy"])
        for (c, row) in confusion.enumerated() {
            let total = row.reduce(0, +)
            table.append([classNames[c], String(total), String(row[c]), total == 0 ? "" : String(format: "%.4f", Double(row[c]) / Double(total))])
        }
        return table.render()
    }

    /// The `k` highest-loss samples: index, actual, predicted, probability of the prediction, loss.
    public func topLossesTable(_ k: Int = 9) -> String {
        var table = TextTable(header: ["index", "actual", "predicted", "probability", "loss"])
        for r in topLosses(k) {
            table.append([
                String(r.index), classNames[r.target], classNames[r.predicted], String(format: "%.4f", r.probability),
                String(format: "%.4f", r.loss),
            ])
        }
        return table.render()
    }

    /// The most confused pairs: actual, predicted, count.
    public func mostConfusedTable(minCount: Int = 1) -> String {
        var table = TextTable(header: ["actual", "predicted", "count"])
        for pair in mostConfused(minCount: minCount) {
            table.append([classNames[pair.actual], classNames[pair.predicted], String(pair.count)])
        }
        return table.render()
    }
}

/// Runs `model` in evaluation mode over `data` (use an unshuffled source so indices are data-set indices)
/// and analyses its predictions.
public func interpret(model: TrainableModel, data: BatchSource, classNames: [String]? = nil, interrupt: InterruptCheck? = nil) throws
    -> Interpretation
{
    var rows: [Tensor] = []
    var labels: [Int] = []
    var interrupted = false
    try noGrad {
        try data.forEachBatch(epoch: 0) { inputs, batchLabels in
            if interrupt?() == true {
                interrupted = true
                return false
            }
            let output = try model.forward(inputs, training: false)
            guard output.rank == 2, output.shape[0] == batchLabels.count else {
                throw KernelError.shapeMismatch(
                    op: "interpret", expected: "model output [\(batchLabels.count), classes]", found: shapeString(output.shape))
            }
            rows.append(output)
            labels += batchLabels
            return true
        }
    }
    if interrupted { throw TrainingError.interrupted("interpret") }
    guard !rows.isEmpty else { throw TrainingError.emptyData("interpret") }
    return try Interpretation(logits: Tensor.concat(rows, axis: 0), targets: labels, classNames: classNames)
}
