// Reductions over contiguous Float runs with several SIMD accumulators, so the compiler need not
// reorder floating-point additions (which it may not) to vectorise them.

enum VectorKernels {
    /// Σ p[i] for i in 0..<n.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            a0 += load(p + i)
            a1 += load(p + i + 8)
            i += 16
        }
        var total = (a0 + a1).sum()
        while i < n {
            total += p[i]
            i += 1
        }
        return total
    }

    /// Σ (p[i] − mean)² for i in 0..<n.
    @inline(__always)
    static func sumSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        let m = SIMD8<Float>(repeating: mean)
        var i = 0
        while i + 16 <= n {
            let d0 = load(p + i) - m, d1 = load(p + i + 8) - m
            a0 += d0 * d0
            a1 += d1 * d1
            i += 16
        }
        var total = (a0 + a1).sum()
        while i < n {
            let d = p[i] - mean
            total += d * d
            i += 1
        }
        return total
    }

    /// (Σ g[i], Σ g[i]·(x[i] − mean)) for i in 0..<n.
    @inline(__always)
    static func sumAndCenteredDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> (Float, Float) {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), d0 = SIMD8<Float>(), d1 = SIMD8<Float>()
        let m = SIMD8<Float>(repeating: mean)
        var i = 0
        while i + 16 <= n {
            let g0 = load(g + i), g1 = load(g + i + 8)
            s0 += g0
            s1 += g1
            d0 += g0 * (load(x + i) - m)
            d1 += g1 * (load(x + i + 8) - m)
            i += 16
        }
        var sum = (s0 + s1).sum(), dot = (d0 + d1).sum()
        while i < n {
            sum += g[i]
            dot += g[i] * (x[i] - mean)
            i += 1
        }
        return (sum, dot)
    }

    /// `sumAndCenteredDot` of g' where g'[i] = mask[i] > 0 ? g[i] : 0 (the gradient through a fused ReLU), summed in the
    /// same order as `sumAndCenteredDot`, so the fused op's results are bit-identical to ReLU's gradient then batch norm's.
    @inline(__always)
    static func maskedSumAndCenteredDot(
        _ g: UnsafePointer<Float>, mask y: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int,
        mean: Float
    ) -> (Float, Float) {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), d0 = SIMD8<Float>(), d1 = SIMD8<Float>()
        let m = SIMD8<Float>(repeating: mean), zero = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            let g0 = load(g + i).replacing(with: zero, where: .!(load(y + i) .> zero))
            let g1 = load(g + i + 8).replacing(with: zero, where: .!(load(y + i + 8) .> zero))
            s0 += g0
            s1 += g1
            d0 += g0 * (load(x + i) - m)
            d1 += g1 * (load(x + i + 8) - m)
            i += 16
        }
        var sum = (s0 + s1).sum(), dot = (d0 + d1).sum()
        while i < n {
            let gi: Float = y[i] > 0 ? g[i] : 0
            sum += gi
            dot += gi * (x[i] - mean)
            i += 1
        }
        return (sum, dot)
    }

    /// `combine` of g' where g'[i] = mask[i] > 0 ? g[i] : 0 (the gradient through a fused ReLU).
    @inline(__always)
    static func maskedCombine(
        _ g: UnsafePointer<Float>, mask y: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, _ n: Int, gScale: Float, xScale: Float, shift: Float
    ) {
        let a = SIMD8<Float>(repeating: gScale), b = SIMD8<Float>(repeating: xScale), c = SIMD8<Float>(repeating: shift)
        let zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let g0 = load(g + i).replacing(with: zero, where: .!(load(y + i) .> zero))
            store(g0 * a + load(x + i) * b + c, out + i)
            i += 8
        }
        while i < n {
            let gi: Float = y[i] > 0 ? g[i] : 0
            out[i] = gi * gScale + x[i] * xScale + shift
            i += 1
        }
    }

    /// dst[i] += src[i] for i in 0..<n (the buffers must not overlap).
    @inline(__always)
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            let sum = load(UnsafePointer(dst + i)) + load(src + i)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            dst[i] += src[i]
            i += 1
        }
    }

    /// y[i] = x[i]·scale + shift for i in 0..<n.
    @inline(__always)
    static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float) {
        let a = SIMD8<Float>(repeating: scale), b = SIMD8<Float>(repeating: shift)
        var i = 0
        while i + 8 <= n {
            store(load(x + i) * a + b, y + i)
            i += 8
        }
        while i < n {
            y[i] = x[i] * scale + shift
            i += 1
        }
    }

    /// y[i] = max(x[i]·scale + shift, 0) for i in 0..<n: batch norm (or a folded convolution) followed by ReLU.
    @inline(__always)
    static func affineReLU(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float) {
        let a = SIMD8<Float>(repeating: scale), b = SIMD8<Float>(repeating: shift), zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let v = load(x + i) * a + b
            store(v.replacing(with: zero, where: v .< zero), y + i)
            i += 8
        }
        while i < n {
            y[i] = Swift.max(x[i] * scale + shift, 0)
            i += 1
        }
    }

    /// out[i] = g[i]·gScale + x[i]·xScale + shift for i in 0..<n (the batch-norm input gradient).
    @inline(__always)
    static func combine(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
        gScale: Float, xScale: Float, shift: Float
    ) {
        let a = SIMD8<Float>(repeating: gScale), b = SIMD8<Float>(repeating: xScale), c = SIMD8<Float>(repeating: shift)
        var i = 0
        while i + 8 <= n {
            store(load(g + i) * a + load(x + i) * b + c, out + i)
            i += 8
        }
        while i < n {
            out[i] = g[i] * gScale + x[i] * xScale + shift
            i += 1
        }
    }

    /// y[i] = max(x[i], 0) for i in 0..<n (NaN stays NaN, as in PyTorch).
    @inline(__always)
    static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let v = load(x + i)
            // Select rather than `pointwiseMax`, so a NaN input gives NaN like the scalar `x > 0 ? x : 0` path.
            store(v.replacing(with: zero, where: v .<= zero), y + i)
            i += 8
        }
        while i < n {
            y[i] = x[i] <= 0 ? 0 : x[i]
            i += 1
        }
    }

    /// The gradient through a ReLU from its output: `g` where `output` is positive, 0 elsewhere, over both cores.
    static func reluGradient(_ g: [Float], output: [Float]) -> [Float] {
        g.withUnsafeBufferPointer { gb in
            output.withUnsafeBufferPointer { yb in
                Tensor.storage(count: gb.count) { dx in
                    guard let gp = gb.baseAddress, let yp = yb.baseAddress else { return }
                    Parallel.forEachRange(gb.count) { r in
                        reluGradient(gp + r.lowerBound, output: yp + r.lowerBound, dx + r.lowerBound, r.count)
                    }
                }
            }
        }
    }

    /// dx[i] = y[i] > 0 ? g[i] : 0 for i in 0..<n: the ReLU gradient from its output (y > 0 exactly where x > 0).
    @inline(__always)
    static func reluGradient(_ g: UnsafePointer<Float>, output y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        let zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            store(load(g + i).replacing(with: zero, where: .!(load(y + i) .> zero)), dx + i)
            i += 8
        }
        while i < n {
            dx[i] = y[i] > 0 ? g[i] : 0
            i += 1
        }
    }

    /// out[i] = a[i] + b[i] for i in 0..<n (`out` may be `a` or `b`).
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            store(load(a + i) + load(b + i), out + i)
            i += 8
        }
        while i < n {
            out[i] = a[i] + b[i]
            i += 1
        }
    }

    @inline(__always)
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
}
