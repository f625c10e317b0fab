/// A histogram of raw values in equal-width bins, drawn as boxes.
///
/// ```swift
/// let chart = Histogram(values: weights, binCount: 30, title: "fc1 weights", xLabel: "value")
/// ```
public struct Histogram: Chart, Equatable {
    /// The raw sample; NaN and infinities are left out of the counts.
    public var values: [Double]
    /// How many equal-width bins span the finite values.
    public var binCount: Int
    /// Text above the chart.
    public var title: String?
    /// Text under the x axis.
    public var xLabel: String?
    /// Text beside the y axis.
    public var yLabel: String?

    /// A histogram of `values` in `binCount` bins.
    public init(values: [Double], binCount: Int = 20, title: String? = nil, xLabel: String? = nil, yLabel: String? = "count") {
        self.values = values
        self.binCount = binCount
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// A histogram of single-precision `values`.
    @_disfavoredOverload  // array literals pick the Double version
    public init(values: [Float], binCount: Int = 20, title: String? = nil, xLabel: String? = nil, yLabel: String? = "count") {
        self.init(values: values.map(Double.init), binCount: binCount, title: title, xLabel: xLabel, yLabel: yLabel)
    }

    /// The gnuplot program for this chart: one box per bin, centred, as wide as the bin.
    public func script() throws -> GnuplotScript {
        try script(room: nil)
    }

    /// The program for a character chart `columns` wide, with the labels shortened to fit.
    public func textScript(columns: Int) throws -> GnuplotScript {
        try script(room: TextRoom(columns: columns))
    }

    private func script(room: TextRoom?) throws -> GnuplotScript {
        let bins = try HistogramBins(values: values, binCount: binCount)
        var script = GnuplotScript()
        script.setLabel("title", title, room: room)
        script.setLabel("xlabel", xLabel, room: room)
        script.setLabel("ylabel", yLabel, room: room)
        script.command("unset key")
        script.command("set style fill solid 0.5 border")
        script.command("set yrange [0:*]")
        var rows: [Double] = []
        rows.reserveCapacity(bins.counts.count * 3)
        for (index, count) in bins.counts.enumerated() {
            let lower = bins.edges[index], upper = bins.edges[index + 1]
            // Halved before adding: the bins of a sample spanning ±1e308 would overflow to infinity.
            rows.append(lower / 2 + upper / 2)
            rows.append(Double(count))
            rows.append(Swift.min(upper - lower, Double.greatestFiniteMagnitude))
        }
        let block = script.dataBlock(columns: 3, values: rows)
        script.command("plot \(block) using 1:2:3 with boxes notitle")
        return script
    }
}
