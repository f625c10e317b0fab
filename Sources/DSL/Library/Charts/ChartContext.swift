import Basics
import Foundation
import Plot

/// The charting state of one interpreter: its gnuplot session (started by the first chart, so start-up stays
/// light), the settings in force, and the chart `savefig` saves. Charts are drawn on the interpreter's thread.
final class ChartContext: InterpreterExtensionState {
    /// The settings charts are drawn with (the shared ones unless the host gave the interpreter its own).
    var settings: PlotSettings = .shared
    /// The chart most recently made or shown: what `savefig(path)` saves.
    var lastChart: ChartObject?
    /// Where charts go as images instead of the terminal (`Interpreter.chartCapture`); nil: drawn for the terminal.
    var capture: ChartCapture?
    /// See `Interpreter.chartFilePrefix`.
    var filePrefix: String?
    private var session: GnuplotSession?

    // MARK: - Drawing

    /// Runs `body` with the gnuplot session. A missing gnuplot forgets the session, so the next chart looks for
    /// gnuplot again (after `apt-get install`, or a new `RNX_GNUPLOT`); a gnuplot that died is restarted by the
    /// session itself.
    func withSession<T>(_ body: (GnuplotSession) throws -> T) throws -> T {
        let current = session ?? GnuplotSession()
        session = current
        do {
            return try body(current)
        } catch let error as PlotError {
            switch error {
            case .gnuplotNotFound, .gnuplotCannotStart: session = nil
            default: break
            }
            throw error
        }
    }

    /// Draws `chart` for the terminal at `target`: text without trailing blanks (or sixel graphics as they are).
    func drawing(of chart: Chart, at target: RenderTarget) throws -> String {
        let bytes = try withSession { try $0.render(chart, to: target) }
        guard case .text = target else { return String(decoding: bytes, as: UTF8.self) }
        // gnuplot's dumb terminal starts every page with a form feed and pads every line to the full width.
        let text = String(decoding: bytes.first == 0x0C ? Array(bytes.dropFirst()) : bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.reversed().drop { $0 == " " || $0 == "\r" }.reversed())
        }
        while let last = lines.last, Self.isBlank(last) { lines.removeLast() }
        while let first = lines.first, Self.isBlank(first) { lines.removeFirst() }
        return lines.joined(separator: "\n")
    }

    /// Whether a line of a text chart shows nothing: only spaces and colour codes (`ESC [ … m`).
    private static func isBlank(_ line: String) -> Bool {
        var inEscape = false
        for character in line {
            if inEscape {
                if character == "m" { inEscape = false }
            } else if character == "\u{1B}" {
                inEscape = true
            } else if character != " " {
                return false
            }
        }
        return true
    }

    /// Where and how big a chart of `layout` is drawn in the terminal now: sixel or text (with colours when
    /// allowed), at the configured size or one that suits the terminal.
    func inlineTarget(for layout: ChartLayout) -> RenderTarget {
        let environment = settings.environment
        let geometry = ChartTerminal.geometry(environment: environment)
        if ChartTerminal.showsSixel(mode: settings.sixel, environment: environment, answer: settings.terminalAnswer) {
            let requested = settings.pixelSize
            let width = requested?.width ?? geometry.pixelWidth.map { clamp($0 * 3 / 4, 320...1200) } ?? 800
            let height = layout.pixelHeight(width: width, requested: requested?.height)
            return .sixel(width: clamp(width, 16...8192), height: clamp(height, 16...8192))
        }
        let requested = settings.resolvedInlineSize(environment: environment)
        let width = clamp(requested?.width ?? geometry.columns, 10...1000)
        let height = layout.textHeight(width: width, requested: requested?.height, available: geometry.rows - 1)
        let color = ChartTerminal.textColor(mode: settings.color, environment: environment)
        return .text(width: width, height: clamp(height, 5...500), color: color)
    }

    /// Wraps a chart the builtins made: draws it for the terminal at once (so a missing gnuplot or bad data is an
    /// error at the call), saves it into the charts directory when one is set, and makes it the last chart.
    /// Under mpirun only rank 0 draws: the other ranks' output is dropped anyway, and the charts directory gets one copy.
    func present(_ chart: Chart, kind: ChartKind) throws -> ChartObject {
        let layout = ChartLayout(of: chart)
        let target = inlineTarget(for: layout)
        let drawsHere = DistributedRun.rank == 0
        let object = ChartObject(
            chart: chart, kind: kind, layout: layout, context: self,
            drawing: drawsHere && capture == nil ? try drawing(of: chart, at: target) : "", target: target)
        if drawsHere { try capture?.record(object, context: self) }
        if drawsHere, let directory = settings.resolvedChartsDirectory(environment: settings.environment) {
            do {
                try AtomicFile.createDirectory(directory)
            } catch {
                throw DSLError(.runtime, "plot: charts directory \(error)")
            }
            let stem = ChartFileNames.stem(prefix: filePrefix, title: chart.title, kind: kind.rawValue)
            if let path = try settings.chartFileNames.path(in: directory, stem: stem, for: chart) {
                try save(object, to: path, width: nil, height: nil)
            }
        }
        lastChart = object
        return object
    }

    /// Saves `object` as PNG or SVG (by the extension of `path`), atomically, `width` × `height` pixels; nil: the
    /// settings' file size (stacked panels and image grids grow taller to fit).
    func save(_ object: ChartObject, to path: String, width: Int?, height: Int?) throws {
        let fileWidth = width ?? settings.fileSize.width
        let fileHeight = height ?? object.layout.fileHeight(width: fileWidth, standard: settings.fileSize.height)
        try withSession { try $0.save(object.chart, toFile: path, width: fileWidth, height: fileHeight) }
    }

    private func clamp(_ value: Int, _ range: ClosedRange<Int>) -> Int {
        min(max(value, range.lowerBound), range.upperBound)
    }
}

extension Interpreter {
    /// What the names of the charts saved into the charts directory start with, e.g. `cell04` while `rnx run` runs
    /// cell 4 (`cell04-learning-rate-finder.png`); nil: the title alone.
    public var chartFilePrefix: String? {
        get { extensionState(ChartContext.self).filePrefix }
        set { extensionState(ChartContext.self).filePrefix = newValue }
    }

    /// The chart settings this interpreter draws with; `PlotSettings.shared` unless set.
    public var plotSettings: PlotSettings {
        get { extensionState(ChartContext.self).settings }
        set { extensionState(ChartContext.self).settings = newValue }
    }
}
