import Kernel

// What the chart builtins can draw from objects wrapped by other bindings. A binding makes its object drawable
// by conforming to one of these (one line each, next to the object or here), so the chart code depends on the
// Kernel values only, never on how another binding stores them.

/// An object `plot()` draws as training curves: the `History` returned by `fit`.
protocol HistoryChartSource: DSLObject {
    /// The history to draw.
    var chartHistory: History { get }
}

/// An object `plot()` draws as an LR-finder curve with its suggestions marked.
protocol LRFinderChartSource: DSLObject {
    /// The finder's result to draw.
    var chartLRFinderResult: LRFinderResult { get }
}

/// An object `plot()` draws as learning rate (and momentum) over the training steps.
protocol ScheduleChartSource: DSLObject {
    /// The values at steps `0..<steps`; nil: the schedule's own length (an error when it has none).
    func chartScheduleValues(steps: Int?) throws -> [ScheduleValue]
}

/// An object `confusion()` draws as a confusion matrix and `images()` as its highest-loss samples.
protocol InterpretationChartSource: DSLObject {
    /// The analysis to draw.
    var chartInterpretation: Interpretation { get }
    /// The samples the analysis ran on, in the order it read them (record `index` = data-set index), for
    /// `images()`; nil when the object does not keep them.
    var chartInterpretedSamples: Dataset? { get }
}

/// An object `images()` draws as labelled pictures: a data set, a loader, a data bunch.
protocol ImagesChartSource: DSLObject {
    /// Up to `count` images [N, C, H, W] (N ≥ 1) to draw, one class index each, and the class names.
    func chartImages(count: Int) throws -> (images: Tensor, labels: [Int], classNames: [String])
}
