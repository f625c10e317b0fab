import Basics
import Foundation
import Plot
import Kernel

/// How `fit`, `lr_find`, `evaluate` and `interpret` show their progress.
public enum ProgressStyle {
    /// A bar redrawn in place when standard output is a terminal, plain lines otherwise.
    case automatic
    /// A fastprogress-like bar redrawn in place with `\r` (for terminals).
    case bar
    /// Plain lines only: the epoch table, and a progress line at most every 30 seconds (for logs and pipes).
    case lines
}

extension Interpreter {
    /// How training builtins show progress. The REPL sets `.bar` when its output is a terminal; `.automatic`
    /// (the default) asks `OutputTerminal` about standard output.
    public var progressStyle: ProgressStyle {
        get { extensionState(TrainingState.self).progressStyle }
        set { extensionState(TrainingState.self).progressStyle = newValue }
    }
}

/// Per-interpreter state of the training builtins.
final class TrainingState: InterpreterExtensionState {
    /// See `Interpreter.progressStyle`.
    var progressStyle: ProgressStyle = .automatic
    /// Training runs stopped by an interrupt so far; `grid_search` compares it before and after a trial, because
    /// `fit` consumes the interrupt request to return its partial history.
    var interruptedRuns = 0
    /// The run directory of the `grid_search(tensorboard=)` trial running, where `fit` writes its TensorBoard events
    /// unless given `tensorboard=`.
    var tensorBoardTrialDirectory: String?

    /// Whether progress should be drawn as a bar.
    var drawsBar: Bool {
        switch progressStyle {
        case .bar: return true
        case .lines: return false
        case .automatic: return OutputTerminal.isTerminal(STDOUT_FILENO)
        }
    }
}

/// The fastai-style epoch table: `epoch  train_loss  valid_loss  accuracy  time`, one row per completed epoch,
/// printable row by row while training runs (every column has a fixed width from the start).
struct EpochTable {
    let columns: [String]
    private let widths: [Int]

    init(metricNames: [String]) {
        columns = ["epoch", "train_loss", "valid_loss"] + metricNames + ["time"]
        widths = columns.map { name in name == "epoch" || name == "time" ? max(name.count, 5) : max(name.count, 8) }
    }

    /// The header line.
    var header: String { line(columns) }

    /// The line of one completed epoch.
    func row(_ record: EpochRecord, metricCount: Int) -> String {
        let metrics = (0..<metricCount).map { $0 < record.metrics.count ? EpochTable.number(record.metrics[$0]) : "" }
        return line(
            // Numbered from 1, as Keras's "Epoch 1/5" and the progress bar: one convention wherever epochs are shown.
            [String(record.epoch + 1), EpochTable.number(record.trainLoss), record.validLoss.map(EpochTable.number) ?? ""]
                + metrics + [TextTable.duration(record.seconds)])
    }

    /// The whole table of `history`.
    func render(_ history: History) -> String {
        ([header] + history.epochs.map { row($0, metricCount: history.metricNames.count) }).joined(separator: "\n")
    }

    private func line(_ cells: [String]) -> String {
        var text = zip(cells, widths).map { cell, width in cell.padding(toLength: max(width, cell.count), withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    /// Six decimals, as fastai prints losses and metrics; scientific notation from 100,000 on, where six decimals
    /// would overflow the column (a diverging loss).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        return String(format: abs(value) >= 1e5 ? "%.3e" : "%.6f", value)
    }
}

/// Draws the progress of a training builtin through the interpreter's output: on a terminal a bar redrawn in place
/// (at most ten times a second), otherwise plain lines; plus the epoch table when one is given.
final class ProgressPrinter: TrainingObserver {
    private let interpreter: Interpreter
    private let drawsBar: Bool
    private let showsProgress: Bool
    private let table: EpochTable?
    private var barVisible = false
    private var lastDraw: UInt64 = 0
    private var lastLine: UInt64 = 0
    /// The lowest smoothed training loss so far, and whether the divergence warning was given.
    private var bestLoss = Double.infinity
    private var warnedOfDivergence = false

    /// Seconds between bar redraws (rate limit) and between plain progress lines.
    static let redrawInterval = 0.1
    static let lineInterval = 30.0
    /// Characters of the bar itself.
    static let barWidth = 15

    /// A printer writing to `interpreter`; `showsProgress` false leaves only the table, `table` nil only the progress.
    init(interpreter: Interpreter, showsProgress: Bool, table: EpochTable?) {
        self.interpreter = interpreter
        self.drawsBar = interpreter.extensionState(TrainingState.self).drawsBar
        self.showsProgress = showsProgress
        self.table = table
        lastLine = DispatchTime.now().uptimeNanoseconds
    }

    func trainingWillStart(epochs: Int, batchesPerEpoch: Int, history: History) {
        if let table { interpreter.write(table.header + "\n") }
    }

    func batchDidEnd(_ progress: BatchProgress, history: History) {
        if progress.phase == .train { warnIfDiverging(progress) }
        guard showsProgress else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if drawsBar {
            guard !barVisible || Double(now - lastDraw) / 1e9 >= ProgressPrinter.redrawInterval else { return }
            lastDraw = now
            barVisible = true
            // A line longer than the terminal would wrap, and `\r` could no longer redraw it in place.
            let line = ProgressPrinter.barLine(progress, width: ProgressPrinter.terminalColumns() - 1)
            interpreter.write("\r" + line + "\u{1B}[K")
        } else if progress.batch < progress.batchCount && Double(now - lastLine) / 1e9 >= ProgressPrinter.lineInterval {
            lastLine = now
            interpreter.write(ProgressPrinter.plainLine(progress) + "\n")
        }
    }

    func epochDidEnd(_ record: EpochRecord, history: History) {
        clear()
        if let table { interpreter.write(table.row(record, metricCount: history.metricNames.count) + "\n") }
    }

    func trainingDidEnd(history: History) {
        clear()
    }

    /// Says once when the smoothed training loss grows past 4× its best, the rule by which `lr_find` stops: the
    /// learning rate is most likely too high (the table's numbers would only say it epochs later).
    private func warnIfDiverging(_ progress: BatchProgress) {
        let loss = progress.runningLoss
        guard !warnedOfDivergence, loss.isFinite else { return }
        if loss < bestLoss { bestLoss = loss }
        guard bestLoss > 0, loss > 4 * bestLoss else { return }
        warnedOfDivergence = true
        clear()
        interpreter.write(
            "warning: the loss is diverging: \(EpochTable.number(loss)) at step \(progress.step), over 4× its best "
                + "(\(EpochTable.number(bestLoss))); the learning rate is probably too high (lr_find suggests one)\n")
    }

    /// Removes the bar (also after an error, which ends training without `trainingDidEnd`).
    func clear() {
        if barVisible { interpreter.write("\r\u{1B}[K") }
        barVisible = false
    }

    /// `epoch 1/3 |█████░░░░░░░░░░| 45/150 [00:03<00:07, 12.4 it/s] loss 0.3421`, batches counted as tqdm and
    /// fastprogress count them (`it/s`, or `s/it` when slower than one a second). Within `width` columns: the bar
    /// shrinks first, then the timing goes, so the loss at the end is never cut.
    static func barLine(_ p: BatchProgress, width: Int = .max) -> String {
        let fraction = p.batchCount > 0 ? min(1, Double(p.batch) / Double(p.batchCount)) : 0
        let timing = "[\(TextTable.duration(p.elapsed))<\(TextTable.duration(p.eta)), \(rate(batches: p.batch, seconds: p.elapsed))]"
        func line(bar barCells: Int, timing: String?) -> String {
            let filled = Swift.min(Swift.max(Int(saturating: (fraction * Double(barCells)).rounded(.down)), 0), barCells)
            let bar = barCells > 0 ? " |" + String(repeating: "█", count: filled) + String(repeating: "░", count: barCells - filled) + "|" : ""
            return "\(phaseLabel(p))\(bar) \(p.batch)/\(p.batchCount)\(timing.map { " " + $0 } ?? "") \(tail(p))"
        }
        let full = line(bar: barWidth, timing: timing)
        if full.count <= width { return full }
        let spare = barWidth - (full.count - width)
        if spare >= 5 { return line(bar: spare, timing: timing) }
        let untimed = line(bar: 0, timing: nil)
        let bar = Swift.min(barWidth, width - untimed.count - 3)
        return bar >= 5 ? line(bar: bar, timing: nil) : String(untimed.prefix(Swift.max(width, 20)))
    }

    /// `epoch 1/3: 45/150 batches, 00:03 elapsed, about 00:07 left, loss 0.3421`.
    static func plainLine(_ p: BatchProgress) -> String {
        "\(phaseLabel(p)): \(p.batch)/\(Plural.count(p.batchCount, "batch")), \(TextTable.duration(p.elapsed)) elapsed, about \(TextTable.duration(p.eta)) left, \(tail(p))"
    }

    private static func phaseLabel(_ p: BatchProgress) -> String {
        switch p.phase {
        case .train: return "epoch \(p.epoch + 1)/\(p.epochs)"
        case .validation: return "valid \(p.epoch + 1)/\(p.epochs)"
        case .lrFind: return "lr_find"
        }
    }

    private static func tail(_ p: BatchProgress) -> String {
        let loss = "loss \(String(format: "%.4f", p.runningLoss))"
        return p.phase == .lrFind ? "lr \(String(format: "%.2e", p.learningRate)) " + loss : loss
    }

    /// The width of the terminal on standard output (80 when it is not a terminal).
    static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// `12.4 it/s`, or `2.31 s/it` below one batch a second, as tqdm writes it.
    static func rate(batches: Int, seconds: Double) -> String {
        guard batches > 0, seconds > 0 else { return "? it/s" }
        let perSecond = Double(batches) / seconds
        if perSecond >= 1 {
            return (perSecond >= 100 ? String(Int(saturating: perSecond.rounded())) : String(format: "%.1f", perSecond)) + " it/s"
        }
        return String(format: "%.2f", seconds / Double(batches)) + " s/it"
    }
}
