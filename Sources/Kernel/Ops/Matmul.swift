import COpenBLAS

// Matrix products through OpenBLAS's sgemm.

/// C = alpha·op(A)·op(B) + beta·C on row-major buffers; the one entry point to BLAS.
@inline(__always)
func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

extension Tensor {
    /// Matrix product of `[m, k]` and `[k, n]`, or batched `[b, m, k]` × `[b, k, n]` (a 2-D right side is shared).
    public func matmul(_ other: Tensor) throws -> Tensor {
        try requirePlainLayout(op: "matmul")
        try other.requirePlainLayout(op: "matmul")
        let a = self, b = other
        guard a.rank == 2 || a.rank == 3, b.rank == 2 || b.rank == 3, !(a.rank == 2 && b.rank == 3) else {
            throw KernelError.shapeMismatch(
                op: "matmul", expected: "[m, k] @ [k, n] or [b, m, k] @ [b or none, k, n]", found: "\(shapeString(a.shape)) @ \(shapeString(b.shape))"
            )
        }
        let batch = a.rank == 3 ? a.shape[0] : 1
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let kb = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        guard k == kb, b.rank == 2 || b.shape[0] == batch else {
            throw KernelError.shapeMismatch(
                op: "matmul", expected: "inner dimensions to agree", found: "\(shapeString(a.shape)) @ \(shapeString(b.shape))")
        }
        let outShape = a.rank == 3 ? [batch, m, n] : [m, n]
        // [2^32, 0] @ [0, 2^32] has empty operands but 2^64 outputs: checked before allocating.
        let outCount = try Shape.validate(outShape, op: "matmul")
        // Sizes of a tensor's shape and of a validated output, so these products cannot overflow.
        let bStride = b.rank == 3 ? k * n : 0
        // With an empty output or inner dimension there is nothing to multiply (the product is zeros), and the batch
        // loop must not count through a huge batch of empty matrices.
        let multiplies = outCount > 0 && k > 0
        // BLAS takes 32-bit sizes; a larger matrix would be truncated, not refused.
        for (size, what) in [(m, "rows"), (n, "columns"), (k, "inner dimension")] where multiplies && size > Int(Int32.max) {
            throw KernelError.invalidArgument(op: "matmul", message: "\(what) \(size) exceeds the largest matrix size BLAS supports (\(Int32.max))")
        }
        var out = [Float](repeating: 0, count: outCount)
        if multiplies {
            a.data.withUnsafeBufferPointer { pa in
                b.data.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { pc in
                        guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
                        for i in 0..<batch {
                            sgemm(
                                transA: false, transB: false, m: m, n: n, k: k, a: pa + i * m * k, lda: k,
                                b: pb + i * bStride, ldb: n, c: pc + i * m * n, ldc: n)
                        }
                    }
                }
            }
        }
        let result = Tensor(unchecked: outShape, data: out)
        return result.record("matmul", inputs: [a, b]) { g in
            g.withUnsafeBufferPointer { pg in
                guard multiplies, let pg = pg.baseAddress else { return }
                if a.requiresGrad {
                    // dA = dC · Bᵀ
                    var ga = [Float](repeating: 0, count: a.count)
                    b.data.withUnsafeBufferPointer { pb in
                        ga.withUnsafeMutableBufferPointer { pa in
                            guard let pb = pb.baseAddress, let pa = pa.baseAddress else { return }
                            for i in 0..<batch {
                                sgemm(
                                    transA: false, transB: true, m: m, n: k, k: n, a: pg + i * m * n, lda: n,
                                    b: pb + i * bStride, ldb: n, c: pa + i * m * k, ldc: k)
                            }
                        }
                    }
                    a.accumulateGrad(ga)
                }
                if b.requiresGrad {
                    // dB = Aᵀ · dC, summed over the batch when B is shared.
                    var gb = [Float](repeating: 0, count: b.count)
                    a.data.withUnsafeBufferPointer { pa in
                        gb.withUnsafeMutableBufferPointer { pb in
                            guard let pa = pa.baseAddress, let pb = pb.baseAddress else { return }
                            for i in 0..<batch {
                                sgemm(
                                    transA: true, transB: false, m: k, n: n, k: m, a: pa + i * m * k, lda: k,
                                    b: pg + i * m * n, ldb: n, beta: bStride == 0 && i > 0 ? 1 : 0,
                                    c: pb + i * bStride, ldc: n)
                            }
                        }
                    }
                    b.accumulateGrad(gb)
                }
            }
        }
    }
}
