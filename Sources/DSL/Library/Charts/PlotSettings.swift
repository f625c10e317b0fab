import Basics
import Foundation
import Plot

/// How charts appear: the settings store the REPL's `:plot` commands and `rnx run --charts` write, and the chart
/// builtins read each time they draw. One shared instance (`PlotSettings.shared`) serves every interpreter unless
/// a host gives an interpreter its own (`interpreter.plotSettings = PlotSettings()`).
///
/// Every setting left at its default defers to the environment, then to the terminal, so the same names work
/// from the shell (`RNX_SIXEL=0 rnx run exp.rnx`):
///
/// | setting | default | environment fallback |
/// |---|---|---|
/// | `sixel` | `.auto`: sixel when the terminal shows it | `RNX_SIXEL` = 1/0, then `TERM`, then the terminal's answer |
/// | `color` | `.auto`: ANSI colours on a terminal without `NO_COLOR` | `NO_COLOR`, `TERM=dumb`, `COLORTERM` |
/// | `size` | nil: the terminal's size in characters | `RNX_PLOT_SIZE` = `WxH`, then `COLUMNS`/`LINES` |
/// | `pixelSize` | nil: ¾ of the terminal's pixel width (320–1200), else 800, by ⅗ of that | — |
/// | `chartsDirectory` | nil: charts are not saved | `RNX_CHARTS_DIR` |
/// | `live` | `.auto`: live charts only on a terminal | — |
///
/// ```swift
/// PlotSettings.shared.sixel = .off                                    // :plot sixel off
/// PlotSettings.shared.size = PlotSettings.Size(width: 100, height: 30) // :plot size 100x30
/// PlotSettings.shared.pixelSize = PlotSettings.Size(width: 900, height: 500) // :plot pixels 900x500
/// PlotSettings.shared.chartsDirectory = "/abs/charts"                 // rnx run --charts charts
/// PlotSettings.shared.liveEvery = 20                                  // :plot live 20
/// ```
///
/// Thread-safe: the REPL may change settings while the interpreter's thread reads them.
public final class PlotSettings: @unchecked Sendable {
    /// A switch that can also be left to detection.
    public enum Mode: String, CaseIterable, Equatable {
        /// Decide from the environment and the terminal.
        case auto
        /// Always.
        case on
        /// Never.
        case off
    }

    /// A chart size: characters for text charts, pixels for sixel graphics and image files.
    public struct Size: Equatable, CustomStringConvertible {
        /// Columns or pixels across.
        public var width: Int
        /// Lines or pixels down.
        public var height: Int

        /// A size of `width` × `height`.
        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }

        /// Parses `WIDTHxHEIGHT` (e.g. `100x30`); nil when the text is not two positive numbers.
        public init?(parsing text: String) {
            let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
            guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else { return nil }
            self.init(width: width, height: height)
        }

        /// `100x30`.
        public var description: String { "\(width)x\(height)" }
    }

    /// The settings the REPL and `rnx run` change; every interpreter uses them unless given its own.
    public static let shared = PlotSettings()

    /// Environment variable with the inline chart size, `WIDTHxHEIGHT`.
    public static let sizeVariable = "RNX_PLOT_SIZE"
    /// Environment variable naming a directory every chart is also saved into.
    public static let chartsDirectoryVariable = "RNX_CHARTS_DIR"
    /// Environment variable forcing sixel graphics on (1) or off (0); Plot's `SixelSupport` reads it.
    public static let sixelVariable = SixelSupport.environmentVariable
    /// Size of image files when none is asked for (`savefig`, `chart.save`, the charts directory).
    public static let defaultFileSize = Size(width: 800, height: 600)

    private let environmentSource: () -> [String: String]
    /// The names charts saved into the charts directory got.
    let chartFileNames = ChartFileNames()
    private let state = Locked(State())

    /// Everything the REPL and running programs may set or read from different threads, behind one lock.
    private struct State {
        var sixelMode: Mode = .auto
        var colorMode: Mode = .auto
        var liveMode: Mode = .auto
        var inlineSize: Size?
        var sixelSize: Size?
        var imageFileSize = PlotSettings.defaultFileSize
        var directory: String?
        var liveInterval = 10
        var deviceAttributesAnswer: String?
    }

    /// Settings at their defaults, reading environment fallbacks from `environment` each time a chart is drawn
    /// (tests pass a fixed dictionary).
    public init(environment: @escaping () -> [String: String] = { ProcessInfo.processInfo.environment }) {
        self.environmentSource = environment
    }

    /// Sixel graphics in the terminal: `.on`, `.off`, or `.auto` (`RNX_SIXEL`, a `TERM` naming sixel, or the
    /// terminal's reply to a device-attributes query).
    public var sixel: Mode {
        get { state.withLock { $0.sixelMode } }
        set { state.withLock { $0.sixelMode = newValue } }
    }

    /// ANSI colours in text charts: `.on`, `.off`, or `.auto` (on when output is a terminal, `NO_COLOR` is unset
    /// and `TERM` is not `dumb`). 24-bit colour when `COLORTERM` is `truecolor` or `24bit`.
    public var color: Mode {
        get { state.withLock { $0.colorMode } }
        set { state.withLock { $0.colorMode = newValue } }
    }

    /// Size of text charts in the terminal, in characters; nil: `RNX_PLOT_SIZE`, else the terminal's size (one line
    /// left for the prompt; stacked panels get at least 14 lines each). Image grids take their height from the width.
    public var size: Size? {
        get { state.withLock { $0.inlineSize } }
        set { state.withLock { $0.inlineSize = newValue } }
    }

    /// Size of sixel charts in the terminal, in pixels; nil: ¾ of the terminal's width in pixels when it reports it
    /// (kept within 320–1200), else 800, and ⅗ of the width in height. Image grids take their height from the width.
    public var pixelSize: Size? {
        get { state.withLock { $0.sixelSize } }
        set { state.withLock { $0.sixelSize = newValue } }
    }

    /// Pixel size of saved image files when the call names none (default 800 × 600).
    public var fileSize: Size {
        get { state.withLock { $0.imageFileSize } }
        set { state.withLock { $0.imageFileSize = newValue } }
    }

    /// A directory every chart drawn is also saved into, named after the cell and the chart's title
    /// (`cell04-learning-rate-finder.png`; `-2`, `-3`… for another chart of the same name, and an identical chart
    /// saved once; names are reused by each new process, replacing files of an earlier run); nil: `RNX_CHARTS_DIR`,
    /// else none.
    /// A relative path is taken from the current directory when a chart is saved; missing directories are created.
    public var chartsDirectory: String? {
        get { state.withLock { $0.directory } }
        set { state.withLock { $0.directory = newValue } }
    }

    /// Live training charts (`fit(..., live=True)`, `live_plot()`): `.on`, `.off`, or `.auto` (only when output
    /// is a terminal, since they redraw in place).
    public var live: Mode {
        get { state.withLock { $0.liveMode } }
        set { state.withLock { $0.liveMode = newValue } }
    }

    /// Fewest training steps between two redraws of a live chart (at least 1; default 10). Redraws are also
    /// skipped while drawing has used 2 % of the training time.
    public var liveEvery: Int {
        get { state.withLock { $0.liveInterval } }
        set { state.withLock { $0.liveInterval = max(1, newValue) } }
    }

    /// The terminal's reply to `SixelSupport.deviceAttributesQuery`, if the host asked it (the REPL may ask once
    /// at start-up). When nil and `sixel` is `.auto`, the first chart asks the terminal itself, once per process,
    /// if both standard input and output are terminals.
    public var terminalAnswer: String? {
        get { state.withLock { $0.deviceAttributesAnswer } }
        set { state.withLock { $0.deviceAttributesAnswer = newValue } }
    }

    /// The settings in force, one line, for `:plot`.
    public var summary: String {
        let environment = environmentSource()
        let directory = resolvedChartsDirectory(environment: environment) ?? "none"
        let inline = resolvedInlineSize(environment: environment)?.description ?? "terminal"
        let pixels = pixelSize?.description ?? "auto"
        return "plot: sixel \(sixel.rawValue) · colour \(color.rawValue) · size \(inline) · pixels \(pixels) · files \(fileSize) · "
            + "charts saved to \(directory) · live \(live.rawValue), every \(liveEvery) steps"
    }

    // MARK: - Resolution, when a chart is drawn

    /// The environment the fallbacks come from, read now.
    var environment: [String: String] { environmentSource() }

    /// The explicit inline size, else a valid `RNX_PLOT_SIZE`.
    func resolvedInlineSize(environment: [String: String]) -> Size? {
        size ?? environment[Self.sizeVariable].flatMap(Size.init(parsing:))
    }

    /// The charts directory in force, made absolute; nil when charts are not saved.
    func resolvedChartsDirectory(environment: [String: String]) -> String? {
        guard let path = chartsDirectory ?? environment[Self.chartsDirectoryVariable], !path.isEmpty else { return nil }
        return path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
