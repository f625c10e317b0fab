/// What the window pooling layers share: window and step sizes, border handling, argument checks and
/// output shapes. The subclasses differ only in how a window is reduced.
public class WindowPooling2D: Layer {
    /// Window (height, width).
    public let poolSize: (Int, Int)
    /// Step (vertical, horizontal); defaults to the window size.
    public let strides: (Int, Int)
    /// Border handling.
    public let padding: Padding

    /// Pooling with square windows; `strides` defaults to `poolSize`.
    public convenience init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, name: String? = nil) throws {
        try self.init(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding, name: name)
    }

    /// Pooling with (height, width) windows.
    public init(poolSize: (Int, Int), strides: (Int, Int)?, padding: Padding = .valid, name: String? = nil) throws {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        try super.init(name: name)
        try PoolingArguments.check(poolSize: poolSize, strides: self.strides, padding: padding, op: typeName)
    }

    override var configuration: String { PoolingArguments.describe(poolSize, strides, padding) }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        try PoolingArguments.outputShape(inputShapes[0], poolSize: poolSize, strides: strides, padding: padding)
    }

    /// The input batch and the padding each side, after checking the input is `[N, C, H, W]`.
    func geometry(_ inputs: [Tensor]) throws -> (Tensor, WindowGeometry) {
        let x = inputs[0]
        guard x.rank == 4 else { throw KernelError.shapeMismatch(op: "", expected: "a batch of images [N, C, H, W]", found: shapeString(x.shape)) }
        let g = try WindowGeometry(height: x.shape[2], width: x.shape[3], kernel: poolSize, stride: strides, dilation: (1, 1), padding: padding)
        return (x, g)
    }
}

extension Tensor {
    /// This batch with `value` added around each image as `geometry` asks.
    fileprivate func padded(_ geometry: WindowGeometry, value: Float) throws -> Tensor {
        let rows = try padStart(axis: 2, count: geometry.padTop, value: value).padEnd(axis: 2, count: geometry.padBottom, value: value)
        return try rows.padStart(axis: 3, count: geometry.padLeft, value: value).padEnd(axis: 3, count: geometry.padRight, value: value)
    }
}

/// Maximum over sliding windows of `[C, H, W]` images (Keras's `MaxPooling2D`, PyTorch's `nn.MaxPool2d`).
///
/// Padded pixels never win (they count as −∞), for both explicit and "same" padding.
public final class MaxPooling2D: WindowPooling2D {
    override public var typeName: String { "MaxPooling2D" }
    override var baseName: String { "max_pooling2d" }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        let (x, g) = try geometry(inputs)
        if g.isSymmetric && g.padTop <= poolSize.0 / 2 && g.padLeft <= poolSize.1 / 2 {
            return try x.maxPool2d(kernel: poolSize, stride: strides, padding: (g.padTop, g.padLeft))
        }
        // Padding the op cannot express (uneven, or wider than half the window): add −∞ borders explicitly.
        return try x.padded(g, value: -.infinity).maxPool2d(kernel: poolSize, stride: strides, padding: (0, 0))
    }
}

/// Mean over sliding windows of `[C, H, W]` images (Keras's `AveragePooling2D`, PyTorch's `nn.AvgPool2d`).
///
/// With explicit padding the zeros count towards the mean (PyTorch's default); with "same" padding only the
/// pixels inside the image do (TensorFlow's behaviour), so borders are not darkened.
public final class AveragePooling2D: WindowPooling2D {
    override public var typeName: String { "AveragePooling2D" }
    override var baseName: String { "average_pooling2d" }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        let (x, g) = try geometry(inputs)
        guard padding == .same else {
            return try x.avgPool2d(kernel: poolSize, stride: strides, padding: (g.padTop, g.padLeft))
        }
        let sums = try x.padded(g, value: 0).avgPool2d(kernel: poolSize, stride: strides, padding: (0, 0))
        // Rescale each window from "divided by the window size" to "divided by the pixels inside the image".
        let ones = try Tensor.ones([1, 1, x.shape[2], x.shape[3]]).padded(g, value: 0)
        let coverage = try noGrad { try ones.avgPool2d(kernel: poolSize, stride: strides, padding: (0, 0)) }
        return try sums / coverage
    }
}

/// Mean over each channel's whole image: `[C, H, W]` → `[C]` (Keras's `GlobalAveragePooling2D`,
/// PyTorch's `AdaptiveAvgPool2d(1)` followed by `flatten`), so the head works for any input size.
public final class GlobalAveragePooling2D: Layer {
    /// A global average pooling layer.
    override public init(name: String? = nil) throws {
        try super.init(name: name)
    }

    override public var typeName: String { "GlobalAveragePooling2D" }
    override var baseName: String { "global_average_pooling2d" }

    override func outputShape(for inputShapes: [[Int]]) throws -> [Int] {
        let input = inputShapes[0]
        guard input.count == 3 else { throw KernelError.shapeMismatch(op: "", expected: "an image [C, H, W]", found: shapeString(input)) }
        return [input[0]]
    }

    override func forward(_ inputs: [Tensor], context: ForwardContext) throws -> Tensor {
        try inputs[0].globalAvgPool2d()
    }
}

/// Argument checks and shape arithmetic shared by the pooling layers.
enum PoolingArguments {
    static func check(poolSize: (Int, Int), strides: (Int, Int), padding: Padding, op: String) throws {
        guard poolSize.0 > 0, poolSize.1 > 0 else {
            throw KernelError.invalidArgument(op: op, message: "pool size must be positive, found (\(poolSize.0), \(poolSize.1))")
        }
        guard strides.0 > 0, strides.1 > 0 else {
            throw KernelError.invalidArgument(op: op, message: "strides must be positive, found (\(strides.0), \(strides.1))")
        }
        if case let .explicit(rows, columns) = padding {
            guard rows >= 0, columns >= 0, rows <= poolSize.0 / 2, columns <= poolSize.1 / 2 else {
                throw KernelError.invalidArgument(
                    op: op,
                    message:
                        "padding must be between 0 and half the pool size, found (\(rows), \(columns)) for pool size (\(poolSize.0), \(poolSize.1))")
            }
        }
    }

    static func outputShape(_ input: [Int], poolSize: (Int, Int), strides: (Int, Int), padding: Padding) throws -> [Int] {
        guard input.count == 3 else { throw KernelError.shapeMismatch(op: "", expected: "an image [C, H, W]", found: shapeString(input)) }
        let g = try WindowGeometry(height: input[1], width: input[2], kernel: poolSize, stride: strides, dilation: (1, 1), padding: padding)
        return [input[0], g.outHeight, g.outWidth]
    }

    static func describe(_ poolSize: (Int, Int), _ strides: (Int, Int), _ padding: Padding) -> String {
        var parts = ["\(poolSize.0)×\(poolSize.1)"]
        if strides != poolSize { parts.append(strides.0 == strides.1 ? "stride \(strides.0)" : "stride (\(strides.0), \(strides.1))") }
        if padding != .valid { parts.append("padding \(padding)") }
        return parts.joined(separator: ", ")
    }
}
