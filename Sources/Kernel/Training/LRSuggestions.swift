#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The ways of reading a learning rate off an LR-finder curve, as in fastai 2.8 (`SuggestionMethod`).
public enum LRSuggestionMethod: String, CaseIterable, Codable {
    /// The middle of the longest descending run of the curve (fastai's default).
    case valley
    /// Slides a window down from the end until the slope flattens (interval slide rule).
    case slide
    /// A tenth of the learning rate at the lowest loss.
    case minimum
    /// Where the loss falls fastest per unit of log learning rate.
    case steep
}

/// A suggested learning rate and the point of the curve it came from.
public struct LRSuggestion: Equatable, Codable {
    /// Which rule produced it.
    public var method: LRSuggestionMethod
    /// The suggested learning rate (for `minimum`, a tenth of the rate at `index`).
    public var learningRate: Double
    /// Index of the point in the recorded curve (`LRFinderResult.learningRates`).
    public var index: Int
    /// The recorded learning rate at `index` (as Float32, like fastai).
    public var pointLearningRate: Double
    /// The recorded (smoothed) loss at `index`, to mark the point on a plot.
    public var pointLoss: Double
}

/// fastai's suggestion functions over a recorded LR-finder curve, as pure functions of (learning rates, losses).
public enum LRSuggestions {
    /// Suggestions from a recorded curve. Like fastai, only the points from `numIterations / 10` up to 5 before the
    /// end are considered, converted to Float32, and cut before the first NaN. A method is left out when too few
    /// points remain for it (fastai would fail with an index error).
    public static func suggest(
        learningRates: [Double], losses: [Double], numIterations: Int,
        methods: [LRSuggestionMethod] = LRSuggestionMethod.allCases
    ) -> [LRSuggestion] {
        let skip = max(numIterations, 6) / 10
        let end = min(learningRates.count, losses.count) - 5
        guard end - skip >= 2 else { return [] }
        var lrs = learningRates[skip..<end].map { Float($0) }
        var values = losses[skip..<end].map { Float($0) }
        if let firstNaN = values.firstIndex(where: { $0.isNaN }) {
            lrs = Array(lrs[..<firstNaN])
            values = Array(values[..<firstNaN])
        }
        guard values.count >= 2 else { return [] }
        return methods.compactMap { method in
            let index: Int?
            switch method {
            case .valley: index = valley(values)
            case .slide: index = slide(values)
            case .minimum: index = minimum(values)
            case .steep: index = steep(lrs: lrs, losses: values)
            }
            return index.map { i in
                let lr = Double(lrs[i])
                return LRSuggestion(
                    method: method, learningRate: method == .minimum ? lr / 10 : lr, index: i + skip,
                    pointLearningRate: lr, pointLoss: Double(values[i]))
            }
        }
    }

    /// fastai's `valley`: the longest strictly decreasing subsequence (by dynamic programming, with fastai's
    /// exact bookkeeping of where it starts), and the point 1/3 + 1/6 of the way along it.
    static func valley(_ losses: [Float]) -> Int? {
        let n = losses.count
        guard n > 0 else { return nil }
        var maxStart = 0, maxEnd = 0
        var lengths = [Int](repeating: 1, count: n)
        for i in 1..<max(n, 1) {
            for j in 0..<i {
                if losses[i] < losses[j] && lengths[i] < lengths[j] + 1 {
                    lengths[i] = lengths[j] + 1
                }
                if lengths[maxEnd] < lengths[i] {
                    maxEnd = i
                    maxStart = maxEnd - lengths[maxEnd]
                }
            }
        }
        let sections = Double(maxEnd - maxStart) / 3
        let index = maxStart + Int(sections) + Int(sections / 2)
        // fastai's start is one before the valley, so tiny curves give -1, which Python reads as the last point.
        return index < 0 ? index + n : index
    }

    /// fastai's `slide` (window 15, threshold 0.005): walking left from the end, the last left edge whose
    /// gradient still differs from the right edge's by more than the threshold. Needs at least 16 points.
    static func slide(_ losses: [Float], window: Int = 15, threshold: Float = 0.005) -> Int? {
        let n = losses.count
        guard n >= window + 1 else { return nil }
        let gradient = numpyGradient(losses)
        var right = n - 1
        var left = right - window
        var found = left
        while left >= 0 && abs(gradient[right] - gradient[left]) > threshold {
            found = left
            right -= 1
            left -= 1
        }
        return found
    }

    /// fastai's `minimum`: the index of the lowest loss (first one on ties).
    static func minimum(_ losses: [Float]) -> Int? {
        guard var best = losses.first else { return nil }
        var index = 0
        for (i, value) in losses.enumerated() where value < best {
            best = value
            index = i
        }
        return index
    }

    /// fastai's `steep`: the index of the most negative slope of loss against log learning rate, in Float32.
    static func steep(lrs: [Float], losses: [Float]) -> Int? {
        guard losses.count >= 2 else { return nil }
        var best = Float.infinity
        var index = 0
        for i in 0..<(losses.count - 1) {
            let slope = (losses[i + 1] - losses[i]) / (logf(lrs[i + 1]) - logf(lrs[i]))
            if slope < best {
                best = slope
                index = i
            }
        }
        return index
    }

    /// `numpy.gradient` with unit spacing in Float32: one-sided differences at the ends, central inside.
    static func numpyGradient(_ values: [Float]) -> [Float] {
        let n = values.count
        guard n >= 2 else { return [Float](repeating: 0, count: n) }
        var out = [Float](repeating: 0, count: n)
        out[0] = values[1] - values[0]
        out[n - 1] = values[n - 1] - values[n - 2]
        if n > 2 {
            for i in 1..<(n - 1) { out[i] = (values[i + 1] - values[i - 1]) / 2 }
        }
        return out
    }
}
