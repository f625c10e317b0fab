/// How a layer fills a weight or bias when it is built.
///
/// `fanIn` / `fanOut` follow PyTorch: for a conv weight `[O, C, kH, kW]` they are C·kH·kW and O·kH·kW;
/// for a dense weight `[out, in]`, in and out. Biases use the fans of their layer's weight.
public enum Initializer: Equatable, CustomStringConvertible {
    /// PyTorch's default for Conv2d/Linear: `kaiming_uniform_(a=√5)` for weights, i.e. U(−1/√fan_in, 1/√fan_in),
    /// and the same interval for biases.
    case pytorchDefault
    /// He et al. normal: N(0, 2/fan) with fan = fan_in or fan_out — what torchvision ResNets use (fan_out, relu).
    case kaimingNormal(mode: FanMode)
    /// He et al. uniform: U(−√(6/fan), √(6/fan)).
    case kaimingUniform(mode: FanMode)
    /// Glorot/Xavier uniform (Keras's default): U(−√(6/(fan_in + fan_out)), √(6/(fan_in + fan_out))).
    case glorotUniform
    /// Glorot/Xavier normal: N(0, 2/(fan_in + fan_out)).
    case glorotNormal
    /// Every element `value` (zeros for biases, ones for batch-norm scales).
    case constant(Float)
    /// N(0, std²).
    case normal(std: Float)
    /// U(−limit, limit).
    case uniform(limit: Float)

    /// Which fan a He initialisation preserves the variance of.
    public enum FanMode: Equatable {
        /// The forward pass (PyTorch's `mode="fan_in"`).
        case fanIn
        /// The backward pass (PyTorch's `mode="fan_out"`).
        case fanOut
    }

    /// All zeros.
    public static let zeros = Initializer.constant(0)
    /// All ones.
    public static let ones = Initializer.constant(1)

    /// Looks an initializer up by the name users type: `pytorch`, `kaiming_normal`, `kaiming_uniform`
    /// (fan_out unless suffixed `_fan_in`), `he_normal`/`he_uniform` (Keras: fan_in), `glorot_uniform`, `xavier_uniform`,
    /// `glorot_normal`, `xavier_normal`, `zeros`, `ones`.
    public static func named(_ name: String) throws -> Initializer {
        switch name.lowercased() {
        case "pytorch", "default", "pytorch_default": return .pytorchDefault
        case "kaiming_normal", "kaiming_normal_fan_out": return .kaimingNormal(mode: .fanOut)
        case "kaiming_normal_fan_in", "he_normal": return .kaimingNormal(mode: .fanIn)
        case "kaiming_uniform", "kaiming_uniform_fan_out": return .kaimingUniform(mode: .fanOut)
        case "kaiming_uniform_fan_in", "he_uniform": return .kaimingUniform(mode: .fanIn)
        case "glorot_uniform", "xavier_uniform": return .glorotUniform
        case "glorot_normal", "xavier_normal": return .glorotNormal
        case "zeros": return .zeros
        case "ones": return .ones
        default:
            throw KernelError.invalidArgument(
                op: "initializer",
                message:
                    "unknown initializer '\(name)'; known: pytorch, kaiming_normal, kaiming_normal_fan_in, kaiming_uniform, kaiming_uniform_fan_in, he_normal, he_uniform, glorot_uniform, xavier_uniform, glorot_normal, xavier_normal, zeros, ones"
            )
        }
    }

    /// The name `named(_:)` accepts for this initializer (or a readable form for the numeric ones).
    public var description: String {
        switch self {
        case .pytorchDefault: return "pytorch"
        case let .kaimingNormal(mode): return mode == .fanOut ? "kaiming_normal" : "kaiming_normal_fan_in"
        case let .kaimingUniform(mode): return mode == .fanOut ? "kaiming_uniform" : "kaiming_uniform_fan_in"
        case .glorotUniform: return "glorot_uniform"
        case .glorotNormal: return "glorot_normal"
        case let .constant(value): return value == 0 ? "zeros" : (value == 1 ? "ones" : "constant(\(value))")
        case let .normal(std): return "normal(std: \(std))"
        case let .uniform(limit): return "uniform(limit: \(limit))"
        }
    }

    /// A new leaf tensor of `shape` drawn from `generator`, flagged as requiring a gradient when `trainable`.
    func makeTensor(_ shape: [Int], fanIn: Int, fanOut: Int, generator: RandomGenerator, trainable: Bool) throws -> Tensor {
        try Shape.validate(shape, op: "initializer")
        let count = Shape.count(shape)
        let fanIn = Float(Swift.max(fanIn, 1))
        let fanOut = Float(Swift.max(fanOut, 1))
        // Values are generated in one pass (not through tensor ops): ResNet-50 has 25 million of them.
        func uniform(_ bound: Float) -> [Float] {
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count { buffer[i] = (2 * generator.uniform() - 1) * bound }
                initialized = count
            }
        }
        func normal(_ std: Float) -> [Float] {
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count { buffer[i] = generator.normal() * std }
                initialized = count
            }
        }
        let values: [Float]
        switch self {
        case .pytorchDefault: values = uniform(1 / fanIn.squareRoot())
        case let .kaimingNormal(mode): values = normal((2 / (mode == .fanIn ? fanIn : fanOut)).squareRoot())
        case let .kaimingUniform(mode): values = uniform((6 / (mode == .fanIn ? fanIn : fanOut)).squareRoot())
        case .glorotUniform: values = uniform((6 / (fanIn + fanOut)).squareRoot())
        case .glorotNormal: values = normal((2 / (fanIn + fanOut)).squareRoot())
        case let .constant(value): values = [Float](repeating: value, count: count)
        case let .normal(std): values = normal(std)
        case let .uniform(limit): values = uniform(limit)
        }
        return try Tensor(shape: shape, data: values, requiresGrad: trainable)
    }
}
