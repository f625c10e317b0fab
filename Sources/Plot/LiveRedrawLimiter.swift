import Foundation

/// Decides when a live chart may be redrawn during training, so charting never slows training
/// noticeably: at most once every `minimumSteps` steps, and only while the time spent drawing so
/// far is below `maximumDrawShare` (2 % by default) of the time since the limiter was created.
///
/// ```swift
/// var limiter = LiveRedrawLimiter(minimumSteps: 10)
/// for step in 1...steps {
///     train(step)
///     try limiter.redrawIfDue(step: step) { try show(session.renderText(chart, width: 80, height: 20)) }
/// }
/// ```
public struct LiveRedrawLimiter {
    /// Fewest steps between two redraws.
    public let minimumSteps: Int
    /// Largest share of elapsed time that drawing may have used for another redraw to be allowed.
    public let maximumDrawShare: Double
    /// Seconds spent drawing so far.
    public private(set) var drawSeconds: Double = 0
    /// The step of the last redraw, nil before the first.
    public private(set) var lastRedrawStep: Int?
    private let clock: () -> Double
    private let startTime: Double

    /// A limiter whose elapsed time starts now.
    /// - Parameters:
    ///   - minimumSteps: fewest steps between redraws (values below 1 count as 1).
    ///   - maximumDrawShare: share of elapsed time drawing may use, e.g. 0.02.
    ///   - clock: seconds on a monotonic clock; tests inject their own.
    public init(
        minimumSteps: Int, maximumDrawShare: Double = 0.02,
        clock: @escaping () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    ) {
        self.minimumSteps = max(1, minimumSteps)
        self.maximumDrawShare = maximumDrawShare
        self.clock = clock
        self.startTime = clock()
    }

    /// Whether a redraw at `step` is allowed now. The first redraw is always allowed.
    public func shouldRedraw(step: Int) -> Bool {
        guard let lastRedrawStep else { return true }
        guard step - lastRedrawStep >= minimumSteps else { return false }
        return drawSeconds < maximumDrawShare * (clock() - startTime)
    }

    /// Records a redraw at `step` that took `seconds`.
    public mutating func recordRedraw(step: Int, seconds: Double) {
        lastRedrawStep = step
        drawSeconds += max(0, seconds)
    }

    /// Runs `draw` if a redraw at `step` is allowed, timing it with the limiter's clock;
    /// returns whether it ran. A throwing `draw` still counts its time.
    @discardableResult
    public mutating func redrawIfDue(step: Int, _ draw: () throws -> Void) rethrows -> Bool {
        guard shouldRedraw(step: step) else { return false }
        let start = clock()
        defer { recordRedraw(step: step, seconds: clock() - start) }
        try draw()
        return true
    }
}
