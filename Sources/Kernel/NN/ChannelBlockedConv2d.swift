// conv2d in training with its input, its output or both in oneDNN's channel-blocked layout (`ChannelBlocks`): the
// feature maps a model passes between convolutions, batch norms, ReLUs and residual adds stay in the layout oneDNN
// computes in, so they are not reordered to NCHW and back around every convolution.

extension Tensor {
    /// `conv2d(self, weight) + bias` on this input in either layout, the output blocked when `preferBlockedOutput` and
    /// oneDNN computes that side of this shape blocked (its `layout` says which); gradients flow in the same layouts.
    ///
    /// Nil when oneDNN cannot run this shape with these layouts (the caller then runs the plain op on plain values), and
    /// when neither side would be blocked. Values and gradients equal `conv2d`'s up to float rounding.
    func channelBlockedConv2d(
        weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
        preferBlockedOutput: Bool
    ) throws -> Tensor? {
        try weight.requirePlainLayout(op: "conv2d")
        guard let width = DNNLConvolution.channelBlockWidth else { return nil }
        let blockedLayout = TensorLayout.channelBlocked(width)
        let inputBlocked = layout != .plain
        let g = try convolutionGeometry(weightShape: weight.shape, biasShape: bias?.shape, stride: stride, padding: padding, dilation: dilation)
        guard
            let shape = try? DNNLConvolutionShape(
                batch: g.batch, inChannels: g.channels, height: g.height, width: g.width,
                outChannels: g.outChannels, kernelHeight: g.kernelH, kernelWidth: g.kernelW,
                stride: stride, padding: padding, dilation: dilation)
        else { return nil }
        let hasBias = bias != nil
        var sides = Set<DNNLConvolution.BlockedSide>()
        if inputBlocked {
            guard layout == blockedLayout, DNNLConvolution.usesChannelBlocks(shape, side: .input, bias: hasBias) else { return nil }
            sides.insert(.input)
        }
        if preferBlockedOutput && DNNLConvolution.usesChannelBlocks(shape, side: .output, bias: hasBias) { sides.insert(.output) }
        guard !sides.isEmpty else { return nil }

        // A plain input, as oneDNN's forward pass reorders it, kept for the weight gradient so backward-weights does not
        // reorder it a second time.
        let keptBytes = !inputBlocked && GradMode.isEnabled && weight.requiresGrad ? DNNLConvolution.keptInputBytes(shape, bias: hasBias) : nil
        var kept = keptBytes.map { bytes in Tensor.uninitialized(count: (bytes + 3) / 4) }
        var failed = false
        let out = Tensor.storage(count: shape.outputCount) { op in
            data.withUnsafeBufferPointer { x in
                weight.data.withUnsafeBufferPointer { w in
                    Tensor.withOptionalBuffer(bias?.data) { b in
                        Tensor.withOptionalMutable(&kept) { keep in
                            guard let xp = x.baseAddress, let wp = w.baseAddress else {
                                failed = true
                                return
                            }
                            failed =
                                (try? DNNLConvolution.forward(
                                    input: xp, weight: wp, bias: b, output: op, shape: shape, blocked: sides,
                                    keepingInputIn: keep)) == nil
                        }
                    }
                }
            }
        }
        guard !failed else { return nil }
        let result = Tensor(
            unchecked: [g.batch, g.outChannels, g.outH, g.outW], data: out,
            layout: sides.contains(.output) ? blockedLayout : .plain)
        guard GradMode.isEnabled else { return result }
        let input = self, keptInput = kept
        let recorded = result.record("conv2d_\(blockedLayout)", inputs: [input, weight, bias].compactMap { $0 }) { gradOut in
            let wantInput = input.requiresGrad, wantWeight = weight.requiresGrad, wantBias = bias?.requiresGrad ?? false
            guard wantInput || wantWeight || wantBias else { return }
            var dx = wantInput ? Tensor.uninitialized(count: shape.inputCount) : nil
            var dw = wantWeight ? Tensor.uninitialized(count: shape.weightCount) : nil
            var db = wantBias ? Tensor.uninitialized(count: shape.outChannels) : nil
            let done: Bool = input.data.withUnsafeBufferPointer { x in
                weight.data.withUnsafeBufferPointer { w in
                    gradOut.withUnsafeBufferPointer { gy in
                        Tensor.withOptionalBuffer(keptInput) { keep in
                            Tensor.withOptionalMutable(&dx) { dxp in
                                Tensor.withOptionalMutable(&dw) { dwp in
                                    Tensor.withOptionalMutable(&db) { dbp in
                                        guard let xp = x.baseAddress, let wp = w.baseAddress, let gp = gy.baseAddress else { return false }
                                        return
                                            (try? DNNLConvolution.backward(
                                                input: xp, weight: wp, gradOutput: gp, gradInput: dxp, gradWeight: dwp,
                                                gradBias: dbp, shape: shape, blocked: sides, keptInput: keep)) != nil
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if !done {
                // oneDNN failed after planning: im2col on plain copies, the results put back in the blocked layout.
                let inputBlocks = ChannelBlocks(batch: g.batch, channels: g.channels, plane: g.height * g.width, width: width)
                let outputBlocks = ChannelBlocks(batch: g.batch, channels: g.outChannels, plane: g.outH * g.outW, width: width)
                let plainGradient = sides.contains(.output) ? outputBlocks.converted(gradOut, toBlocked: false) : gradOut
                let plainInput = sides.contains(.input) ? inputBlocks.converted(input.data, toBlocked: false) : input.data
                let grads = Conv2dCPU.backward(plainGradient, input: plainInput, weight: weight.data, g, wantInput: wantInput, wantWeight: wantWeight)
                dx = grads.input.map { sides.contains(.input) ? inputBlocks.converted($0, toBlocked: true) : $0 }
                dw = grads.weight
                db = wantBias ? Conv2dCPU.biasGradient(plainGradient, g) : nil
            }
            if let dx { input.accumulateGrad(dx) }
            if let dw { weight.accumulateGrad(dw) }
            if let bias, let db { bias.accumulateGrad(db) }
        }
        return recorded
    }
}
