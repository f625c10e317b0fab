/// The hyper-parameters a schedule prescribes for one optimizer step.
public struct ScheduleValue: Equatable, Codable {
    /// Learning rate to use at this step.
    public var learningRate: Double
    /// Momentum (SGD) or β₁ (Adam) to use at this step; `nil` leaves the optimizer's value alone.
    public var momentum: Double?

    /// A value with the given learning rate and optional momentum.
    public init(learningRate: Double, momentum: Double? = nil) {
        self.learningRate = learningRate
        self.momentum = momentum
    }
}

/// A learning-rate (and optionally momentum) schedule: a pure function of the step number,
/// stepped once per batch by `fit`. Step 0 is the first batch.
public protocol LearningRateSchedule {
    /// Number of steps the schedule is made for; `nil` when it goes on forever.
    /// Steps past the end keep the last step's value.
    var totalSteps: Int? { get }
    /// The values to use at `step`.
    func value(at step: Int) -> ScheduleValue
}

extension LearningRateSchedule {
    /// The learning rate at `step`.
    public func learningRate(at step: Int) -> Double { value(at: step).learningRate }

    /// The values at steps `0..<steps` (default: `totalSteps`, or 100 for endless schedules), to plot or print.
    public func preview(steps: Int? = nil) -> [ScheduleValue] {
        let n = Swift.max(0, steps ?? totalSteps ?? 100)
        return (0..<n).map { value(at: $0) }
    }

    /// Throws unless the schedule covers `steps` optimizer steps (endless schedules always do).
    public func checkCovers(steps: Int) throws {
        if let total = totalSteps, total < steps {
            throw KernelError.invalidArgument(
                op: "schedule",
                message:
                    "the schedule is made for \(total) steps but training takes \(steps) (epochs × batches per epoch); build it with totalSteps: \(steps)"
            )
        }
    }
}

/// Validation shared by the schedule initialisers.
enum ScheduleCheck {
    static func positive(_ value: Double, _ name: String, op: String) throws {
        guard value > 0, value.isFinite else {
            throw KernelError.invalidArgument(op: op, message: "\(name) must be a finite number > 0, found \(value)")
        }
    }

    static func nonNegative(_ value: Double, _ name: String, op: String) throws {
        guard value >= 0, value.isFinite else {
            throw KernelError.invalidArgument(op: op, message: "\(name) must be a finite number ≥ 0, found \(value)")
        }
    }

    static func steps(_ value: Int, _ name: String, op: String, minimum: Int = 1) throws {
        guard value >= minimum else {
            throw KernelError.invalidArgument(op: op, message: "\(name) must be at least \(minimum), found \(value)")
        }
    }
}
