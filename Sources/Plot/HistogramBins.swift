/// Equal-width bins over the finite values of a sample, counted the way NumPy's `histogram` does:
/// every bin is half-open `[lower, upper)` except the last, which also holds the maximum.
public struct HistogramBins: Equatable {
    /// `count + 1` increasing bin edges.
    public let edges: [Double]
    /// How many values fell in each bin.
    public let counts: [Int]
    /// How many values were skipped because they were NaN or infinite.
    public let skipped: Int

    /// Counts `values` into `binCount` bins spanning their finite minimum to maximum
    /// (a width of 1 centred on the value when they are all equal).
    public init(values: [Double], binCount: Int) throws {
        guard binCount >= 1 && binCount <= 10_000 else {
            throw PlotError.invalidChart("hist needs between 1 and 10000 bins, got \(binCount)")
        }
        let finite = values.filter { $0.isFinite }
        guard let low = finite.min(), let high = finite.max() else {
            throw PlotError.invalidChart("hist needs at least one finite value, got \(values.count) values and none finite")
        }
        let lower = low == high ? low - 0.5 : low
        let upper = low == high ? high + 0.5 : high
        let width = (upper - lower) / Double(binCount)
        var edges = (0..<binCount).map { lower + Double($0) * width }
        edges.append(upper)
        var counts = [Int](repeating: 0, count: binCount)
        for value in finite {
            let bin = Int(((value - lower) / width).rounded(.down))
            counts[min(max(bin, 0), binCount - 1)] += 1
        }
        self.edges = edges
        self.counts = counts
        self.skipped = values.count - finite.count
    }
}
