#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Schedules that only ever lower the rate, each the closed form of its PyTorch scheduler
// (stepped per batch here, so sizes and milestones count batches).

/// `lr · gamma^⌊step / stepSize⌋`, like `StepLR`.
public struct StepDecaySchedule: LearningRateSchedule {
    /// Rate before the first decay.
    public let learningRate: Double
    /// Steps between decays.
    public let stepSize: Int
    /// Factor applied at each decay.
    public let gamma: Double

    /// `nil`: the schedule has a value for every step.
    public var totalSteps: Int? { nil }

    /// Multiplies the rate by `gamma` every `stepSize` steps.
    public init(learningRate: Double, stepSize: Int, gamma: Double = 0.1) throws {
        try ScheduleCheck.positive(learningRate, "lr", op: "step schedule")
        try ScheduleCheck.steps(stepSize, "step_size", op: "step schedule")
        try ScheduleCheck.positive(gamma, "gamma", op: "step schedule")
        self.learningRate = learningRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    /// The value at `step`, by the formula above.
    public func value(at step: Int) -> ScheduleValue {
        ScheduleValue(learningRate: learningRate * pow(gamma, Double(Swift.max(step, 0) / stepSize)))
    }
}

/// `lr · gamma^(number of milestones ≤ step)`, like `MultiStepLR`.
public struct MultiStepSchedule: LearningRateSchedule {
    /// Rate before the first milestone.
    public let learningRate: Double
    /// Steps at which the rate is multiplied by `gamma`, ascending.
    public let milestones: [Int]
    /// Factor applied at each milestone.
    public let gamma: Double

    /// `nil`: the schedule has a value for every step.
    public var totalSteps: Int? { nil }

    /// Multiplies the rate by `gamma` at each of `milestones`.
    public init(learningRate: Double, milestones: [Int], gamma: Double = 0.1) throws {
        try ScheduleCheck.positive(learningRate, "lr", op: "multistep schedule")
        try ScheduleCheck.positive(gamma, "gamma", op: "multistep schedule")
        guard milestones.allSatisfy({ $0 >= 0 }) else {
            throw KernelError.invalidArgument(op: "multistep schedule", message: "milestones must be ≥ 0, found \(milestones)")
        }
        self.learningRate = learningRate
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    /// The value at `step`, by the formula above.
    public func value(at step: Int) -> ScheduleValue {
        let passed = milestones.filter { $0 <= step }.count
        return ScheduleValue(learningRate: learningRate * pow(gamma, Double(passed)))
    }
}

/// `lr · gamma^step`, like `ExponentialLR`.
public struct ExponentialSchedule: LearningRateSchedule {
    /// Rate at step 0.
    public let learningRate: Double
    /// Factor applied every step.
    public let gamma: Double

    /// `nil`: the schedule has a value for every step.
    public var totalSteps: Int? { nil }

    /// Multiplies the rate by `gamma` every step.
    public init(learningRate: Double, gamma: Double) throws {
        try ScheduleCheck.positive(learningRate, "lr", op: "exponential schedule")
        try ScheduleCheck.positive(gamma, "gamma", op: "exponential schedule")
        self.learningRate = learningRate
        self.gamma = gamma
    }

    /// The value at `step`, by the formula above.
    public func value(at step: Int) -> ScheduleValue {
        ScheduleValue(learningRate: learningRate * pow(gamma, Double(Swift.max(step, 0))))
    }
}
