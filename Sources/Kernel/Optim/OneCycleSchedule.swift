#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The 1cycle policy (Smith & Topin), value for value as `torch.optim.lr_scheduler.OneCycleLR`.
///
/// The learning rate warms up from `maxLR / divFactor` to `maxLR` until step `pctStart·totalSteps − 1`,
/// then anneals to `maxLR / divFactor / finalDivFactor` at step `totalSteps − 1`; momentum moves the
/// opposite way between `maxMomentum` and `baseMomentum`. With `threePhase`, the rate first comes back
/// down to the initial value (symmetrically) and only the last phase anneals to the minimum.
public struct OneCycleSchedule: LearningRateSchedule {
    /// How a phase moves from its start value to its end value.
    public enum Annealing: String, Codable {
        /// Half a cosine: `end + (start − end)/2 · (cos(π·pct) + 1)`.
        case cosine = "cos"
        /// A straight line: `(end − start)·pct + start`.
        case linear
    }

    /// The peak learning rate.
    public let maxLR: Double
    /// Steps in the cycle (epochs × batches per epoch).
    public let steps: Int
    /// Fraction of the cycle spent warming up.
    public let pctStart: Double
    /// Shape of each phase.
    public let annealing: Annealing
    /// The initial rate is `maxLR / divFactor`.
    public let divFactor: Double
    /// The final rate is the initial rate divided by this.
    public let finalDivFactor: Double
    /// Whether momentum cycles inversely to the learning rate.
    public let cycleMomentum: Bool
    /// Momentum at the learning-rate peak.
    public let baseMomentum: Double
    /// Momentum at the start and end.
    public let maxMomentum: Double
    /// Whether to use the three-phase variant.
    public let threePhase: Bool

    private struct Phase {
        let endStep: Double
        let startLR, endLR, startMomentum, endMomentum: Double
    }
    private let phases: [Phase]

    /// The number of steps the schedule was built for.
    public var totalSteps: Int? { steps }

    /// A one-cycle schedule with PyTorch's defaults.
    public init(
        maxLR: Double, totalSteps: Int, pctStart: Double = 0.3, annealing: Annealing = .cosine,
        divFactor: Double = 25, finalDivFactor: Double = 1e4, cycleMomentum: Bool = true,
        baseMomentum: Double = 0.85, maxMomentum: Double = 0.95, threePhase: Bool = false
    ) throws {
        let op = "one_cycle"
        try ScheduleCheck.positive(maxLR, "max_lr", op: op)
        try ScheduleCheck.steps(totalSteps, "total_steps", op: op)
        try ScheduleCheck.positive(divFactor, "div_factor", op: op)
        try ScheduleCheck.positive(finalDivFactor, "final_div_factor", op: op)
        let pctLimit = threePhase ? 0.5 : 1.0
        guard pctStart > 0, pctStart < pctLimit || (threePhase && pctStart == 0.5) else {
            throw KernelError.invalidArgument(op: op, message: "pct_start must be in (0, \(threePhase ? "0.5]" : "1)")), found \(pctStart)")
        }
        if cycleMomentum {
            try ScheduleCheck.nonNegative(baseMomentum, "base_momentum", op: op)
            try ScheduleCheck.nonNegative(maxMomentum, "max_momentum", op: op)
        }
        self.maxLR = maxLR
        self.steps = totalSteps
        self.pctStart = pctStart
        self.annealing = annealing
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum
        self.threePhase = threePhase

        // The same double arithmetic as PyTorch, so that e.g. 0.3·100 − 1 = 29.000000000000004 exactly.
        let initialLR = maxLR / divFactor
        let minLR = initialLR / finalDivFactor
        let total = Double(totalSteps)
        if threePhase {
            phases = [
                Phase(endStep: pctStart * total - 1, startLR: initialLR, endLR: maxLR, startMomentum: maxMomentum, endMomentum: baseMomentum),
                Phase(endStep: 2 * pctStart * total - 2, startLR: maxLR, endLR: initialLR, startMomentum: baseMomentum, endMomentum: maxMomentum),
                Phase(endStep: total - 1, startLR: initialLR, endLR: minLR, startMomentum: maxMomentum, endMomentum: maxMomentum),
            ]
        } else {
            phases = [
                Phase(endStep: pctStart * total - 1, startLR: initialLR, endLR: maxLR, startMomentum: maxMomentum, endMomentum: baseMomentum),
                Phase(endStep: total - 1, startLR: maxLR, endLR: minLR, startMomentum: baseMomentum, endMomentum: maxMomentum),
            ]
        }
    }

    /// fastai's `fit_one_cycle` settings: warm-up over 25 % of the steps and a final rate `maxLR / 25 / 1e5`.
    public static func fastai(maxLR: Double, totalSteps: Int) throws -> OneCycleSchedule {
        try OneCycleSchedule(maxLR: maxLR, totalSteps: totalSteps, pctStart: 0.25, finalDivFactor: 1e5)
    }

    /// The value at `step`, by the formula above.
    public func value(at step: Int) -> ScheduleValue {
        let stepNumber = Double(Swift.min(Swift.max(step, 0), steps - 1))
        var startStep = 0.0
        for (i, phase) in phases.enumerated() {
            if stepNumber <= phase.endStep || i == phases.count - 1 {
                let span = phase.endStep - startStep
                // A phase shorter than one step (tiny totals) is already complete.
                let pct = span == 0 ? 1 : (stepNumber - startStep) / span
                let lr = anneal(phase.startLR, phase.endLR, pct)
                let momentum = cycleMomentum ? anneal(phase.startMomentum, phase.endMomentum, pct) : nil
                return ScheduleValue(learningRate: lr, momentum: momentum)
            }
            startStep = phase.endStep
        }
        return ScheduleValue(learningRate: phases.last?.endLR ?? maxLR)
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealing {
        case .cosine: return end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }
}
