import Basics

// Ops that move elements around without changing them: reshape, permute, slice, concat, stack.

extension Tensor {
    /// The same values with a new shape; one dimension may be -1 and is inferred.
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        try requirePlainLayout(op: "reshape")
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, !newShape.contains(where: { $0 < -1 }) else {
            throw KernelError.invalidArgument(
                op: "reshape", message: "invalid shape \(shapeString(newShape)): at most one -1 and no other negative sizes")
        }
        if let axis = inferred.first {
            // Saturating: an overflowing product cannot divide the element count, so it is refused below.
            let known = Shape.saturatingProduct(newShape.enumerated().filter { $0.offset != axis }.map(\.element))
            guard known > 0, count % known == 0 else {
                throw KernelError.shapeMismatch(
                    op: "reshape", expected: "a shape with \(Plural.count(count, "element"))", found: shapeString(newShape))
            }
            resolved[axis] = count / known
        }
        // Sizes come from the user, so the product is checked (an overflowing shape is never valid).
        guard (try? Shape.validate(resolved, op: "reshape")) == count else {
            throw KernelError.shapeMismatch(
                op: "reshape", expected: "a shape with \(Plural.count(count, "element")) (from \(shapeString(shape)))", found: shapeString(newShape))
        }
        let out = Tensor(unchecked: resolved, data: data, elementType: elementType)
        return out.record("reshape", inputs: [self]) { [self] g in self.accumulateGrad(g) }
    }

    /// Flattens dimensions from `startAxis` on into one (`flatten(1)` turns NCHW into N×(CHW)).
    public func flatten(from startAxis: Int = 1) throws -> Tensor {
        guard rank > 0 else { return try reshape([1]) }
        let start = try Shape.normalize(axis: startAxis, rank: rank, op: "flatten")
        return try reshape(Array(shape[..<start]) + [Shape.count(Array(shape[start...]))])
    }

    /// Inserts a dimension of size 1 at `axis`, which ranges over `-(rank + 1)...rank` as in PyTorch.
    public func unsqueeze(_ axis: Int) throws -> Tensor {
        try requirePlainLayout(op: "unsqueeze")
        let a = try Shape.normalize(axis: axis, rank: rank + 1, op: "unsqueeze")
        var s = shape
        s.insert(1, at: a)
        return try reshape(s)
    }

    /// Reorders dimensions: output axis i is input axis `order[i]`.
    public func permute(_ order: [Int]) throws -> Tensor {
        try requirePlainLayout(op: "permute")
        let resolved = try order.map { try Shape.normalize(axis: $0, rank: rank, op: "permute") }
        guard resolved.count == rank, Set(resolved).count == rank else {
            throw KernelError.invalidArgument(op: "permute", message: "expected a permutation of \(rank) axes, found \(order)")
        }
        let outShape = resolved.map { shape[$0] }
        let inStrides = Shape.strides(shape)
        let source = Tensor.gatherIndices(shape: outShape, strides: resolved.map { inStrides[$0] }, offset: 0)
        let out = Tensor(unchecked: outShape, data: source.map { data[$0] }, elementType: elementType)
        return out.record("permute", inputs: [self]) { [self] g in
            var gi = [Float](repeating: 0, count: self.count)
            for i in 0..<source.count { gi[source[i]] = g[i] }
            self.accumulateGrad(gi)
        }
    }

    /// Swaps two axes (the default swaps the last two, a matrix transpose).
    public func transpose(_ a: Int = -2, _ b: Int = -1) throws -> Tensor {
        guard rank >= 2 else { return self }
        var order = Array(0..<rank)
        order.swapAt(try Shape.normalize(axis: a, rank: rank, op: "transpose"), try Shape.normalize(axis: b, rank: rank, op: "transpose"))
        return try permute(order)
    }

    /// Elements `start, start+step, …` (< end) along `axis`, Python slice semantics (negative bounds count from the end, clamped).
    public func slice(axis: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
        try requirePlainLayout(op: "slice")
        let a = try dimensionAxis(axis, op: "slice")
        let selection = try Tensor.sliceRange(length: shape[a], start: start, end: end, step: step)
        // An empty tensor may have a huge axis ([2^62, 0]); its slice is empty and needs no index list.
        if count == 0 {
            var outShape = shape
            outShape[a] = selection.count
            return Tensor(unchecked: outShape, data: [], elementType: elementType).record("slice", inputs: [self]) { [self] _ in
                self.accumulateGrad([])
            }
        }
        return try gather(axis: a, indices: (0..<selection.count).map { selection.first + $0 * step }, op: "slice")
    }

    /// The sub-tensor at `index` along `axis`, with that axis removed (`x[i]` for axis 0).
    public func select(axis: Int = 0, index: Int) throws -> Tensor {
        try requirePlainLayout(op: "select")
        let a = try dimensionAxis(axis, op: "select")
        let i = index < 0 ? index + shape[a] : index
        guard i >= 0, i < shape[a] else {
            throw KernelError.invalidArgument(op: "index", message: "index \(index) is out of range for axis \(a) of size \(shape[a])")
        }
        var s = shape
        s.remove(at: a)
        return try gather(axis: a, indices: [i], op: "select").reshape(s)
    }

    /// Picks `indices` (each in range) along `axis`, in that order; repeated indices are allowed.
    public func indexSelect(axis: Int, indices: [Int]) throws -> Tensor {
        try requirePlainLayout(op: "index_select")
        let a = try dimensionAxis(axis, op: "index_select")
        for i in indices where i < 0 || i >= shape[a] {
            throw KernelError.invalidArgument(op: "index_select", message: "index \(i) is out of range for axis \(a) of size \(shape[a])")
        }
        return try gather(axis: a, indices: indices, op: "index_select")
    }

    /// `axis` resolved for ops that index a dimension; unlike reductions, they have nothing to work on in a 0-d tensor.
    private func dimensionAxis(_ axis: Int, op: String) throws -> Int {
        guard rank > 0 else {
            throw KernelError.invalidArgument(op: op, message: "a 0-d tensor has no axis \(axis) (reshape it to [1] first)")
        }
        return try Shape.normalize(axis: axis, rank: rank, op: op)
    }

    private func gather(axis: Int, indices: [Int], op: String) throws -> Tensor {
        let (outer, length, inner) = split(at: axis)
        var outShape = shape
        outShape[axis] = indices.count
        let outCount = try Shape.validate(outShape, op: op)
        if outCount == 0 {
            return Tensor(unchecked: outShape, data: [], elementType: elementType).record(op, inputs: [self]) { [self] _ in
                self.accumulateGrad([Float](repeating: 0, count: self.count))
            }
        }
        var out = [Float](repeating: 0, count: outCount)
        data.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for (k, src) in indices.enumerated() {
                    let from = (o * length + src) * inner
                    let to = (o * indices.count + k) * inner
                    for i in 0..<inner { out[to + i] = x[from + i] }
                }
            }
        }
        let result = Tensor(unchecked: outShape, data: out, elementType: elementType)
        return result.record(op, inputs: [self]) { [self] g in
            var gi = [Float](repeating: 0, count: self.count)
            for o in 0..<outer {
                for (k, src) in indices.enumerated() {
                    let from = (o * length + src) * inner
                    let to = (o * indices.count + k) * inner
                    for i in 0..<inner { gi[from + i] += g[to + i] }
                }
            }
            self.accumulateGrad(gi)
        }
    }

    /// Joins tensors along an existing `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        for tensor in tensors { try tensor.requirePlainLayout(op: "concat") }
        guard let first = tensors.first else {
            throw KernelError.invalidArgument(op: "concat", message: "needs at least one tensor")
        }
        let a = try first.dimensionAxis(axis, op: "concat")
        for t in tensors.dropFirst() {
            var expected = first.shape
            guard t.rank == first.rank else {
                throw KernelError.shapeMismatch(
                    op: "concat", expected: "rank \(first.rank) like \(shapeString(first.shape))", found: shapeString(t.shape))
            }
            expected[a] = t.shape[a]
            guard expected == t.shape else {
                throw KernelError.shapeMismatch(
                    op: "concat", expected: "shapes equal to \(shapeString(first.shape)) except on axis \(a)", found: shapeString(t.shape))
            }
        }
        let outer = Shape.count(Array(first.shape[..<a]))
        let inner = Shape.count(Array(first.shape[(a + 1)...]))
        let total = try tensors.reduce(0) { try Shape.add($0, $1.shape[a], op: "concat", what: "the joined axis \(a)") }
        var outShape = first.shape
        outShape[a] = total
        let outCount = try Shape.validate(outShape, op: "concat")
        // Empty inputs can still have a huge outer count ([2^62, 0] joined on axis 1): nothing to copy, no loop.
        if outCount == 0 {
            return Tensor(unchecked: outShape, data: []).record("concat", inputs: tensors) { _ in
                for t in tensors where t.requiresGrad { t.accumulateGrad([Float](repeating: 0, count: t.count)) }
            }
        }
        var out = [Float](repeating: 0, count: outCount)
        var offsets: [Int] = []
        var offset = 0
        for t in tensors {
            offsets.append(offset)
            let block = t.shape[a] * inner
            for o in 0..<outer {
                let to = o * total * inner + offset * inner
                for j in 0..<block { out[to + j] = t.data[o * block + j] }
            }
            offset += t.shape[a]
        }
        let result = Tensor(unchecked: outShape, data: out)
        return result.record("concat", inputs: tensors) { g in
            for (t, start) in zip(tensors, offsets) where t.requiresGrad {
                let block = t.shape[a] * inner
                var gi = [Float](repeating: 0, count: t.count)
                for o in 0..<outer {
                    let from = o * total * inner + start * inner
                    for j in 0..<block { gi[o * block + j] = g[from + j] }
                }
                t.accumulateGrad(gi)
            }
        }
    }

    /// Stacks equally shaped tensors along a new `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        for tensor in tensors { try tensor.requirePlainLayout(op: "stack") }
        guard let first = tensors.first else {
            throw KernelError.invalidArgument(op: "stack", message: "needs at least one tensor")
        }
        for t in tensors where t.shape != first.shape {
            throw KernelError.shapeMismatch(op: "stack", expected: "every tensor of shape \(shapeString(first.shape))", found: shapeString(t.shape))
        }
        let a = try Shape.normalize(axis: axis, rank: first.rank + 1, op: "stack")
        return try concat(tensors.map { try $0.unsqueeze(a) }, axis: a)
    }

    /// Flat source indices for a strided walk over `shape`.
    static func gatherIndices(shape: [Int], strides: [Int], offset: Int) -> [Int] {
        let n = Shape.count(shape)
        var result = [Int](repeating: 0, count: n)
        guard n > 0 else { return result }
        var index = [Int](repeating: 0, count: shape.count)
        var position = offset
        for flat in 0..<n {
            result[flat] = position
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// The indices a Python slice `start:end:step` selects from `0..<length`.
    public static func sliceIndices(length: Int, start: Int?, end: Int?, step: Int) throws -> [Int] {
        let selection = try sliceRange(length: length, start: start, end: end, step: step)
        return (0..<selection.count).map { selection.first + $0 * step }
    }

    /// The first index and the number of indices a Python slice selects, computed without listing them.
    private static func sliceRange(length: Int, start: Int?, end: Int?, step: Int) throws -> (first: Int, count: Int) {
        guard step != 0 else { throw KernelError.invalidArgument(op: "slice", message: "slice step cannot be zero") }
        func clamp(_ v: Int, _ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(v, low), high) }
        // Bounds are clamped to [-1, length] before any arithmetic, so none of it can overflow.
        if step > 0 {
            let s = clamp(start.map { $0 < 0 ? $0 + length : $0 } ?? 0, 0, length)
            let e = clamp(end.map { $0 < 0 ? $0 + length : $0 } ?? length, 0, length)
            return (s, s < e ? (e - s - 1) / step + 1 : 0)
        }
        let s = clamp(start.map { $0 < 0 ? $0 + length : $0 } ?? length - 1, -1, length - 1)
        let e = clamp(end.map { $0 < 0 ? $0 + length : $0 } ?? -1, -1, length - 1)
        return (s, s > e ? (e - s + 1) / step + 1 : 0)
    }
}
