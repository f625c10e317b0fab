/// Index bookkeeping for broadcasting elementwise ops.
enum Broadcast {
    /// For each element of `outShape` (row-major), the flat index of the element of `inShape` it reads.
    ///
    /// The result has one entry per output element, so `outShape` must have passed `Shape.validate` (as every
    /// broadcasting op's output does before this is called).
    static func sourceIndices(out outShape: [Int], in inShape: [Int]) -> [Int] {
        let rank = outShape.count
        let padded = [Int](repeating: 1, count: rank - inShape.count) + inShape
        let inStrides = Shape.strides(padded)
        let effective = (0..<rank).map { padded[$0] == 1 ? 0 : inStrides[$0] }
        let n = Shape.count(outShape)
        var result = [Int](repeating: 0, count: n)
        guard n > 0 else { return result }
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        for flat in 0..<n {
            result[flat] = offset
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += effective[axis]
                if index[axis] < outShape[axis] { break }
                offset -= effective[axis] * outShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// Sums a gradient laid out as `outShape` down to `inShape` (the adjoint of broadcasting).
    static func reduce(_ gradient: [Float], out outShape: [Int], to inShape: [Int]) -> [Float] {
        if outShape == inShape { return gradient }
        let n = Shape.count(inShape)
        if n == 1 {
            return [gradient.reduce(0, +)]
        }
        var result = [Float](repeating: 0, count: n)
        let indices = sourceIndices(out: outShape, in: inShape)
        for i in 0..<gradient.count { result[indices[i]] += gradient[i] }
        return result
    }
}
