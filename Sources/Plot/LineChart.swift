/// A line chart of one or more named series, with optional log axes and labelled vertical markers.
///
/// ```swift
/// let chart = LineChart(series: [Series(name: "loss", x: rates, y: losses)],
///                       title: "LR finder", xLabel: "learning rate", yLabel: "loss",
///                       logX: true, markers: [VerticalMarker(x: 3e-3, label: "suggested", y: 0.41)])
/// ```
public struct LineChart: Chart, Equatable {
    /// The lines, drawn in order; each named series gets a legend entry.
    public var series: [Series]
    /// Text above the chart.
    public var title: String?
    /// Text under the x axis.
    public var xLabel: String?
    /// Text beside the y axis.
    public var yLabel: String?
    /// Logarithmic x axis (all x must then be positive).
    public var logX: Bool
    /// Logarithmic y axis (all finite y must then be positive).
    public var logY: Bool
    /// Labelled vertical lines, optionally with a point each.
    public var markers: [VerticalMarker]
    /// Whether series names are shown in a legend.
    public var showLegend: Bool

    /// A line chart; only `series` is required.
    public init(
        series: [Series], title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
        logX: Bool = false, logY: Bool = false, markers: [VerticalMarker] = [], showLegend: Bool = true
    ) {
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logX = logX
        self.logY = logY
        self.markers = markers
        self.showLegend = showLegend
    }

    /// The gnuplot program for this chart. The legend goes above the plot, in a row (or more) of its own:
    /// inside, it would cover data wherever it sat — a loss falls from the top left, an LR-finder curve
    /// climbs to the top right.
    public func script() throws -> GnuplotScript {
        try script(room: nil)
    }

    /// The program for a character chart `columns` wide: the title, axis labels, legend entries and
    /// marker labels are shortened to fit (gnuplot's dumb terminal would leave them out).
    public func textScript(columns: Int) throws -> GnuplotScript {
        try script(room: TextRoom(columns: columns))
    }

    private func script(room: TextRoom?) throws -> GnuplotScript {
        try validate()
        var script = GnuplotScript()
        script.setLabel("title", title, room: room)
        script.setLabel("xlabel", xLabel, room: room)
        // A character chart writes the y label across the tick labels (it cannot turn text): left out there when it
        // only repeats the title (a panel titled "loss").
        if room == nil || !Self.repeats(title, yLabel) { script.setLabel("ylabel", yLabel, room: room) }
        // '%g' keeps log tics short (1e-05, 0.001) instead of fixed six decimals.
        if logX {
            script.command("set logscale x")
            script.command("set format x '%g'")
        }
        if logY {
            script.command("set logscale y")
            script.command("set format y '%g'")
        }
        script.command("set grid")
        let named = series.contains { !GnuplotText.sanitized($0.name).allSatisfy { $0 == " " } }
        script.command(showLegend && named ? "set key above noenhanced" : "unset key")

        var plots: [String] = []
        for line in series {
            var rows: [Double] = []
            rows.reserveCapacity(line.x.count * 2)
            for (x, y) in zip(line.x, line.y) {
                rows.append(x)
                rows.append(y)
            }
            let block = script.dataBlock(columns: 2, values: rows)
            let name = TextRoom.fit(line.name, room) { $0.legendEntry }
            let title = line.name.isEmpty ? "notitle" : "title \(GnuplotText.quoted(name)) noenhanced"
            plots.append("\(block) using 1:2 with \(line.style.rawValue) \(title)")
        }

        var markedPoints: [Double] = []
        for (index, marker) in markers.enumerated() {
            let x = try GnuplotText.number(marker.x, "marker '\(marker.label)' x")
            let tag = index + 1
            // Ending just below graph 1 keeps the dumb terminal from drawing one cell into the title.
            script.command("set arrow \(tag) from first \(x), graph 0 to first \(x), graph 0.999 nohead dashtype 2 back")
            let label = TextRoom.fit(marker.label, room) { $0.markerLabel }
            script.command("set label \(tag) \(GnuplotText.quoted(label)) at first \(x), graph 0.05 offset character 1, 0 noenhanced front")
            if let y = marker.y {
                _ = try GnuplotText.number(y, "marker '\(marker.label)' y")
                markedPoints.append(marker.x)
                markedPoints.append(y)
            }
        }
        if !markedPoints.isEmpty {
            let block = script.dataBlock(columns: 2, values: markedPoints)
            plots.append("\(block) using 1:2 with points pointtype 7 pointsize 1.5 notitle")
        }
        script.command("plot " + plots.joined(separator: ", "))
        return script
    }

    /// Whether `label` is `title` again (ignoring case and surrounding spaces).
    private static func repeats(_ title: String?, _ label: String?) -> Bool {
        guard let title, let label else { return false }
        return title[...].trimmingSpaces().lowercased() == label[...].trimmingSpaces().lowercased()
    }

    private func validate() throws {
        guard !series.isEmpty else { throw PlotError.invalidChart("nothing to draw: give at least one series") }
        for line in series {
            guard line.x.count == line.y.count else {
                throw PlotError.invalidChart("series '\(line.name)' has \(line.x.count) x values but \(line.y.count) y values")
            }
            guard zip(line.x, line.y).contains(where: { $0.isFinite && $1.isFinite }) else {
                throw PlotError.invalidChart("series '\(line.name)' has no point with finite x and y")
            }
            if logX, let index = line.x.firstIndex(where: { !($0 > 0) }) {
                throw PlotError.invalidChart("a log x axis needs positive x, but series '\(line.name)' has x = \(line.x[index]) at index \(index)")
            }
            if logY, let index = line.y.firstIndex(where: { $0.isFinite && $0 <= 0 }) {
                throw PlotError.invalidChart("a log y axis needs positive y, but series '\(line.name)' has y = \(line.y[index]) at index \(index)")
            }
        }
        for marker in markers where logX && !(marker.x > 0) {
            throw PlotError.invalidChart("a log x axis needs positive x, but marker '\(marker.label)' is at x = \(marker.x)")
        }
    }
}
