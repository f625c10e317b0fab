/// An elementwise nonlinearity chosen by name (Keras's `Activation("relu")`).
public final class Activation: Layer {
    /// The functions `Activation` knows, by the names users type.
    public static let knownNames = ["relu", "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "linear"]

    /// One of `knownNames`.
    public let function: String

    /// The activation called `function`; throws for an unknown name, listing the known ones.
    public init(_ function: String, name: String? = nil) throws {
        self.function = function.lowercased()
        try super.init(name: name)
        guard Activation.knownNames.contains(self.function) else {
            throw KernelError.invalidArgument(
                op: "Activation", message: "unknown activation '\(function)'; known: \(Activation.knownNames.joined(separator: ", "))")
        }
    }

    override public var typeName: String { "Activation" }
    override var baseName: String { "activation" }
    override var configuration: String { function }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        let x = inputs[0]
        switch function {
        case "relu": return x.relu()
        case "leaky_relu": return x.leakyRelu()
        case "sigmoid": return x.sigmoid()
        case "tanh": return x.tanh()
        case "softmax": return try x.softmax(axis: -1)
        case "log_softmax": return try x.logSoftmax(axis: -1)
        default: return x
        }
    }
}

extension Activation: ReLUEquivalent, ChannelBlockedCapable, BackwardValueUse {
    var computesReLU: Bool { function == "relu" }
    var readsChannelBlocks: Bool { computesReLU }

    /// As a ReLU, `forward` of a blocked input, the output blocked; nil for any other function or a plain input.
    func forwardChannelBlocked(_ inputs: [Tensor], context: ForwardContext, thenReLU: Bool, preferBlockedOutput: Bool) throws -> Tensor? {
        guard computesReLU, !thenReLU, inputs[0].layout != .plain else { return nil }
        return inputs[0].relu()
    }

    /// Only a ReLU's gradient does without its input (it reads the output instead).
    var backwardReadsInputValues: Bool { !computesReLU }
    var backwardKeepsOutputValues: Bool { true }
}

/// max(x, 0) (Keras's `ReLU` layer, PyTorch's `nn.ReLU`).
public final class ReLU: Layer {
    /// A ReLU layer.
    override public init(name: String? = nil) throws {
        try super.init(name: name)
    }

    override public var typeName: String { "ReLU" }
    override var baseName: String { "re_lu" }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        inputs[0].relu()
    }
}

extension ReLU: ReLUEquivalent, ChannelBlockedCapable, BackwardValueUse {
    var computesReLU: Bool { true }

    /// `forward` of a blocked input, the output blocked (elementwise, so the layout carries over); nil for a plain input.
    func forwardChannelBlocked(_ inputs: [Tensor], context: ForwardContext, thenReLU: Bool, preferBlockedOutput: Bool) throws -> Tensor? {
        guard !thenReLU, inputs[0].layout != .plain else { return nil }
        return inputs[0].relu()
    }

    /// The gradient reads the output (positive exactly where the input was), not the input.
    var backwardReadsInputValues: Bool { false }
    var backwardKeepsOutputValues: Bool { true }
}

/// x for x > 0, slope·x otherwise (PyTorch's default slope 0.01; Keras's `LeakyReLU` uses 0.3).
public final class LeakyReLU: Layer {
    /// The slope for negative inputs.
    public let slope: Float

    /// A leaky ReLU with the given negative slope.
    public init(slope: Float = 0.01, name: String? = nil) throws {
        self.slope = slope
        try super.init(name: name)
        guard slope.isFinite else { throw KernelError.invalidArgument(op: "LeakyReLU", message: "slope must be a finite number, found \(slope)") }
    }

    override public var typeName: String { "LeakyReLU" }
    override var baseName: String { "leaky_re_lu" }
    override var configuration: String { "slope \(slope)" }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        inputs[0].leakyRelu(slope: slope)
    }
}

/// Softmax along an axis of the batch tensor (default the last, e.g. the classes of `[N, K]` logits).
public final class Softmax: Layer {
    /// The axis, counting the batch as axis 0 (negative counts from the end).
    public let axis: Int

    /// A softmax layer over `axis`.
    public init(axis: Int = -1, name: String? = nil) throws {
        self.axis = axis
        try super.init(name: name)
        guard axis != 0 else {
            throw KernelError.invalidArgument(op: "Softmax", message: "axis 0 is the batch; use -1 for the last axis or 1 for channels")
        }
    }

    override public var typeName: String { "Softmax" }
    override var baseName: String { "softmax" }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let input = inputShapes[0]
        let rank = input.count + 1
        guard (axis > 0 && axis < rank) || (axis < 0 && axis >= -input.count) else {
            throw KernelError.invalidArgument(op: "", message: "axis \(axis) is out of range for a batch of \(shapeString(input))")
        }
        return input
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        try inputs[0].softmax(axis: axis)
    }
}

/// Passes its input through unchanged (a named placeholder, e.g. an identity shortcut).
public final class Identity: Layer {
    /// An identity layer.
    override public init(name: String? = nil) throws {
        try super.init(name: name)
    }

    override public var typeName: String { "Identity" }
    override var baseName: String { "identity" }
}
