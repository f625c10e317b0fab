import Plot

/// What decides a chart's default size: one chart fills the space given, stacked panels need room for each set of
/// axes, and a grid of pictures takes its height from its width.
enum ChartLayout: Equatable {
    /// One chart.
    case single
    /// Charts stacked top to bottom.
    case panels(Int)
    /// A grid of pictures, `rows` × `columns`, each `aspect` times as tall as wide.
    case imageGrid(rows: Int, columns: Int, aspect: Double, titled: Bool)

    /// Fewest lines a text chart gets unless a size is asked for: 12 rows of plot and about 8 for the legend, title,
    /// borders and x axis (gnuplot squeezed into fewer rows drops markers and writes tick labels into each other).
    /// A smaller terminal scrolls instead.
    static let chartLines = 21
    /// Fewest lines a stacked panel gets in a text chart, each with its own legend, title and x axis.
    static let panelLines = 21

    /// The layout of `chart`.
    init(of chart: Chart) {
        switch chart {
        case let panels as ChartPanels: self = .panels(panels.panels.count)
        case let grid as ImageGrid:
            let aspect = grid.images.map { Double($0.height) / Double(max($0.width, 1)) }.max() ?? 1
            self = .imageGrid(rows: grid.rowCount, columns: grid.columnCount, aspect: aspect, titled: grid.title != nil)
        default: self = .single
        }
    }

    /// Lines of a text drawing `width` columns wide: the `requested` height if there is one, else the `available`
    /// lines (at least `chartLines`, and `panelLines` a panel). A grid of pictures ignores both: a character is about twice as tall as wide,
    /// and each picture also needs lines for its caption and margins.
    func textHeight(width: Int, requested: Int?, available: Int) -> Int {
        switch self {
        case .single: return requested ?? max(available, Self.chartLines)
        case .panels(let count): return requested ?? max(available, count * Self.panelLines)
        case .imageGrid(let rows, let columns, let aspect, let titled):
            let cellWidth = Double(width) / Double(max(columns, 1))
            // Capped like the pixel height: a picture thousands of times taller than wide gives no useful chart.
            return rows * (Swift.min(Int(saturating: cellWidth * aspect / 2), 8192) + 3) + (titled ? 2 : 0)
        }
    }

    /// Pixels of a drawing `width` pixels wide: the `requested` height if there is one, else ⅗ of the width (⅖ a
    /// panel when that is more). A grid of pictures takes their height plus room for captions.
    func pixelHeight(width: Int, requested: Int?) -> Int {
        switch self {
        case .single: return requested ?? width * 3 / 5
        case .panels(let count): return requested ?? max(width * 3 / 5, count * width * 2 / 5)
        case .imageGrid(let rows, let columns, let aspect, let titled):
            return Self.gridPixels(width: width, rows: rows, columns: columns, aspect: aspect, titled: titled)
        }
    }

    /// Pixels of an image file `width` pixels wide when no height is asked for: the `standard` height, taller for
    /// panels that need it, and a grid's own height.
    func fileHeight(width: Int, standard: Int) -> Int {
        switch self {
        case .single: return standard
        case .panels: return max(standard, pixelHeight(width: width, requested: nil))
        case .imageGrid: return pixelHeight(width: width, requested: nil)
        }
    }

    /// Each picture's height at its share of `width`, plus 36 pixels for its caption; 40 more for a title.
    private static func gridPixels(width: Int, rows: Int, columns: Int, aspect: Double, titled: Bool) -> Int {
        let cellWidth = Double(width) / Double(max(columns, 1))
        return min(rows * (min(Int(saturating: cellWidth * aspect), 8192) + 36) + (titled ? 40 : 0), 8192)
    }
}
