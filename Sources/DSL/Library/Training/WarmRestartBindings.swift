import Kernel

extension ScheduleBindings {
    static let sgdr = BuiltinFunction(
        "sgdr", [.required("max_lr"), .required("t0"), .optional("t_mult", 1), .optional("min_lr", 0.0), .optional("total_steps", .none)],
        doc:
            "Cosine annealing with warm restarts, value for value as torch's CosineAnnealingWarmRestarts(T_0=t0, T_mult=t_mult, eta_min=min_lr) stepped per batch: each cycle falls from max_lr towards min_lr along half a cosine, then restarts; the first lasts t0 batches and each next one t_mult (an int ≥ 1) times longer. Endless unless total_steps is given; preview() shows the restarts."
    ) { args in
        let maxLR = try args.double("max_lr")
        let t0 = try args.int("t0")
        let tMult = try args.int("t_mult")
        let minLR = try args.double("min_lr")
        let total = try args.optionalInt("total_steps")
        guard t0 >= 1 else { throw args.valueError("t0", "must be at least 1 batch, got \(t0)") }
        guard tMult >= 1 else { throw args.valueError("t_mult", "must be an int ≥ 1, got \(tMult)") }
        if let total, total < 1 { throw args.valueError("total_steps", "must be at least 1, got \(total)") }
        var text = "sgdr(max_lr=\(Value.formatFloat(maxLR)), t0=\(t0)"
        if tMult != 1 { text += ", t_mult=\(tMult)" }
        if minLR != 0 { text += ", min_lr=\(Value.formatFloat(minLR))" }
        if let total { text += ", total_steps=\(total)" }
        return .object(
            try ScheduleObject(text + ")", totalSteps: total, needsLength: false) { _ in
                try WarmRestartSchedule(maxLR: maxLR, firstCycle: t0, cycleMultiplier: tMult, minLR: minLR, totalSteps: total)
            })
    }
}
