import CDNNL

// Matrix products through oneDNN's sgemm: it picks its kernels from the CPU's features (AVX-512, AVX2, ...), where a
// BLAS that dispatches on model numbers falls back to generic code on CPUs it does not know, and threads them with
// its OpenMP team (sized per thread: `BLASThreads`).

/// C = alpha·op(A)·op(B) + beta·C on row-major buffers; the one entry point to GEMM.
///
/// Every call site passes sizes and leading dimensions consistent by construction, so oneDNN can only fail when it
/// cannot allocate its packing buffers; C is then filled with NaN, so the failure shows in the result rather than
/// passing for numbers.
@inline(__always)
func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let transposed = CChar(UInt8(ascii: "T")), plain = CChar(UInt8(ascii: "N"))
    let product = {
        dnnl_sgemm(
            transA ? transposed : plain, transB ? transposed : plain, dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha, a,
            dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc))
    }
    // Waking sleeping OpenMP threads (rnx runs them passive) costs about 10 µs, more than a small product takes alone:
    // measured 12 µs with 2 threads against 3.5 µs on one for 128×64 · 64×10.
    let status = Double(m) * Double(n) * Double(k) < smallProduct ? BLASThreads.singleThreaded(product) : product()
    guard status != dnnl_success else { return }
    for row in 0..<m { (c + row * ldc).update(repeating: .nan, count: n) }
}

/// Multiply-adds below which sgemm runs on the calling thread alone (about 20 µs of work on one core).
private let smallProduct = Double(1 << 20)

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

/// The library behind `matmul`, linear layers and convolutions, and the kernels it chose on this CPU.
public enum KernelLibraries {
    /// oneDNN's version, threading runtime and effective instruction set, e.g. `oneDNN 2.6.3 (OpenMP), ISA avx512_core`;
    /// `ONEDNN_MAX_CPU_ISA` lowers the ISA. `make bench` prints it so a generic fallback can never hide.
    public static var summary: String {
        let isa = isaName(dnnl_get_effective_cpu_isa())
        guard let version = dnnl_version()?.pointee else { return "oneDNN (version unknown), ISA \(isa)" }
        let runtime = version.cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : version.cpu_runtime == DNNL_RUNTIME_SEQ ? "sequential" : "threads"
        return "oneDNN \(version.major).\(version.minor).\(version.patch) (\(runtime)), ISA \(isa)"
    }

    /// oneDNN's name for an ISA (as `ONEDNN_MAX_CPU_ISA` spells it, lower-cased).
    static func isaName(_ isa: dnnl_cpu_isa_t) -> String {
        switch isa {
        case dnnl_cpu_isa_sse41: return "sse41"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx512_mic: return "avx512_mic"
        case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        default: return "generic (0x\(String(isa.rawValue, radix: 16)))"
        }
    }
}
