// Batch-norm kernels on oneDNN's 16-channel blocked layout (nChw16c), in which training keeps its feature maps.
//
// In that layout the 16 channels of a block sit side by side for every pixel, so one SIMD16 register holds a pixel's
// values for 16 channels and per-channel sums are plain vector additions.

/// The `nChw16c` layout of a `[N, C, H, W]` feature map with C a multiple of 16: value (n, c, p) of plane position `p`
/// lives at `((n·C/16 + c/16)·plane + p)·16 + c%16`. A "run" is one (sample, channel block) pair: `plane·16` values.
struct ChannelBlocks {
    /// Channels per block.
    static let width = 16
    typealias Vector = SIMD16<Float>

    let batch: Int, channels: Int, plane: Int

    var blocks: Int { channels / ChannelBlocks.width }
    var runs: Int { batch * blocks }
    var count: Int { batch * channels * plane }
    /// Values per channel over the whole batch.
    var perChannel: Int { batch * plane }

    /// Fills `mean` with the per-channel means of blocked `y` and returns the biased variances, each run summed in Float
    /// and the runs in Double (as `BatchNormLayout.statistics` does for NCHW runs).
    func statistics(_ y: UnsafePointer<Float>, mean: inout [Float]) -> [Double] {
        let partial = UnsafeMutablePointer<Vector>.allocate(capacity: runs)
        defer { partial.deallocate() }
        forEachRun { run in partial[run] = sum(y + run * plane * ChannelBlocks.width) }
        let count = Double(perChannel)
        for c in 0..<channels {
            var total = 0.0
            for n in 0..<batch { total += Double(partial[n * blocks + c / ChannelBlocks.width][c % ChannelBlocks.width]) }
            mean[c] = Float(total / count)
        }
        // Two passes: subtracting the mean first keeps the variance accurate for large means.
        forEachRun { run in
            partial[run] = squaredDeviation(y + run * plane * ChannelBlocks.width, mean: vector(mean, block: run % blocks))
        }
        var variance = [Double](repeating: 0, count: channels)
        for c in 0..<channels {
            var total = 0.0
            for n in 0..<batch { total += Double(partial[n * blocks + c / ChannelBlocks.width][c % ChannelBlocks.width]) }
            variance[c] = total / count
        }
        return variance
    }

    /// Blocked `out` = blocked `y`·scale[c] + shift[c], then max(·, 0) when `relu`.
    func affine(_ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scale: [Float], shift: [Float], relu: Bool) {
        let w = ChannelBlocks.width
        forEachRun { run in
            let block = run % blocks
            let a = vector(scale, block: block), b = vector(shift, block: block), zero = Vector()
            let source = y + run * plane * w, target = out + run * plane * w
            if relu {
                for p in 0..<plane {
                    let v = load(source + p * w) * a + b
                    store(v.replacing(with: zero, where: v .< zero), target + p * w)
                }
            } else {
                for p in 0..<plane { store(load(source + p * w) * a + b, target + p * w) }
            }
        }
    }

    /// Per channel (Σ g', Σ g'·(y − mean)·invStd) for blocked `g`, `y` and `mask`, where g' is `g` zeroed wherever `mask`
    /// is not positive (the gradient through a fused ReLU), or `g` itself without a mask.
    func gradientSums(
        _ g: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ y: UnsafePointer<Float>, mean: [Float],
        invStd: [Float]
    ) -> (sumG: [Float], sumGXhat: [Float]) {
        let w = ChannelBlocks.width
        let sums = UnsafeMutablePointer<Vector>.allocate(capacity: runs), dots = UnsafeMutablePointer<Vector>.allocate(capacity: runs)
        defer {
            sums.deallocate()
            dots.deallocate()
        }
        forEachRun { run in
            let m = vector(mean, block: run % blocks), zero = Vector()
            let base = run * plane * w
            var s = Vector(), d = Vector()
            for p in 0..<plane {
                var v = load(g + base + p * w)
                if let mask { v = v.replacing(with: zero, where: .!(load(mask + base + p * w) .> zero)) }
                s += v
                d += v * (load(y + base + p * w) - m)
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

    /// Blocked `out` = g'·gScale[c] + y·yScale[c] + shift[c], `g`, `y` and `mask` blocked, g' as in `gradientSums`
    /// (the batch-norm input gradient).
    func combine(
        _ g: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
        gScale: [Float], yScale: [Float], shift: [Float]
    ) {
        let w = ChannelBlocks.width
        forEachRun { run in
            let block = run % blocks
            let a = vector(gScale, block: block), b = vector(yScale, block: block), c = vector(shift, block: block), zero = Vector()
            let base = run * plane * w
            for p in 0..<plane {
                let i = base + p * w
                var v = load(g + i)
                if let mask { v = v.replacing(with: zero, where: .!(load(mask + i) .> zero)) }
                store(v * a + load(y + i) * b + c, out + i)
            }
        }
    }

    /// NCHW `out` = blocked `y` (the plain layout the im2col fallback needs).
    func toPlain(_ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let w = ChannelBlocks.width
        forEachRun { run in
            let n = run / blocks, block = run % blocks
            let source = y + run * plane * w, target = out + (n * channels + block * w) * plane
            for p in 0..<plane {
                for k in 0..<w { target[k * plane + p] = source[p * w + k] }
            }
        }
    }

    /// Blocked `out` = NCHW `x`.
    func toBlocked(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let w = ChannelBlocks.width
        forEachRun { run in
            let n = run / blocks, block = run % blocks
            let source = x + (n * channels + block * w) * plane, target = out + run * plane * w
            for p in 0..<plane {
                for k in 0..<w { target[p * w + k] = source[k * plane + p] }
            }
        }
    }

    // MARK: Helpers

    private func sum(_ p: UnsafePointer<Float>) -> Vector {
        var a0 = Vector(), a1 = Vector()
        let w = ChannelBlocks.width
        var i = 0
        while i + 1 < plane {
            a0 += load(p + i * w)
            a1 += load(p + (i + 1) * w)
            i += 2
        }
        if i < plane { a0 += load(p + i * w) }
        return a0 + a1
    }

    private func squaredDeviation(_ p: UnsafePointer<Float>, mean m: Vector) -> Vector {
        var a0 = Vector(), a1 = Vector()
        let w = ChannelBlocks.width
        var i = 0
        while i + 1 < plane {
            let d0 = load(p + i * w) - m, d1 = load(p + (i + 1) * w) - m
            a0 += d0 * d0
            a1 += d1 * d1
            i += 2
        }
        if i < plane {
            let d = load(p + i * w) - m
            a0 += d * d
        }
        return a0 + a1
    }

    /// The 16 values of `values` for channel block `block`.
    private func vector(_ values: [Float], block: Int) -> Vector {
        var v = Vector()
        for k in 0..<ChannelBlocks.width { v[k] = values[block * ChannelBlocks.width + k] }
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
    private func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    private func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }
}
