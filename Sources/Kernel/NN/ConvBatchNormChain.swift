// convolution → training-mode batch norm (→ ReLU) → convolution as one op, the two feature maps in the middle kept in
// oneDNN's 16-channel blocked layout: five of the ten activation reorders of the two convolutions' three passes go
// (the first's output and output gradient, the second's input in forward and backward-weights and its input gradient),
// and batch norm works on the blocked values directly. A sixth goes when the first convolution's weight needs a gradient:
// its input, reordered once in forward, is kept in oneDNN's layout for backward-weights instead of being reordered again.

/// One convolution of a chain: weight `[O, C, kH, kW]`, optional bias `[O]`, and its geometry arguments.
struct ChainConvolution {
    let weight: Tensor
    let bias: Tensor?
    let stride: (Int, Int)
    let padding: (Int, Int)
    let dilation: (Int, Int)
}

/// The training-mode batch norm of a chain: affine parameters (optional), running statistics updated in place, and
/// whether a ReLU follows.
struct ChainBatchNorm {
    let weight: Tensor?
    let bias: Tensor?
    let runningMean: Tensor
    let runningVar: Tensor
    let momentum: Float
    let eps: Float
    let relu: Bool
}

extension Tensor {
    /// `conv2d(relu?(batchNorm(conv2d(self, first), training: true)), second)` as one recorded op, or nil when the blocked
    /// path does not apply (oneDNN off or not computing these sizes in the 16-channel layout, operands not matching, a
    /// single value per channel): the caller then runs the separate ops, which report any error.
    ///
    /// Values and gradients equal the separate ops' up to float rounding (sums are taken in another order); the running
    /// statistics are updated as `batchNorm` does. Only the NCHW output is visible; the middle stays internal.
    func convolutionBatchNormChain(_ first: ChainConvolution, _ norm: ChainBatchNorm, _ second: ChainConvolution) throws -> Tensor? {
        // Sync BN hook: synchronized batch norm runs as the separate ops, which carry the synchronizer's calls.
        guard BatchNormSynchronizer.current == nil else { return nil }
        let g1 = try convolutionGeometry(weightShape: first.weight.shape, biasShape: first.bias?.shape, stride: first.stride,
                                         padding: first.padding, dilation: first.dilation)
        let channels = g1.outChannels
        let w2 = second.weight.shape
        guard [norm.weight?.shape, norm.bias?.shape, norm.runningMean.shape, norm.runningVar.shape].allSatisfy({ $0 == nil || $0 == [channels] }),
              norm.eps >= 0, norm.eps.isFinite, norm.momentum >= 0, norm.momentum <= 1,
              w2.count == 4, w2[1] == channels, second.bias.map({ $0.shape == [w2[0]] }) ?? true,
              let s1 = try? DNNLConvolutionShape(batch: g1.batch, inChannels: g1.channels, height: g1.height, width: g1.width,
                                                 outChannels: channels, kernelHeight: g1.kernelH, kernelWidth: g1.kernelW,
                                                 stride: first.stride, padding: first.padding, dilation: first.dilation),
              let s2 = try? DNNLConvolutionShape(batch: g1.batch, inChannels: channels, height: g1.outH, width: g1.outW, outChannels: w2[0],
                                                 kernelHeight: w2[2], kernelWidth: w2[3], stride: second.stride, padding: second.padding,
                                                 dilation: second.dilation),
              DNNLConvolution.usesChannelBlocks(s1, side: .output, bias: first.bias != nil),
              DNNLConvolution.usesChannelBlocks(s2, side: .input, bias: second.bias != nil) else { return nil }
        let blocks = ChannelBlocks(batch: g1.batch, channels: channels, plane: g1.outH * g1.outW)
        guard blocks.perChannel > 1 else { return nil }

        // The input as oneDNN's forward pass reorders it, kept for the first convolution's weight gradient (when the
        // backward-weights pass reads that same layout) so it is not reordered a second time.
        let keptBytes = GradMode.isEnabled && first.weight.requiresGrad ? DNNLConvolution.keptInputBytes(s1, bias: first.bias != nil) : nil
        var keptInput = keptBytes.map { bytes in Tensor.storage(count: (bytes + 3) / 4) { _ in } }
        // The first convolution's output, blocked; batch norm's backward pass reads it.
        guard let convolved = try? Tensor.convolve(data, first, s1, blocked: .output, outputCount: s1.outputCount, keepingInputIn: &keptInput)
        else { return nil }
        let keptCopy = keptInput
        var mean = [Float](repeating: 0, count: channels)
        var invStd = [Float](repeating: 0, count: channels)
        let variance = convolved.withUnsafeBufferPointer { y in y.baseAddress.map { blocks.statistics($0, mean: &mean) } } ?? []
        guard variance.count == channels else { return nil }
        // The same operations, in the same order, as `batchNorm` in training mode.
        let unbiasing = Double(blocks.perChannel) / Double(blocks.perChannel - 1)
        var newMean = norm.runningMean.data, newVar = norm.runningVar.data
        for c in 0..<channels {
            invStd[c] = Float(1 / (variance[c] + Double(norm.eps)).squareRoot())
            newMean[c] = (1 - norm.momentum) * newMean[c] + norm.momentum * mean[c]
            newVar[c] = (1 - norm.momentum) * newVar[c] + norm.momentum * Float(variance[c] * unbiasing)
        }
        let gamma = norm.weight?.data ?? [Float](repeating: 1, count: channels)
        let beta = norm.bias?.data ?? [Float](repeating: 0, count: channels)
        var scale = [Float](repeating: 0, count: channels), shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            scale[c] = gamma[c] * invStd[c]
            shift[c] = beta[c] - mean[c] * scale[c]
        }
        // The batch norm's (and ReLU's) output, blocked: the second convolution's input.
        let normalized = convolved.withUnsafeBufferPointer { y in
            Tensor.storage(count: blocks.count) { o in
                guard let yp = y.baseAddress else { return }
                blocks.affine(yp, o, scale: scale, shift: shift, relu: norm.relu)
            }
        }
        var noCopy: [Float]? = nil
        guard let out = try? Tensor.convolve(normalized, second, s2, blocked: .input, outputCount: s2.outputCount, keepingInputIn: &noCopy)
        else { return nil }
        // Committed only now, so a fallback to the separate ops does not update the statistics twice.
        norm.runningMean.data = newMean
        norm.runningVar.data = newVar
        let result = Tensor(unchecked: [s2.batch, s2.outChannels, s2.outHeight, s2.outWidth], data: out)
        guard GradMode.isEnabled else { return result }

        let input = self
        let inputs = [input, first.weight, first.bias, norm.weight, norm.bias, second.weight, second.bias].compactMap { $0 }
        let firstGeometry = g1
        return result.record(norm.relu ? "conv2d_batch_norm_relu_conv2d" : "conv2d_batch_norm_conv2d", inputs: inputs) { gradOut in
            let wantMiddle = [input, first.weight, first.bias, norm.weight, norm.bias].contains { $0?.requiresGrad ?? false }
            // The second convolution: its input gradient comes out blocked, into the buffer batch norm then works in.
            let (middleGradient, dw2, db2) = Tensor.convolutionGradients(input: normalized, gradOutput: gradOut, second, s2, blocks: blocks,
                                                                         wantInput: wantMiddle)
            if let dw2 { second.weight.accumulateGrad(dw2) }
            if let bias = second.bias, let db2 { bias.accumulateGrad(db2) }
            guard var gradient = middleGradient else { return }
            let mask = norm.relu ? normalized : nil
            let sums = gradient.withUnsafeBufferPointer { gb in
                convolved.withUnsafeBufferPointer { yb in
                    Tensor.withOptionalBuffer(mask) { mp -> (sumG: [Float], sumGXhat: [Float]) in
                        guard let gp = gb.baseAddress, let yp = yb.baseAddress else { return ([], []) }
                        return blocks.gradientSums(gp, mask: mp, yp, mean: mean, invStd: invStd)
                    }
                }
            }
            guard sums.sumG.count == channels else { return }
            if let weight = norm.weight, weight.requiresGrad { weight.accumulateGrad(sums.sumGXhat) }
            if let bias = norm.bias, bias.requiresGrad { bias.accumulateGrad(sums.sumG) }
            let wantInput = input.requiresGrad, wantWeight = first.weight.requiresGrad, wantBias = first.bias?.requiresGrad ?? false
            guard wantInput || wantWeight || wantBias else { return }
            // dy = γσ⁻¹·(g − mean(g) − ŷ·mean(g·ŷ)) as an affine map of g and y per channel, as in `batchNorm`.
            let n = Float(blocks.perChannel)
            var a = [Float](repeating: 0, count: channels), b = a, c = a
            for ch in 0..<channels {
                a[ch] = scale[ch]
                b[ch] = -scale[ch] * invStd[ch] * sums.sumGXhat[ch] / n
                c[ch] = -scale[ch] * sums.sumG[ch] / n - b[ch] * mean[ch]
            }
            convolved.withUnsafeBufferPointer { yb in
                gradient.withUnsafeMutableBufferPointer { gb in
                    Tensor.withOptionalBuffer(mask) { mp in
                        guard let yp = yb.baseAddress, let gp = gb.baseAddress else { return }
                        blocks.combineInPlace(gp, mask: mp, yp, gScale: a, yScale: b, shift: c)
                    }
                }
            }
            Tensor.firstConvolutionBackward(blockedGradient: gradient, blocks: blocks, input: input, keptInput: keptCopy, first, s1,
                                            firstGeometry, wantInput: wantInput, wantWeight: wantWeight, wantBias: wantBias)
        }
    }

    /// The convolution of `input` with `convolution`'s weight and bias through oneDNN, `side` blocked; a `kept` buffer
    /// (side `.output` only) receives the input in the layout oneDNN reorders it into.
    private static func convolve(_ input: [Float], _ convolution: ChainConvolution, _ shape: DNNLConvolutionShape,
                                 blocked side: DNNLConvolution.BlockedSide, outputCount: Int, keepingInputIn kept: inout [Float]?) throws -> [Float] {
        try [Float](unsafeUninitializedCapacity: outputCount) { out, initialized in
            try input.withUnsafeBufferPointer { x in
                try convolution.weight.data.withUnsafeBufferPointer { w in
                    try withOptionalBuffer(convolution.bias?.data) { b in
                        try withOptionalMutable(&kept) { keep in
                            guard let xp = x.baseAddress, let wp = w.baseAddress, let op = out.baseAddress else {
                                throw DNNLRuntime.failure("empty buffer for \(shape)")
                            }
                            try DNNLConvolution.forward(input: xp, weight: wp, bias: b, output: op, shape: shape, blocked: side, keepingInputIn: keep)
                        }
                    }
                }
            }
            initialized = outputCount
        }
    }

    /// The second convolution's gradients: the input gradient blocked (when wanted), the weight and bias gradients
    /// (when their tensors require them). Through oneDNN, or im2col on converted copies if oneDNN fails.
    private static func convolutionGradients(input blockedInput: [Float], gradOutput: [Float], _ convolution: ChainConvolution,
                                             _ shape: DNNLConvolutionShape, blocks: ChannelBlocks,
                                             wantInput: Bool) -> (input: [Float]?, weight: [Float]?, bias: [Float]?) {
        let wantWeight = convolution.weight.requiresGrad, wantBias = convolution.bias?.requiresGrad ?? false
        var dx = wantInput ? Tensor.storage(count: shape.inputCount) { _ in } : nil
        var dw = wantWeight ? Tensor.storage(count: shape.weightCount) { _ in } : nil
        var db = wantBias ? Tensor.storage(count: shape.outChannels) { _ in } : nil
        guard wantInput || wantWeight || wantBias else { return (nil, nil, nil) }
        let done: Bool = blockedInput.withUnsafeBufferPointer { x in
            convolution.weight.data.withUnsafeBufferPointer { w in
                gradOutput.withUnsafeBufferPointer { gy in
                    withOptionalMutable(&dx) { dxp in
                        withOptionalMutable(&dw) { dwp in
                            withOptionalMutable(&db) { dbp in
                                guard let xp = x.baseAddress, let wp = w.baseAddress, let gp = gy.baseAddress else { return false }
                                return (try? DNNLConvolution.backward(input: xp, weight: wp, gradOutput: gp, gradInput: dxp, gradWeight: dwp,
                                                                      gradBias: dbp, shape: shape, blocked: .input)) != nil
                            }
                        }
                    }
                }
            }
        }
        if done { return (dx, dw, db) }
        let g = geometry(of: shape)
        let plainInput = blocks.converted(blockedInput, toBlocked: false)
        let grads = Conv2dCPU.backward(gradOutput, input: plainInput, weight: convolution.weight.data, g, wantInput: wantInput, wantWeight: wantWeight)
        return (grads.input.map { blocks.converted($0, toBlocked: true) }, grads.weight, wantBias ? Conv2dCPU.biasGradient(gradOutput, g) : nil)
    }

    /// Accumulates the first convolution's gradients from its output gradient in the blocked layout: oneDNN reads it as
    /// it is, or, if oneDNN fails, it is converted to NCHW for the im2col path.
    /// `keptInput` is the input as the forward pass left it in oneDNN's layout (see `keptInputBytes`), or nil.
    private static func firstConvolutionBackward(blockedGradient: [Float], blocks: ChannelBlocks, input: Tensor, keptInput: [Float]?,
                                                 _ convolution: ChainConvolution,
                                                 _ shape: DNNLConvolutionShape, _ g: ConvGeometry,
                                                 wantInput: Bool, wantWeight: Bool, wantBias: Bool) {
        var dx = wantInput ? Tensor.storage(count: shape.inputCount) { _ in } : nil
        var dw = wantWeight ? Tensor.storage(count: shape.weightCount) { _ in } : nil
        var db = wantBias ? Tensor.storage(count: shape.outChannels) { _ in } : nil
        let done: Bool = input.data.withUnsafeBufferPointer { x in
            convolution.weight.data.withUnsafeBufferPointer { w in
                blockedGradient.withUnsafeBufferPointer { gy in
                    withOptionalBuffer(keptInput) { kept in
                        withOptionalMutable(&dx) { dxp in
                            withOptionalMutable(&dw) { dwp in
                                withOptionalMutable(&db) { dbp in
                                    guard let xp = x.baseAddress, let wp = w.baseAddress, let gp = gy.baseAddress else { return false }
                                    return (try? DNNLConvolution.backward(input: xp, weight: wp, gradOutput: gp, gradInput: dxp, gradWeight: dwp,
                                                                          gradBias: dbp, shape: shape, blocked: .output, keptInput: kept)) != nil
                                }
                            }
                        }
                    }
                }
            }
        }
        if !done {
            let plain = blocks.converted(blockedGradient, toBlocked: false)
            let grads = Conv2dCPU.backward(plain, input: input.data, weight: convolution.weight.data, g, wantInput: wantInput, wantWeight: wantWeight)
            dx = grads.input
            dw = grads.weight
            db = wantBias ? Conv2dCPU.biasGradient(plain, g) : nil
        }
        if let dx { input.accumulateGrad(dx) }
        if let dw { convolution.weight.accumulateGrad(dw) }
        if let bias = convolution.bias, let db { bias.accumulateGrad(db) }
    }

    /// The im2col geometry of a oneDNN convolution shape.
    private static func geometry(of s: DNNLConvolutionShape) -> ConvGeometry {
        ConvGeometry(batch: s.batch, channels: s.inChannels, height: s.height, width: s.width, outChannels: s.outChannels,
                     kernelH: s.kernelHeight, kernelW: s.kernelWidth, strideH: s.stride.0, strideW: s.stride.1,
                     padH: s.padding.0, padW: s.padding.1, dilationH: s.dilation.0, dilationW: s.dilation.1,
                     outH: s.outHeight, outW: s.outWidth)
    }

    private static func withOptionalBuffer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
        guard let values else { return try body(nil) }
        return try values.withUnsafeBufferPointer { try body($0.baseAddress) }
    }

    private static func withOptionalMutable<R>(_ values: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) throws -> R) rethrows -> R {
        guard var present = values else { return try body(nil) }
        // Detach the array from the optional so writing through the buffer does not copy it.
        values = nil
        defer { values = present }
        return try present.withUnsafeMutableBufferPointer { try body($0.baseAddress) }
    }
}

extension ChannelBlocks {
    /// `values` converted from NCHW to the blocked layout (`toBlocked`) or back.
    func converted(_ values: [Float], toBlocked: Bool) -> [Float] {
        values.withUnsafeBufferPointer { source in
            Tensor.storage(count: count) { target in
                guard let sp = source.baseAddress else { return }
                if toBlocked { self.toBlocked(sp, target) } else { toPlain(sp, target) }
            }
        }
    }
}
