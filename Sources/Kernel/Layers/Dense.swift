/// A fully connected layer on the last axis (PyTorch's `nn.Linear`, Keras's `Dense`): `x·weightᵀ + bias`
/// with `weight` `[units, in]`.
public final class Dense: Layer {
    /// Output features.
    public let units: Int
    /// Whether a bias is added.
    public let useBias: Bool
    /// How the weight is initialised.
    public let weightInitializer: Initializer
    /// How the bias is initialised.
    public let biasInitializer: Initializer
    /// `[units, in]`, once built.
    public private(set) var weight: Tensor?
    /// `[units]`, once built and when `useBias`.
    public private(set) var bias: Tensor?

    /// A dense layer with `units` outputs.
    public init(
        units: Int, useBias: Bool = true, weightInitializer: Initializer = .pytorchDefault,
        biasInitializer: Initializer = .pytorchDefault, name: String? = nil
    ) throws {
        self.units = units
        self.useBias = useBias
        self.weightInitializer = weightInitializer
        self.biasInitializer = biasInitializer
        try super.init(name: name)
        guard units > 0 else { throw KernelError.invalidArgument(op: "Dense", message: "units must be positive, found \(units)") }
    }

    override public var typeName: String { "Dense" }
    override var baseName: String { "dense" }
    override var configuration: String { "\(units) units\(useBias ? "" : ", no bias")" }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let input = inputShapes[0]
        guard let features = input.last else {
            throw KernelError.shapeMismatch(
                op: "", expected: "features [F] (add Flatten or GlobalAveragePooling2D before a dense layer)", found: shapeString(input))
        }
        if let weight, weight.shape[1] != features {
            throw KernelError.shapeMismatch(
                op: "", expected: "\(weight.shape[1]) input features (the layer was built for them)", found: "\(shapeString(input)) with \(features)")
        }
        return Array(input.dropLast()) + [units]
    }

    override func build(inputShapes: [[Int]]) throws {
        let features = inputShapes[0].last ?? 1
        weight = try makeWeight([units, features], weightInitializer, fanIn: features, fanOut: units)
        if useBias {
            bias = try makeWeight([units], biasInitializer, fanIn: features, fanOut: units)
        }
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        guard let weight else { throw KernelError.invalidArgument(op: "", message: "used before being built") }
        return try inputs[0].linear(weight: weight, bias: bias)
    }

    override public var weights: [NamedTensor] {
        [weight.map { NamedTensor(name: "weight", tensor: $0) }, bias.map { NamedTensor(name: "bias", tensor: $0) }].compactMap { $0 }
    }

    override func macs(inputShapes: [[Int]], outputShape: [Int]) -> Int {
        Shape.saturatingProduct([Shape.count(outputShape), inputShapes[0].last ?? 0])
    }
}
