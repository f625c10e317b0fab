/// What a forward pass needs besides the inputs: the mode and the random stream for dropout-like layers.
public struct ForwardContext {
    /// True in training mode: batch statistics in batch norm, active dropout and stochastic depth.
    public var training: Bool
    /// Where dropout masks and stochastic-depth draws come from.
    public var generator: RandomGenerator

    /// A context for one forward pass.
    public init(training: Bool, generator: RandomGenerator = .global) {
        self.training = training
        self.generator = generator
    }
}

/// A building block of a network with named parameters (trainable weights) and buffers (running statistics).
///
/// Layers are used Keras-style: create one with its configuration (`Conv2D(filters: 16, kernelSize: 3)`), then call it
/// on symbolic tensors to define a graph (`let y = try conv(x)`), which infers output shapes and creates the weights
/// for the input it sees, or call it directly on a real batch. Shapes of symbolic tensors leave out the batch:
/// an image is `[C, H, W]`. Weights use PyTorch layouts and names (`weight`, `bias`, `running_mean`, `running_var`).
///
/// Subclasses override `typeName`, `baseName`, `outputShape(for:)`, `forward(_:context:)` and, when they own
/// tensors, `build(inputShapes:)`, `weights` and `buffers`.
public class Layer: CustomStringConvertible {
    /// Where a layer's name came from, which decides whether a model may renumber it to avoid a clash.
    enum NameOrigin {
        /// Not yet placed in a graph: the name is the type's base name.
        case unassigned
        /// Chosen automatically (`conv2d_3`).
        case automatic
        /// Given by the user; never changed.
        case user
    }

    /// The layer's name, unique within a model: user-given, or `conv2d`, `conv2d_1`, … assigned when it joins a graph.
    public internal(set) var name: String
    var nameOrigin: NameOrigin
    /// How many times the layer has been called on symbolic tensors (the node index of the next call, as in Keras).
    var callCount = 0

    /// Whether the layer's weights are updated by training. A frozen batch norm also runs in inference mode (as in Keras).
    public var trainable: Bool = true {
        didSet { for entry in weights { entry.tensor.requiresGrad = trainable } }
    }

    /// Whether the weights exist (they are created on the first call, once the input shape is known).
    public internal(set) var isBuilt = false

    /// Creates a layer; `name` must be non-empty when given.
    init(name: String?) throws {
        self.name = name ?? ""
        self.nameOrigin = name == nil ? .unassigned : .user
        if let name, name.isEmpty || name.contains(where: \.isWhitespace) {
            throw KernelError.invalidArgument(op: typeName, message: "a layer name must be non-empty and without spaces, found \"\(name)\"")
        }
        if name == nil { self.name = baseName }
    }

    // MARK: - What subclasses define

    /// The class name shown by `summary()`, Keras's (`Conv2D`, `BatchNormalization`, …).
    public var typeName: String { "Layer" }

    /// The stem of automatic names, Keras's snake case of the class name (`conv2d`, `batch_normalization`, `re_lu`).
    var baseName: String { "layer" }

    /// The fewest and most inputs a call takes.
    var inputCountRange: ClosedRange<Int> { 1...1 }

    /// The per-sample output shape for per-sample `inputShapes`; throws (without naming the layer: callers add it)
    /// when the inputs do not fit the layer or, once built, its weights.
    func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        inputShapes[0]
    }

    /// Creates the weights for `inputShapes` (already validated by `outputShape(for:)`).
    func build(inputShapes: [[Int]]) throws {}

    /// The output for a batch of `inputs` (each `[N, …]`).
    func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        inputs[0]
    }

    /// Trainable tensors under their short names (`weight`, `bias`), in a fixed order.
    public var weights: [NamedTensor] { [] }

    /// Non-trainable state under their short names (`running_mean`, `running_var`).
    public var buffers: [NamedTensor] { [] }

    /// Multiply–accumulate operations for one sample (convolutions and dense layers; 0 for cheap elementwise layers).
    func macs(inputShapes: [[Int]], outputShape: [Int]) -> Int { 0 }

    /// The configuration in a few words, for `description` (`16 filters, 3×3, stride 2, padding same`).
    var configuration: String { "" }

    // MARK: - Using a layer

    /// Number of values in weights and buffers (Keras's `count_params()`, which counts batch-norm statistics too).
    public var parameterCount: Int {
        (weights + buffers).reduce(0) { $0 + $1.tensor.count }
    }

    /// `<Conv2D conv2d_1: 16 filters, 3×3, stride 1, padding same>`.
    public var description: String {
        let config = configuration
        return "<\(typeName) \(name)\(config.isEmpty ? "" : ": " + config)>"
    }

    /// Applies the layer to one symbolic tensor, inferring the output shape (and creating the weights on first use).
    public func callAsFunction(_ input: SymbolicTensor) throws -> SymbolicTensor {
        try callAsFunction([input])
    }

    /// Applies the layer to several symbolic tensors (merge layers such as `Add` and `Concatenate`).
    public func callAsFunction(_ inputs: [SymbolicTensor]) throws -> SymbolicTensor {
        let namespace = LayerNamespace.union(inputs.map(\.namespace))
        let (nameBefore, originBefore, ownedBefore) = (name, nameOrigin, namespace.owns(self))
        try namespace.claim(self)
        let shapes = inputs.map(\.shape)
        let output: [Int]
        do {
            output = try annotated {
                try checkInputCount(inputs.count)
                let shape = try outputShape(for: shapes)
                // One check for every layer: a shape inferred from user arguments (padding, strides, joined axes)
                // must be one a tensor can have, or the model would fail only when first run.
                try Shape.validate(shape, op: "")
                if !isBuilt {
                    try build(inputShapes: shapes)
                    isBuilt = true
                }
                return shape
            }
        } catch {
            // A failed call (a typo in the REPL) must not use up an automatic name: the next layers keep theirs.
            namespace.release(self, restoring: nameBefore, origin: originBefore, wasOwner: ownedBefore)
            throw error
        }
        defer { callCount += 1 }
        return SymbolicTensor(shape: output, layer: self, inputs: inputs, nodeIndex: callCount, namespace: namespace)
    }

    /// Runs the layer on a real batch `[N, …]` outside any model (building it for this input on first use).
    public func callAsFunction(_ input: Tensor, training: Bool = false, generator: RandomGenerator = .global) throws -> Tensor {
        try callAsFunction([input], training: training, generator: generator)
    }

    /// Runs a merge layer on real batches outside any model.
    public func callAsFunction(_ inputs: [Tensor], training: Bool = false, generator: RandomGenerator = .global) throws -> Tensor {
        try annotated {
            try checkInputCount(inputs.count)
            if !isBuilt {
                guard inputs.allSatisfy({ $0.rank >= 1 }) else {
                    throw KernelError.shapeMismatch(
                        op: "", expected: "a batch [N, …]", found: inputs.map { shapeString($0.shape) }.joined(separator: ", "))
                }
                let shapes = inputs.map { Array($0.shape.dropFirst()) }
                try Shape.validate(try outputShape(for: shapes), op: "")
                try build(inputShapes: shapes)
                isBuilt = true
            }
            return try forward(inputs, context: ForwardContext(training: training, generator: generator))
        }
    }

    /// Runs `body`, prefixing any error with this layer's name and type so the user knows where it came from.
    func annotated<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KernelError {
            throw error.prefixed("layer '\(name)' (\(typeName))")
        }
    }

    private func checkInputCount(_ count: Int) throws {
        let range = inputCountRange
        guard range.contains(count) else {
            let expected =
                range.lowerBound == range.upperBound
                ? "\(range.lowerBound) input\(range.lowerBound == 1 ? "" : "s")"
                : "at least \(range.lowerBound) inputs"
            throw KernelError.invalidArgument(op: "", message: "takes \(expected), found \(count)")
        }
    }

    /// A new weight of `shape`, trainable according to the layer.
    func makeWeight(_ shape: [Int], _ initializer: Initializer, fanIn: Int, fanOut: Int) throws -> Tensor {
        try initializer.makeTensor(shape, fanIn: fanIn, fanOut: fanOut, generator: .global, trainable: trainable)
    }
}

extension KernelError {
    /// The same error with `context` (e.g. `layer 'conv2d' (Conv2D)`) in front of the op name.
    func prefixed(_ context: String) -> KernelError {
        func join(_ op: String) -> String { op.isEmpty ? context : context + ": " + op }
        switch self {
        case let .shapeMismatch(op, expected, found): return .shapeMismatch(op: join(op), expected: expected, found: found)
        case let .invalidArgument(op, message): return .invalidArgument(op: join(op), message: message)
        case .allocationTooLarge: return .invalidArgument(op: context, message: description)
        case let .autograd(message): return .autograd(context + ": " + message)
        case let .file(path, message): return .file(path: path, message: context + ": " + message)
        }
    }
}
