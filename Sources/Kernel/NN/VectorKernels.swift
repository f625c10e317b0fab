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
        while i < n { total += p[i]; i += 1 }
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
        while i < n { let d = p[i] - mean; total += d * d; i += 1 }
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
        while i < n { sum += g[i]; dot += g[i] * (x[i] - mean); i += 1 }
        return (sum, dot)
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
        while i < n { dst[i] += src[i]; i += 1 }
    }

    /// y[i] = x[i]·scale + shift for i in 0..<n.
    @inline(__always)
    static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float) {
        for i in 0..<n { y[i] = x[i] * scale + shift }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
}
