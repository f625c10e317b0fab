// Bilinear resizing (PyTorch's F.interpolate(mode="bilinear", align_corners=False)), for progressive resizing.

extension Tensor {
    /// Bilinear resize of `[N, C, H, W]` or `[C, H, W]` to `height`×`width`, sampling like PyTorch with align_corners=False
    /// (no antialiasing). Gradient flows to the input (the adjoint of the interpolation).
    public func resize(height: Int, width: Int) throws -> Tensor {
        try requirePlainLayout(op: "resize")
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
        // No planes: nothing to sample, and the output plane of an empty batch is not bounded by the memory limit.
        guard count > 0 else { return NNChecks.emptyResult(shape: outShape, inputs: [self], op: op) }
        let planes = Shape.count(Array(shape.dropLast(2)))
        let rows = BilinearAxis(input: inH, output: height), cols = BilinearAxis(input: inW, output: width)
        let inPlane = inH * inW, outPlane = height * width
        let out = Bilinear.resize(
            data, planes: planes, height: inH, width: inW,
            region: Bilinear.Region(top: 0, left: 0, height: inH, width: inW),
            to: ImageSize(height: height, width: width))
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
