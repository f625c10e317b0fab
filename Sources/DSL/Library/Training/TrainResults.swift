import Basics
import Foundation
import Kernel

/// A metric for `fit(metrics=[...])` and `evaluate`: `accuracy`, `error_rate`, `top5`, `top_k(k)`.
final class MetricObject: DSLObject {
    let metric: Metric
    /// How the value is written in the language (`top5`, `top_k(3)`).
    let text: String

    init(_ metric: Metric, text: String) {
        self.metric = metric
        self.text = text
    }

    static let accuracy = MetricObject(.accuracy, text: "accuracy")
    static let errorRate = MetricObject(.errorRate, text: "error_rate")
    static let top5 = MetricObject(.topK(5), text: "top5")

    static let type = DSLType(
        name: "Metric",
        doc: "A quantity measured on validation batches and averaged over the samples: accuracy, error_rate, top5, top_k(k).",
        properties: [
            DSLProperty("name", doc: "The column name in histories and tables.") { value in
                guard case .object(let object) = value, let metric = object as? MetricObject else {
                    throw DSLError(.type, "expected a Metric, not \(value.typeName)")
                }
                return .string(metric.metric.name)
            }
        ])

    var dslType: DSLType { MetricObject.type }
    var description: String { text }
}

/// What `fit` returns: one row per epoch and one per optimizer step. It prints as fastai's epoch table; the
/// columns are lists for charts (`h.train_loss`, `h.valid_loss`, `h.accuracy`, `h.losses`, `h.lrs`, …).
final class HistoryObject: DSLObject {
    let history: History

    init(_ history: History) {
        self.history = history
    }

    var dslType: DSLType { TrainResults.historyType }

    var description: String {
        var text = EpochTable(metricNames: history.metricNames).render(history)
        if let note = TrainResults.stopNote(history) { text += "\n" + note }
        return text
    }

    /// One line, so `fit(...)` typed without assignment does not print the epoch table a second time; `print(h)`
    /// shows the table.
    var repr: String { summary }

    var summary: String {
        var parts = ["\(Plural.count(history.epochs.count, "epoch"))", Plural.count(history.steps.count, "step")]
        if let last = history.epochs.last {
            if let valid = last.validLoss { parts.append("valid_loss \(String(format: "%.4f", valid))") }
            for (name, value) in zip(history.metricNames, last.metrics) { parts.append("\(name) \(String(format: "%.4f", value))") }
        }
        if case .interrupted = history.stopReason { parts.append("interrupted") }
        return "<History: " + parts.joined(separator: ", ") + ">"
    }

    func length() throws -> Int? { history.epochs.count }

    /// `h.accuracy` for every metric of the run.
    func attribute(named name: String) throws -> Value? {
        history.metric(name).map(TrainResults.floats)
    }

    var dynamicAttributeNames: [String] { history.metricNames }

    /// `h["valid_loss"]`, `h["accuracy"]`: any per-epoch column by name.
    func item(at index: Value) throws -> Value? {
        guard case .string(let name) = index else {
            throw DSLError(.type, "History indices are column names such as 'valid_loss', not \(index.typeName)")
        }
        switch name {
        case "train_loss": return TrainResults.floats(history.epochs.map(\.trainLoss))
        case "valid_loss": return .list(history.epochs.map { $0.validLoss.map { .float($0) } ?? .none })
        case "time": return TrainResults.floats(history.epochs.map(\.seconds))
        default:
            if let values = history.metric(name) { return TrainResults.floats(values) }
            let columns = ["train_loss", "valid_loss"] + history.metricNames + ["time"]
            var message = "the history has no column \(Value.quote(name)); its columns are \(Value.list(columns.map { .string($0) }).repr)"
            if let suggestion = Suggestions.closest(to: name, among: columns) { message += " (did you mean '\(suggestion)'?)" }
            throw DSLError(.key, message)
        }
    }
}

/// What `lr_find` returns: the curve (`r.lrs`, `r.losses`) and fastai's suggestions (`r.valley`, `r.slide`,
/// `r.minimum`, `r.steep`; `r.suggestion` is the valley, fastai's default).
final class LRFinderObject: DSLObject {
    let result: LRFinderResult

    init(_ result: LRFinderResult) {
        self.result = result
    }

    var dslType: DSLType { TrainResults.lrFinderType }

    var description: String {
        let shown = result.suggestions.map { "\($0.method.rawValue)=\(String(format: "%.2e", $0.learningRate))" }
        let body = shown.isEmpty ? "no suggestion (too few points; use more data or num_it)" : shown.joined(separator: ", ")
        return "<LRFinderResult: \(body); \(Plural.count(result.learningRates.count, "point"))\(result.interrupted ? ", interrupted" : "")>"
    }

    func suggestion(_ method: LRSuggestionMethod) -> Value {
        result.suggestion(method).map { .float($0.learningRate) } ?? .none
    }
}

/// What `interpret` returns: fastai's ClassificationInterpretation with tables whose cells stay numbers.
final class InterpretationObject: DSLObject {
    let interpretation: Interpretation
    /// The samples interpreted, in the order they were read (record `index` is a position here).
    let samples: Dataset?

    init(_ interpretation: Interpretation, samples: Dataset?) {
        self.interpretation = interpretation
        self.samples = samples
    }

    var dslType: DSLType { TrainResults.interpretationType }

    var description: String {
        "Interpretation of \(Plural.count(interpretation.records.count, "sample")), accuracy \(String(format: "%.4f", interpretation.accuracy))\n"
            + confusionTable.description
    }

    var summary: String {
        "<Interpretation: \(Plural.count(interpretation.records.count, "sample")), accuracy \(String(format: "%.4f", interpretation.accuracy))>"
    }

    var confusionTable: TableObject {
        let names = interpretation.classNames
        return TableObject(
            columns: ["actual \\ predicted"] + names,
            rows: interpretation.confusion.enumerated().map { [.string(names[$0.offset])] + $0.element.map { .int($0) } })
    }

    var perClassTable: TableObject {
        let names = interpretation.classNames
        return TableObject(
            columns: ["class", "samples", "correct", "accuracy"],
            rows: interpretation.confusion.enumerated().map { c, row in
                let total = row.reduce(0, +)
                return [.string(names[c]), .int(total), .int(row[c]), total == 0 ? .none : .float(Double(row[c]) / Double(total))]
            })
    }

    func topLosses(_ k: Int) -> TableObject {
        let names = interpretation.classNames
        return TableObject(
            columns: ["index", "actual", "predicted", "probability", "loss"],
            rows: interpretation.topLosses(k).map { r in
                [.int(r.index), .string(names[r.target]), .string(names[r.predicted]), .float(r.probability), .float(r.loss)]
            })
    }

    func mostConfused(_ minCount: Int) -> TableObject {
        let names = interpretation.classNames
        return TableObject(
            columns: ["actual", "predicted", "count"],
            rows: interpretation.mostConfused(minCount: minCount).map { pair in
                [.string(names[pair.actual]), .string(names[pair.predicted]), .int(pair.count)]
            })
    }
}

// The results are drawable by the chart builtins (protocols in ChartSources.swift).

extension HistoryObject: HistoryChartSource {
    var chartHistory: History { history }
}

extension LRFinderObject: LRFinderChartSource {
    var chartLRFinderResult: LRFinderResult { result }
}

extension InterpretationObject: InterpretationChartSource {
    var chartInterpretation: Interpretation { interpretation }
    var chartInterpretedSamples: Dataset? { samples }
}

/// The types of training results, and helpers they share.
enum TrainResults {
    static let historyType = DSLType(
        name: "History",
        doc:
            "What fit returns: one line in the REPL, the epoch table with print(h); per-epoch and per-step columns are lists (h.valid_loss, h.accuracy, h.losses, h.lrs).",
        properties: [
            DSLProperty("epochs", doc: "The numbers of the completed epochs, from 1 as in the table and the progress bar.") { value in
                .list(try history(value).epochs.map { .int($0.epoch + 1) })
            },
            DSLProperty("train_loss", doc: "Mean training loss of each completed epoch.") { value in
                floats(try history(value).epochs.map(\.trainLoss))
            },
            DSLProperty("valid_loss", doc: "Validation loss of each completed epoch (None without validation data).") { value in
                .list(try history(value).epochs.map { $0.validLoss.map { .float($0) } ?? .none })
            },
            DSLProperty("metrics", doc: "Each metric's values by epoch, as a dict {name: list}.") { value in
                let history = try history(value)
                return .dict(try DictObject(history.metricNames.map { (.string($0), floats(history.metric($0) ?? [])) }))
            },
            DSLProperty("metric_names", doc: "The metric columns, in table order.") { value in
                .list(try history(value).metricNames.map { .string($0) })
            },
            DSLProperty("times", doc: "Seconds each completed epoch took.") { value in floats(try history(value).epochs.map(\.seconds)) },
            DSLProperty("steps", doc: "The optimizer step numbers (x axis of the per-step lists).") { value in
                .list(try history(value).steps.map { .int($0.step) })
            },
            DSLProperty("losses", doc: "The loss of every training batch.") { value in floats(try history(value).steps.map(\.loss)) },
            DSLProperty("smooth_losses", doc: "The smoothed loss after every batch (fastai's running loss, β = 0.98).") { value in
                floats(try history(value).steps.map(\.smoothedLoss))
            },
            DSLProperty("lrs", doc: "The learning rate of every step.") { value in floats(try history(value).steps.map(\.learningRate)) },
            DSLProperty("moms", doc: "The momentum (or Adam's β₁) of every step.") { value in floats(try history(value).steps.map(\.momentum)) },
            DSLProperty("interrupted", doc: "Whether the run was stopped early (Ctrl-C).") { value in
                if case .interrupted = try history(value).stopReason { return .bool(true) }
                return .bool(false)
            },
        ])

    static let lrFinderType = DSLType(
        name: "LRFinderResult",
        doc: "What lr_find returns: the smoothed loss per learning rate (r.lrs, r.losses) and suggested rates (r.valley, …).",
        properties: [
            DSLProperty("suggestion", doc: "The suggested learning rate: the valley, fastai's default (None if the curve is too short).") {
                try finder($0).suggestion(.valley)
            },
            DSLProperty("valley", doc: "The middle of the longest descent of the curve.") { try finder($0).suggestion(.valley) },
            DSLProperty("slide", doc: "Where the curve stops flattening, walking back from the end.") { try finder($0).suggestion(.slide) },
            DSLProperty("minimum", doc: "A tenth of the learning rate at the lowest loss.") { try finder($0).suggestion(.minimum) },
            DSLProperty("steep", doc: "Where the loss falls fastest.") { try finder($0).suggestion(.steep) },
            DSLProperty("suggestions", doc: "Every suggestion as a dict {method: lr}.") { value in
                .dict(try DictObject(try finder(value).result.suggestions.map { (.string($0.method.rawValue), .float($0.learningRate)) }))
            },
            DSLProperty("points", doc: "Each suggestion's point on the curve as a dict {method: (lr, loss)}, to mark on a plot.") { value in
                .dict(
                    try DictObject(
                        try finder(value).result.suggestions.map {
                            (.string($0.method.rawValue), .tuple([.float($0.pointLearningRate), .float($0.pointLoss)]))
                        }))
            },
            DSLProperty("lrs", doc: "The learning rate of every recorded iteration.") { value in floats(try finder(value).result.learningRates) },
            DSLProperty("losses", doc: "The smoothed loss of every recorded iteration (what fastai plots).") { value in
                floats(try finder(value).result.losses)
            },
            DSLProperty("raw_losses", doc: "The unsmoothed loss of every recorded iteration.") { value in
                floats(try finder(value).result.curve.rawLosses)
            },
            DSLProperty("diverged", doc: "Whether recording stopped because the loss blew up.") {
                .bool(try finder($0).result.curve.stoppedByDivergence)
            },
            DSLProperty("interrupted", doc: "Whether the search was stopped early (Ctrl-C).") { .bool(try finder($0).result.interrupted) },
            DSLProperty("table", doc: "The suggestions as a Table: method, lr, index, loss.") { value in
                .object(
                    TableObject(
                        columns: ["method", "lr", "index", "loss"],
                        rows: try finder(value).result.suggestions.map { s in
                            [.string(s.method.rawValue), .float(s.learningRate), .int(s.index), .float(s.pointLoss)]
                        }))
            },
        ])

    static let interpretationType = DSLType(
        name: "Interpretation",
        doc: "What interpret returns: confusion matrix, per-class accuracy, top losses and most confused classes, as tables.",
        properties: [
            DSLProperty("classes", doc: "The class names.") { value in .list(try interpretation(value).interpretation.classNames.map { .string($0) })
            },
            DSLProperty("accuracy", doc: "The fraction of samples predicted correctly.") { .float(try interpretation($0).interpretation.accuracy) },
            DSLProperty("confusion", doc: "The confusion matrix as a Table: a row per actual class, a column per predicted class.") {
                .object(try interpretation($0).confusionTable)
            },
            DSLProperty("confusion_matrix", doc: "The confusion matrix as a list of lists of counts [actual][predicted], for heat maps.") { value in
                .list(try interpretation(value).interpretation.confusion.map { .list($0.map { .int($0) }) })
            },
            DSLProperty("per_class", doc: "Samples, correct predictions and accuracy of each class, as a Table.") {
                .object(try interpretation($0).perClassTable)
            },
            DSLProperty("targets", doc: "The true class of every sample, in data order.") { value in
                .list(try interpretation(value).interpretation.records.map { .int($0.target) })
            },
            DSLProperty("predictions", doc: "The predicted class of every sample, in data order.") { value in
                .list(try interpretation(value).interpretation.records.map { .int($0.predicted) })
            },
            DSLProperty("probabilities", doc: "The softmax probability of each sample's predicted class.") { value in
                floats(try interpretation(value).interpretation.records.map(\.probability))
            },
            DSLProperty("losses", doc: "The cross-entropy loss of every sample.") { value in
                floats(try interpretation(value).interpretation.records.map(\.loss))
            },
        ],
        methods: [
            BuiltinFunction(
                "top_losses", [.optional("k", 9)],
                doc: "The k samples with the highest loss as a Table (index in the data set, actual, predicted, probability, loss)."
            ) { args in
                let k = try args.int("k")
                guard k >= 1 else { throw args.valueError("k", "must be at least 1, got \(k)") }
                return .object(try args.receiver(as: InterpretationObject.self).topLosses(k))
            },
            BuiltinFunction(
                "most_confused", [.optional("min_count", 1)],
                doc: "The (actual, predicted) class pairs mixed up at least min_count times, most frequent first, as a Table."
            ) { args in
                .object(try args.receiver(as: InterpretationObject.self).mostConfused(try args.int("min_count")))
            },
        ])

    /// A list of floats.
    static func floats(_ values: [Double]) -> Value {
        .list(values.map { .float($0) })
    }

    /// A note on how the run ended early, or nil when it completed.
    static func stopNote(_ history: History) -> String? {
        guard case let .interrupted(epoch, batch, validating)? = history.stopReason else { return nil }
        let completed = history.epochs.count
        return
            "interrupted in epoch \(epoch + 1) (\(validating ? "validation" : "training") batch \(batch)): the model keeps the weights it reached; "
            + "the history has \(Plural.count(completed, "completed epoch")) and \(Plural.count(history.steps.count, "step"))"
    }

    private static func history(_ value: Value) throws -> History {
        guard case .object(let object) = value, let wrapped = object as? HistoryObject else {
            throw DSLError(.type, "expected a History, not \(value.typeName)")
        }
        return wrapped.history
    }

    private static func finder(_ value: Value) throws -> LRFinderObject {
        guard case .object(let object) = value, let wrapped = object as? LRFinderObject else {
            throw DSLError(.type, "expected an LRFinderResult, not \(value.typeName)")
        }
        return wrapped
    }

    private static func interpretation(_ value: Value) throws -> InterpretationObject {
        guard case .object(let object) = value, let wrapped = object as? InterpretationObject else {
            throw DSLError(.type, "expected an Interpretation, not \(value.typeName)")
        }
        return wrapped
    }
}
