import Foundation
import Kernel
import Plot

/// One training run's live display: the limiter, the chart on screen, and the output hook that keeps the chart below
/// other text.
///
/// Redrawing in place: a text chart is erased by moving the cursor up over its lines. A sixel image covers an
/// unknown number of text rows, so before drawing it the run makes room (line feeds scroll the screen now, then the
/// cursor goes back up), saves the cursor position at the image's top-left corner (`ESC 7`), and later erases by
/// restoring it (`ESC 8`) and clearing down; since the room was made first, drawing never scrolls the saved
/// position away.
final class LiveRun {
    // Weak: a `live_plot()` kept in a global would otherwise keep its interpreter alive.
    private weak var interpreter: Interpreter?
    private let context: ChartContext
    private var limiter: LiveRedrawLimiter
    private let clock: () -> Double
    private let thread = Thread.current
    private let target: RenderTarget
    /// Text rows a sixel image of `target` covers (0 for text charts).
    private let imageRows: Int
    private var originalOutput: ((String) -> Void)?
    /// The terminal settings to put back when the run ends, while key echo is off.
    private var echoSettings: termios?
    private var frame = ""
    private var shownLines = 0
    private var isShown = false
    private var lastCount = 0
    private var lastEpochCount = 0
    private(set) var drawCount = 0
    private(set) var isDisabled = false
    private var isFinished = false

    init(interpreter: Interpreter, context: ChartContext, every: Int, clock: @escaping () -> Double) {
        self.interpreter = interpreter
        self.context = context
        self.limiter = LiveRedrawLimiter(minimumSteps: every, clock: clock)
        self.clock = clock
        (self.target, self.imageRows) = LiveRun.target(context)
    }

    /// A run dropped with its `live_plot()` (after `fit` returns) hands the output back.
    deinit {
        finish()
    }

    /// Whether live charts are redrawn under `settings`: `.auto` asks whether standard output is a terminal.
    static func isWanted(_ settings: PlotSettings) -> Bool {
        switch settings.live {
        case .on: return true
        case .off: return false
        case .auto: return ChartTerminal.outputIsTerminal
        }
    }

    /// The message of a drawing error, for the one-line notice.
    static func message(_ error: Error) -> String {
        DSLError(translating: error).message
    }

    /// Two thirds of the terminal's height, leaving room for the table's last rows and the bar: text at the
    /// terminal's width and `ChartLayout.chartLines` up to all lines but two (so it redraws in place), or, where the
    /// terminal shows sixel graphics, an image as wide as an inline chart, with the rows it covers.
    private static func target(_ context: ChartContext) -> (RenderTarget, rows: Int) {
        let settings = context.settings
        let environment = settings.environment
        let geometry = ChartTerminal.geometry(environment: environment)
        if ChartTerminal.showsSixel(mode: settings.sixel, environment: environment, answer: settings.terminalAnswer) {
            // Without the terminal's pixel size, assume small rows: an overestimate only leaves blank lines.
            let rowHeight = geometry.pixelHeight.map { max($0 / max(geometry.rows, 1), 1) } ?? 16
            let width = min(max(settings.pixelSize?.width ?? geometry.pixelWidth.map { $0 * 3 / 4 } ?? 800, 320), 1200)
            let fittingRows = max(geometry.rows / 2, 8)
            let height = min(max(min(settings.pixelSize?.height ?? Int.max, fittingRows * rowHeight), 120), 8192)
            return (.sixel(width: width, height: height), (height + rowHeight - 1) / rowHeight)
        }
        let size = settings.resolvedInlineSize(environment: environment)
        let width = min(max(size?.width ?? geometry.columns, 10), 1000)
        let rows = size?.height ?? geometry.rows
        let height = min(max(rows * 2 / 3, ChartLayout.chartLines), max(rows - 2, ChartLayout.chartLines), 500)
        return (.text(width: width, height: height, color: ChartTerminal.textColor(mode: settings.color, environment: environment)), 0)
    }

    /// Fewest terminal rows a text chart is redrawn in place in: the chart's `ChartLayout.chartLines` and the
    /// progress bar below it, with a line to spare.
    static let fittingRows = ChartLayout.chartLines + 2

    /// The terminal's rows when they are too few for a text chart redrawn in place (fewer than `fittingRows`), else
    /// nil. The cursor cannot move up into lines that scrolled off the screen, so a taller chart could not be erased.
    static func shortTerminalRows(_ context: ChartContext) -> Int? {
        let settings = context.settings
        let environment = settings.environment
        guard !ChartTerminal.showsSixel(mode: settings.sixel, environment: environment, answer: settings.terminalAnswer) else { return nil }
        let rows = ChartTerminal.geometry(environment: environment).rows
        return rows < fittingRows ? rows : nil
    }

    /// Whether `frame` belongs to another run than this one (or this statement has ended).
    func isOver(_ frame: LiveFrame) -> Bool {
        isFinished || Thread.current !== thread || frame.count < lastCount
    }

    /// Redraws for `frame` when due: at a new epoch always, otherwise when the limiter allows. At the end the chart
    /// is erased instead, for the final chart to be drawn at the size of any chart (`LivePlotObject`).
    func update(_ frame: LiveFrame) {
        guard !isDisabled, frame.count > 0 else { return }
        if frame.ended {
            if isShown { write(eraseShown()) }
            isShown = false
            finish()
            return
        }
        let newEpoch = frame.epochs != lastEpochCount
        lastCount = frame.count
        lastEpochCount = frame.epochs
        if newEpoch {
            let start = clock()
            draw(frame)
            limiter.recordRedraw(step: frame.step, seconds: clock() - start)
        } else {
            limiter.redrawIfDue(step: frame.step) { draw(frame) }
        }
    }

    /// Leaves the chart where it is and hands the output back.
    func finish() {
        guard !isFinished else { return }
        isFinished = true
        if let originalOutput { interpreter?.output = originalOutput }
        originalOutput = nil
        if let echoSettings { ChartTerminal.restoreEcho(echoSettings) }
        echoSettings = nil
    }

    private func draw(_ liveFrame: LiveFrame) {
        let drawing: String
        do {
            guard let chart = try liveFrame.chart() else { return }
            drawing = try context.drawing(of: chart, at: target)
        } catch {
            isDisabled = true
            write(eraseShown() + "live chart off: \(Self.message(error))\n")
            isShown = false
            finish()
            return
        }
        drawCount += 1
        let replaced = eraseShown()
        if imageRows > 0 {
            frame = Self.makeRoom(rows: imageRows) + "\u{1B}7" + drawing + "\n"
        } else {
            frame = drawing + "\n"
            shownLines = drawing.split(separator: "\n", omittingEmptySubsequences: false).count
        }
        isShown = true
        installOutputHook()
        write(replaced + frame)
    }

    /// Line feeds that scroll the screen until `rows` lines below the cursor are free, then back up to the first.
    private static func makeRoom(rows: Int) -> String {
        "\r" + String(repeating: "\n", count: rows) + "\u{1B}[\(rows)A"
    }

    /// Moves to the top of the chart on screen and clears from there down (with the bar line below it).
    private func eraseShown() -> String {
        guard isShown else { return "\r\u{1B}[J" }
        return imageRows > 0 ? "\u{1B}8\u{1B}[J" : "\r\u{1B}[\(shownLines)A\u{1B}[J"
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
        echoSettings = ChartTerminal.silenceEcho()
        interpreter.output = { [weak self] text in
            guard let self, !self.isFinished else { return original(text) }
            if Thread.current !== self.thread {
                self.finish()
                return original(text)
            }
            guard self.isShown, text.contains("\n") else { return original(text) }
            original(self.eraseShown() + text + (text.hasSuffix("\n") ? "" : "\n") + self.frame)
        }
    }
}
