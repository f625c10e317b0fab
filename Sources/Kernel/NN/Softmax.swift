#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Softmax and log-softmax along one axis, numerically stable (the maximum is subtracted first).

extension Tensor {
    /// exp(x) / Σ exp(x) along `axis` (default: the last).
    public func softmax(axis: Int = -1) throws -> Tensor {
        try normalizedExponential(axis: axis, log: false)
    }

    /// x − log Σ exp(x) along `axis` (default: the last).
    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        try normalizedExponential(axis: axis, log: true)
    }

    /// Softmax, or log-softmax when `log`, along `axis`, beside its gradient.
    private func normalizedExponential(axis: Int, log: Bool) throws -> Tensor {
        let op = log ? "log_softmax" : "softmax"
        try requirePlainLayout(op: op)
        let a = try Shape.normalize(axis: axis, rank: rank, op: op)
        // No lines to normalise; the line counts of an empty tensor's other axes may not even fit in an Int.
        guard count > 0 else { return NNChecks.emptyResult(shape: shape, inputs: [self], op: op) }
        let (outer, length, inner) = rank == 0 ? (1, 1, 1) : split(at: a)
        let y = SoftmaxKernel.forward(data, outer: outer, length: length, inner: inner, log: log)
        let input = self
        let out = Tensor(unchecked: shape, data: y)
        return out.record(op, inputs: [input]) { g in
            var dx = [Float](repeating: 0, count: g.count)
            SoftmaxKernel.forEachLine(outer: outer, length: length, inner: inner) { start, step in
                if log {
                    // dx = g − softmax · Σ g
                    var total: Float = 0
                    for k in 0..<length { total += g[start + k * step] }
                    for k in 0..<length {
                        let i = start + k * step
                        dx[i] = g[i] - expf(y[i]) * total
                    }
                } else {
                    // dx = y · (g − Σ g·y)
                    var dot: Float = 0
                    for k in 0..<length {
                        let i = start + k * step
                        dot += g[i] * y[i]
                    }
                    for k in 0..<length {
                        let i = start + k * step
                        dx[i] = y[i] * (g[i] - dot)
                    }
                }
            }
            input.accumulateGrad(dx)
        }
    }
}

/// The loops shared by softmax, log-softmax and cross-entropy.
enum SoftmaxKernel {
    /// Calls `body(start, step)` for every line along the reduced axis: elements `start + k·step`, k in 0..<length.
    @inline(__always)
    static func forEachLine(outer: Int, length: Int, inner: Int, _ body: (Int, Int) -> Void) {
        for o in 0..<outer {
            for i in 0..<inner { body(o * length * inner + i, inner) }
        }
    }

    /// Softmax (or log-softmax when `log`) of every line of `x`.
    static func forward(_ x: [Float], outer: Int, length: Int, inner: Int, log: Bool) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let start = o * length * inner + i
                        var m = -Float.infinity
                        for k in 0..<length { m = Swift.max(m, xb[start + k * inner]) }
                        var sum: Float = 0
                        for k in 0..<length { sum += expf(xb[start + k * inner] - m) }
                        if log {
                            let logSum = m + logf(sum)
                            for k in 0..<length { yb[start + k * inner] = xb[start + k * inner] - logSum }
                        } else {
                            let inv = 1 / sum
                            for k in 0..<length { yb[start + k * inner] = expf(xb[start + k * inner] - m) * inv }
                        }
                    }
                }
            }
        }
        return y
    }
}
