#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter), value for value as torch's
/// `CosineAnnealingWarmRestarts(T_0 = t0, T_mult = tMult, eta_min = minLR)` stepped once per batch:
///
///     cycle i lasts  T_i = t0 · tMult^i  steps; T_cur counts the steps since the last restart
///     lr = minLR + (maxLR − minLR) · (1 + cos(π · T_cur / T_i)) / 2
///
/// so each cycle starts at `maxLR`, falls towards `minLR` and jumps back up.
public struct WarmRestartSchedule: LearningRateSchedule {
    /// The rate at the start of every cycle.
    public let maxLR: Double
    /// The rate each cycle approaches.
    public let minLR: Double
    /// Length of the first cycle, in steps.
    public let firstCycle: Int
    /// Factor by which each cycle is longer than the one before (an integer, as torch requires).
    public let cycleMultiplier: Int
    /// The length the schedule was made for, or nil for an endless one.
    public let totalSteps: Int?

    /// A warm-restart schedule; throws for a non-positive rate or cycle, a multiplier below 1, or `minLR` above `maxLR`.
    public init(maxLR: Double, firstCycle: Int, cycleMultiplier: Int = 1, minLR: Double = 0, totalSteps: Int? = nil) throws {
        let op = "sgdr schedule"
        try ScheduleCheck.positive(maxLR, "max_lr", op: op)
        try ScheduleCheck.nonNegative(minLR, "min_lr", op: op)
        try ScheduleCheck.steps(firstCycle, "t0", op: op)
        try ScheduleCheck.steps(cycleMultiplier, "t_mult", op: op)
        if let totalSteps { try ScheduleCheck.steps(totalSteps, "total_steps", op: op) }
        guard minLR <= maxLR else {
            throw KernelError.invalidArgument(op: op, message: "min_lr (\(minLR)) must not exceed max_lr (\(maxLR))")
        }
        self.maxLR = maxLR
        self.minLR = minLR
        self.firstCycle = firstCycle
        self.cycleMultiplier = cycleMultiplier
        self.totalSteps = totalSteps
    }

    /// The position in the cycle that `step` falls in: (T_cur, T_i).
    func cyclePosition(at step: Int) -> (current: Int, length: Int) {
        let s = Swift.max(0, totalSteps.map { Swift.min(step, $0 - 1) } ?? step)
        if cycleMultiplier == 1 { return (s % firstCycle, firstCycle) }
        var current = s
        var length = firstCycle
        // Cycles grow geometrically, so this runs at most about 63 times; a length past Int's range means the
        // step lies in that cycle.
        while current >= length {
            current -= length
            let (next, overflow) = length.multipliedReportingOverflow(by: cycleMultiplier)
            length = overflow ? Int.max : next
        }
        return (current, length)
    }

    /// The value at `step`, in the same floating-point order as torch (π · T_cur first, then / T_i).
    public func value(at step: Int) -> ScheduleValue {
        let (current, length) = cyclePosition(at: step)
        let angle = Double.pi * Double(current) / Double(length)
        return ScheduleValue(learningRate: minLR + (maxLR - minLR) * (1 + cos(angle)) / 2)
    }
}
