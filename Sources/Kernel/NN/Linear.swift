// Fully connected layer (PyTorch's F.linear): y = x·Wᵀ + b.

extension Tensor {
    /// `x·weightᵀ + bias` for `x` of shape `[…, in]`, `weight` `[out, in]` (PyTorch layout) and `bias` `[out]`; result `[…, out]`.
    ///
    /// Leading dimensions of `x` are treated as the batch. Gradients flow to all three.
    public func linear(weight: Tensor, bias: Tensor?) throws -> Tensor {
        try requirePlainLayout(op: "linear")
        let op = "linear"
        guard rank >= 1 else {
            throw KernelError.shapeMismatch(op: op, expected: "input of shape [N, in]", found: "a scalar")
        }
        try NNChecks.requireRank(weight, [2], op: op, layout: "[out, in]", name: "weight")
        let inFeatures = shape[rank - 1], outFeatures = weight.shape[0]
        guard weight.shape[1] == inFeatures else {
            throw KernelError.shapeMismatch(
                op: op, expected: "input with \(weight.shape[1]) features (last axis) to match weight \(shapeString(weight.shape))",
                found: "input \(shapeString(shape))")
        }
        if let bias, bias.shape != [outFeatures] {
            throw KernelError.shapeMismatch(
                op: op, expected: "bias [\(outFeatures)] for weight \(shapeString(weight.shape))", found: "bias \(shapeString(bias.shape))")
        }
        let outShape = Array(shape.dropLast()) + [outFeatures]
        let outCount = try Shape.validate(outShape, op: op)
        // With no output there is nothing to compute, and the rows of an input without features may not fit in an Int.
        guard outCount > 0 else { return NNChecks.emptyResult(shape: outShape, inputs: [self, weight, bias].compactMap { $0 }, op: op) }
        let batchRows = outCount / outFeatures
        var out = [Float](repeating: 0, count: outCount)
        if let bias {
            for r in 0..<batchRows { out.replaceSubrange(r * outFeatures..<(r + 1) * outFeatures, with: bias.data) }
        }
        if batchRows > 0, outFeatures > 0, inFeatures > 0 {
            data.withUnsafeBufferPointer { x in
                weight.data.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { y in
                        guard let xp = x.baseAddress, let wp = w.baseAddress, let yp = y.baseAddress else { return }
                        sgemm(
                            transA: false, transB: true, m: batchRows, n: outFeatures, k: inFeatures, a: xp, lda: inFeatures,
                            b: wp, ldb: inFeatures, beta: bias == nil ? 0 : 1, c: yp, ldc: outFeatures)
                    }
                }
            }
        }
        let input = self
        let result = Tensor(unchecked: outShape, data: out)
        var inputs = [input, weight]
        if let bias { inputs.append(bias) }
        return result.record(op, inputs: inputs) { g in
            guard batchRows > 0, outFeatures > 0 else { return }
            g.withUnsafeBufferPointer { gb in
                guard let gp = gb.baseAddress else { return }
                if input.requiresGrad, inFeatures > 0 {
                    // dX = dY [rows, out] · W [out, in]
                    var dx = [Float](repeating: 0, count: input.count)
                    weight.data.withUnsafeBufferPointer { w in
                        dx.withUnsafeMutableBufferPointer { d in
                            guard let wp = w.baseAddress, let dp = d.baseAddress else { return }
                            sgemm(
                                transA: false, transB: false, m: batchRows, n: inFeatures, k: outFeatures, a: gp, lda: outFeatures,
                                b: wp, ldb: inFeatures, c: dp, ldc: inFeatures)
                        }
                    }
                    input.accumulateGrad(dx)
                }
                if weight.requiresGrad, inFeatures > 0 {
                    // dW = dYᵀ [out, rows] · X [rows, in]
                    var dw = [Float](repeating: 0, count: weight.count)
                    input.data.withUnsafeBufferPointer { x in
                        dw.withUnsafeMutableBufferPointer { d in
                            guard let xp = x.baseAddress, let dp = d.baseAddress else { return }
                            sgemm(
                                transA: true, transB: false, m: outFeatures, n: inFeatures, k: batchRows, a: gp, lda: outFeatures,
                                b: xp, ldb: inFeatures, c: dp, ldc: inFeatures)
                        }
                    }
                    weight.accumulateGrad(dw)
                }
                if let bias, bias.requiresGrad {
                    var db = [Float](repeating: 0, count: outFeatures)
                    for r in 0..<batchRows {
                        for o in 0..<outFeatures { db[o] += gb[r * outFeatures + o] }
                    }
                    bias.accumulateGrad(db)
                }
            }
        }
    }
}
