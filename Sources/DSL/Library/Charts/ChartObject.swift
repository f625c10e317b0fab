import Plot

/// What a chart shows, as `chart.kind` reports it.
enum ChartKind: String {
    /// Lines over x: lists, histories, LR-finder curves, schedules.
    case line
    /// A histogram of values.
    case histogram
    /// A heat map such as a confusion matrix.
    case heatmap
    /// A grid of pictures.
    case images
}

/// A chart as a language value. Its repr is the drawing, so a chart that is the value of an expression statement
/// is drawn in the REPL (and in `rnx run`): text in any terminal, sixel graphics where the terminal shows them.
/// It was drawn once when made; showing it again redraws it only if the terminal size or the settings changed.
final class ChartObject: DSLObject {
    /// The Plot specification, used for every target.
    let chart: Chart
    /// What it shows.
    let kind: ChartKind
    /// What decides its default size.
    let layout: ChartLayout
    private weak var context: ChartContext?
    private var drawing: String
    private var target: RenderTarget

    init(chart: Chart, kind: ChartKind, layout: ChartLayout, context: ChartContext, drawing: String, target: RenderTarget) {
        self.chart = chart
        self.kind = kind
        self.layout = layout
        self.context = context
        self.drawing = drawing
        self.target = target
    }

    var dslType: DSLType { ChartObject.type }

    /// The drawing for the terminal as it is now; the previous drawing if redrawing fails (gnuplot went away
    /// since), since showing a value cannot raise an error. Showing a chart makes it the one `savefig` saves.
    var repr: String {
        guard let context else { return drawing }
        context.lastChart = self
        if context.capture != nil { return altText }
        let current = context.inlineTarget(for: layout)
        if current != target, let redrawn = try? context.drawing(of: chart, at: current) {
            drawing = redrawn
            target = current
        }
        return drawing
    }

    /// What stands for the image where charts are captured as images (`<line chart 'loss'>`).
    var altText: String { "<\(summary)>" }

    /// `print(chart)` draws it too.
    var description: String { repr }

    /// `line chart 'loss'` for `:vars`.
    var summary: String {
        "\(kind.rawValue) chart" + (chart.title.map { " " + Value.quote($0) } ?? "")
    }

    /// The chart behind a receiver value.
    static func receiver(_ value: Value) throws -> ChartObject {
        guard case .object(let object) = value, let chart = object as? ChartObject else {
            throw DSLError(.type, "expected a Chart, not \(value.typeName)")
        }
        return chart
    }

    static let type = DSLType(
        name: "Chart",
        doc: "A chart made by plot, hist, confusion or images; shown as the value of an expression, saved with save() or savefig().",
        properties: [
            DSLProperty("kind", doc: "What it shows: 'line', 'histogram', 'heatmap' or 'images'.") { .string(try receiver($0).kind.rawValue) },
            DSLProperty("title", doc: "The title, or None.") { value in
                try receiver(value).chart.title.map { .string($0) } ?? .none
            },
        ],
        methods: [
            BuiltinFunction(
                "save", [.required("path"), .keywordOnly("width", .none), .keywordOnly("height", .none)],
                doc: "Save as PNG or SVG (by the file's extension), width × height pixels (default 800 × 600)."
            ) { args in
                let chart = try args.chartReceiver()
                try args.interpreter.extensionState(ChartContext.self).save(
                    chart, to: try args.string("path"),
                    width: try args.pixels("width"), height: try args.pixels("height"))
                return .none
            },
            BuiltinFunction("show", doc: "Draw the chart now (e.g. inside a loop, where values are not shown).") { args in
                let chart = try args.chartReceiver()
                let context = args.interpreter.extensionState(ChartContext.self)
                if let capture = context.capture {
                    try capture.record(chart, context: context)
                } else {
                    args.interpreter.write(chart.repr + "\n")
                }
                return .none
            },
        ])
}

extension Arguments {
    /// The receiver as a chart (for `Chart` methods).
    func chartReceiver() throws -> ChartObject {
        try ChartObject.receiver(receiver)
    }

    /// An optional pixel count (None: the default), checked to be positive.
    func pixels(_ name: String) throws -> Int? {
        guard let count = try optionalInt(name) else { return nil }
        guard count > 0 else { throw valueError(name, "must be a positive number of pixels, got \(count)") }
        return count
    }
}
