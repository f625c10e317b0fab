// Inverted dropout (PyTorch's F.dropout).

extension Tensor {
    /// In training, zeroes each element with probability `p` and scales the survivors by 1/(1 − p); in evaluation, returns `self`.
    ///
    /// The mask draws one `generator.uniform()` per element in row-major order and keeps the element when the draw is ≥ `p`,
    /// so a generator with the same seed reproduces the mask.
    public func dropout(p: Float, training: Bool, generator: RandomGenerator = .global) throws -> Tensor {
        try requirePlainLayout(op: "dropout")
        guard p >= 0, p < 1 else {
            throw KernelError.invalidArgument(op: "dropout", message: "p must be in [0, 1), found \(p)")
        }
        guard training, p > 0 else { return self }
        let scale = 1 / (1 - p)
        var mask = [Float](repeating: 0, count: count)
        for i in 0..<mask.count where generator.uniform() >= p { mask[i] = scale }
        var out = [Float](repeating: 0, count: count)
        data.withUnsafeBufferPointer { x in
            mask.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { y in
                    for i in 0..<y.count { y[i] = x[i] * m[i] }
                }
            }
        }
        let input = self
        return Tensor(unchecked: shape, data: out).record("dropout", inputs: [input]) { g in
            var dx = [Float](repeating: 0, count: g.count)
            mask.withUnsafeBufferPointer { m in
                for i in 0..<dx.count { dx[i] = g[i] * m[i] }
            }
            input.accumulateGrad(dx)
        }
    }
}
