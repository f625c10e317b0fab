#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Linear warm-up from 0 to `maxLR` over `warmupSteps`, then half a cosine down to `minLR` at `totalSteps`,
/// as Hugging Face's `get_cosine_schedule_with_warmup` (which is the case `minLR = 0`):
///
///     step < warmup:  lr = maxLR · step / warmup
///     otherwise:      lr = minLR + (maxLR − minLR) · (1 + cos(π · (step − warmup) / (total − warmup))) / 2
///
/// With no warm-up this is `CosineAnnealingLR(T_max = totalSteps, eta_min = minLR)`.
public struct CosineSchedule: LearningRateSchedule {
    /// The rate at the end of warm-up.
    public let maxLR: Double
    /// The rate the cosine reaches at `totalSteps`.
    public let minLR: Double
    /// Steps of linear warm-up.
    public let warmupSteps: Int
    /// Length of the schedule.
    public let steps: Int

    /// The number of steps the schedule was built for.
    public var totalSteps: Int? { steps }

    /// A cosine schedule, optionally with linear warm-up.
    public init(maxLR: Double, totalSteps: Int, warmupSteps: Int = 0, minLR: Double = 0) throws {
        let op = "cosine schedule"
        try ScheduleCheck.positive(maxLR, "max_lr", op: op)
        try ScheduleCheck.nonNegative(minLR, "min_lr", op: op)
        try ScheduleCheck.steps(totalSteps, "total_steps", op: op)
        guard warmupSteps >= 0, warmupSteps < totalSteps else {
            throw KernelError.invalidArgument(op: op, message: "warmup steps must be in 0..<\(totalSteps), found \(warmupSteps)")
        }
        self.maxLR = maxLR
        self.minLR = minLR
        self.warmupSteps = warmupSteps
        self.steps = totalSteps
    }

    /// The value at `step`, by the formula above.
    public func value(at step: Int) -> ScheduleValue {
        let s = Swift.min(Swift.max(step, 0), steps)
        if s < warmupSteps {
            return ScheduleValue(learningRate: maxLR * Double(s) / Double(warmupSteps))
        }
        let progress = Double(s - warmupSteps) / Double(steps - warmupSteps)
        return ScheduleValue(learningRate: minLR + (maxLR - minLR) * (1 + cos(Double.pi * progress)) / 2)
    }
}
