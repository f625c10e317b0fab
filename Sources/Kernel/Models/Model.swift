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
            throw KernelError.invalidArgument(
                op: "Model",
                message: "model inputs must come from Input(shape:), found the output of layer '\(input.layer.name)' (\(input.layer.typeName))")
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
            throw KernelError.invalidArgument(
                op: "Model",
                message:
                    "graph disconnected: the outputs depend on input '\(node.layer.name)' \(shapeString(node.shape)), which is not among the model's inputs"
            )
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
                throw KernelError.invalidArgument(
                    op: "Model", message: "two layers are named '\(layer.name)' (\(other.typeName) and \(layer.typeName)); layer names must be unique"
                )
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
            throw KernelError.invalidArgument(
                op: "model '\(name)'", message: "has \(inputs.count) inputs and \(outputs.count) outputs; pass and receive lists")
        }
        return try callAsFunction([x])[0]
    }

    /// The outputs for one batch per input (each `[N, …]`, all with the same N).
    public func callAsFunction(_ batch: [Tensor]) throws -> [Tensor] {
        guard batch.count == inputs.count else {
            throw KernelError.invalidArgument(
                op: "model '\(name)'", message: "expects \(inputs.count) input\(inputs.count == 1 ? "" : "s"), found \(batch.count)")
        }
        for (tensor, input) in zip(batch, inputs) {
            let declared = input.shape
            guard tensor.rank == declared.count + 1, tensor.shape[1] == declared[0] else {
                let expected =
                    "[N, " + declared.map(String.init).joined(separator: ", ") + "]"
                    + (declared.count > 1 ? " (other sizes allowed where the layers permit)" : "")
                throw KernelError.shapeMismatch(
                    op: "model '\(name)' input '\(input.layer.name)'", expected: expected, found: shapeString(tensor.shape))
            }
            guard tensor.shape[0] == batch[0].shape[0] else {
                throw KernelError.shapeMismatch(
                    op: "model '\(name)'", expected: "inputs with the same batch size \(batch[0].shape[0])", found: shapeString(tensor.shape))
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

    /// Batch norms' `batchesTracked` as `<layer>.num_batches_tracked`, PyTorch's key. Setting assigns the counts
    /// of the layers named (the names must be the getter's: `TrainingCheckpoint.restore` checks them first).
    public var stateCounters: [String: Int] {
        get {
            Dictionary(
                uniqueKeysWithValues: layers.compactMap { layer in
                    (layer as? BatchNormalization).map { (layer.name + Model.batchCounterSuffix, $0.batchesTracked) }
                })
        }
        set {
            for layer in layers {
                if let norm = layer as? BatchNormalization, let count = newValue[layer.name + Model.batchCounterSuffix] {
                    norm.batchesTracked = count
                }
            }
        }
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
        return
            "<Model \(name): \(count) layers, \(Model.compactCount(trainableParameterCount)) params, input\(inputs.count == 1 ? "" : "s") \(shapes)>"
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
