// Max, average and global average pooling over NCHW images (PyTorch's F.max_pool2d, F.avg_pool2d, adaptive_avg_pool2d(1)).

/// The sizes of one 2-D pooling window sweep.
struct PoolGeometry {
    let planes: Int, height: Int, width: Int
    let kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, padH: Int, padW: Int
    let outH: Int, outW: Int
    /// The kernel columns that read at least one pixel: with padding as large as half a huge kernel, the others
    /// (padding only) would be looped over for nothing.
    let tapColumns: Range<Int>

    /// Checks the arguments the way PyTorch does and computes the output size (floor mode).
    init(input: [Int], kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int), op: String) throws {
        guard input.count == 4 else {
            throw KernelError.shapeMismatch(op: op, expected: "input of shape [N, C, H, W]", found: "input \(shapeString(input))")
        }
        try NNChecks.requirePair(kernel, atLeast: 1, op: op, name: "kernel")
        let stride = stride ?? kernel
        try NNChecks.requirePair(stride, atLeast: 1, op: op, name: "stride")
        try NNChecks.requirePair(padding, atLeast: 0, op: op, name: "padding")
        guard padding.0 <= kernel.0 / 2, padding.1 <= kernel.1 / 2 else {
            throw KernelError.invalidArgument(
                op: op,
                message: "padding must be at most half the kernel, found padding (\(padding.0), \(padding.1)) for kernel (\(kernel.0), \(kernel.1))")
        }
        // As in PyTorch: padding would otherwise make windows over an image with no pixels at all.
        guard input[2] > 0, input[3] > 0 else {
            throw KernelError.shapeMismatch(op: op, expected: "an image of positive height and width", found: "input \(shapeString(input))")
        }
        planes = input[0] * input[1]
        height = input[2]
        width = input[3]
        kernelH = kernel.0
        kernelW = kernel.1
        strideH = stride.0
        strideW = stride.1
        padH = padding.0
        padW = padding.1
        outH = try NNChecks.windowCount(length: height, window: kernelH, stride: strideH, padding: padH, op: op, input: input, axis: "height")
        outW = try NNChecks.windowCount(length: width, window: kernelW, stride: strideW, padding: padW, op: op, input: input, axis: "width")
        try Shape.validate([input[0], input[1], outH, outW], op: op)
        // (outW − 1)·strideW ≤ padded width − kernel width, so neither bound overflows.
        tapColumns = Swift.max(0, padW - (outW - 1) * strideW)..<Swift.min(kernelW, width + padW)
    }

    /// Visits the window taps of one plane tap by tap: `body(oh, inputRow, lo, hi)` means outputs `lo..<hi` of output row `oh`
    /// read input element `inputRow + ow·strideW` (padding taps skipped). Within a window, taps come in row-major order.
    @inline(__always)
    func forEachTap(_ body: (_ oh: Int, _ inputRow: Int, _ lo: Int, _ hi: Int) -> Void) {
        for oh in 0..<outH {
            let (h0, h1) = PoolGeometry.span(oh, stride: strideH, pad: padH, kernel: kernelH, length: height)
            for h in h0..<h1 {
                for kj in tapColumns {
                    let offset = kj - padW
                    let (lo, hi) = ConvGeometry.validRange(offset: offset, stride: strideW, length: width, count: outW)
                    body(oh, h * width + offset, lo, hi)
                }
            }
        }
    }

    /// The input rows (or columns) `lo..<hi` window `o` covers, clipped to the image.
    @inline(__always)
    static func span(_ o: Int, stride: Int, pad: Int, kernel: Int, length: Int) -> (Int, Int) {
        let start = o * stride - pad
        return (Swift.max(start, 0), Swift.min(start + kernel, length))
    }
}

extension Tensor {
    /// Maximum over each `kernel` window of `[N, C, H, W]`, moving by `stride` (default: `kernel`); padding counts as −∞.
    ///
    /// The gradient goes to the first maximal element of each window (row-major), as in PyTorch.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws -> Tensor {
        try requirePlainLayout(op: "max_pool2d")
        let g = try PoolGeometry(input: shape, kernel: kernel, stride: stride, padding: padding, op: "max_pool2d")
        guard g.planes > 0 else { return NNChecks.emptyResult(shape: [shape[0], shape[1], g.outH, g.outW], inputs: [self], op: "max_pool2d") }
        let outPlane = g.outH * g.outW, inPlane = g.height * g.width
        guard inPlane <= Int(Int32.max) else {
            throw KernelError.invalidArgument(
                op: "max_pool2d",
                message: "input \(shapeString(shape)) has \(inPlane) pixels per image, more than the \(Int32.max) its gradient can index")
        }
        var out = [Float](repeating: 0, count: g.planes * outPlane)
        // Flat input index of each output's maximum, for the backward pass.
        var argmax = [Int32](repeating: 0, count: out.count)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                argmax.withUnsafeMutableBufferPointer { a in
                    guard let xb = x.baseAddress, let yb = y.baseAddress, let ab = a.baseAddress else { return }
                    Parallel.forEach(g.planes) { plane in
                        let xp = xb + plane * inPlane, yp = yb + plane * outPlane, ap = ab + plane * outPlane
                        for oh in 0..<g.outH {
                            let h0 = Swift.max(oh * g.strideH - g.padH, 0)
                            for ow in 0..<g.outW {
                                yp[oh * g.outW + ow] = -.infinity
                                ap[oh * g.outW + ow] = Int32(truncatingIfNeeded: h0 * g.width + Swift.max(ow * g.strideW - g.padW, 0))
                            }
                        }
                        g.forEachTap { oh, inputRow, lo, hi in
                            let best = yp + oh * g.outW, index = ap + oh * g.outW
                            var ow = lo
                            // Eight outputs at a time with vector selects: the comparison is unpredictable on
                            // real data, so branches would mispredict half the time.
                            while ow + 8 <= hi {
                                var v = SIMD8<Float>(), i = SIMD8<Int32>()
                                for lane in 0..<8 {
                                    let flat = inputRow + (ow + lane) * g.strideW
                                    v[lane] = xp[flat]
                                    i[lane] = Int32(truncatingIfNeeded: flat)
                                }
                                let current = UnsafeRawPointer(best + ow).loadUnaligned(as: SIMD8<Float>.self)
                                let currentIndex = UnsafeRawPointer(index + ow).loadUnaligned(as: SIMD8<Int32>.self)
                                // Strictly greater keeps the first of equal maxima; NaN wins, as in PyTorch.
                                let take = (v .> current) .| (v .!= v)
                                UnsafeMutableRawPointer(best + ow).storeBytes(of: current.replacing(with: v, where: take), as: SIMD8<Float>.self)
                                UnsafeMutableRawPointer(index + ow).storeBytes(
                                    of: currentIndex.replacing(with: i, where: take), as: SIMD8<Int32>.self)
                                ow += 8
                            }
                            while ow < hi {
                                let flat = inputRow + ow * g.strideW
                                let v = xp[flat]
                                if v > best[ow] || v.isNaN {
                                    best[ow] = v
                                    index[ow] = Int32(truncatingIfNeeded: flat)
                                }
                                ow += 1
                            }
                        }
                    }
                }
            }
        }
        let input = self
        let result = Tensor(unchecked: [shape[0], shape[1], g.outH, g.outW], data: out)
        return result.record("max_pool2d", inputs: [input]) { grad in
            var dx = [Float](repeating: 0, count: input.count)
            dx.withUnsafeMutableBufferPointer { d in
                grad.withUnsafeBufferPointer { gb in
                    argmax.withUnsafeBufferPointer { a in
                        Parallel.forEach(g.planes) { plane in
                            for o in 0..<outPlane {
                                let i = plane * outPlane + o
                                d[plane * inPlane + Int(a[i])] += gb[i]
                            }
                        }
                    }
                }
            }
            input.accumulateGrad(dx)
        }
    }

    /// Mean over each `kernel` window of `[N, C, H, W]`, moving by `stride` (default: `kernel`).
    ///
    /// Zero padding counts towards the mean (PyTorch's default `count_include_pad=True`): every window divides by kH·kW.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) throws -> Tensor {
        try requirePlainLayout(op: "avg_pool2d")
        let g = try PoolGeometry(input: shape, kernel: kernel, stride: stride, padding: padding, op: "avg_pool2d")
        guard g.planes > 0 else { return NNChecks.emptyResult(shape: [shape[0], shape[1], g.outH, g.outW], inputs: [self], op: "avg_pool2d") }
        let outPlane = g.outH * g.outW, inPlane = g.height * g.width
        // In Float: the window's area may not fit in an Int.
        let scale = 1 / (Float(g.kernelH) * Float(g.kernelW))
        var out = [Float](repeating: 0, count: g.planes * outPlane)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                guard let xb = x.baseAddress, let yb = y.baseAddress else { return }
                Parallel.forEach(g.planes) { plane in
                    let xp = xb + plane * inPlane, yp = yb + plane * outPlane
                    g.forEachTap { oh, inputRow, lo, hi in
                        let sums = yp + oh * g.outW
                        for ow in lo..<hi { sums[ow] += xp[inputRow + ow * g.strideW] }
                    }
                    for i in 0..<outPlane { yp[i] *= scale }
                }
            }
        }
        let input = self
        let result = Tensor(unchecked: [shape[0], shape[1], g.outH, g.outW], data: out)
        return result.record("avg_pool2d", inputs: [input]) { grad in
            var dx = [Float](repeating: 0, count: input.count)
            dx.withUnsafeMutableBufferPointer { d in
                grad.withUnsafeBufferPointer { gb in
                    guard let db = d.baseAddress, let gp = gb.baseAddress else { return }
                    Parallel.forEach(g.planes) { plane in
                        let dp = db + plane * inPlane, yp = gp + plane * outPlane
                        g.forEachTap { oh, inputRow, lo, hi in
                            let shares = yp + oh * g.outW
                            for ow in lo..<hi { dp[inputRow + ow * g.strideW] += shares[ow] * scale }
                        }
                    }
                }
            }
            input.accumulateGrad(dx)
        }
    }

    /// Mean over each channel's whole image: `[N, C, H, W]` → `[N, C]` (PyTorch's `adaptive_avg_pool2d(x, 1).flatten(1)`).
    public func globalAvgPool2d() throws -> Tensor {
        try requirePlainLayout(op: "global_avg_pool2d")
        try NNChecks.requireRank(self, [4], op: "global_avg_pool2d", layout: "[N, C, H, W]")
        let planes = shape[0] * shape[1]
        guard planes > 0 else { return NNChecks.emptyResult(shape: [shape[0], shape[1]], inputs: [self], op: "global_avg_pool2d") }
        let plane = shape[2] * shape[3]
        guard plane > 0 else {
            throw KernelError.invalidArgument(op: "global_avg_pool2d", message: "input \(shapeString(shape)) has an empty image")
        }
        let scale = 1 / Float(plane)
        var out = [Float](repeating: 0, count: planes)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                guard let xp = x.baseAddress else { return }
                for i in 0..<planes { y[i] = VectorKernels.sum(xp + i * plane, plane) * scale }
            }
        }
        let input = self
        let result = Tensor(unchecked: [shape[0], shape[1]], data: out)
        return result.record("global_avg_pool2d", inputs: [input]) { grad in
            var dx = [Float](repeating: 0, count: input.count)
            dx.withUnsafeMutableBufferPointer { d in
                guard let dp = d.baseAddress else { return }
                for i in 0..<planes { (dp + i * plane).update(repeating: grad[i] * scale, count: plane) }
            }
            input.accumulateGrad(dx)
        }
    }
}
