// Batch-norm kernels and layout conversions on oneDNN's channel-blocked layouts (nChw8c, nChw16c), in which training
// keeps its feature maps.
//
// In those layouts the channels of a block sit side by side for every pixel, so one SIMD register of the block width
// holds a pixel's values for a block's channels and per-channel sums are plain vector additions. The kernels are
// written once, generic over the vector type, and specialised for both widths.

/// The `nChw{w}c` layout of a `[N, C, H, W]` feature map with C a multiple of the width w: value (n, c, p) of plane
/// position `p` lives at `((n·C/w + c/w)·plane + p)·w + c%w`. A "run" is one (sample, channel block) pair: `plane·w`
/// values.
struct ChannelBlocks {
    let batch: Int, channels: Int, plane: Int
    /// Channels per block.
    let width: ChannelBlockWidth

    var blocks: Int { channels / width.rawValue }
    var runs: Int { batch * blocks }
    var count: Int { batch * channels * plane }
    /// Values per channel over the whole batch.
    var perChannel: Int { batch * plane }

    /// Fills `mean` with the per-channel means of blocked `y` and returns the biased variances, each run summed in Float
    /// and the runs in Double (as `BatchNormLayout.statistics` does for NCHW runs).
    func statistics(_ y: UnsafePointer<Float>, mean: inout [Float]) -> [Double] {
        switch width {
        case .eight: BlockLanes<SIMD8<Float>>(self).statistics(y, mean: &mean)
        case .sixteen: BlockLanes<SIMD16<Float>>(self).statistics(y, mean: &mean)
        }
    }

    /// Blocked `out` = blocked `y`·scale[c] + shift[c], then max(·, 0) when `relu`.
    func affine(_ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scale: [Float], shift: [Float], relu: Bool) {
        switch width {
        case .eight: BlockLanes<SIMD8<Float>>(self).affine(y, out, scale: scale, shift: shift, relu: relu)
        case .sixteen: BlockLanes<SIMD16<Float>>(self).affine(y, out, scale: scale, shift: shift, relu: relu)
        }
    }

    /// Per channel (Σ g', Σ g'·(y − mean)·invStd) for blocked `g`, `y` and `mask`, where g' is `g` zeroed wherever `mask`
    /// is not positive (the gradient through a fused ReLU), or `g` itself without a mask.
    func gradientSums(
        _ g: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ y: UnsafePointer<Float>, mean: [Float],
        invStd: [Float]
    ) -> (sumG: [Float], sumGXhat: [Float]) {
        switch width {
        case .eight: BlockLanes<SIMD8<Float>>(self).gradientSums(g, mask: mask, y, mean: mean, invStd: invStd)
        case .sixteen: BlockLanes<SIMD16<Float>>(self).gradientSums(g, mask: mask, y, mean: mean, invStd: invStd)
        }
    }

    /// Blocked `out` = g'·gScale[c] + y·yScale[c] + shift[c], `g`, `y` and `mask` blocked, g' as in `gradientSums`
    /// (the batch-norm input gradient).
    func combine(
        _ g: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
        gScale: [Float], yScale: [Float], shift: [Float]
    ) {
        switch width {
        case .eight: BlockLanes<SIMD8<Float>>(self).combine(g, mask: mask, y, into: out, gScale: gScale, yScale: yScale, shift: shift)
        case .sixteen: BlockLanes<SIMD16<Float>>(self).combine(g, mask: mask, y, into: out, gScale: gScale, yScale: yScale, shift: shift)
        }
    }

    /// NCHW `out` = blocked `y` (the plain layout the im2col fallback needs), or blocked `out` = NCHW `y` when
    /// `toBlocked`.
    func convert(_ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, toBlocked: Bool) {
        switch width {
        case .eight: BlockLanes<SIMD8<Float>>(self).convert(y, out, toBlocked: toBlocked)
        case .sixteen: BlockLanes<SIMD16<Float>>(self).convert(y, out, toBlocked: toBlocked)
        }
    }
}

/// The vector operations of the kernels, each the concrete vector type's own: generic `SIMD` arithmetic stays a loop
/// over the lanes even when specialised (measured 2× slower ResNet-20 training steps), the concrete operators are
/// vector instructions.
private protocol BlockVector: SIMD where Scalar == Float {
    static func sum(_ a: Self, _ b: Self) -> Self
    static func difference(_ a: Self, _ b: Self) -> Self
    static func product(_ a: Self, _ b: Self) -> Self
    /// a·b + c.
    static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self
    /// max(v, 0).
    static func positivePart(_ v: Self) -> Self
    /// `v` where `mask` is positive, 0 elsewhere.
    static func masked(_ v: Self, by mask: Self) -> Self
}

extension SIMD8: BlockVector where Scalar == Float {
    static func sum(_ a: Self, _ b: Self) -> Self { a + b }
    static func difference(_ a: Self, _ b: Self) -> Self { a - b }
    static func product(_ a: Self, _ b: Self) -> Self { a * b }
    static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self { a * b + c }
    static func positivePart(_ v: Self) -> Self { v.replacing(with: Self(), where: v .< Self()) }
    static func masked(_ v: Self, by mask: Self) -> Self { v.replacing(with: Self(), where: .!(mask .> Self())) }
}

extension SIMD16: BlockVector where Scalar == Float {
    static func sum(_ a: Self, _ b: Self) -> Self { a + b }
    static func difference(_ a: Self, _ b: Self) -> Self { a - b }
    static func product(_ a: Self, _ b: Self) -> Self { a * b }
    static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self { a * b + c }
    static func positivePart(_ v: Self) -> Self { v.replacing(with: Self(), where: v .< Self()) }
    static func masked(_ v: Self, by mask: Self) -> Self { v.replacing(with: Self(), where: .!(mask .> Self())) }
}

/// `ChannelBlocks`' kernels for the vector type `V` of one block (`V.scalarCount` is the block width).
private struct BlockLanes<V: BlockVector> {
    let batch: Int, channels: Int, plane: Int, blocks: Int, runs: Int, count: Int
    let w = V.scalarCount

    init(_ layout: ChannelBlocks) {
        batch = layout.batch
        channels = layout.channels
        plane = layout.plane
        blocks = layout.blocks
        runs = layout.runs
        count = layout.count
    }

    func statistics(_ y: UnsafePointer<Float>, mean: inout [Float]) -> [Double] {
        let partial = UnsafeMutablePointer<V>.allocate(capacity: runs)
        defer { partial.deallocate() }
        forEachRun { run in partial[run] = sum(y + run * plane * w) }
        let count = Double(batch * plane)
        for c in 0..<channels {
            var total = 0.0
            for n in 0..<batch { total += Double(partial[n * blocks + c / w][c % w]) }
            mean[c] = Float(total / count)
        }
        // Two passes: subtracting the mean first keeps the variance accurate for large means.
        forEachRun { run in
            partial[run] = squaredDeviation(y + run * plane * w, mean: vector(mean, block: run % blocks))
        }
        var variance = [Double](repeating: 0, count: channels)
        for c in 0..<channels {
            var total = 0.0
            for n in 0..<batch { total += Double(partial[n * blocks + c / w][c % w]) }
            variance[c] = total / count
        }
        return variance
    }

    func affine(_ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scale: [Float], shift: [Float], relu: Bool) {
        forEachRun { run in
            let block = run % blocks
            let a = vector(scale, block: block), b = vector(shift, block: block)
            let source = y + run * plane * w, target = out + run * plane * w
            if relu {
                for p in 0..<plane { store(V.positivePart(V.multiplyAdd(load(source + p * w), a, b)), target + p * w) }
            } else {
                for p in 0..<plane { store(V.multiplyAdd(load(source + p * w), a, b), target + p * w) }
            }
        }
    }

    func gradientSums(
        _ g: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ y: UnsafePointer<Float>, mean: [Float],
        invStd: [Float]
    ) -> (sumG: [Float], sumGXhat: [Float]) {
        let sums = UnsafeMutablePointer<V>.allocate(capacity: runs), dots = UnsafeMutablePointer<V>.allocate(capacity: runs)
        defer {
            sums.deallocate()
            dots.deallocate()
        }
        forEachRun { run in
            let m = vector(mean, block: run % blocks)
            let base = run * plane * w
            var s = V(), d = V()
            for p in 0..<plane {
                var v = load(g + base + p * w)
                if let mask { v = V.masked(v, by: load(mask + base + p * w)) }
                s = V.sum(s, v)
                d = V.multiplyAdd(v, V.difference(load(y + base + p * w), m), d)
            }
            sums[run] = s
            dots[run] = d
        }
        var sumG = [Float](repeating: 0, count: channels), sumGXhat = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            var s = 0.0, d = 0.0
            for n in 0..<batch {
                s += Double(sums[n * blocks + c / w][c % w])
                d += Double(dots[n * blocks + c / w][c % w])
            }
            sumG[c] = Float(s)
            sumGXhat[c] = Float(d) * invStd[c]
        }
        return (sumG, sumGXhat)
    }

    func combine(
        _ g: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
        gScale: [Float], yScale: [Float], shift: [Float]
    ) {
        forEachRun { run in
            let block = run % blocks
            let a = vector(gScale, block: block), b = vector(yScale, block: block), c = vector(shift, block: block)
            let base = run * plane * w
            for p in 0..<plane {
                let i = base + p * w
                var v = load(g + i)
                if let mask { v = V.masked(v, by: load(mask + i)) }
                store(V.multiplyAdd(v, a, V.multiplyAdd(load(y + i), b, c)), out + i)
            }
        }
    }

    func convert(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, toBlocked: Bool) {
        forEachRun { run in
            let n = run / blocks, block = run % blocks
            let blocked = run * plane * w, planar = (n * channels + block * w) * plane
            if toBlocked {
                for p in 0..<plane {
                    for k in 0..<w { out[blocked + p * w + k] = x[planar + k * plane + p] }
                }
            } else {
                for p in 0..<plane {
                    for k in 0..<w { out[planar + k * plane + p] = x[blocked + p * w + k] }
                }
            }
        }
    }

    // MARK: Helpers

    private func sum(_ p: UnsafePointer<Float>) -> V {
        var a0 = V(), a1 = V()
        var i = 0
        while i + 1 < plane {
            a0 = V.sum(a0, load(p + i * w))
            a1 = V.sum(a1, load(p + (i + 1) * w))
            i += 2
        }
        if i < plane { a0 = V.sum(a0, load(p + i * w)) }
        return V.sum(a0, a1)
    }

    private func squaredDeviation(_ p: UnsafePointer<Float>, mean m: V) -> V {
        var a0 = V(), a1 = V()
        var i = 0
        while i + 1 < plane {
            let d0 = V.difference(load(p + i * w), m), d1 = V.difference(load(p + (i + 1) * w), m)
            a0 = V.multiplyAdd(d0, d0, a0)
            a1 = V.multiplyAdd(d1, d1, a1)
            i += 2
        }
        if i < plane {
            let d = V.difference(load(p + i * w), m)
            a0 = V.multiplyAdd(d, d, a0)
        }
        return V.sum(a0, a1)
    }

    /// The values of `values` for channel block `block`.
    private func vector(_ values: [Float], block: Int) -> V {
        var v = V()
        for k in 0..<w { v[k] = values[block * w + k] }
        return v
    }

    /// Runs `body` for every run, split over the workers (one thread for small inputs).
    private func forEachRun(_ body: (Int) -> Void) {
        if count < Parallel.elementwiseGrain || runs == 1 {
            for run in 0..<runs { body(run) }
        } else {
            Parallel.forEach(runs, body)
        }
    }

    @inline(__always)
    private func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    private func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
}
