// Reductions over all elements or over chosen axes.

extension Tensor {
    /// Splits the shape around `axis` into (outer, size of axis, inner) element counts.
    func split(at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (Shape.count(Array(shape[..<axis])), shape[axis], Shape.count(Array(shape[(axis + 1)...])))
    }

    /// Shape after reducing `axis`.
    private func reducedShape(_ axis: Int, keepDims: Bool) -> [Int] {
        var s = shape
        if keepDims { s[axis] = 1 } else { s.remove(at: axis) }
        return s
    }

    /// Sum of all elements, as a scalar tensor.
    public func sum() -> Tensor {
        let total = data.reduce(0, +)
        let out = Tensor(unchecked: [], data: [total])
        return out.record("sum", inputs: [self]) { [self] g in
            self.accumulateGrad([Float](repeating: g[0], count: self.count))
        }
    }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor {
        sum() / Float(Swift.max(count, 1))
    }

    /// Sum over `axes` (negative counts from the end); `keepDims` keeps them as size 1.
    public func sum(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        try sum(axes: axes, keepDims: keepDims, op: "sum")
    }

    private func sum(axes: [Int], keepDims: Bool, op: String) throws -> Tensor {
        try requirePlainLayout(op: op)
        let resolved = try Shape.normalize(axes: axes, rank: rank, op: op).sorted(by: >)
        // A 0-d tensor reduces over its only element, as in PyTorch (`tensor(3.).sum(dim=0)` is 3).
        if rank == 0 && !resolved.isEmpty { return try reshape([1]).sum(axes: [0], keepDims: false, op: op) }
        // The final shape is checked before the first partial sum is allocated: reducing the empty axis of a
        // [0, 2^62] tensor leaves 2^62 elements.
        var finalShape = shape
        for axis in resolved {
            if keepDims { finalShape[axis] = 1 } else { finalShape.remove(at: axis) }
        }
        let finalCount = try Shape.validate(finalShape, op: op)
        // Without elements the loops would still count through a huge outer or axis length, and a partial sum could
        // be far larger than the final one ([2^62, 0] summed over both axes passes through [2^62]).
        if count == 0 {
            let zeros = Tensor(unchecked: finalShape, data: [Float](repeating: 0, count: finalCount))
            return zeros.record(op, inputs: [self]) { [self] _ in self.accumulateGrad([]) }
        }
        var result = self
        for axis in resolved {
            result = result.sumAxis(axis, keepDims: keepDims)
        }
        return result
    }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        let resolved = try Shape.normalize(axes: axes, rank: rank, op: "mean")
        // A sub-product of a valid shape, so it cannot overflow.
        let n = rank == 0 ? 1 : resolved.reduce(1) { $0 * shape[$1] }
        return try sum(axes: axes, keepDims: keepDims, op: "mean") / Float(Swift.max(n, 1))
    }

    /// Sum over one axis of a tensor with elements, so the output is no larger than the input.
    private func sumAxis(_ axis: Int, keepDims: Bool) -> Tensor {
        let (outer, length, inner) = split(at: axis)
        let outShape = reducedShape(axis, keepDims: keepDims)
        var out = [Float](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for k in 0..<length {
                    let base = (o * length + k) * inner
                    for i in 0..<inner { out[o * inner + i] += x[base + i] }
                }
            }
        }
        let result = Tensor(unchecked: outShape, data: out)
        return result.record("sum", inputs: [self]) { [self] g in
            var gi = [Float](repeating: 0, count: self.count)
            for o in 0..<outer {
                for k in 0..<length {
                    let base = (o * length + k) * inner
                    for i in 0..<inner { gi[base + i] = g[o * inner + i] }
                }
            }
            self.accumulateGrad(gi)
        }
    }

    /// Index of the largest element along `axis` for each position (ties: first), as an `int64` tensor of indices.
    public func argmax(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try argExtreme(axis: axis, keepDims: keepDims, greater: true, op: "argmax")
    }

    /// Index of the smallest element along `axis` for each position (ties: first), as an `int64` tensor of indices.
    public func argmin(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try argExtreme(axis: axis, keepDims: keepDims, greater: false, op: "argmin")
    }

    /// Index of the largest element of the flattened tensor.
    public func argmax() throws -> Int {
        try argExtreme(greater: true, op: "argmax")
    }

    /// Index of the smallest element of the flattened tensor.
    public func argmin() throws -> Int {
        try argExtreme(greater: false, op: "argmin")
    }

    private func argExtreme(axis: Int, keepDims: Bool, greater: Bool, op: String) throws -> Tensor {
        try requirePlainLayout(op: op)
        let a = try Shape.normalize(axis: axis, rank: rank, op: op)
        if rank == 0 { return try reshape([1]).argExtreme(axis: 0, keepDims: false, greater: greater, op: op) }
        guard shape[a] > 0 else {
            throw KernelError.invalidArgument(op: op, message: "cannot take \(op) over an empty axis")
        }
        // An empty tensor reduced over a non-empty axis is empty; the loops must not count through its other dimensions.
        if count == 0 { return Tensor(unchecked: reducedShape(a, keepDims: keepDims), data: [], elementType: .int64) }
        // Float32 holds indices exactly only below 2^24: an axis that long is refused rather than its indices rounded.
        guard Int64(shape[a]) <= Tensor.maxExactInteger + 1 else {
            throw KernelError.invalidArgument(
                op: op, message: "the axis has \(shape[a]) elements; int64 tensors hold indices up to \(Tensor.maxExactInteger) exactly")
        }
        let (outer, length, inner) = split(at: a)
        let indices = argExtreme(outer: outer, length: length, inner: inner, greater: greater)
        return Tensor(unchecked: reducedShape(a, keepDims: keepDims), data: indices.map { Float($0) }, elementType: .int64)
    }

    private func argExtreme(greater: Bool, op: String) throws -> Int {
        try requirePlainLayout(op: op)
        guard count > 0 else { throw KernelError.invalidArgument(op: op, message: "empty tensor") }
        return argExtreme(outer: 1, length: count, inner: 1, greater: greater)[0]
    }

    /// Largest element along `axis`; the gradient flows to the (first) maximum.
    public func max(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try extreme(axis: axis, keepDims: keepDims, greater: true, op: "max")
    }

    /// Smallest element along `axis`; the gradient flows to the (first) minimum.
    public func min(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try extreme(axis: axis, keepDims: keepDims, greater: false, op: "min")
    }

    /// Largest element of the whole tensor.
    public func max() throws -> Tensor { try reshape([count]).max(axis: 0) }
    /// Smallest element of the whole tensor.
    public func min() throws -> Tensor { try reshape([count]).min(axis: 0) }

    private func extreme(axis: Int, keepDims: Bool, greater: Bool, op: String) throws -> Tensor {
        try requirePlainLayout(op: op)
        let a = try Shape.normalize(axis: axis, rank: rank, op: op)
        if rank == 0 { return try reshape([1]).extreme(axis: 0, keepDims: false, greater: greater, op: op) }
        guard shape[a] > 0 else { throw KernelError.invalidArgument(op: op, message: "cannot reduce an empty axis") }
        if count == 0 {
            return Tensor(unchecked: reducedShape(a, keepDims: keepDims), data: [], elementType: elementType).record(op, inputs: [self]) {
                [self] _ in
                self.accumulateGrad([])
            }
        }
        let (outer, length, inner) = split(at: a)
        let winners = argExtreme(outer: outer, length: length, inner: inner, greater: greater)
        var values = [Float](repeating: 0, count: winners.count)
        for o in 0..<outer {
            for i in 0..<inner {
                values[o * inner + i] = data[(o * length + winners[o * inner + i]) * inner + i]
            }
        }
        let out = Tensor(unchecked: reducedShape(a, keepDims: keepDims), data: values, elementType: elementType)
        return out.record(op, inputs: [self]) { [self] g in
            var gi = [Float](repeating: 0, count: self.count)
            for o in 0..<outer {
                for i in 0..<inner {
                    gi[(o * length + winners[o * inner + i]) * inner + i] = g[o * inner + i]
                }
            }
            self.accumulateGrad(gi)
        }
    }

    private func argExtreme(outer: Int, length: Int, inner: Int, greater: Bool) -> [Int] {
        var result = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = data[o * length * inner + i]
                var bestIndex = 0
                for k in 1..<Swift.max(length, 1) {
                    let v = data[(o * length + k) * inner + i]
                    // NaN wins so that it is never hidden.
                    if greater ? (v > best || v.isNaN && !best.isNaN) : (v < best || v.isNaN && !best.isNaN) {
                        best = v
                        bestIndex = k
                    }
                }
                result[o * inner + i] = bestIndex
            }
        }
        return result
    }
}
