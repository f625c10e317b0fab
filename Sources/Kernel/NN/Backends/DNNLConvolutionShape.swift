// The sizes of one 2-D convolution as the oneDNN backend sees them: everything a cached primitive depends on.

/// One NCHW convolution problem (groups = 1, zero padding), the key under which oneDNN primitives are cached.
///
/// Strides, paddings and dilations follow PyTorch: a dilation of 1 means a dense kernel, and the output size is
/// `(length + 2·padding − dilation·(kernel − 1) − 1) / stride + 1`, rounded down.
public struct DNNLConvolutionShape: Hashable, Sendable, CustomStringConvertible {
    /// Samples in the batch (N).
    public let batch: Int
    /// Input channels (C).
    public let inChannels: Int
    /// Input height (H).
    public let height: Int
    /// Input width (W).
    public let width: Int
    /// Output channels (O).
    public let outChannels: Int
    /// Kernel height (kH).
    public let kernelHeight: Int
    /// Kernel width (kW).
    public let kernelWidth: Int
    /// Step between windows, (vertical, horizontal).
    public let stride: (Int, Int)
    /// Zeros added on each side, (vertical, horizontal).
    public let padding: (Int, Int)
    /// Spacing between kernel taps, (vertical, horizontal); 1 is a dense kernel.
    public let dilation: (Int, Int)
    /// Output height (Ho).
    public let outHeight: Int
    /// Output width (Wo).
    public let outWidth: Int

    /// Checks every size and computes the output size; throws when the window does not fit or a size is out of range.
    public init(
        batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
        stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)
    ) throws {
        let op = "conv2d (oneDNN)"
        let positive = [
            ("batch", batch), ("input channels", inChannels), ("height", height), ("width", width),
            ("output channels", outChannels), ("kernel height", kernelHeight), ("kernel width", kernelWidth),
            ("vertical stride", stride.0), ("horizontal stride", stride.1),
            ("vertical dilation", dilation.0), ("horizontal dilation", dilation.1),
        ]
        for (name, value) in positive where value < 1 {
            throw KernelError.invalidArgument(op: op, message: "\(name) must be at least 1, found \(value)")
        }
        guard padding.0 >= 0, padding.1 >= 0 else {
            throw KernelError.invalidArgument(op: op, message: "padding must be non-negative, found (\(padding.0), \(padding.1))")
        }
        let input = [batch, inChannels, height, width]
        let outHeight = try NNChecks.windowCount(
            length: height, window: kernelHeight, stride: stride.0, padding: padding.0,
            dilation: dilation.0, op: op, input: input, axis: "height")
        let outWidth = try NNChecks.windowCount(
            length: width, window: kernelWidth, stride: stride.1, padding: padding.1,
            dilation: dilation.1, op: op, input: input, axis: "width")
        // oneDNN indexes with Int64 but stores a tensor's size in bytes as size_t; keep far from either limit.
        for (name, sizes) in [
            ("input", input), ("output", [batch, outChannels, outHeight, outWidth]),
            ("weight", [outChannels, inChannels, kernelHeight, kernelWidth]),
        ] {
            let count = try NNChecks.product(sizes)
            guard count <= Int(Int32.max) else {
                throw KernelError.invalidArgument(
                    op: op, message: "the \(name) \(shapeString(sizes)) has \(count) elements, more than oneDNN's limit of \(Int32.max)")
            }
        }
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.outHeight = outHeight
        self.outWidth = outWidth
    }

    /// Elements of the input `[N, C, H, W]`.
    public var inputCount: Int { batch * inChannels * height * width }
    /// Elements of the weight `[O, C, kH, kW]`.
    public var weightCount: Int { outChannels * inChannels * kernelHeight * kernelWidth }
    /// Elements of the output `[N, O, Ho, Wo]`.
    public var outputCount: Int { batch * outChannels * outHeight * outWidth }
    /// Multiply-adds of the forward pass, times two: the usual FLOP count of a convolution.
    public var forwardFlops: Double {
        2 * Double(outputCount) * Double(inChannels * kernelHeight * kernelWidth)
    }

    /// The shape as PyTorch would print the call, for messages and benchmark names.
    public var description: String {
        "conv2d([\(batch), \(inChannels), \(height), \(width)] * [\(outChannels), \(inChannels), \(kernelHeight), \(kernelWidth)], "
            + "stride (\(stride.0), \(stride.1)), padding (\(padding.0), \(padding.1)), dilation (\(dilation.0), \(dilation.1)))"
    }

    public static func == (a: DNNLConvolutionShape, b: DNNLConvolutionShape) -> Bool {
        a.batch == b.batch && a.inChannels == b.inChannels && a.height == b.height && a.width == b.width
            && a.outChannels == b.outChannels && a.kernelHeight == b.kernelHeight && a.kernelWidth == b.kernelWidth
            && a.stride == b.stride && a.padding == b.padding && a.dilation == b.dilation
    }

    public func hash(into hasher: inout Hasher) {
        for value in [
            batch, inChannels, height, width, outChannels, kernelHeight, kernelWidth,
            stride.0, stride.1, padding.0, padding.1, dilation.0, dilation.1,
        ] {
            hasher.combine(value)
        }
    }

    // MARK: oneDNN's view of the same numbers

    var sourceDims: [Int64] { [batch, inChannels, height, width].map(Int64.init) }
    var weightDims: [Int64] { [outChannels, inChannels, kernelHeight, kernelWidth].map(Int64.init) }
    var biasDims: [Int64] { [Int64(outChannels)] }
    var destinationDims: [Int64] { [batch, outChannels, outHeight, outWidth].map(Int64.init) }
    var strideDims: [Int64] { [Int64(stride.0), Int64(stride.1)] }
    /// oneDNN counts the gaps between taps: 0 is a dense kernel.
    var dilationDims: [Int64] { [Int64(dilation.0 - 1), Int64(dilation.1 - 1)] }
    var paddingLow: [Int64] { [Int64(padding.0), Int64(padding.1)] }
    /// The bottom/right padding that makes oneDNN's exact size formula give PyTorch's rounded-down output size;
    /// smaller than `padding` (possibly negative) when the last window would not fit.
    var paddingHigh: [Int64] {
        let h = (outHeight - 1) * stride.0 + dilation.0 * (kernelHeight - 1) + 1 - height - padding.0
        let w = (outWidth - 1) * stride.1 + dilation.1 * (kernelWidth - 1) + 1 - width - padding.1
        return [Int64(h), Int64(w)]
    }
}
