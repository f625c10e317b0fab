/// A network defined Keras-style as a graph of layer calls, from symbolic `inputs` to symbolic `outputs`.
///
/// ```swift
/// let x = try Input(shape: [3, 32, 32])
/// var y = try Conv2D(filters: 16, kernelSize: 3, padding: .same, useBias: false)(x)
/// y = try ReLU()(try BatchNormalization()(y))
/// let logits = try Dense(units: 10)(try GlobalAveragePooling2D()(y))
/// let model = try Model(inputs: [x], outputs: [logits], name: "tiny")
/// print(model.summary())
/// let out = try model(try Tensor.randn([8, 3, 32, 32]))   // [8, 10]
/// ```
///
/// The model starts in training mode, as PyTorch modules do; call `eval()` for inference. Inputs may have a
/// different height and width than declared (only the channels must match) when the layers allow it.
public final class Model: CustomStringConvertible {
    /// The model's name, shown by `summary()`.
    public let name: String
    /// The symbolic inputs, in the order `callAsFunction` expects real tensors.
    public let inputs: [SymbolicTensor]
    /// The symbolic outputs, in the order they are returned.
    public let outputs: [SymbolicTensor]
    /// Every layer once, inputs included, in the order of definition (a topological order).
    public let layers: [Layer]
    /// Whether dropout, batch-norm batch statistics and stochastic depth are active.
    public private(set) var isTraining = true
    /// The random stream of dropout and stochastic depth.
    public var generator: RandomGenerator = .global
    /// Whether the model came from `sequential(...)`, which `summary()` prints without the input row, as Keras does.
    let isSequential: Bool
    /// The layer calls to run, in order.
    let nodes: [SymbolicTensor]
    let plan: ExecutionPlan

    /// A model computing `outputs` from `inputs`; throws when an output depends on a tensor that is not among
    /// `inputs` (a disconnected graph) or when two layers have the same user-given name.
    public convenience init(inputs: [SymbolicTensor], outputs: [SymbolicTensor], name: String = "model") throws {
        try self.init(inputs: inputs, outputs: outputs, name: name, isSequential: false)
    }

    /// A model with one input and one output.
    public convenience init(inputs: SymbolicTensor, outputs: SymbolicTensor, name: String = "model") throws {
        try self.init(inputs: [inputs], outputs: [outputs], name: name)
    }

    init(inputs: [SymbolicTensor], outputs: [SymbolicTensor], name: String, isSequential: Bool) throws {
        guard !name.isEmpty else { throw KernelError.invalidArgument(op: "Model", message: "the model name must not be empty") }
        guard !inputs.isEmpty, !outputs.isEmpty else {
            throw KernelError.invalidArgument(op: "Model", message: "a model needs at least one input and one output")
        }
        for input in inputs where !(input.layer is InputLayer) {
            throw KernelError.invalidArgument(op: "Model", message: "model inputs must come from Input(shape:), found the output of layer '\(input.layer.name)' (\(input.layer.typeName))")
        }
        guard Set(inputs.map { ObjectIdentifier($0) }).count == inputs.count else {
            throw KernelError.invalidArgument(op: "Model", message: "the same input is listed twice")
        }
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.isSequential = isSequential

        // Everything the outputs depend on; creation order is a topological order.
        var reached: [ObjectIdentifier: SymbolicTensor] = [:]
        var stack = outputs
        while let node = stack.popLast() {
            guard reached[ObjectIdentifier(node)] == nil else { continue }
            reached[ObjectIdentifier(node)] = node
            stack.append(contentsOf: node.inputs)
        }
        let inputIDs = Set(inputs.map { ObjectIdentifier($0) })
        for node in reached.values where node.layer is InputLayer && !inputIDs.contains(ObjectIdentifier(node)) {
            throw KernelError.invalidArgument(op: "Model", message: "graph disconnected: the outputs depend on input '\(node.layer.name)' \(shapeString(node.shape)), which is not among the model's inputs")
        }
        let ordered = reached.values.sorted { $0.serial < $1.serial }
        nodes = ordered.filter { !($0.layer is InputLayer) }

        var seen = Set<ObjectIdentifier>()
        var layers: [Layer] = inputs.map(\.layer)
        for layer in layers { seen.insert(ObjectIdentifier(layer)) }
        for node in nodes where seen.insert(ObjectIdentifier(node.layer)).inserted { layers.append(node.layer) }
        self.layers = layers
        try Model.resolveNames(layers)
        plan = ExecutionPlan(inputs: inputs, nodes: nodes, outputs: outputs)
    }

    /// Makes every layer name unique within the model: user-given names must already be; automatic names that
    /// clash (graphs defined separately and joined later) are renumbered.
    private static func resolveNames(_ layers: [Layer]) throws {
        var taken: [String: Layer] = [:]
        for layer in layers where layer.nameOrigin == .user {
            if let other = taken[layer.name] {
                throw KernelError.invalidArgument(op: "Model", message: "two layers are named '\(layer.name)' (\(other.typeName) and \(layer.typeName)); layer names must be unique")
            }
            taken[layer.name] = layer
        }
        let namespace = LayerNamespace()
        for layer in taken.values { try namespace.claim(layer) }
        for layer in layers where layer.nameOrigin != .user {
            if layer.nameOrigin == .unassigned { layer.nameOrigin = .automatic }
            try namespace.claim(layer)
        }
    }

    /// A model applying `layers` one after another to an input of per-sample shape `inputShape` (Keras's `Sequential`).
    public static func sequential(_ layers: [Layer], inputShape: [Int], name: String = "sequential") throws -> Model {
        let input = try Input(shape: inputShape)
        var x = input
        for layer in layers { x = try layer(x) }
        return try Model(inputs: [input], outputs: [x], name: name, isSequential: true)
    }

    // MARK: - Running

    /// Switches to training mode: batch statistics in batch norm, active dropout and stochastic depth.
    public func train() { isTraining = true }

    /// Switches to evaluation mode: running statistics, no dropout, stochastic-depth branches scaled.
    public func eval() { isTraining = false }

    /// The output for a batch `x` of a single-input, single-output model.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard inputs.count == 1, outputs.count == 1 else {
            throw KernelError.invalidArgument(op: "model '\(name)'", message: "has \(inputs.count) inputs and \(outputs.count) outputs; pass and receive lists")
        }
        return try callAsFunction([x])[0]
    }

    /// The outputs for one batch per input (each `[N, …]`, all with the same N).
    public func callAsFunction(_ batch: [Tensor]) throws -> [Tensor] {
        guard batch.count == inputs.count else {
            throw KernelError.invalidArgument(op: "model '\(name)'", message: "expects \(inputs.count) input\(inputs.count == 1 ? "" : "s"), found \(batch.count)")
        }
        for (tensor, input) in zip(batch, inputs) {
            let declared = input.shape
            guard tensor.rank == declared.count + 1, tensor.shape[1] == declared[0] else {
                let expected = "[N, " + declared.map(String.init).joined(separator: ", ") + "]" + (declared.count > 1 ? " (other sizes allowed where the layers permit)" : "")
                throw KernelError.shapeMismatch(op: "model '\(name)' input '\(input.layer.name)'", expected: expected, found: shapeString(tensor.shape))
            }
            guard tensor.shape[0] == batch[0].shape[0] else {
                throw KernelError.shapeMismatch(op: "model '\(name)'", expected: "inputs with the same batch size \(batch[0].shape[0])", found: shapeString(tensor.shape))
            }
        }
        return try plan.run(batch, context: ForwardContext(training: isTraining, generator: generator))
    }

    /// The output for a batch in the given mode, whatever `isTraining` says (the training loop's entry point).
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let saved = isTraining
        isTraining = training
        defer { isTraining = saved }
        return try callAsFunction(input)
    }

    // MARK: - Parameters

    /// Every weight (trainable or frozen) as `<layer>.<name>`, in layer order — what optimizers receive.
    public var parameters: [NamedTensor] {
        layers.flatMap { layer in layer.weights.map { NamedTensor(name: layer.name + "." + $0.name, tensor: $0.tensor) } }
    }

    /// The weights of trainable layers only.
    public var trainableParameters: [NamedTensor] {
        layers.filter(\.trainable).flatMap { layer in layer.weights.map { NamedTensor(name: layer.name + "." + $0.name, tensor: $0.tensor) } }
    }

    /// Running statistics and other non-trained state as `<layer>.<name>`.
    public var buffers: [NamedTensor] {
        layers.flatMap { layer in layer.buffers.map { NamedTensor(name: layer.name + "." + $0.name, tensor: $0.tensor) } }
    }

    /// Weights and buffers layer by layer, in PyTorch's `state_dict()` order: what `saveWeights` stores and
    /// training checkpoints capture.
    public var stateTensors: [NamedTensor] {
        layers.flatMap { layer in (layer.weights + layer.buffers).map { NamedTensor(name: layer.name + "." + $0.name, tensor: $0.tensor) } }
    }

    /// Number of trained values (Keras's "Trainable params").
    public var trainableParameterCount: Int {
        layers.filter(\.trainable).reduce(0) { total, layer in total + layer.weights.reduce(0) { $0 + $1.tensor.count } }
    }

    /// Number of values that are not trained: buffers such as batch-norm statistics, and frozen weights.
    public var nonTrainableParameterCount: Int {
        layers.reduce(0) { $0 + $1.parameterCount } - trainableParameterCount
    }

    /// The layer called `name`, if any.
    public func layer(named name: String) -> Layer? {
        layers.first { $0.name == name }
    }

    /// The symbolic output of the layer called `name` (its last call in this model), for building a model that shares
    /// these layers and weights but stops early, e.g. a feature extractor:
    /// `try Model(inputs: model.inputs, outputs: [try model.output(ofLayer: "layer3.2.relu2")])`.
    public func output(ofLayer name: String) throws -> SymbolicTensor {
        guard let node = (inputs + nodes).last(where: { $0.layer.name == name }) else {
            throw KernelError.invalidArgument(op: "model '\(self.name)'", message: "has no layer named '\(name)'")
        }
        return node
    }

    /// Clears the gradients of every parameter.
    public func zeroGrad() {
        for entry in parameters { entry.tensor.zeroGrad() }
    }

    /// `<Model resnet18: 68 layers, 11.7M params, input [3, 224, 224]>`.
    public var description: String {
        let count = layers.filter { !($0 is InputLayer) }.count
        let shapes = inputs.map { shapeString($0.shape) }.joined(separator: ", ")
        return "<Model \(name): \(count) layers, \(Model.compactCount(trainableParameterCount)) params, input\(inputs.count == 1 ? "" : "s") \(shapes)>"
    }

    /// `512`, `269.7K`, `11.7M`, `1.2B`.
    static func compactCount(_ n: Int) -> String {
        let value = Double(n)
        func one(_ x: Double) -> String {
            let rounded = (x * 10).rounded() / 10
            return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        }
        if n < 1000 { return String(n) }
        if n < 999_950 { return one(value / 1e3) + "K" }
        if n < 999_950_000 { return one(value / 1e6) + "M" }
        return one(value / 1e9) + "B"
    }
}

extension Model: TrainableModel {}

/// The forward pass as a flat list of steps over numbered slots, releasing each intermediate tensor after its last
/// use so inference on large images does not keep every feature map alive.
///
/// Some chains of steps run as one op when nothing else reads the tensors between them, with the same values and
/// gradients: batch norm then ReLU and add then ReLU always (one pass, no intermediate tensor), and in inference without
/// gradients a convolution with the batch norm after it folded into its weights (and that ReLU fused into the convolution),
/// two such convolutions in a row passing their feature map in oneDNN's layout. In training, feature maps that flow only
/// between convolutions, batch norms, ReLUs, residual adds and option-A shortcuts stay in oneDNN's 16-channel blocked
/// layout (`ChannelBlockedExecution.swift`).
struct ExecutionPlan {
    struct Step {
        let layer: Layer
        let inputSlots: [Int]
        let outputSlot: Int
        /// Slots no later step reads.
        let release: [Int]
    }

    /// How a step runs together with the steps that consume its output.
    enum Fusion: Equatable {
        /// On its own.
        case none
        /// A batch norm whose only reader is the ReLU step `relu`.
        case batchNormReLU(relu: Int)
        /// A convolution whose only reader is the batch-norm step `batchNorm`, itself followed by the ReLU step `relu` if any.
        case convolutionBatchNorm(batchNorm: Int, relu: Int?)
        /// An add of two inputs whose only reader is the ReLU step `relu`.
        case addReLU(relu: Int)
    }

    let inputCount: Int
    let steps: [Step]
    let outputSlots: [Int]
    /// One entry per step.
    let fusions: [Fusion]
    /// Folded convolution steps (key) whose batch norm (and ReLU) output feeds only another folded convolution step
    /// (value): in inference the two run as one oneDNN chain, the feature map between them left in oneDNN's layout.
    let chains: [Int: Int]
    /// Slots every reader of which can take a feature map in oneDNN's 16-channel blocked layout (and which are not model
    /// outputs): in training their values stay in that layout when the step producing them can write it.
    let blockReadingSlots: Set<Int>
    /// Slots whose values no backward pass reads: produced and consumed only by ops whose gradients need shapes or
    /// values they saved themselves (batch norm, convolution, add, ReLU). Once released, their storage is dropped even
    /// though the tape still links them, so training holds fewer feature maps at its peak.
    let storageFreeSlots: Set<Int>

    init(inputs: [SymbolicTensor], nodes: [SymbolicTensor], outputs: [SymbolicTensor]) {
        var slot: [ObjectIdentifier: Int] = [:]
        for (i, input) in inputs.enumerated() { slot[ObjectIdentifier(input)] = i }
        for (i, node) in nodes.enumerated() { slot[ObjectIdentifier(node)] = inputs.count + i }
        let outputSlots = outputs.compactMap { slot[ObjectIdentifier($0)] }
        var lastUse: [Int: Int] = [:]
        var readers: [Int: [Int]] = [:]
        for (stepIndex, node) in nodes.enumerated() {
            for input in node.inputs {
                if let s = slot[ObjectIdentifier(input)] {
                    lastUse[s] = stepIndex
                    readers[s, default: []].append(stepIndex)
                }
            }
        }
        let kept = Set(outputSlots)
        var releases = [[Int]](repeating: [], count: nodes.count)
        for (s, stepIndex) in lastUse where !kept.contains(s) { releases[stepIndex].append(s) }
        let steps = nodes.enumerated().map { i, node in
            Step(layer: node.layer, inputSlots: node.inputs.compactMap { slot[ObjectIdentifier($0)] }, outputSlot: inputs.count + i, release: releases[i])
        }
        /// The step that alone reads step `i`'s output, when that output is not also a model output.
        func soleReader(of i: Int) -> Int? {
            let s = steps[i].outputSlot
            guard !kept.contains(s), let r = readers[s], r.count == 1, steps[r[0]].inputSlots.count == 1 else { return nil }
            return r[0]
        }
        var fusions = [Fusion](repeating: .none, count: steps.count)
        for (i, step) in steps.enumerated() where step.layer is BatchNormalization {
            if let reader = soleReader(of: i), ExecutionPlan.isReLU(steps[reader].layer) { fusions[i] = .batchNormReLU(relu: reader) }
        }
        for (i, step) in steps.enumerated() where step.layer is Add && step.inputSlots.count == 2 {
            if let reader = soleReader(of: i), ExecutionPlan.isReLU(steps[reader].layer) { fusions[i] = .addReLU(relu: reader) }
        }
        for (i, step) in steps.enumerated() where step.layer is Conv2D {
            guard let reader = soleReader(of: i), steps[reader].layer is BatchNormalization else { continue }
            var relu: Int?
            if case let .batchNormReLU(r) = fusions[reader] { relu = r }
            fusions[i] = .convolutionBatchNorm(batchNorm: reader, relu: relu)
        }
        var chains: [Int: Int] = [:]
        var chained = Set<Int>()
        for (i, fusion) in fusions.enumerated() where !chained.contains(i) {
            guard case let .convolutionBatchNorm(bnStep, relu) = fusion, let next = soleReader(of: relu ?? bnStep),
                  case .convolutionBatchNorm = fusions[next] else { continue }
            chains[i] = next
            chained.insert(next)
        }
        var blockReading = Set<Int>()
        for (s, r) in readers where s >= inputs.count && !kept.contains(s) && r.allSatisfy({ ExecutionPlan.readsChannelBlocks(steps[$0].layer) }) {
            blockReading.insert(s)
        }
        var storageFree = Set<Int>()
        for step in steps where step.layer is BatchNormalization || step.layer is Conv2D || step.layer is Add {
            let s = step.outputSlot
            guard !kept.contains(s), let r = readers[s],
                  r.allSatisfy({ steps[$0].layer is Add || ExecutionPlan.isReLU(steps[$0].layer) }) else { continue }
            storageFree.insert(s)
        }
        inputCount = inputs.count
        self.steps = steps
        self.outputSlots = outputSlots
        self.fusions = fusions
        self.chains = chains
        blockReadingSlots = blockReading
        storageFreeSlots = storageFree
    }

    /// Whether `layer` computes max(x, 0) and nothing else.
    static func isReLU(_ layer: Layer) -> Bool {
        if layer is ReLU { return true }
        if let activation = layer as? Activation { return activation.function == "relu" }
        return false
    }

    func run(_ batch: [Tensor], context: ForwardContext) throws -> [Tensor] {
        var values = [Tensor?](repeating: nil, count: inputCount + steps.count)
        for (i, tensor) in batch.enumerated() { values[i] = tensor }
        // Batch norm can be folded into the convolution only with fixed statistics and nothing to differentiate.
        let folding = !context.training && !GradMode.isEnabled
        // Steps already computed as part of an earlier fused step.
        var fusedAway = [Bool](repeating: false, count: steps.count)
        // Training keeps feature maps in oneDNN's blocked layout where every step touching them can (`blocked[slot]`).
        let channelBlocked = context.training && GradMode.isEnabled && DNNLConvolution.isEnabled
        var blocked = [Bool](repeating: false, count: values.count)
        for (index, step) in steps.enumerated() {
            defer {
                for s in step.release {
                    if storageFreeSlots.contains(s) { values[s]?.releaseStorage() }
                    values[s] = nil
                    blocked[s] = false
                }
            }
            if fusedAway[index] { continue }
            var arguments = step.inputSlots.compactMap { values[$0] }
            guard arguments.count == step.inputSlots.count else {
                throw KernelError.invalidArgument(op: "layer '\(step.layer.name)' (\(step.layer.typeName))", message: "an input was released before use (internal ordering error)")
            }
            if channelBlocked {
                let argumentsBlocked = step.inputSlots.map { blocked[$0] }
                if let done = try step.layer.annotated({
                    try runChannelBlocked(index, arguments, blocked: argumentsBlocked, context: context)
                }) {
                    let slot = steps[done.lastStep].outputSlot
                    let keep = done.blocked && blockReadingSlots.contains(slot)
                    values[slot] = done.blocked && !keep ? try done.output.reorderedChannelBlocks(toBlocked: false) : done.output
                    blocked[slot] = keep
                    fusedAway[done.lastStep] = true
                    continue
                }
                for (i, s) in step.inputSlots.enumerated() where blocked[s] {
                    arguments[i] = try arguments[i].reorderedChannelBlocks(toBlocked: false)
                }
            }
            switch fusions[index] {
            case let .convolutionBatchNorm(bnStep, relu) where folding:
                if let nextStep = chains[index], case let .convolutionBatchNorm(nextBNStep, nextReLU) = fusions[nextStep],
                   let convolution = step.layer as? Conv2D, let batchNorm = steps[bnStep].layer as? BatchNormalization,
                   let next = steps[nextStep].layer as? Conv2D, let nextBatchNorm = steps[nextBNStep].layer as? BatchNormalization {
                    values[steps[nextReLU ?? nextBNStep].outputSlot] = try convolution.annotated {
                        try convolution.forwardFoldedChain(arguments[0], batchNorm: batchNorm, relu: relu != nil,
                                                           next: next, nextBatchNorm: nextBatchNorm, nextReLU: nextReLU != nil)
                    }
                    for fused in [bnStep, relu, nextStep, nextBNStep, nextReLU].compactMap({ $0 }) { fusedAway[fused] = true }
                    continue
                }
                if let convolution = step.layer as? Conv2D, let batchNorm = steps[bnStep].layer as? BatchNormalization {
                    let last = relu ?? bnStep
                    values[steps[last].outputSlot] = try convolution.annotated {
                        try convolution.forwardFolded(arguments[0], batchNorm: batchNorm, relu: relu != nil)
                    }
                    fusedAway[bnStep] = true
                    if let relu { fusedAway[relu] = true }
                    continue
                }
            case let .batchNormReLU(relu):
                if let batchNorm = step.layer as? BatchNormalization {
                    values[steps[relu].outputSlot] = try batchNorm.annotated { try batchNorm.forwardThenReLU(arguments[0], context: context) }
                    fusedAway[relu] = true
                    continue
                }
            case let .addReLU(relu):
                if step.layer is Add, arguments.count == 2, arguments[0].shape == arguments[1].shape {
                    values[steps[relu].outputSlot] = try step.layer.annotated { try Tensor.addReLU(arguments[0], arguments[1]) }
                    fusedAway[relu] = true
                    continue
                }
            default:
                break
            }
            values[step.outputSlot] = try step.layer.annotated { try step.layer.forward(arguments, context: context) }
        }
        return outputSlots.compactMap { values[$0] }
    }
}
