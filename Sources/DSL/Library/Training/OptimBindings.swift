import Basics
import Kernel

/// The hyper-parameters of an optimizer, from which Kernel optimizers are made.
struct OptimizerRecipe {
    enum Kind: String {
        case sgd, adam, adamw
    }

    let kind: Kind
    var learningRate: Double
    /// SGD's momentum, or Adam's β₁.
    var momentum: Double
    /// Adam's β₂ (unused by SGD).
    var beta2: Double
    var epsilon: Double
    var nesterov: Bool
    var weightDecay: Double
    /// Exempt biases and batch-norm parameters (tensors of rank ≤ 1) from weight decay, as fastai and timm do; off by
    /// default, as in torch.optim.
    var noDecayForBiasAndNorm: Bool

    /// What `fit` uses when no optimizer is given: Adam with lr 1e-3, fastai's default.
    static let fitDefault = OptimizerRecipe(
        kind: .adam, learningRate: 1e-3, momentum: 0.9, beta2: 0.999, epsilon: 1e-8,
        nesterov: false, weightDecay: 0, noDecayForBiasAndNorm: true)

    /// A Kernel optimizer over `parameters`; `lrScales` (parameter name → multiple of the learning rate) splits each
    /// group further by scale, for discriminative learning rates.
    func make(_ parameters: [NamedTensor], lrScales: [String: Double] = [:]) throws -> Optimizer {
        var groups =
            noDecayForBiasAndNorm && weightDecay > 0
            ? ParameterGroup.splitByWeightDecay(parameters, weightDecay: weightDecay)
            : [ParameterGroup(name: "all", parameters: parameters)]
        if !lrScales.isEmpty {
            groups = groups.flatMap { group in
                let scales = group.parameters.map { lrScales[$0.name] ?? 1 }
                // One group per distinct scale, in the order the layers come (early layers first).
                let distinct = scales.reduce(into: [Double]()) { if !$0.contains($1) { $0.append($1) } }
                return distinct.enumerated().map { index, scale in
                    ParameterGroup(
                        name: group.name + "_\(index)", parameters: zip(group.parameters, scales).filter { $0.1 == scale }.map(\.0),
                        weightDecay: group.weightDecay, lrScale: scale)
                }
            }
        }
        switch kind {
        case .sgd:
            return try SGD(groups: groups, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
        case .adam:
            return try Adam(groups: groups, learningRate: learningRate, betas: (momentum, beta2), epsilon: epsilon, weightDecay: weightDecay)
        case .adamw:
            return try AdamW(groups: groups, learningRate: learningRate, betas: (momentum, beta2), epsilon: epsilon, weightDecay: weightDecay)
        }
    }

    /// `sgd(lr=0.1, momentum=0.9, wd=0.0005)`: the arguments that differ from the defaults are shown.
    var text: String {
        var parts = ["lr=\(Value.formatFloat(learningRate))"]
        switch kind {
        case .sgd:
            parts.append("momentum=\(Value.formatFloat(momentum))")
            if nesterov { parts.append("nesterov=True") }
        case .adam, .adamw:
            parts.append("betas=(\(Value.formatFloat(momentum)), \(Value.formatFloat(beta2)))")
        }
        if weightDecay != 0 || kind == .adamw { parts.append("wd=\(Value.formatFloat(weightDecay))") }
        if noDecayForBiasAndNorm && weightDecay != 0 { parts.append("no_wd_bn_bias=True") }
        return "\(kind.rawValue)(" + parts.joined(separator: ", ") + ")"
    }
}

/// An optimizer as a language value. It is a recipe until it is bound to parameters:
///
/// - `sgd(lr=0.1)` is unbound; `fit`, `lr_find` bind it to the model they train, and it keeps its state (momentum
///   buffers, Adam moments) for later calls with the same model. Used with another model, or after layers were
///   frozen or unfrozen, it starts afresh.
/// - `sgd(m, lr=0.1)` or `sgd([w, b], lr=0.1)` is bound right away, so `opt.step()` and `opt.zero_grad()` work
///   in hand-written loops; a bound optimizer only ever trains what it was created for.
final class OptimizerObject: DSLObject {
    private(set) var recipe: OptimizerRecipe
    private var binding: Binding?

    private struct Binding {
        /// The model trained, or nil for a list of tensors.
        weak var model: Model?
        let tensors: [Tensor]
        let parameterNames: [String]
        let lrScales: [String: Double]
        let optimizer: Optimizer
        /// Whether the user bound it (`sgd(m, ...)`), rather than `fit` on first use.
        let explicit: Bool
    }

    init(_ recipe: OptimizerRecipe) {
        self.recipe = recipe
    }

    var dslType: DSLType { OptimBindings.type }
    var description: String {
        guard let binding else { return recipe.text }
        let target = binding.model.map { "model '\($0.name)'" } ?? "\(Plural.count(binding.tensors.count, "tensor"))"
        return "<\(recipe.text) for \(target), lr now \(Value.formatFloat(binding.optimizer.learningRate))>"
    }

    /// Binds to a list of tensors (explicitly, for hand-written loops).
    func bind(tensors: [Tensor]) throws {
        let named = tensors.enumerated().map { NamedTensor(name: "param\($0.offset)", tensor: $0.element) }
        binding = Binding(
            model: nil, tensors: tensors, parameterNames: named.map(\.name), lrScales: [:], optimizer: try recipe.make(named), explicit: true)
    }

    /// The Kernel optimizer training `model`: the bound one, or a new one bound now. `lrScales` gives parameters their
    /// own multiple of the learning rate (discriminative learning rates); the state starts afresh when they change.
    func optimizer(for model: Model, explicit: Bool = false, lrScales: [String: Double] = [:]) throws -> Optimizer {
        let parameters = model.trainableParameters
        let names = parameters.map(\.name)
        if let binding {
            if binding.model === model && binding.parameterNames == names && binding.lrScales == lrScales { return binding.optimizer }
            if binding.explicit {
                let owner = binding.model.map { "model '\($0.name)'" } ?? "the tensors it was created with"
                let reason =
                    binding.model === model
                    ? "model '\(model.name)' has different trainable parameters now (frozen or unfrozen layers?)"
                    : "it was created for \(owner)"
                throw DSLError(
                    .value,
                    "this optimizer cannot train model '\(model.name)': \(reason); create a new one, e.g. \(recipe.text.replacingOccurrences(of: "(", with: "(m, "))"
                )
            }
        }
        guard !parameters.isEmpty else {
            throw DSLError(.value, "model '\(model.name)' has no trainable parameters (are all its layers frozen?)")
        }
        let optimizer = try recipe.make(parameters, lrScales: lrScales)
        binding = Binding(
            model: model, tensors: parameters.map(\.tensor), parameterNames: names, lrScales: lrScales, optimizer: optimizer, explicit: explicit)
        return optimizer
    }

    /// Puts the learning rate and momentum back to the recipe's (before training without a schedule).
    func resetHyperParameters(_ optimizer: Optimizer) {
        optimizer.setLearningRate(recipe.learningRate)
        optimizer.setMomentum(recipe.momentum)
    }

    /// The bound Kernel optimizer, for `step()` and `zero_grad()`.
    fileprivate func boundOptimizer(for method: String) throws -> Optimizer {
        guard let binding else {
            throw DSLError(
                .value,
                "\(method)() needs an optimizer bound to parameters: create it with \(recipe.text.replacingOccurrences(of: "(", with: "(m, ")) or pass a list of tensors first"
            )
        }
        return binding.optimizer
    }

    fileprivate var currentOptimizer: Optimizer? { binding?.optimizer }

    fileprivate func setLearningRate(_ lr: Double) throws {
        guard lr >= 0, lr.isFinite else { throw DSLError(.value, "the learning rate must be a finite number ≥ 0, got \(Value.formatFloat(lr))") }
        recipe.learningRate = lr
        binding?.optimizer.setLearningRate(lr)
    }

    fileprivate func setMomentum(_ momentum: Double) throws {
        guard momentum >= 0, momentum < 1 || recipe.kind == .sgd, momentum.isFinite else {
            throw DSLError(.value, "momentum must be a finite number ≥ 0 (below 1 for Adam's β₁), got \(Value.formatFloat(momentum))")
        }
        recipe.momentum = momentum
        binding?.optimizer.setMomentum(momentum)
    }
}

/// `sgd`, `adam` and `adamw`, computed exactly as `torch.optim`.
enum OptimBindings {
    private static let decayDoc =
        "wd decays every parameter, as torch.optim does; no_wd_bn_bias=True exempts biases and batch-norm weights (fastai's and timm's recipe), e.g. adamw(wd=0.05, no_wd_bn_bias=True)."
    private static let bindingDoc =
        "Give a model or a list of tensors first (sgd(m, lr=0.1)) to bind it for opt.step(); otherwise fit binds it to the model it trains."

    static let group = BuiltinGroup(
        title: "Optimizers",
        functions: [
            BuiltinFunction(
                "sgd",
                [
                    .optional("params", .none), .optional("lr", 0.01), .optional("momentum", 0.9), .optional("nesterov", false),
                    .optional("wd", 0), .optional("no_wd_bn_bias", false),
                ],
                doc:
                    "Stochastic gradient descent with momentum and L2 weight decay wd (torch.optim.SGD).\n" + decayDoc + "\n"
                    + bindingDoc
            ) { args in
                try make(.sgd, args, momentum: try args.double("momentum"), beta2: 0.999, epsilon: 1e-8, nesterov: try args.bool("nesterov"))
            },
            BuiltinFunction(
                "adam",
                [
                    .optional("params", .none), .optional("lr", 0.001), .optional("betas", .tuple([0.9, 0.999])), .optional("eps", 1e-8),
                    .optional("wd", 0), .optional("no_wd_bn_bias", false),
                ],
                doc: "Adam with bias correction and L2 weight decay wd (torch.optim.Adam).\n" + decayDoc + "\n" + bindingDoc
            ) { args in
                let (beta1, beta2) = try betas(args)
                return try make(.adam, args, momentum: beta1, beta2: beta2, epsilon: try args.double("eps"), nesterov: false)
            },
            BuiltinFunction(
                "adamw",
                [
                    .optional("params", .none), .optional("lr", 0.001), .optional("betas", .tuple([0.9, 0.999])), .optional("eps", 1e-8),
                    .optional("wd", 0.01), .optional("no_wd_bn_bias", false),
                ],
                doc: "Adam with decoupled weight decay wd (torch.optim.AdamW), wd=0.01 by default as in torch.\n" + decayDoc + "\n" + bindingDoc
            ) { args in
                let (beta1, beta2) = try betas(args)
                return try make(.adamw, args, momentum: beta1, beta2: beta2, epsilon: try args.double("eps"), nesterov: false)
            },
        ])

    static let type = DSLType(
        name: "Optimizer",
        doc: "Updates parameters from their gradients (sgd, adam, adamw); unbound until fit or sgd(m, ...) gives it parameters.",
        properties: [
            DSLProperty(
                "lr", doc: "The learning rate (settable; a schedule overrides it while fit runs).",
                get: { value in
                    let object = try receiver(value)
                    return .float(object.currentOptimizer?.learningRate ?? object.recipe.learningRate)
                },
                set: { owner, value in
                    guard let lr = value.numericValue else { throw DSLError(.type, "Optimizer.lr must be a number, not \(value.typeName)") }
                    try receiver(owner).setLearningRate(lr)
                }),
            DSLProperty(
                "momentum", doc: "SGD's momentum or Adam's β₁ (settable).",
                get: { value in
                    let object = try receiver(value)
                    return .float(object.currentOptimizer?.groups.first?.momentum ?? object.recipe.momentum)
                },
                set: { owner, value in
                    guard let momentum = value.numericValue else {
                        throw DSLError(.type, "Optimizer.momentum must be a number, not \(value.typeName)")
                    }
                    try receiver(owner).setMomentum(momentum)
                }),
            DSLProperty("wd", doc: "The weight decay.") { .float(try receiver($0).recipe.weightDecay) },
            DSLProperty("kind", doc: "'sgd', 'adam' or 'adamw'.") { .string(try receiver($0).recipe.kind.rawValue) },
            DSLProperty("bound", doc: "Whether it has parameters yet.") { .bool(try receiver($0).currentOptimizer != nil) },
            DSLProperty("param_groups", doc: "Per group: name, lr, momentum, wd and the number of tensors (empty while unbound).") { value in
                let groups = try receiver(value).currentOptimizer?.groups ?? []
                return .list(
                    try groups.map { group in
                        .dict(
                            try DictObject([
                                ("name", .string(group.name)), ("lr", .float(group.learningRate)), ("momentum", .float(group.momentum)),
                                ("wd", .float(group.weightDecay)), ("params", .int(group.parameters.count)),
                            ]))
                    })
            },
        ],
        methods: [
            BuiltinFunction("step", doc: "Update every bound parameter that has a gradient (after loss.backward()).") { args in
                let optimizer = try args.receiver(as: OptimizerObject.self).boundOptimizer(for: "step")
                try optimizer.step()
                return .none
            },
            BuiltinFunction("zero_grad", doc: "Clear the gradients of every bound parameter.") { args in
                try args.receiver(as: OptimizerObject.self).boundOptimizer(for: "zero_grad").zeroGrad()
                return .none
            },
        ])

    private static func receiver(_ value: Value) throws -> OptimizerObject {
        guard case .object(let object) = value, let wrapped = object as? OptimizerObject else {
            throw DSLError(.type, "expected an Optimizer, not \(value.typeName)")
        }
        return wrapped
    }

    private static func make(_ kind: OptimizerRecipe.Kind, _ args: Arguments, momentum: Double, beta2: Double, epsilon: Double, nesterov: Bool) throws
        -> Value
    {
        let recipe = OptimizerRecipe(
            kind: kind, learningRate: try args.double("lr"), momentum: momentum, beta2: beta2, epsilon: epsilon,
            nesterov: nesterov, weightDecay: try args.double("wd"), noDecayForBiasAndNorm: try args.bool("no_wd_bn_bias"))
        // Make one over no parameters so bad hyper-parameters fail here, not at the first fit.
        _ = try recipe.make([])
        let object = OptimizerObject(recipe)
        let params = try args.value("params")
        switch params {
        case .none:
            break
        case .object(let wrapped as KernelModelProviding):
            _ = try object.optimizer(for: wrapped.kernelModel, explicit: true)
        case .list, .tuple:
            let tensors = try args.elements("params").map { item -> Tensor in
                guard case .object(let wrapped) = item, let tensor = wrapped as? TensorObject else {
                    throw args.typeError("params", expected: "a model or a list of tensors", found: item)
                }
                return tensor.tensor
            }
            guard !tensors.isEmpty else { throw args.valueError("params", "is an empty list; there is nothing to optimize") }
            try object.bind(tensors: tensors)
        default:
            let hint = params.numericValue != nil ? " (the learning rate is given as lr=...)" : ""
            throw DSLError(
                .type, "\(args.function.qualifiedName)() argument 'params' must be a model or a list of tensors, not \(params.typeName)\(hint)")
        }
        return .object(object)
    }

    private static func betas(_ args: Arguments) throws -> (Double, Double) {
        let items = try args.elements("betas")
        guard items.count == 2, let beta1 = items[0].numericValue, let beta2 = items[1].numericValue else {
            throw args.valueError("betas", "must be a pair of numbers (β₁, β₂), e.g. (0.9, 0.999)")
        }
        return (beta1, beta2)
    }
}
