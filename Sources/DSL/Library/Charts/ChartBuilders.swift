import Foundation
import Kernel
import Plot

/// Titles and axis labels a caller gave; each replaces the chart's own default when set.
struct ChartLabels {
    /// Text above the chart.
    var title: String?
    /// Text under the x axis.
    var xLabel: String?
    /// Text beside the y axis.
    var yLabel: String?
}

/// The charts of training results, built from Kernel values (never from the objects wrapping them).
enum ChartBuilders {
    /// How `plot(history)` spreads the curves along x.
    enum HistoryAxis: String {
        /// The smoothed training loss at every step; validation loss and metrics where each epoch ended.
        case step
        /// One point per completed epoch.
        case epoch
    }

    /// Training and validation loss over steps or epochs; the metrics in a second panel below when there are any
    /// and `metrics` is true.
    static func history(_ history: History, per axis: HistoryAxis, logY: Bool, labels: ChartLabels, metrics includeMetrics: Bool = true) throws
        -> Chart
    {
        guard !history.steps.isEmpty else {
            throw DSLError(.value, "plot(): the history is empty: nothing was trained yet")
        }
        let positions: [Double]
        var lossSeries: [Series] = []
        switch axis {
        case .step:
            lossSeries.append(
                Series(name: "train (smoothed)", x: history.steps.map { Double($0.step) }, y: history.steps.map { finite($0.smoothedLoss) }))
            // Epoch rows are placed at the last step of their epoch.
            var lastStep: [Int: Int] = [:]
            for record in history.steps { lastStep[record.epoch] = max(lastStep[record.epoch] ?? record.step, record.step) }
            positions = history.epochs.map { lastStep[$0.epoch].map(Double.init) ?? .nan }
        case .epoch:
            guard !history.epochs.isEmpty else {
                throw DSLError(.value, "plot(): the history has no completed epoch yet; use per='step'")
            }
            // Epochs are numbered from 1 wherever a person reads them (the bar, the table, Ctrl-C's note).
            positions = history.epochs.map { Double($0.epoch + 1) }
            lossSeries.append(Series(name: "train", x: positions, y: history.epochs.map { finite($0.trainLoss) }, style: .linesPoints))
        }
        let epochStyle: Series.Style = axis == .epoch || history.epochs.count > 1 ? .linesPoints : .points
        let valid = history.epochs.map { $0.validLoss.map(finite) ?? .nan }
        if valid.contains(where: { !$0.isNaN }) {
            lossSeries.append(Series(name: "valid", x: positions, y: valid, style: epochStyle))
        }
        let xLabel = labels.xLabel ?? axis.rawValue
        let lossChart = LineChart(
            series: lossSeries.filter(hasPoint), title: labels.title ?? "loss", xLabel: xLabel,
            yLabel: labels.yLabel ?? "loss", logY: logY)
        let metrics = history.metricNames.compactMap { name -> Series? in
            let series = Series(name: name, x: positions, y: (history.metric(name) ?? []).map(finite), style: epochStyle)
            return hasPoint(series) ? series : nil
        }
        guard includeMetrics, !metrics.isEmpty else { return lossChart }
        // Panel titles name the curves too: text charts shorten y labels to five characters.
        let names = metrics.map(\.name).joined(separator: ", ")
        let metricChart = LineChart(series: metrics, title: names, xLabel: xLabel, yLabel: names, showLegend: metrics.count > 1)
        return ChartPanels(panels: [lossChart, metricChart], sharesX: true)
    }

    /// The LR finder's smoothed loss against the learning rate on a log axis, with each suggestion a point of its
    /// own in the legend (`valley 2.1e-03`), as fastai draws them, but on the curve: at the suggested rate and the
    /// loss the curve has there (so `minimum`, a tenth of the rate at the lowest loss, sits on the curve left of its
    /// lowest point, and says so: `minimum/10`).
    static func lrFinder(_ result: LRFinderResult, logX: Bool, logY: Bool, labels: ChartLabels) throws -> Chart {
        try lrFinder(
            learningRates: result.learningRates, losses: result.losses, suggestions: result.suggestions,
            logX: logX, logY: logY, labels: labels)
    }

    /// The LR finder's curve from its points (smoothed `losses` at `learningRates`), e.g. while it still runs and has
    /// no `suggestions` yet.
    static func lrFinder(
        learningRates: [Double], losses: [Double], suggestions: [LRSuggestion], logX: Bool, logY: Bool,
        labels: ChartLabels
    ) throws -> Chart {
        guard !learningRates.isEmpty else {
            throw DSLError(.value, "plot(): the LR finder recorded no points")
        }
        let suggestions = suggestions.map { suggestion in
            let name = suggestion.method == .minimum ? "minimum/10" : suggestion.method.rawValue
            return Series(
                name: "\(name) \(String(format: "%.1e", suggestion.learningRate))",
                x: [suggestion.learningRate], y: [finite(curveLoss(at: suggestion.learningRate, learningRates: learningRates, losses: losses))],
                style: .points)
        }
        let curve = Series(name: "", x: learningRates, y: losses.map(finite))
        return LineChart(
            series: [curve] + suggestions.filter(hasPoint), title: labels.title ?? "learning rate finder",
            xLabel: labels.xLabel ?? "learning rate", yLabel: labels.yLabel ?? "loss", logX: logX, logY: logY)
    }

    /// The loss the curve has at `rate`: interpolated between the recorded points around it on the log axis (the
    /// nearest end beyond them), skipping points whose loss is not finite.
    static func curveLoss(at rate: Double, learningRates: [Double], losses: [Double]) -> Double {
        let points = zip(learningRates, losses).filter { $0.0 > 0 && $0.0.isFinite && $0.1.isFinite }
        guard let first = points.first, let last = points.last else { return .nan }
        guard let above = points.firstIndex(where: { $0.0 >= rate }) else { return last.1 }
        guard above > 0 else { return first.1 }
        let (lowRate, lowLoss) = points[above - 1]
        let (highRate, highLoss) = points[above]
        let span = log(highRate) - log(lowRate)
        guard span > 0 else { return highLoss }
        return lowLoss + (highLoss - lowLoss) * (log(rate) - log(lowRate)) / span
    }

    /// Most steps `plot(schedule, steps=...)` draws, to keep a mistyped count from hanging the session.
    static let maximumScheduleSteps = 1_000_000

    /// The learning rate over the steps of `values`, with the momentum in a second panel when the schedule sets it.
    static func schedule(_ values: [ScheduleValue], logY: Bool, labels: ChartLabels) throws -> Chart {
        guard !values.isEmpty else { throw DSLError(.value, "plot(): the schedule has no steps; pass steps=...") }
        let positions = values.indices.map(Double.init)
        let xLabel = labels.xLabel ?? "step"
        let rates = Series(name: "", x: positions, y: values.map { finite($0.learningRate) })
        guard values.contains(where: { $0.momentum != nil }) else {
            return LineChart(series: [rates], title: labels.title ?? "learning rate", xLabel: xLabel, yLabel: labels.yLabel, logY: logY)
        }
        let momentum = Series(name: "", x: positions, y: values.map { $0.momentum.map(finite) ?? .nan })
        return ChartPanels(
            panels: [
                LineChart(series: [rates], title: "learning rate", xLabel: xLabel, yLabel: labels.yLabel, logY: logY),
                LineChart(series: [momentum], title: "momentum", xLabel: xLabel),
            ],
            heading: labels.title)
    }

    /// The confusion matrix with counts (or, `normalized`, each row's fractions to two decimals), actual classes
    /// down, predicted across.
    static func confusion(_ counts: [[Double]], classNames: [String], normalized: Bool, labels: ChartLabels) -> HeatMap {
        let values =
            normalized
            ? counts.map { row -> [Double] in
                let total = row.reduce(0, +)
                return row.map { total > 0 ? ($0 / total * 100).rounded() / 100 : 0 }
            } : counts
        return HeatMap(
            values: values, rowLabels: classNames, columnLabels: classNames,
            // The text terminal leaves out a y label beside row names, so the title names the rows too.
            title: labels.title ?? (normalized ? "confusion matrix (rows: actual, as fractions)" : "confusion matrix (rows: actual)"),
            xLabel: labels.xLabel ?? "predicted", yLabel: labels.yLabel ?? "actual")
    }

    /// The `count` samples with the highest loss, captioned `actual/predicted/probability`.
    static func topLosses(_ interpretation: Interpretation, samples: Dataset, count: Int) throws -> [GridImage] {
        try interpretation.topLosses(count).map { record in
            guard record.index < samples.count else {
                throw DSLError(.value, "images(): sample \(record.index) of the interpretation is not in its data (\(samples.count) samples)")
            }
            let image = try samples.sample(record.index).image
            let names = interpretation.classNames
            let caption = "\(name(names, record.target))/\(name(names, record.predicted))/\(String(format: "%.2f", record.probability))"
            return try ChartImages.picture(image, caption: caption)
        }
    }

    private static func name(_ names: [String], _ index: Int) -> String {
        index < names.count ? names[index] : String(index)
    }

    /// Infinities become gaps, like NaN: gnuplot cannot scale an axis to them.
    static func finite(_ value: Double) -> Double {
        value.isFinite ? value : .nan
    }

    /// Whether a series has a point gnuplot can draw (a series of gaps only would be an error).
    static func hasPoint(_ series: Series) -> Bool {
        zip(series.x, series.y).contains { $0.isFinite && $1.isFinite }
    }
}
