// Bilinear resizing (PyTorch's F.interpolate(mode="bilinear", align_corners=False)), for progressive resizing.

/// Where each output pixel samples along one axis: two neighbouring input indices and the weight of the second.
struct BilinearAxis {
    let low: [Int], high: [Int], weight: [Float]

    /// PyTorch's source index for align_corners=False: (dst + 0.5)·in/out − 0.5, clamped below at 0.
    init(input: Int, output: Int) {
        let scale = Float(input) / Float(output)
        var low = [Int](), high = [Int](), weight = [Float]()
        for o in 0..<output {
            let source = Swift.max((Float(o) + 0.5) * scale - 0.5, 0)
            let i0 = Swift.min(Int(source), input - 1)
            low.append(i0)
            high.append(Swift.min(i0 + 1, input - 1))
            weight.append(source - Float(i0))
        }
        self.low = low; self.high = high; self.weight = weight
    }
}

extension Tensor {
    /// Bilinear resize of `[N, C, H, W]` or `[C, H, W]` to `height`×`width`, sampling like PyTorch with align_corners=False
    /// (no antialiasing). Gradient flows to the input (the adjoint of the interpolation).
    public func resize(height: Int, width: Int) throws -> Tensor {
        let op = "resize"
        try NNChecks.requireRank(self, [3, 4], op: op, layout: "[N, C, H, W] or [C, H, W]")
        guard height >= 1, width >= 1 else {
            throw KernelError.invalidArgument(op: op, message: "output size must be positive, found \(height)×\(width)")
        }
        let inH = shape[rank - 2], inW = shape[rank - 1]
        guard inH >= 1, inW >= 1 else {
            throw KernelError.invalidArgument(op: op, message: "input \(shapeString(shape)) has an empty image")
        }
        var outShape = shape
        outShape[rank - 2] = height
        outShape[rank - 1] = width
        try Shape.validate(outShape, op: op)
        let planes = Shape.count(Array(shape.dropLast(2)))
        let rows = BilinearAxis(input: inH, output: height), cols = BilinearAxis(input: inW, output: width)
        let inPlane = inH * inW, outPlane = height * width
        var out = [Float](repeating: 0, count: planes * outPlane)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                Parallel.forEach(planes) { p in
                    let xp = p * inPlane, yp = p * outPlane
                    for oh in 0..<height {
                        let r0 = xp + rows.low[oh] * inW, r1 = xp + rows.high[oh] * inW, wr = rows.weight[oh]
                        for ow in 0..<width {
                            let c0 = cols.low[ow], c1 = cols.high[ow], wc = cols.weight[ow]
                            let top = x[r0 + c0] + (x[r0 + c1] - x[r0 + c0]) * wc
                            let bottom = x[r1 + c0] + (x[r1 + c1] - x[r1 + c0]) * wc
                            y[yp + oh * width + ow] = top + (bottom - top) * wr
                        }
                    }
                }
            }
        }
        let input = self
        return Tensor(unchecked: outShape, data: out).record(op, inputs: [input]) { g in
            var dx = [Float](repeating: 0, count: input.count)
            dx.withUnsafeMutableBufferPointer { d in
                for p in 0..<planes {
                    let xp = p * inPlane, yp = p * outPlane
                    for oh in 0..<height {
                        let r0 = xp + rows.low[oh] * inW, r1 = xp + rows.high[oh] * inW, wr = rows.weight[oh]
                        for ow in 0..<width {
                            let c0 = cols.low[ow], c1 = cols.high[ow], wc = cols.weight[ow]
                            let v = g[yp + oh * width + ow]
                            d[r0 + c0] += v * (1 - wr) * (1 - wc)
                            d[r0 + c1] += v * (1 - wr) * wc
                            d[r1 + c0] += v * wr * (1 - wc)
                            d[r1 + c1] += v * wr * wc
                        }
                    }
                }
            }
            input.accumulateGrad(dx)
        }
    }
}
