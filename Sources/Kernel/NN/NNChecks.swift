// Argument checks shared by the neural-network ops, so every op words its errors the same way.

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

    /// Output length of a sliding window over `length` padded by `padding` each side (floor mode, as PyTorch).
    ///
    /// Throws when the (dilated) window does not fit in the padded input.
    static func windowCount(length: Int, window: Int, stride: Int, padding: Int, dilation: Int = 1,
                            op: String, input: [Int], axis: String) throws -> Int {
        let extent = dilation * (window - 1) + 1
        let padded = length + 2 * padding
        guard extent <= padded else {
            throw KernelError.shapeMismatch(op: op, expected: "padded input \(axis) of at least \(extent) (the \(dilation > 1 ? "dilated " : "")kernel \(axis))",
                                            found: "\(padded) (input \(shapeString(input)), padding \(padding))")
        }
        return (padded - extent) / stride + 1
    }
}
