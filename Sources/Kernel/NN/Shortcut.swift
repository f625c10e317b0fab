// The parameter-free "option A" ResNet shortcut (He et al. 2015, CIFAR): subsample the image, pad the channels with zeros.

extension Tensor {
    /// Adds `before` zero channels in front of and `after` behind axis 1 of `[N, C, …]` (PyTorch's `F.pad` on the channel axis).
    public func padChannels(before: Int, after: Int) throws -> Tensor {
        try requirePlainLayout(op: "pad_channels")
        let op = "pad_channels"
        guard rank >= 2 else {
            throw KernelError.shapeMismatch(op: op, expected: "input of shape [N, C, …]", found: "input \(shapeString(shape))")
        }
        guard before >= 0, after >= 0 else {
            throw KernelError.invalidArgument(op: op, message: "channel padding must be non-negative, found before \(before), after \(after)")
        }
        let batch = shape[0], channels = shape[1]
        let (padded, o1) = before.addingReportingOverflow(after)
        let (outChannels, o2) = channels.addingReportingOverflow(padded)
        guard !o1, !o2 else {
            throw KernelError.invalidArgument(
                op: op, message: "channel padding (before \(before), after \(after)) is too large for \(channels) channels")
        }
        var outShape = shape
        outShape[1] = outChannels
        let outCount = try Shape.validate(outShape, op: op)
        // Without output, the sizes below (products that skip the empty axis) may not fit in an Int.
        guard outCount > 0 else { return NNChecks.emptyResult(shape: outShape, inputs: [self], op: op) }
        let plane = Shape.count(Array(shape[2...]))
        let inBlock = channels * plane, outBlock = outShape[1] * plane, offset = before * plane
        var out = [Float](repeating: 0, count: batch * outBlock)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                guard let xp = x.baseAddress, let yp = y.baseAddress, inBlock > 0 else { return }
                for n in 0..<batch { (yp + n * outBlock + offset).update(from: xp + n * inBlock, count: inBlock) }
            }
        }
        let input = self
        return Tensor(unchecked: outShape, data: out).record(op, inputs: [input]) { g in
            var dx = [Float](repeating: 0, count: input.count)
            g.withUnsafeBufferPointer { gb in
                dx.withUnsafeMutableBufferPointer { d in
                    guard let gp = gb.baseAddress, let dp = d.baseAddress, inBlock > 0 else { return }
                    for n in 0..<batch { (dp + n * inBlock).update(from: gp + n * outBlock + offset, count: inBlock) }
                }
            }
            input.accumulateGrad(dx)
        }
    }

    /// Every `stride`-th row and column of `[N, C, H, W]`, starting at 0: `x[:, :, ::stride, ::stride]`.
    public func subsample(stride: Int) throws -> Tensor {
        try requirePlainLayout(op: "subsample")
        let op = "subsample"
        try NNChecks.requireRank(self, [4], op: op, layout: "[N, C, H, W]")
        guard stride >= 1 else {
            throw KernelError.invalidArgument(op: op, message: "stride must be positive, found \(stride)")
        }
        let planes = shape[0] * shape[1], height = shape[2], width = shape[3]
        let (outH, outW) = try NNChecks.subsampledSize(shape, stride: stride, op: op)
        guard planes > 0, outH > 0, outW > 0 else { return NNChecks.emptyResult(shape: [shape[0], shape[1], outH, outW], inputs: [self], op: op) }
        let inPlane = height * width, outPlane = outH * outW
        var out = [Float](repeating: 0, count: planes * outPlane)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                for p in 0..<planes {
                    for oh in 0..<outH {
                        let src = p * inPlane + oh * stride * width, dst = p * outPlane + oh * outW
                        for ow in 0..<outW { y[dst + ow] = x[src + ow * stride] }
                    }
                }
            }
        }
        let input = self
        return Tensor(unchecked: [shape[0], shape[1], outH, outW], data: out).record(op, inputs: [input]) { g in
            var dx = [Float](repeating: 0, count: input.count)
            g.withUnsafeBufferPointer { gb in
                dx.withUnsafeMutableBufferPointer { d in
                    for p in 0..<planes {
                        for oh in 0..<outH {
                            let dst = p * inPlane + oh * stride * width, src = p * outPlane + oh * outW
                            for ow in 0..<outW { d[dst + ow * stride] = gb[src + ow] }
                        }
                    }
                }
            }
            input.accumulateGrad(dx)
        }
    }
}
