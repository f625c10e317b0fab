import Foundation
import Kernel
import Plot

/// A loss chart that redraws in place while `fit` trains: `fit(model, data, callbacks=[live_plot()])`.
///
/// `fit` calls it with the history every `every` steps, after each epoch and at the end. It redraws at most every
/// `every` steps and only while drawing has used under 2 % of the time since the run started (`LiveRedrawLimiter`),
/// always after a new epoch row and at the end. Live charts are text (sixel images would scroll by an unknown
/// number of lines) and are drawn only on a terminal (`PlotSettings.live`); elsewhere the calls do nothing.
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
    /// Set when drawing failed (gnuplot missing): this live chart draws nothing more.
    private var isDisabled = false

    /// A live chart; `clock` (seconds, monotonic) is for tests.
    init(every: Int?, logY: Bool, clock: @escaping () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.every = every
        self.logY = logY
        self.clock = clock
    }

    var dslType: DSLType { LivePlotObject.type }
    var description: String { "live_plot(every=\(every.map(String.init) ?? "None")\(logY ? ", logy=True" : ""))" }

    /// How many times the chart was drawn in the current (or last) run.
    var drawCount: Int { run?.drawCount ?? 0 }

    /// Takes the history of the run in progress and redraws when due.
    func update(_ history: History, interpreter: Interpreter) {
        // Fewer steps than last time means a new fit, as does a new statement (each runs on a new thread).
        if let current = run, current.isOver(history: history) {
            current.finish()
            run = nil
        }
        let context = ChartContext.of(interpreter)
        guard !isDisabled, LiveRun.isWanted(context.settings) else { return }
        let current = run ?? LiveRun(interpreter: interpreter, context: context, every: every ?? context.settings.liveEvery, clock: clock)
        run = current
        current.update(history, logY: logY)
        isDisabled = current.isDisabled
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
        doc: "A loss chart redrawn in place during training: fit(..., callbacks=[live_plot()]). Drawn only on a terminal.")

    /// `live_plot(every=None, logy=False)`.
    static let function = BuiltinFunction("live_plot", [.optional("every", .none), .keywordOnly("logy", false)],
                                          doc: "A live loss chart for fit(..., callbacks=[live_plot()]): redrawn in place at most every `every` steps (default 10, or the REPL's live setting) and using under 2% of the training time.") { args in
        let every = try args.optionalInt("every")
        if let every, every < 1 { throw args.valueError("every", "must be at least 1 step, got \(every)") }
        return .object(LivePlotObject(every: every, logY: try args.bool("logy")))
    }
}

/// One training run's live display: the limiter, the lines on screen, and the output hook that keeps the chart below
/// other text.
private final class LiveRun {
    // Weak: a `live_plot()` kept in a global would otherwise keep its interpreter alive.
    private weak var interpreter: Interpreter?
    private let context: ChartContext
    private var limiter: LiveRedrawLimiter
    private let clock: () -> Double
    private let thread = Thread.current
    private let target: RenderTarget
    private var originalOutput: ((String) -> Void)?
    private var frame = ""
    private var shownLines = 0
    private var lastStepCount = 0
    private var lastEpochCount = 0
    private(set) var drawCount = 0
    private(set) var isDisabled = false
    private var isFinished = false

    init(interpreter: Interpreter, context: ChartContext, every: Int, clock: @escaping () -> Double) {
        self.interpreter = interpreter
        self.context = context
        self.limiter = LiveRedrawLimiter(minimumSteps: every, clock: clock)
        self.clock = clock
        self.target = LiveRun.target(context)
    }

    /// A run dropped with its `live_plot()` (after `fit` returns) hands the output back.
    deinit {
        finish()
    }

    /// Whether live charts are drawn under `settings`: `.auto` asks whether standard output is a terminal.
    static func isWanted(_ settings: PlotSettings) -> Bool {
        switch settings.live {
        case .on: return true
        case .off: return false
        case .auto: return ChartTerminal.outputIsTerminal
        }
    }

    /// Text at the terminal's width and half its height (8 to 20 lines), leaving room for the table and the bar.
    private static func target(_ context: ChartContext) -> RenderTarget {
        let settings = context.settings
        let environment = settings.environment
        let geometry = ChartTerminal.geometry(environment: environment)
        let size = settings.resolvedInlineSize(environment: environment)
        let width = min(max(size?.width ?? geometry.columns, 10), 1000)
        let height = min(max((size?.height ?? geometry.rows) / 2, 8), 20)
        return .text(width: width, height: height, color: ChartTerminal.textColor(mode: settings.color, environment: environment))
    }

    /// Whether `history` belongs to another run than this one (or this statement has ended).
    func isOver(history: History) -> Bool {
        isFinished || Thread.current !== thread || history.steps.count < lastStepCount
    }

    func update(_ history: History, logY: Bool) {
        guard !isDisabled, !history.steps.isEmpty else { return }
        let step = history.steps.last?.step ?? 0
        let newEpoch = history.epochs.count != lastEpochCount
        let ended = history.stopReason != nil
        lastStepCount = history.steps.count
        lastEpochCount = history.epochs.count
        if newEpoch || ended {
            let start = clock()
            draw(history, logY: logY)
            limiter.recordRedraw(step: step, seconds: clock() - start)
        } else {
            limiter.redrawIfDue(step: step) { draw(history, logY: logY) }
        }
        if ended { finish() }
    }

    /// Leaves the chart where it is and hands the output back.
    func finish() {
        guard !isFinished else { return }
        isFinished = true
        if let originalOutput { interpreter?.output = originalOutput }
        originalOutput = nil
    }

    private func draw(_ history: History, logY: Bool) {
        let text: String
        do {
            let chart = try ChartBuilders.history(history, per: .step, logY: logY, labels: ChartLabels(title: "training loss"), metrics: false)
            text = try context.drawing(of: chart, at: target)
        } catch {
            isDisabled = true
            let message = (error as? DSLError)?.message ?? String(describing: error)
            write(eraseShown() + "live chart off: \(message)\n")
            shownLines = 0
            finish()
            return
        }
        drawCount += 1
        frame = text + "\n"
        let replaced = eraseShown()
        shownLines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        installOutputHook()
        write(replaced + frame)
    }

    /// Moves to the first line of the chart on screen and clears from there down (with the bar line below it).
    private func eraseShown() -> String {
        shownLines > 0 ? "\r\u{1B}[\(shownLines)A\u{1B}[J" : "\r\u{1B}[J"
    }

    private func write(_ text: String) {
        guard let output = originalOutput ?? interpreter?.output else { return }
        output(text)
    }

    /// Routes the interpreter's output through the run, so text with a line break lands above the chart.
    private func installOutputHook() {
        guard originalOutput == nil, !isFinished, let interpreter else { return }
        let original = interpreter.output
        originalOutput = original
        interpreter.output = { [weak self] text in
            guard let self, !self.isFinished else { return original(text) }
            if Thread.current !== self.thread {
                self.finish()
                return original(text)
            }
            guard self.shownLines > 0, text.contains("\n") else { return original(text) }
            original(self.eraseShown() + text + (text.hasSuffix("\n") ? "" : "\n") + self.frame)
        }
    }
}
