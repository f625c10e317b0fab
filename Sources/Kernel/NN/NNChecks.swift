// Argument checks shared by the neural-network ops and the image transforms, so every op words its errors the same way
// and no size computed from user arguments can overflow (release builds trap on overflow) or exceed the memory limit.

enum NNChecks {
    /// Throws unless `tensor` has one of `ranks`, naming what the op expects (e.g. "[N, C, H, W]").
    static func requireRank(_ tensor: Tensor, _ ranks: Set<Int>, op: String, layout: String, name: String = "input") throws {
        guard ranks.contains(tensor.rank) else {
            throw KernelError.shapeMismatch(op: op, expected: "\(name) of shape \(layout)", found: "\(name) \(shapeString(tensor.shape))")
        }
    }

    /// Throws unless both entries of a (height, width) pair are at least `minimum`.
    static func requirePair(_ pair: (Int, Int), atLeast minimum: Int, op: String, name: String) throws {
        guard pair.0 >= minimum, pair.1 >= minimum else {
            let bound = minimum == 0 ? "non-negative" : (minimum == 1 ? "positive" : "at least \(minimum)")
            throw KernelError.invalidArgument(op: op, message: "\(name) must be \(bound), found (\(pair.0), \(pair.1))")
        }
    }

    /// Output length of a sliding window over `length` padded by `padding` each side (floor mode, as PyTorch):
    /// `(length + 2·padding − dilation·(window − 1) − 1) / stride + 1`.
    ///
    /// Every NN op that slides a window (convolutions, pools, the shortcut's subsampling, oneDNN's shapes) sizes its
    /// output here. Expects a non-negative `length` and `padding` and positive `window`, `stride` and `dilation`.
    /// Throws when the (dilated) window does not fit in the padded input, or when the padded length or the window's
    /// extent does not fit in an `Int` (such sizes could never be computed).
    static func windowCount(
        length: Int, window: Int, stride: Int, padding: Int, dilation: Int = 1,
        op: String, input: [Int], axis: String
    ) throws -> Int {
        let (twice, o1) = padding.multipliedReportingOverflow(by: 2)
        let (padded, o2) = length.addingReportingOverflow(twice)
        guard !o1, !o2 else {
            throw KernelError.invalidArgument(
                op: op, message: "padding \(padding) is too large: the padded \(axis) of input \(shapeString(input)) overflows")
        }
        let (span, o3) = dilation.multipliedReportingOverflow(by: window - 1)
        let (extent, o4) = span.addingReportingOverflow(1)
        guard !o3, !o4 else {
            throw KernelError.invalidArgument(
                op: op, message: "the \(dilation > 1 ? "dilated " : "")kernel \(axis) (\(window), dilation \(dilation)) is too large to compute")
        }
        guard extent <= padded else {
            throw KernelError.shapeMismatch(
                op: op, expected: "padded input \(axis) of at least \(extent) (the \(dilation > 1 ? "dilated " : "")kernel \(axis))",
                found: "\(padded) (input \(shapeString(input)), padding \(padding))")
        }
        return (padded - extent) / stride + 1
    }

    /// The image size `x[:, :, ::stride, ::stride]` keeps of `[N, C, H, W]` `shape` (an empty axis stays empty),
    /// and that shape validated: the option-A shortcut's subsampling as a window of one pixel.
    static func subsampledSize(_ shape: [Int], stride: Int, op: String) throws -> (height: Int, width: Int) {
        let height =
            shape[2] == 0 ? 0 : try windowCount(length: shape[2], window: 1, stride: stride, padding: 0, op: op, input: shape, axis: "height")
        let width = shape[3] == 0 ? 0 : try windowCount(length: shape[3], window: 1, stride: stride, padding: 0, op: op, input: shape, axis: "width")
        try Shape.validate([shape[0], shape[1], height, width], op: op)
        return (height, width)
    }

    /// The product of `sizes`, or an `allocationTooLarge` error when it overflows: for counts of things that are not
    /// allocated themselves (the planes of an empty input, a sample's elements) but drive loops and offsets.
    static func product(_ sizes: [Int]) throws -> Int {
        var result = 1
        for size in sizes {
            let (next, overflow) = result.multipliedReportingOverflow(by: size)
            guard !overflow else { throw KernelError.allocationTooLarge(elements: Int.max, limitBytes: MemoryLimit.bytes) }
            result = next
        }
        return result
    }

    /// `value` rounded to the nearest integer, or nil when it is NaN, infinite or outside `Int`'s range: for sizes
    /// computed in floating point from user data (scales, ratios, areas), where `Int(_:)` would trap.
    static func roundedInt<F: BinaryFloatingPoint>(_ value: F) -> Int? {
        Int(exactly: value.rounded())
    }

    /// A result with no elements (the input had none, so nothing is computed or looped over), still on the tape so
    /// gradients reach `inputs` (as zeros of their own sizes).
    static func emptyResult(shape: [Int], inputs: [Tensor], op: String) -> Tensor {
        Tensor(unchecked: shape, data: []).record(op, inputs: inputs) { _ in
            for input in inputs where input.requiresGrad { input.accumulateGrad([Float](repeating: 0, count: input.count)) }
        }
    }
}
