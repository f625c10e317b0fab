import Kernel

/// A learning-rate (and momentum) schedule as a language value: a recipe that `fit` turns into a Kernel schedule
/// stepped once per batch. Schedules with a length (`one_cycle`, `cosine`) take `total_steps` from `fit`
/// (epochs × batches per epoch) unless it was given. `preview(steps)` shows the values without training.
final class ScheduleObject: DSLObject {
    /// How the call was written.
    let text: String
    /// `total_steps` as given.
    let totalSteps: Int?
    /// Whether the schedule has a length that `fit` must fill in.
    let needsLength: Bool
    /// Learning rates per layer group when the peak rate was given as a pair (low, high).
    var spread: LearningRateSpread?
    private let build: (_ totalSteps: Int) throws -> LearningRateSchedule

    /// A schedule made by `build` for a number of steps; `needsLength` false for schedules that go on forever.
    init(_ text: String, totalSteps: Int?, needsLength: Bool, build: @escaping (_ totalSteps: Int) throws -> LearningRateSchedule) throws {
        self.text = text
        self.totalSteps = totalSteps
        self.needsLength = needsLength
        self.build = build
        // Build once now so bad arguments fail where they are written; a long stand-in length when fit fills it in.
        _ = try build(totalSteps ?? 1_000_000)
    }

    var dslType: DSLType { ScheduleBindings.type }
    var description: String { text }

    /// The Kernel schedule for a `fit` of `steps` optimizer steps.
    func schedule(forTraining steps: Int) throws -> LearningRateSchedule {
        if let totalSteps, needsLength, totalSteps < steps {
            throw DSLError(
                .value,
                "\(text) has total_steps=\(totalSteps), but this fit takes \(steps) steps (epochs × batches per epoch); leave total_steps out and fit fills it in"
            )
        }
        return try build(needsLength ? (totalSteps ?? steps) : steps)
    }

    /// The values at steps 0..<steps (default: total_steps, or 100 for schedules without a length).
    func preview(_ steps: Int?) throws -> [ScheduleValue] {
        guard let count = steps ?? totalSteps ?? (needsLength ? nil : 100) else {
            throw DSLError(.value, "\(text) has no length yet; give one: .preview(steps) or total_steps=...")
        }
        guard count >= 1, count <= 10_000_000 else { throw DSLError(.value, "preview() steps must be between 1 and 10000000, got \(count)") }
        let schedule = try build(needsLength ? (totalSteps ?? count) : count)
        return schedule.preview(steps: count)
    }
}

/// The schedule builtins; each matches its PyTorch scheduler stepped once per batch (sizes count batches).
enum ScheduleBindings {
    static let group = BuiltinGroup(
        title: "Schedules",
        functions: [
            BuiltinFunction(
                "one_cycle",
                [
                    .required("max_lr"), .optional("total_steps", .none), .optional("pct_start", 0.3), .optional("anneal", "cos"),
                    .optional("div_factor", 25.0), .optional("final_div_factor", 1e4), .optional("three_phase", false),
                    .optional("momentum", .tuple([0.85, 0.95])),
                ],
                doc:
                    "The 1cycle policy, value for value as torch's OneCycleLR (max_lr=(low, high): fastai's slice, spread over the layer groups): warm up from max_lr/div_factor to max_lr over pct_start of the steps, then anneal ('cos' or 'linear') to max_lr/div_factor/final_div_factor; momentum=(low, high) cycles inversely (None: leave it)."
            ) { args in
                let (rate, spread) = try LearningRateSpread.rate(args, "max_lr")
                guard let maxLR = rate else { throw args.valueError("max_lr", "must be a number or a pair (low, high), not None") }
                let total = try totalSteps(args)
                let pctStart = try args.double("pct_start")
                let annealName = try args.string("anneal")
                guard let annealing = OneCycleSchedule.Annealing(rawValue: annealName == "cosine" ? "cos" : annealName) else {
                    throw args.valueError("anneal", "must be 'cos' or 'linear', got \(Value.quote(annealName))")
                }
                let divFactor = try args.double("div_factor")
                let finalDivFactor = try args.double("final_div_factor")
                let threePhase = try args.bool("three_phase")
                let momentum = try momentumRange(args)
                var text = "one_cycle(max_lr=\(spread?.text ?? Value.formatFloat(maxLR))"
                if let total { text += ", total_steps=\(total)" }
                if try args.wasGiven("pct_start") { text += ", pct_start=\(Value.formatFloat(pctStart))" }
                if annealing != .cosine { text += ", anneal='linear'" }
                if threePhase { text += ", three_phase=True" }
                let schedule = try ScheduleObject(text + ")", totalSteps: total, needsLength: true) { steps in
                    try OneCycleSchedule(
                        maxLR: maxLR, totalSteps: steps, pctStart: pctStart, annealing: annealing, divFactor: divFactor,
                        finalDivFactor: finalDivFactor, cycleMomentum: momentum != nil, baseMomentum: momentum?.low ?? 0.85,
                        maxMomentum: momentum?.high ?? 0.95, threePhase: threePhase)
                }
                schedule.spread = spread
                return .object(schedule)
            },
            BuiltinFunction(
                "one_cycle_fastai", [.required("max_lr"), .optional("total_steps", .none)],
                doc: "fastai's fit_one_cycle schedule: one_cycle with pct_start=0.25 and final_div_factor=1e5."
            ) { args in
                let maxLR = try args.double("max_lr")
                let total = try totalSteps(args)
                let text = "one_cycle_fastai(max_lr=\(Value.formatFloat(maxLR))" + (total.map { ", total_steps=\($0)" } ?? "") + ")"
                return .object(
                    try ScheduleObject(text, totalSteps: total, needsLength: true) { steps in
                        try OneCycleSchedule.fastai(maxLR: maxLR, totalSteps: steps)
                    })
            },
            BuiltinFunction(
                "cosine", [.required("max_lr"), .optional("total_steps", .none), .optional("warmup", 0), .optional("min_lr", 0.0)],
                doc:
                    "Linear warm-up from 0 (warmup: steps as an int, or a fraction of all steps as a float), then half a cosine from max_lr down to min_lr."
            ) { args in
                let maxLR = try args.double("max_lr")
                let total = try totalSteps(args)
                let minLR = try args.double("min_lr")
                let warmup = try args.value("warmup")
                let warmupSteps: (Int) throws -> Int
                switch warmup {
                case .float(let fraction):
                    guard fraction >= 0, fraction < 1 else {
                        throw args.valueError("warmup", "as a fraction must be in [0, 1), got \(Value.formatFloat(fraction))")
                    }
                    warmupSteps = { steps in Int((fraction * Double(steps)).rounded(.down)) }
                default:
                    let steps = try args.int("warmup")
                    guard steps >= 0 else { throw args.valueError("warmup", "must not be negative, got \(steps)") }
                    warmupSteps = { _ in steps }
                }
                var text = "cosine(max_lr=\(Value.formatFloat(maxLR))" + (total.map { ", total_steps=\($0)" } ?? "")
                if try args.wasGiven("warmup") { text += ", warmup=\(warmup.repr)" }
                if minLR != 0 { text += ", min_lr=\(Value.formatFloat(minLR))" }
                return .object(
                    try ScheduleObject(text + ")", totalSteps: total, needsLength: true) { steps in
                        try CosineSchedule(maxLR: maxLR, totalSteps: steps, warmupSteps: try warmupSteps(steps), minLR: minLR)
                    })
            },
            sgdr,
            BuiltinFunction(
                "step_lr", [.required("lr"), .required("step_size"), .optional("gamma", 0.1)],
                doc: "lr multiplied by gamma every step_size batches (torch's StepLR, counted in batches)."
            ) { args in
                let lr = try args.double("lr")
                let stepSize = try args.int("step_size")
                let gamma = try args.double("gamma")
                return .object(
                    try ScheduleObject(
                        "step_lr(\(Value.formatFloat(lr)), \(stepSize), gamma=\(Value.formatFloat(gamma)))", totalSteps: nil, needsLength: false
                    ) { _ in
                        try StepDecaySchedule(learningRate: lr, stepSize: stepSize, gamma: gamma)
                    })
            },
            BuiltinFunction(
                "multistep", [.required("lr"), .required("milestones"), .optional("gamma", 0.1)],
                doc: "lr multiplied by gamma at each batch number in milestones (torch's MultiStepLR, counted in batches)."
            ) { args in
                let lr = try args.double("lr")
                let milestones = try args.elements("milestones").map { item -> Int in
                    guard let step = item.integerValue else {
                        throw args.typeError("milestones", expected: "a list of step numbers (ints)", found: item)
                    }
                    return step
                }
                let gamma = try args.double("gamma")
                let text = "multistep(\(Value.formatFloat(lr)), \(Value.list(milestones.map { .int($0) }).repr), gamma=\(Value.formatFloat(gamma)))"
                return .object(
                    try ScheduleObject(text, totalSteps: nil, needsLength: false) { _ in
                        try MultiStepSchedule(learningRate: lr, milestones: milestones, gamma: gamma)
                    })
            },
            BuiltinFunction(
                "exponential", [.required("lr"), .required("gamma")],
                doc: "lr multiplied by gamma after every batch (torch's ExponentialLR, stepped per batch)."
            ) { args in
                let lr = try args.double("lr")
                let gamma = try args.double("gamma")
                return .object(
                    try ScheduleObject("exponential(\(Value.formatFloat(lr)), \(Value.formatFloat(gamma)))", totalSteps: nil, needsLength: false) {
                        _ in
                        try ExponentialSchedule(learningRate: lr, gamma: gamma)
                    })
            },
            BuiltinFunction(
                "warmup", [.required("lr"), .required("steps"), .optional("start_factor", .float(1.0 / 3))],
                doc: "A linear ramp from start_factor·lr to lr over steps batches, then constant (torch's LinearLR)."
            ) { args in
                let lr = try args.double("lr")
                let steps = try args.int("steps")
                let startFactor = try args.double("start_factor")
                return .object(
                    try ScheduleObject("warmup(\(Value.formatFloat(lr)), \(steps))", totalSteps: nil, needsLength: false) { _ in
                        try LinearWarmupSchedule(learningRate: lr, warmupSteps: steps, startFactor: startFactor)
                    })
            },
            BuiltinFunction("constant", [.required("lr")], doc: "The same learning rate at every batch.") { args in
                let lr = try args.double("lr")
                return .object(
                    try ScheduleObject("constant(\(Value.formatFloat(lr)))", totalSteps: nil, needsLength: false) { _ in
                        try ConstantSchedule(learningRate: lr)
                    })
            },
        ])

    static let type = DSLType(
        name: "Schedule",
        doc: "A learning-rate (and momentum) schedule for fit(schedule=...), stepped once per batch; preview it without training.",
        properties: [
            DSLProperty("total_steps", doc: "The length given, or None when fit fills it in (or the schedule has none).") { value in
                try receiver(value).totalSteps.map { .int($0) } ?? .none
            }
        ],
        methods: [
            BuiltinFunction(
                "preview", [.optional("steps", .none)],
                doc: "The (lr, momentum) pairs of steps 0..steps-1 (momentum None when the schedule leaves it); steps defaults to total_steps."
            ) { args in
                let values = try args.receiver(as: ScheduleObject.self).preview(try args.optionalInt("steps"))
                return .list(values.map { .tuple([.float($0.learningRate), $0.momentum.map { .float($0) } ?? .none]) })
            },
            BuiltinFunction("lrs", [.optional("steps", .none)], doc: "The learning rates of steps 0..steps-1, for plotting.") { args in
                let values = try args.receiver(as: ScheduleObject.self).preview(try args.optionalInt("steps"))
                return .list(values.map { .float($0.learningRate) })
            },
            BuiltinFunction(
                "moms", [.optional("steps", .none)], doc: "The momentums of steps 0..steps-1 (None where the schedule leaves it), for plotting."
            ) { args in
                let values = try args.receiver(as: ScheduleObject.self).preview(try args.optionalInt("steps"))
                return .list(values.map { $0.momentum.map { .float($0) } ?? .none })
            },
        ])

    private static func receiver(_ value: Value) throws -> ScheduleObject {
        guard case .object(let object) = value, let wrapped = object as? ScheduleObject else {
            throw DSLError(.type, "expected a Schedule, not \(value.typeName)")
        }
        return wrapped
    }

    private static func totalSteps(_ args: Arguments) throws -> Int? {
        guard let total = try args.optionalInt("total_steps") else { return nil }
        guard total >= 1 else { throw args.valueError("total_steps", "must be at least 1, got \(total)") }
        return total
    }

    private static func momentumRange(_ args: Arguments) throws -> (low: Double, high: Double)? {
        if try args.isNone("momentum") { return nil }
        let items = try args.elements("momentum")
        guard items.count == 2, let low = items[0].numericValue, let high = items[1].numericValue else {
            throw args.valueError("momentum", "must be a (low, high) pair such as (0.85, 0.95), or None")
        }
        return (low, high)
    }
}
