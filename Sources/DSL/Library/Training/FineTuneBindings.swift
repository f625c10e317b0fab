import Kernel

/// Learning rates given as fastai's `slice`: a pair `(low, high)` spread geometrically over the model's layer groups,
/// or `(None, high)` for `high / 10` in the body and `high` in the head.
struct LearningRateSpread: Equatable {
    let low: Double?
    let high: Double

    /// `(1e-05, 0.001)`, as written.
    var text: String { "(\(low.map(Value.formatFloat) ?? "None"), \(Value.formatFloat(high)))" }

    /// Each parameter's multiple of `high` in `model`.
    func scales(for model: Model) throws -> [String: Double] {
        try model.learningRateScales(low: low, high: high)
    }

    /// The argument `name`: None gives (nil, nil); a number its value and no spread; a pair its high rate and the spread.
    static func rate(_ args: Arguments, _ name: String) throws -> (Double?, LearningRateSpread?) {
        let value = try args.value(name)
        switch value {
        case .none:
            return (nil, nil)
        case .list, .tuple:
            let items = try args.elements(name)
            let lowIsNone: Bool
            if let first = items.first, case .none = first { lowIsNone = true } else { lowIsNone = false }
            guard items.count == 2, let high = items[1].numericValue, items[0].numericValue != nil || lowIsNone else {
                throw args.valueError(name, "must be a number or a pair (low, high) of learning rates, like fastai's slice(low, high)")
            }
            let low = items[0].numericValue
            guard high > 0, high.isFinite, low.map({ $0 > 0 && $0 <= high }) ?? true else {
                throw args.valueError(
                    name, "must be a pair (low, high) with 0 < low ≤ high, got (\(low.map(Value.formatFloat) ?? "None"), \(Value.formatFloat(high)))")
            }
            return (high, LearningRateSpread(low: low, high: high))
        default:
            return (try args.double(name), nil)
        }
    }
}

/// Transfer learning as fastai does it: freezing, layer groups with their own learning rates, a new head, `fine_tune`.
enum FineTuneBindings {
    static let group = BuiltinGroup(
        title: "Transfer learning",
        functions: [
            BuiltinFunction(
                "freeze", [.required("model"), .optional("upto", .none), .keywordOnly("train_bn", true)],
                doc: """
                    Freeze a model for transfer learning, as fastai's freeze: frozen weights get no gradient and optimizers neither update nor decay them.
                    upto=None freezes every layer group but the head (m.layer_groups); an int n freezes the first n groups (fastai's freeze_to; negative counts from the end); a layer name freezes every layer up to and including it. The rest becomes trainable.
                    train_bn=True (fastai's default) keeps batch-norm layers trainable; train_bn=False freezes them too, with their running statistics.
                    Example: freeze(m); fit(m, data, 1, schedule=one_cycle(1e-3)); unfreeze(m)
                    """
            ) { args in
                let model = try TrainBindings.model(args, "model")
                let boundary: FreezeBoundary
                let upto = try args.value("upto")
                switch upto {
                case .none: boundary = .head
                case .string(let name): boundary = .throughLayer(name)
                default:
                    guard let count = upto.integerValue else {
                        throw args.typeError("upto", expected: "None, a layer group index or a layer name", found: upto)
                    }
                    boundary = .groups(count)
                }
                try model.freeze(boundary, trainBatchNorm: try args.bool("train_bn"))
                return .none
            },
            BuiltinFunction("unfreeze", [.required("model")], doc: "Make every layer trainable again (fastai's unfreeze).\nExample: unfreeze(m)") {
                args in
                try TrainBindings.model(args, "model").unfreeze()
                return .none
            },
            BuiltinFunction(
                "fine_tune",
                [
                    .required("model"), .required("data"), .required("epochs"), .optional("base_lr", 2e-3), .keywordOnly("freeze_epochs", 1),
                    .keywordOnly("lr_mult", 100), .keywordOnly("pct_start", 0.3), .keywordOnly("div", 5.0), .keywords("fit_args"),
                ],
                doc: """
                    fastai's fine_tune: freeze(model), fit freeze_epochs with one-cycle (max_lr=(None, base_lr), pct_start=0.99); then unfreeze, halve base_lr and fit epochs with one-cycle over max_lr=(base_lr/lr_mult, base_lr), pct_start, div_factor=div, final rate base_lr/1e5 as fastai.
                    Other keywords (opt, metrics, loss, quiet, …) go to both fits. Returns the History of the unfrozen fit (of the frozen one if Ctrl-C stopped it).
                    Example: m.replace_head(10); h = fine_tune(m, data, 3, base_lr=2e-3)
                    """
            ) { args in try fineTune(args) },
        ])

    /// `layer_groups` of the Model type.
    static let modelProperties = [
        DSLProperty(
            "layer_groups",
            doc: "fastai's layer groups as lists of layer names: the early body, the late body (where the feature maps are smallest) and the head."
        ) { value in
            guard case .object(let object) = value, let provider = object as? KernelModelProviding else {
                throw DSLError(.type, "expected a Model, not \(value.typeName)")
            }
            return .list(try provider.kernelModel.layerGroups().map { group in .list(group.map { .string($0.name) }) })
        }
    ]

    /// `replace_head` of the Model type.
    static let modelMethods = [
        BuiltinFunction(
            "replace_head", [.required("classes")],
            doc:
                "Replace the classifier (the final dense layer, or 1×1 convolution before global pooling) by a freshly initialised one with `classes` outputs, keeping its name; the body keeps its weights (timm's reset_classifier).\nExample: m = resnet18(); m.load_weights('resnet18.safetensors'); m.replace_head(10)"
        ) { args in
            let object = try args.receiver(as: ModelObject.self)
            let classes = try args.int("classes")
            guard classes >= 1 else { throw args.valueError("classes", "must be at least 1, got \(classes)") }
            object.replaceModel(try object.model.replacingHead(classes: classes))
            return .none
        }
    ]

    private static func fineTune(_ args: Arguments) throws -> Value {
        let interpreter = args.interpreter
        let model = try TrainBindings.model(args, "model")
        let epochs = try args.int("epochs")
        let freezeEpochs = try args.int("freeze_epochs")
        var baseLR = try args.double("base_lr")
        let lrMultiplier = try args.double("lr_mult")
        let pctStart = try args.double("pct_start")
        let div = try args.double("div")
        guard baseLR > 0, baseLR.isFinite else { throw args.valueError("base_lr", "must be a finite number > 0, got \(Value.formatFloat(baseLR))") }
        guard lrMultiplier >= 1, lrMultiplier.isFinite else { throw args.valueError("lr_mult", "must be a finite number ≥ 1") }
        guard freezeEpochs >= 1 else { throw args.valueError("freeze_epochs", "must be at least 1, got \(freezeEpochs)") }
        let fitArguments = try args.keywords("fit_args")
        if let clash = fitArguments.first(where: { ["schedule", "lr", "epochs", "model", "data"].contains($0.name) }) {
            throw DSLError(.type, "fine_tune() sets \(clash.name) itself; it cannot be given")
        }
        guard let fit = interpreter.library.function(named: "fit") else { throw DSLError(.runtime, "fit() is not available") }

        func fitOneCycle(_ epochs: Int, _ spread: LearningRateSpread, pctStart: Double, div: Double) throws -> Value {
            // fastai anneals to lr_max / div_final (1e5); torch's OneCycleLR ends at max_lr / div_factor / final_div_factor.
            let finalDivFactor = 1e5 / div
            let text = "one_cycle(max_lr=\(spread.text), pct_start=\(Value.formatFloat(pctStart)), div_factor=\(Value.formatFloat(div)))"
            let schedule = try ScheduleObject(text, totalSteps: nil, needsLength: true) { steps in
                try OneCycleSchedule(maxLR: spread.high, totalSteps: steps, pctStart: pctStart, divFactor: div, finalDivFactor: finalDivFactor)
            }
            schedule.spread = spread
            return try interpreter.call(
                .builtin(fit), [try args.value("model"), try args.value("data"), .int(epochs)],
                keywords: [("schedule", .object(schedule))] + fitArguments.map { ($0.name, $0.value) })
        }

        try model.freeze()
        let frozen = try fitOneCycle(freezeEpochs, LearningRateSpread(low: nil, high: baseLR), pctStart: 0.99, div: 25)
        if case .object(let object) = frozen, let history = object as? HistoryObject, case .interrupted = history.history.stopReason {
            return frozen
        }
        baseLR /= 2
        model.unfreeze()
        return try fitOneCycle(epochs, LearningRateSpread(low: baseLR / lrMultiplier, high: baseLR), pctStart: pctStart, div: div)
    }
}
