/// Flattens each sample to a vector: `[C, H, W]` → `[C·H·W]` (Keras's `Flatten`, PyTorch's `nn.Flatten`).
public final class Flatten: Layer {
    /// A flatten layer.
    override public init(name: String? = nil) throws {
        try super.init(name: name)
    }

    override public var typeName: String { "Flatten" }
    override var baseName: String { "flatten" }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        [Shape.count(inputShapes[0])]
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        try inputs[0].flatten(from: 1)
    }
}

/// Option A shortcut of He et al. (2015): keeps every `stride`-th pixel and pads the channels with zeros
/// up to `filters` (half before, half after, as the reference CIFAR code), so a residual block can change shape
/// without parameters.
public final class ZeroPadShortcut: Layer {
    /// Output channels (at least the input channels).
    public let filters: Int
    /// Spatial subsampling step.
    public let stride: Int

    /// A parameter-free shortcut to `filters` channels with spatial step `stride`.
    public init(filters: Int, stride: Int, name: String? = nil) throws {
        self.filters = filters
        self.stride = stride
        try super.init(name: name)
        guard filters > 0, stride > 0 else {
            throw KernelError.invalidArgument(op: "ZeroPadShortcut", message: "filters and stride must be positive, found \(filters) and \(stride)")
        }
    }

    override public var typeName: String { "ZeroPadShortcut" }
    override var baseName: String { "zero_pad_shortcut" }
    override var configuration: String { "\(filters) channels, stride \(stride)" }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let input = inputShapes[0]
        guard input.count == 3 else { throw KernelError.shapeMismatch(op: "", expected: "an image [C, H, W]", found: shapeString(input)) }
        guard input[0] <= filters else {
            throw KernelError.shapeMismatch(
                op: "", expected: "at most \(filters) input channels (zero padding cannot remove channels; use a projection shortcut)",
                found: shapeString(input))
        }
        // ⌈size / stride⌉ without forming size + stride - 1, which overflows for a huge stride.
        func subsampled(_ size: Int) -> Int { size / stride + (size % stride == 0 ? 0 : 1) }
        return [filters, subsampled(input[1]), subsampled(input[2])]
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        let x = stride == 1 ? inputs[0] : try inputs[0].subsample(stride: stride)
        let extra = filters - x.shape[1]
        guard extra >= 0 else {
            throw KernelError.shapeMismatch(op: "", expected: "at most \(filters) input channels", found: shapeString(inputs[0].shape))
        }
        return extra == 0 ? x : try x.padChannels(before: extra / 2, after: extra - extra / 2)
    }

}

extension ZeroPadShortcut: ChannelBlockedCapable {
    /// `forward` of a blocked input, the output blocked (see `channelBlockedZeroPadShortcut`); nil for a plain input or
    /// channel counts that are not multiples of 16.
    func forwardChannelBlocked(_ inputs: [Tensor], context: ForwardContext, thenReLU: Bool, preferBlockedOutput: Bool) throws -> Tensor? {
        thenReLU ? nil : inputs[0].channelBlockedZeroPadShortcut(stride: stride, outChannels: filters)
    }
}
