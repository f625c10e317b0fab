/// The same rate at every step.
public struct ConstantSchedule: LearningRateSchedule {
    /// The rate.
    public let learningRate: Double

    /// `nil`: the schedule has a value for every step.
    public var totalSteps: Int? { nil }

    /// A schedule that always returns `learningRate`.
    public init(learningRate: Double) throws {
        try ScheduleCheck.nonNegative(learningRate, "lr", op: "constant schedule")
        self.learningRate = learningRate
    }

    /// The value at `step`, by the formula above.
    public func value(at step: Int) -> ScheduleValue { ScheduleValue(learningRate: learningRate) }
}

/// A linear ramp of the rate's factor from `startFactor` to 1 over `warmupSteps`, then constant,
/// like `LinearLR(start_factor, end_factor = 1, total_iters = warmupSteps)`:
/// `lr · (startFactor + (1 − startFactor) · min(step, warmupSteps) / warmupSteps)`.
public struct LinearWarmupSchedule: LearningRateSchedule {
    /// The rate after warm-up.
    public let learningRate: Double
    /// Steps of the ramp.
    public let warmupSteps: Int
    /// Fraction of the rate used at step 0 (PyTorch's default 1/3).
    public let startFactor: Double

    /// `nil`: the schedule has a value for every step.
    public var totalSteps: Int? { nil }

    /// A linear warm-up to `learningRate`.
    public init(learningRate: Double, warmupSteps: Int, startFactor: Double = 1.0 / 3) throws {
        try ScheduleCheck.positive(learningRate, "lr", op: "linear warmup")
        try ScheduleCheck.steps(warmupSteps, "warmup steps", op: "linear warmup")
        guard startFactor >= 0, startFactor <= 1 else {
            throw KernelError.invalidArgument(op: "linear warmup", message: "start factor must be in [0, 1], found \(startFactor)")
        }
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.startFactor = startFactor
    }

    /// The value at `step`, by the formula above.
    public func value(at step: Int) -> ScheduleValue {
        let progress = Double(Swift.min(Swift.max(step, 0), warmupSteps)) / Double(warmupSteps)
        return ScheduleValue(learningRate: learningRate * (startFactor + (1 - startFactor) * progress))
    }
}
