/// Elementwise sum of two or more inputs of the same shape (Keras's `Add`): the join of a residual block.
public final class Add: Layer {
    /// An add layer.
    override public init(name: String? = nil) throws {
        try super.init(name: name)
    }

    override public var typeName: String { "Add" }
    override var baseName: String { "add" }
    override var inputCountRange: ClosedRange<Int> { 2...Int.max }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let first = inputShapes[0]
        for other in inputShapes.dropFirst() where other != first {
            throw KernelError.shapeMismatch(op: "", expected: "inputs of equal shapes, cannot add \(shapeString(first))", found: shapeString(other))
        }
        return first
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        try sum(inputs)
    }

    /// The inputs summed left to right; equal shapes in one layout, as the blocked path passes them, stay in it.
    private func sum(_ inputs: [Tensor]) throws -> Tensor {
        var sum = inputs[0]
        for other in inputs.dropFirst() {
            guard other.shape == sum.shape else {
                throw KernelError.shapeMismatch(
                    op: "", expected: "inputs of equal shapes, cannot add \(shapeString(sum.shape))", found: shapeString(other.shape))
            }
            sum = sum.layout == .plain ? try sum + other : try Tensor.sameShapeSum(sum, other, thenReLU: false)
        }
        return sum
    }
}

extension Add: FusesFollowingReLU, ChannelBlockedCapable, BackwardValueUse, OmitsZeroInputs {
    /// Only the join of two inputs has a fused form.
    func fusesReLU(inputCount: Int) -> Bool { inputCount == 2 }

    func forwardThenReLU(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor? {
        guard inputs.count == 2, inputs[0].shape == inputs[1].shape else { return nil }
        return try Tensor.addReLU(inputs[0], inputs[1])
    }

    /// Elementwise, so any layout works when all inputs share it: with some inputs blocked, the plain ones are
    /// reordered to join them when the sum stays blocked (`preferBlockedOutput`), else nil and the blocked ones leave.
    func forwardChannelBlocked(_ inputs: [Tensor], context: ForwardContext, thenReLU: Bool, preferBlockedOutput: Bool) throws -> Tensor? {
        guard !thenReLU || inputs.count == 2, let width = inputs.lazy.compactMap(\.layout.blockWidth).first,
            inputs.allSatisfy({ $0.shape == inputs[0].shape })
        else { return nil }
        var operands = inputs
        if inputs.contains(where: { $0.layout != .channelBlocked(width) }) {
            guard preferBlockedOutput, inputs[0].rank == 4, inputs[0].shape[1] % width.rawValue == 0 else { return nil }
            operands = try inputs.map { try $0.reordered(to: .channelBlocked(width)) }
        }
        return thenReLU ? try Tensor.sameShapeSum(operands[0], operands[1], thenReLU: true) : try sum(operands)
    }

    /// A sum's gradient needs no values.
    var backwardReadsInputValues: Bool { false }
    var backwardKeepsOutputValues: Bool { false }
}

/// Joins two or more inputs along an axis (Keras's `Concatenate`, PyTorch's `torch.cat`); the default axis 1 is
/// the channels of an NCHW batch. Axes count the batch as axis 0, as in PyTorch and Keras.
public final class Concatenate: Layer {
    /// The joining axis of the batch tensor (negative counts from the end; never the batch axis 0).
    public let axis: Int

    /// A concatenation along `axis`.
    public init(axis: Int = 1, name: String? = nil) throws {
        self.axis = axis
        try super.init(name: name)
        guard axis != 0 else { throw KernelError.invalidArgument(op: "Concatenate", message: "axis 0 is the batch; use 1 for channels") }
    }

    override public var typeName: String { "Concatenate" }
    override var baseName: String { "concatenate" }
    override var inputCountRange: ClosedRange<Int> { 2...Int.max }
    override var configuration: String { "axis \(axis)" }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let first = inputShapes[0]
        let rank = first.count + 1
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 1, resolved < rank else {
            throw KernelError.invalidArgument(op: "", message: "axis \(axis) is out of range for inputs \(shapeString(first)) (plus the batch axis)")
        }
        let sampleAxis = resolved - 1
        var output = first
        for other in inputShapes.dropFirst() {
            var comparable = other
            if comparable.count == first.count { comparable[sampleAxis] = first[sampleAxis] }
            guard comparable == first else {
                throw KernelError.shapeMismatch(
                    op: "", expected: "inputs that agree except on axis \(resolved), cannot join \(shapeString(first))", found: shapeString(other))
            }
            output[sampleAxis] = try Shape.add(output[sampleAxis], other[sampleAxis], op: "", what: "the joined axis \(resolved)")
        }
        return output
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        try Tensor.concat(inputs, axis: axis)
    }
}
