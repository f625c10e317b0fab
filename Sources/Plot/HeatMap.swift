import Basics

/// A grid of coloured cells with each cell's value written in it, e.g. a confusion matrix.
///
/// Row 0 is drawn at the top, like a printed matrix; rows run down the y axis, columns along x.
/// ```swift
/// let chart = HeatMap(values: confusion, rowLabels: classes, columnLabels: classes,
///                     title: "confusion", xLabel: "predicted", yLabel: "true")
/// ```
public struct HeatMap: Chart, Equatable {
    /// The cell values, one inner array per row, all rows the same length.
    public var values: [[Double]]
    /// Names down the y axis, one per row (empty: row numbers).
    public var rowLabels: [String]
    /// Names along the x axis, one per column (empty: column numbers).
    public var columnLabels: [String]
    /// Text above the chart.
    public var title: String?
    /// Text under the x axis.
    public var xLabel: String?
    /// Text beside the y axis.
    public var yLabel: String?
    /// Whether each cell shows its value.
    public var showValues: Bool

    /// A heat map of `values` (rows of equal length).
    public init(
        values: [[Double]], rowLabels: [String] = [], columnLabels: [String] = [],
        title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, showValues: Bool = true
    ) {
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.showValues = showValues
    }

    /// A heat map of counts, e.g. a confusion matrix from integer tallies.
    public init(
        counts: [[Int]], rowLabels: [String] = [], columnLabels: [String] = [],
        title: String? = nil, xLabel: String? = nil, yLabel: String? = nil
    ) {
        self.init(
            values: counts.map { $0.map(Double.init) }, rowLabels: rowLabels, columnLabels: columnLabels,
            title: title, xLabel: xLabel, yLabel: yLabel)
    }

    /// The gnuplot program: the matrix as an image, then its values as labels on top.
    public func script() throws -> GnuplotScript {
        try script(room: nil)
    }

    /// The program for a character chart `columns` wide, with the title and axis labels shortened to fit.
    public func textScript(columns: Int) throws -> GnuplotScript {
        try script(room: TextRoom(columns: columns))
    }

    private func script(room: TextRoom?) throws -> GnuplotScript {
        let rowCount = values.count
        guard rowCount > 0, let columnCount = values.first?.count, columnCount > 0 else {
            throw PlotError.invalidChart("a heat map needs at least one row and one column")
        }
        if let row = values.firstIndex(where: { $0.count != columnCount }) {
            throw PlotError.invalidChart("heat map row \(row) has \(Plural.count(values[row].count, "value")) but row 0 has \(columnCount)")
        }
        guard rowLabels.isEmpty || rowLabels.count == rowCount else {
            throw PlotError.invalidChart("heat map has \(rowCount) rows but \(rowLabels.count) row labels")
        }
        guard columnLabels.isEmpty || columnLabels.count == columnCount else {
            throw PlotError.invalidChart("heat map has \(columnCount) columns but \(columnLabels.count) column labels")
        }

        var script = GnuplotScript()
        script.setLabel("title", title, room: room)
        script.setLabel("xlabel", xLabel, room: room)
        if let room, let yLabel {
            script.setLeftMarginLabel(yLabel, rowLabels: rowLabels.isEmpty ? [String(rowCount - 1)] : rowLabels, room: room)
        } else {
            script.setLabel("ylabel", yLabel, room: room)
        }
        script.command("unset key")
        script.command("unset colorbox")
        script.command("set palette defined (0 '#ffffff', 1 '#3b75af')")
        script.command("set xrange [-0.5:\(Double(columnCount) - 0.5)]")
        script.command("set yrange [\(Double(rowCount) - 0.5):-0.5]")
        script.command("set xtics noenhanced " + Self.tics(columnLabels, count: columnCount))
        script.command("set ytics noenhanced " + Self.tics(rowLabels, count: rowCount))
        script.command("set tics scale 0")
        let block = script.dataBlock(columns: columnCount, values: values.flatMap { $0 })
        var plot = "plot \(block) matrix with image notitle"
        if showValues {
            plot += ", \(block) matrix using 1:2:(sprintf('%g', $3)) with labels notitle"
        }
        script.command(plot)
        return script
    }

    /// An explicit tic list `('a' 0, 'b' 1, ...)`, so every cell is labelled exactly once.
    private static func tics(_ labels: [String], count: Int) -> String {
        let names = labels.isEmpty ? (0..<count).map(String.init) : labels
        return "(" + names.enumerated().map { "\(GnuplotText.quoted($1)) \($0)" }.joined(separator: ", ") + ")"
    }
}
