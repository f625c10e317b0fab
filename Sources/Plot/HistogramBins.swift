import Basics

/// Equal-width bins over the finite values of a sample, counted the way NumPy's `histogram` does:
/// every bin is half-open `[lower, upper)` except the last, which also holds the maximum.
public struct HistogramBins: Equatable {
    /// `count + 1` increasing bin edges.
    public let edges: [Double]
    /// How many values fell in each bin.
    public let counts: [Int]
    /// How many values were skipped because they were NaN or infinite.
    public let skipped: Int

    /// Counts `values` into `binCount` bins spanning their finite minimum to maximum (a width of 1 centred on the
    /// value when they are all equal, wider for values so large that ±0.5 would not change them).
    ///
    /// Any finite sample works: a span beyond the largest double (`[-1e308, 1e308]`) and spans of a few subnormals
    /// (`[0, 5e-324, 1e-323]`) are binned without computing an infinite or zero width.
    public init(values: [Double], binCount: Int) throws {
        guard binCount >= 1 && binCount <= 10_000 else {
            throw PlotError.invalidChart("hist needs between 1 and 10000 bins, got \(binCount)")
        }
        let finite = values.filter { $0.isFinite }
        guard let low = finite.min(), let high = finite.max() else {
            throw PlotError.invalidChart("hist needs at least one finite value, got \(Plural.count(values.count, "value")) and none finite")
        }
        var lower = low
        var upper = high
        if low == high {
            // 0.5 either side, or a billionth of the value when 0.5 is below its precision (1e16 ± 0.5 is 1e16).
            let half = Swift.max(0.5, low.magnitude * 1e-9)
            lower = Swift.max(low - half, -Double.greatestFiniteMagnitude)
            upper = Swift.min(high + half, Double.greatestFiniteMagnitude)
        }
        let count = Double(binCount)
        // A span beyond the largest double is taken at half scale; halving such large values loses nothing.
        let scale = (upper - lower).isFinite ? 1.0 : 0.5
        let span = upper * scale - lower * scale
        // Increasing with the index (a sum of rounded terms such as lower·(1 − f) + upper·f need not be).
        var edges = (0..<binCount).map { index -> Double in
            (lower * scale + span * (Double(index) / count)) / scale
        }
        edges.append(upper)
        var counts = [Int](repeating: 0, count: binCount)
        for value in finite {
            let position = ((value * scale - lower * scale) / span * count).rounded(.down)
            counts[Swift.min(Swift.max(Int(saturating: position), 0), binCount - 1)] += 1
        }
        self.edges = edges
        self.counts = counts
        self.skipped = values.count - finite.count
    }
}
