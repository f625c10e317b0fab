import Basics

/// A quantity measured on batches and averaged over the samples of a pass, such as accuracy.
///
/// `measure` returns a batch's total (e.g. the number of correct predictions) and the number of samples
/// it covers; the epoch value is the sum of totals divided by the sum of counts.
public struct Metric {
    /// Column name in histories, logs and tables (`accuracy`, `top_5_accuracy`).
    public let name: String
    /// Whether larger values are better (used to sort searches).
    public let higherIsBetter: Bool
    /// A batch's (total, sample count) from the model output and the labels.
    public let measure: (_ output: Tensor, _ labels: [Int]) throws -> (total: Double, count: Int)

    /// A metric named `name`.
    public init(name: String, higherIsBetter: Bool, measure: @escaping (_ output: Tensor, _ labels: [Int]) throws -> (total: Double, count: Int)) {
        self.name = name
        self.higherIsBetter = higherIsBetter
        self.measure = measure
    }

    /// Fraction of samples whose highest-scoring class is the label (ties go to the lower class index).
    public static let accuracy = Metric(name: "accuracy", higherIsBetter: true) { output, labels in
        let rows = try ClassScores(output, labels, metric: "accuracy")
        var correct = 0
        for (i, label) in labels.enumerated() where rows.rank(of: label, in: i) == 0 { correct += 1 }
        return (Double(correct), labels.count)
    }

    /// Fraction of samples whose label is not the top prediction.
    public static let errorRate = Metric(name: "error_rate", higherIsBetter: false) { output, labels in
        let (correct, count) = try accuracy.measure(output, labels)
        return (Double(count) - correct, count)
    }

    /// Fraction of samples whose label is among the `k` highest-scoring classes.
    public static func topK(_ k: Int) -> Metric {
        Metric(name: "top_\(k)_accuracy", higherIsBetter: true) { output, labels in
            guard k >= 1 else {
                throw KernelError.invalidArgument(op: "top_k_accuracy", message: "k must be at least 1, found \(k)")
            }
            let rows = try ClassScores(output, labels, metric: "top_\(k)_accuracy")
            var hits = 0
            for (i, label) in labels.enumerated() where rows.rank(of: label, in: i) < k { hits += 1 }
            return (Double(hits), labels.count)
        }
    }
}

/// A batch of class scores `[B, C]` checked against its labels.
struct ClassScores {
    let values: [Float]
    let classes: Int

    init(_ output: Tensor, _ labels: [Int], metric: String) throws {
        guard output.rank == 2 else {
            throw KernelError.shapeMismatch(op: metric, expected: "class scores of shape [batch, classes]", found: shapeString(output.shape))
        }
        guard output.shape[0] == labels.count else {
            throw KernelError.shapeMismatch(
                op: metric, expected: "\(output.shape[0]) labels, one per row of the output", found: "\(labels.count) labels")
        }
        classes = output.shape[1]
        if let bad = labels.first(where: { $0 < 0 || $0 >= output.shape[1] }) {
            throw KernelError.invalidArgument(op: metric, message: "label \(bad) is out of range for \(Plural.count(output.shape[1], "class"))")
        }
        values = output.data
    }

    /// How many classes of row `row` score strictly higher than `label`, or tie with it at a lower index
    /// (0 means `label` is the prediction).
    func rank(of label: Int, in row: Int) -> Int {
        let base = row * classes
        let score = values[base + label]
        var rank = 0
        for c in 0..<classes where c != label {
            let other = values[base + c]
            if other > score || (other == score && c < label) || score.isNaN { rank += 1 }
        }
        return rank
    }
}
