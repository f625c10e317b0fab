/// How a convolution or pooling window treats the image border.
public enum Padding: Equatable, CustomStringConvertible {
    /// No padding: windows stay inside the image (Keras `"valid"`, PyTorch `padding=0`).
    case valid
    /// Output size ⌈input / stride⌉, padding split evenly with any odd pixel at the bottom/right (Keras/TensorFlow `"same"`).
    case same
    /// `rows` above and below, `columns` left and right (PyTorch `padding=(rows, columns)`).
    case explicit(rows: Int, columns: Int)

    /// Looks a padding up by name: `valid` or `same`.
    public static func named(_ name: String) throws -> Padding {
        switch name.lowercased() {
        case "valid": return .valid
        case "same": return .same
        default: throw KernelError.invalidArgument(op: "padding", message: "unknown padding '\(name)'; use \"valid\", \"same\" or a number of pixels")
        }
    }

    /// `valid`, `same`, or the pixel counts.
    public var description: String {
        switch self {
        case .valid: return "valid"
        case .same: return "same"
        case let .explicit(rows, columns): return rows == columns ? "\(rows)" : "(\(rows), \(columns))"
        }
    }

    /// Pixels added (before, after) along one axis of `length` for a window of `extent` (dilated kernel size) moving by
    /// `stride`; throws when user-given sizes make the arithmetic overflow.
    func amounts(length: Int, extent: Int, stride: Int, axis: Int) throws -> (before: Int, after: Int) {
        switch self {
        case .valid:
            return (0, 0)
        case .same:
            // ⌈length / stride⌉ without forming length + stride - 1, which overflows for a huge stride.
            let output = length / stride + (length % stride == 0 ? 0 : 1)
            let covered = try Shape.add(
                try Shape.multiply(output - 1, stride, op: "", what: "the padded length"),
                extent, op: "", what: "the padded length")
            let total = Swift.max(covered - length, 0)
            return (total / 2, total - total / 2)
        case let .explicit(rows, columns):
            let amount = axis == 0 ? rows : columns
            return (amount, amount)
        }
    }
}

/// The geometry of a sliding window over one `[C, H, W]` image: padding per side and output size.
struct WindowGeometry {
    let padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    let outHeight: Int, outWidth: Int

    /// Whether the padding is the same on both sides of each axis, so the NN op can apply it itself.
    var isSymmetric: Bool { padTop == padBottom && padLeft == padRight }

    /// Computes the geometry, throwing when the window does not fit (message in the layer's words) or when the
    /// user-given kernel, dilation or padding make a size overflow (a padding of 2^63 - 1 pixels).
    init(height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int), padding: Padding) throws {
        func extent(_ kernel: Int, _ dilation: Int) throws -> Int {
            try Shape.add(
                try Shape.multiply(dilation, kernel - 1, op: "", what: "the dilated window size"), 1, op: "", what: "the dilated window size")
        }
        func padded(_ length: Int, _ before: Int, _ after: Int) throws -> Int {
            try Shape.add(try Shape.add(length, before, op: "", what: "the padded image size"), after, op: "", what: "the padded image size")
        }
        let extentH = try extent(kernel.0, dilation.0)
        let extentW = try extent(kernel.1, dilation.1)
        (padTop, padBottom) = try padding.amounts(length: height, extent: extentH, stride: stride.0, axis: 0)
        (padLeft, padRight) = try padding.amounts(length: width, extent: extentW, stride: stride.1, axis: 1)
        let paddedH = try padded(height, padTop, padBottom)
        let paddedW = try padded(width, padLeft, padRight)
        guard paddedH >= extentH, paddedW >= extentW else {
            throw KernelError.shapeMismatch(
                op: "",
                expected:
                    "an image of at least \(extentH)×\(extentW) after padding \(padding) (the \(dilation == (1, 1) ? "" : "dilated ")window size)",
                found: "\(height)×\(width)")
        }
        outHeight = (paddedH - extentH) / stride.0 + 1
        outWidth = (paddedW - extentW) / stride.1 + 1
    }
}

extension Tensor {
    /// Appends `count` rows (axis 2) or columns (axis 3) of `value` at the end of an `[N, C, H, W]` tensor,
    /// for the odd extra pixel of "same" padding that symmetric NN ops cannot express.
    func padEnd(axis: Int, count: Int, value: Float) throws -> Tensor {
        guard count > 0 else { return self }
        var fillShape = shape
        fillShape[axis] = count
        return try Tensor.concat([self, try Tensor.full(fillShape, value)], axis: axis)
    }

    /// Prepends `count` rows (axis 2) or columns (axis 3) of `value` to an `[N, C, H, W]` tensor.
    func padStart(axis: Int, count: Int, value: Float) throws -> Tensor {
        guard count > 0 else { return self }
        var fillShape = shape
        fillShape[axis] = count
        return try Tensor.concat([try Tensor.full(fillShape, value), self], axis: axis)
    }
}
