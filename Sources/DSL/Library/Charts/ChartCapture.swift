import Basics
import Plot

/// Collects the charts a program draws as images, for hosts that show output as documents rather than on a
/// terminal: executed notebooks (`rnx run --to out.ipynb`) and the Jupyter kernel.
///
/// While an interpreter has a capture (`interpreter.chartCapture`), every chart it presents (`plot`, `hist`,
/// `confusion`, `images`, the final chart of a live training chart, `chart.show()`) is rendered by its gnuplot
/// session as PNG and SVG and recorded here instead of being drawn for the terminal; a chart value then shows as its
/// alt text (`<line chart 'loss'>`, as matplotlib shows `<Figure ...>`), and live charts are not redrawn in place.
///
/// ```swift
/// let capture = ChartCapture()
/// interpreter.chartCapture = capture
/// _ = try interpreter.execute(source: "plot([1, 2, 3])", file: "cell")
/// let images = capture.takeImages()   // one image: PNG bytes and SVG text
/// ```
public final class ChartCapture: @unchecked Sendable {
    /// One chart as image data.
    public struct Image: Equatable {
        /// The chart's title, if it has one.
        public let title: String?
        /// A one-line text stand-in for the image (`<line chart 'loss'>`).
        public let altText: String
        /// The chart as a PNG file's bytes.
        public let png: [UInt8]
        /// The chart as an SVG document.
        public let svg: String
    }

    /// Called with each image as its chart is drawn, on the interpreter's thread (a host streaming output, such as
    /// a Jupyter kernel sending `display_data`); the image is recorded for `takeImages()` all the same.
    public var onChart: ((Image) -> Void)? {
        get { state.withLock { $0.onChart } }
        set { state.withLock { $0.onChart = newValue } }
    }

    /// Called with each frame of a live training chart (`fit(live=True)`, `lr_find(live=True)`, `live_plot()`) on the
    /// interpreter's thread: `id` is the same for every frame of one run; the first frame (`isFirst`) creates the
    /// picture and later ones replace it (Jupyter's `display_id` and `update_display_data`). Frames come at most as
    /// often as the terminal's live chart redraws; the run's final chart is recorded for `takeImages()` and comes here
    /// as its last frame, not through `onChart`. Nil (the default): live charts are not redrawn, and their final chart
    /// is recorded once like any other.
    public var onLiveFrame: ((Image, _ id: String, _ isFirst: Bool) -> Void)? {
        get { state.withLock { $0.onLiveFrame } }
        set { state.withLock { $0.onLiveFrame = newValue } }
    }

    private struct State {
        var images: [Image] = []
        var onChart: ((Image) -> Void)?
        var onLiveFrame: ((Image, String, Bool) -> Void)?
        /// Set while the final chart of a live run is presented: it replaces that run's frames.
        var finalLiveFrame: (id: String, isFirst: Bool)?
    }

    private let state = Locked(State())

    /// An empty capture; charts are rendered at the interpreter's `PlotSettings.fileSize`.
    public init() {}

    /// The images recorded since the last call, in the order they were drawn; the capture is empty afterwards.
    public func takeImages() -> [Image] {
        state.withLock { state in
            defer { state.images = [] }
            return state.images
        }
    }

    /// Renders `object` as PNG and SVG with `context`'s gnuplot session and records it.
    func record(_ object: ChartObject, context: ChartContext) throws {
        let image = try Self.image(of: object, context: context)
        let (callback, liveCallback, liveFrame) = state.withLock { state in
            state.images.append(image)
            return (state.onChart, state.onLiveFrame, state.finalLiveFrame)
        }
        if let liveFrame, let liveCallback {
            liveCallback(image, liveFrame.id, liveFrame.isFirst)
        } else {
            callback?(image)
        }
    }

    /// Sends a frame of the live run `id` to `onLiveFrame` (frames are not recorded: only the final chart is).
    func sendLiveFrame(_ object: ChartObject, id: String, isFirst: Bool, context: ChartContext) throws {
        guard let callback = onLiveFrame else { return }
        callback(try Self.image(of: object, context: context), id, isFirst)
    }

    /// Runs `body`, which presents the final chart of the live run `id`, so that chart ends the run's frames.
    func presentingFinalLiveChart(id: String, isFirst: Bool, _ body: () -> Void) {
        state.withLock { $0.finalLiveFrame = (id, isFirst) }
        defer { state.withLock { $0.finalLiveFrame = nil } }
        body()
    }

    /// `object` as PNG and SVG, at the settings' file size.
    private static func image(of object: ChartObject, context: ChartContext) throws -> Image {
        let width = context.settings.fileSize.width
        let height = object.layout.fileHeight(width: width, standard: context.settings.fileSize.height)
        let (png, svg) = try context.withSession { session in
            (
                try session.render(object.chart, to: .png(width: width, height: height)),
                try session.render(object.chart, to: .svg(width: width, height: height))
            )
        }
        return Image(title: object.chart.title, altText: object.altText, png: png, svg: String(decoding: svg, as: UTF8.self))
    }
}

extension Interpreter {
    /// Where this interpreter's charts go as images instead of the terminal; nil (the default): drawn for the terminal.
    public var chartCapture: ChartCapture? {
        get { extensionState(ChartContext.self).capture }
        set { extensionState(ChartContext.self).capture = newValue }
    }
}
