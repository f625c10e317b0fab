import Basics
import Foundation
import Kernel
import Plot

/// A chart that redraws in place while training runs: `fit(model, data, callbacks=[live_plot()])` (or `live=True`)
/// draws the loss over the steps, `lr_find(model, data, live=True)` the loss over the learning rate (log x).
///
/// The training builtins call it every `every` steps, after each epoch and at the end. It redraws at most every
/// `every` steps and only while drawing has used under 2 % of the time since the run started (`LiveRedrawLimiter`),
/// always after a new epoch row and at the end. On a terminal (`PlotSettings.live`) the chart is text, or sixel
/// graphics where the terminal shows them; elsewhere (`rnx run` into a file or pipe, or live charts turned off) nothing
/// is redrawn and the final chart is drawn once when the run ends, like `plot(history)` (as Keras and fastai do:
/// redrawing only makes sense on a terminal). The final chart, drawn as `plot(history)` (or `plot(lr_find_result)`)
/// draws it, at the size of any chart, becomes the one `savefig` saves, and goes into the charts directory when one
/// is set.
///
/// The chart stays at the bottom of the output, above the progress bar: while it is shown, any text written with a
/// line break (an epoch row, a `print`) first erases it, and it is drawn again below that text. A failing gnuplot
/// turns the live chart off with one notice, and training carries on.
final class LivePlotObject: DSLObject {
    /// Fewest steps between redraws; nil: the settings' `liveEvery` when the run starts.
    let every: Int?
    /// Logarithmic loss axis.
    let logY: Bool
    private let clock: () -> Double
    private var run: LiveRun?
    /// The run sent as frames to a chart capture that shows live charts (the Jupyter kernel).
    private var captureRun: LiveCaptureRun?
    /// Set when drawing failed (gnuplot missing): this live chart draws nothing more.
    private var isDisabled = false
    /// How many final charts were drawn once, at the end of a run that was not redrawn live.
    private(set) var finalDrawCount = 0
    /// Whether the notice that the terminal is too short for a live chart was given.
    private var notedShortTerminal = false

    /// A live chart; `clock` (seconds, monotonic) is for tests.
    init(every: Int?, logY: Bool, clock: @escaping () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.every = every
        self.logY = logY
        self.clock = clock
    }

    var dslType: DSLType { LivePlotObject.type }
    var description: String { "live_plot(every=\(every.map(String.init) ?? "None")\(logY ? ", logy=True" : ""))" }

    /// How many times the chart was drawn in place in the current (or last) run.
    var drawCount: Int { run?.drawCount ?? captureRun?.drawCount ?? 0 }

    /// Takes the history of the `fit` in progress and redraws the loss chart when due.
    func update(_ history: History, interpreter: Interpreter) {
        update(LiveFrame.training(history, logY: logY), interpreter: interpreter)
    }

    /// Takes one moment of a run and redraws when due (or, not drawing live, draws the final chart once).
    func update(_ frame: LiveFrame, interpreter: Interpreter) {
        // Fewer steps than last time means a new run, as does a new statement (each runs on a new thread).
        if let current = run, current.isOver(frame) {
            current.finish()
            run = nil
        }
        if let current = captureRun, current.isOver(frame) { captureRun = nil }
        guard !isDisabled, frame.count > 0 else { return }
        let context = interpreter.extensionState(ChartContext.self)
        if let capture = context.capture, capture.onLiveFrame != nil, context.settings.live != .off {
            let current =
                captureRun ?? LiveCaptureRun(capture: capture, context: context, every: every ?? context.settings.liveEvery, clock: clock)
            captureRun = current
            if let error = current.update(frame) {
                isDisabled = true
                interpreter.write("live chart off: \(LiveRun.message(error))\n")
            } else if frame.ended {
                current.presentingFinalChart { keepFinalChart(frame, interpreter: interpreter, context: context) }
            }
            return
        }
        guard LiveRun.isWanted(context.settings), context.capture == nil else {
            if frame.ended { drawFinalChart(frame, interpreter: interpreter, context: context) }
            return
        }
        if run == nil, let rows = LiveRun.shortTerminalRows(context) {
            // The progress bar and the epoch rows go on alone, one line per update, and the chart follows at the end
            // (scrolling): redrawn in place, a chart taller than the screen would leave its top behind every time.
            if !notedShortTerminal {
                notedShortTerminal = true
                interpreter.write(
                    "\r\u{1B}[Jlive chart off: the terminal's \(Plural.count(rows, "row")) cannot hold it (it needs \(LiveRun.fittingRows));"
                        + " the chart follows at the end\n")
            }
            if frame.ended { drawFinalChart(frame, interpreter: interpreter, context: context) }
            return
        }
        let current = run ?? LiveRun(interpreter: interpreter, context: context, every: every ?? context.settings.liveEvery, clock: clock)
        run = current
        current.update(frame)
        isDisabled = current.isDisabled
        if frame.ended, !isDisabled { drawFinalChart(frame, interpreter: interpreter, context: context) }
    }

    /// Draws the final chart once, as a chart value would be shown: in place of the live chart, which the run erased,
    /// or where nothing was redrawn live.
    private func drawFinalChart(_ frame: LiveFrame, interpreter: Interpreter, context: ChartContext) {
        do {
            guard let chart = try frame.chart() else { return }
            let object = try context.present(chart, kind: .line)
            finalDrawCount += 1
            // A captured chart is already recorded as an image.
            if context.capture == nil { interpreter.write(object.repr + "\n") }
        } catch {
            isDisabled = true
            interpreter.write("live chart off: \(LiveRun.message(error))\n")
        }
    }

    /// Makes the final chart of a live run the last chart (for `savefig`) and saves it into the charts directory;
    /// its drawing is already on screen.
    private func keepFinalChart(_ frame: LiveFrame, interpreter: Interpreter, context: ChartContext) {
        do {
            guard let chart = try frame.chart() else { return }
            _ = try context.present(chart, kind: .line)
        } catch {
            interpreter.write("live chart not kept: \(LiveRun.message(error))\n")
        }
    }

    var callable: BuiltinFunction? {
        BuiltinFunction("live_plot", [.required("history")], doc: "Redraw the live chart with history (fit calls this).") { args in
            let history = try args.object("history", as: HistoryChartSource.self, expected: "a History").chartHistory
            try args.receiver(as: LivePlotObject.self).update(history, interpreter: args.interpreter)
            return .none
        }
    }

    static let type = DSLType(
        name: "LivePlot",
        doc:
            "A chart redrawn in place during training: fit(..., callbacks=[live_plot()]) or live=True; lr_find too. Redrawn only on a terminal; elsewhere the final chart is drawn once."
    )

    /// `live_plot(every=None, logy=False)`.
    static let function = BuiltinFunction(
        "live_plot", [.optional("every", .none), .keywordOnly("logy", false)],
        doc:
            "A live chart for fit(..., callbacks=[live_plot()]) or lr_find: redrawn in place at most every `every` steps (default 10, or the REPL's live setting), using under 2% of the training time; not on a terminal, the final chart is drawn once."
    ) { args in
        let every = try args.optionalInt("every")
        if let every, every < 1 { throw args.valueError("every", "must be at least 1 step, got \(every)") }
        return .object(LivePlotObject(every: every, logY: try args.bool("logy")))
    }
}

/// One moment of a training run as a live chart sees it: how far the run is, and how to build its chart (only
/// when it is drawn).
struct LiveFrame {
    /// The step (fit) or iteration (lr_find) just done; the redraw limiter counts these.
    var step: Int
    /// Points recorded so far; fewer than in the previous frame means a new run.
    var count: Int
    /// Completed epochs: each new one is always drawn.
    var epochs: Int
    /// Whether the run is over: always drawn, and the chart then stays.
    var ended: Bool
    /// The chart to draw, or nil when there is nothing drawable yet (every loss so far is NaN).
    var chart: () throws -> Chart?

    /// The smoothed training loss over the steps of `history`, with the validation loss at each epoch's end;
    /// over when `history` has a stop reason (or `ended`), and then the chart `plot(history)` draws, metrics and all,
    /// so the final state is one chart, not a near copy of it.
    static func training(_ history: History, logY: Bool, ended: Bool = false) -> LiveFrame {
        let isOver = ended || history.stopReason != nil
        return LiveFrame(step: history.steps.last?.step ?? 0, count: history.steps.count, epochs: history.epochs.count, ended: isOver) {
            guard history.steps.contains(where: { $0.smoothedLoss.isFinite }) else { return nil }
            // While it runs, the title says what the y axis shows: a character chart has no room for both.
            let labels = isOver ? ChartLabels() : ChartLabels(title: "training loss", yLabel: "")
            return try ChartBuilders.history(history, per: .step, logY: logY, labels: labels, metrics: isOver)
        }
    }

    /// The LR finder's smoothed loss over the learning rate (log x) as its `history` records it, with the
    /// `suggestions` marked once the search is over (`ended`).
    static func lrFinder(_ history: History, suggestions: [LRSuggestion], logY: Bool, ended: Bool) -> LiveFrame {
        LiveFrame(step: history.steps.last?.step ?? 0, count: history.steps.count, epochs: 0, ended: ended) {
            guard history.steps.contains(where: { $0.smoothedLoss.isFinite }) else { return nil }
            return try ChartBuilders.lrFinder(
                learningRates: history.steps.map(\.learningRate), losses: history.steps.map(\.smoothedLoss),
                suggestions: suggestions, logX: true, logY: logY, labels: ChartLabels())
        }
    }
}
