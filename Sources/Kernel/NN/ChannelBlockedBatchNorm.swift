// Training-mode batch norm (and the ReLU after it) on feature maps in oneDNN's channel-blocked layouts
// (`ChannelBlocks`), so the convolutions around it read and write that layout directly.

extension Tensor {
    /// `batchNorm(…, training: true, thenReLU:)` on this blocked `[N, C, H, W]` input, the output and its gradient
    /// blocked too. Nil when the input is not blocked, the channels are not a multiple of the block width, the input is not 4-D, the parameters do not have C
    /// values, or there is a single value per channel (the caller then runs `batchNorm` on plain values, which reports
    /// any error). The running statistics are updated as `batchNorm` updates them; values and gradients equal its own
    /// up to float rounding.
    func channelBlockedBatchNorm(
        weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVar: Tensor, momentum: Float, eps: Float,
        thenReLU: Bool
    ) -> Tensor? {
        guard let width = layout.blockWidth, rank == 4, count > 0, shape[1] % width.rawValue == 0 else { return nil }
        let channels = shape[1]
        guard [weight?.shape, bias?.shape, runningMean.shape, runningVar.shape].allSatisfy({ $0 == nil || $0 == [channels] }),
            eps >= 0, eps.isFinite, momentum >= 0, momentum <= 1
        else { return nil }
        let blocks = ChannelBlocks(batch: shape[0], channels: channels, plane: shape[2] * shape[3], width: width)
        guard blocks.perChannel > 1, data.count == blocks.count else { return nil }

        var mean = [Float](repeating: 0, count: channels)
        let variance = data.withUnsafeBufferPointer { y in y.baseAddress.map { blocks.statistics($0, mean: &mean) } } ?? []
        guard variance.count == channels else { return nil }
        let coefficients = BatchNormCoefficients(
            training: mean, variance: variance, count: blocks.perChannel, weight: weight, bias: bias,
            runningMean: runningMean, runningVar: runningVar, momentum: momentum, eps: eps)
        let out = data.withUnsafeBufferPointer { y in
            Tensor.storage(count: blocks.count) { o in
                guard let yp = y.baseAddress else { return }
                blocks.affine(yp, o, scale: coefficients.scale, shift: coefficients.shift, relu: thenReLU)
            }
        }
        let result = Tensor(unchecked: shape, data: out, layout: layout)
        guard GradMode.isEnabled else { return result }
        let input = self
        // The fused ReLU's gradient needs the output (positive exactly where the ReLU let the value through).
        let mask = thenReLU ? out : nil
        let inputs = [input, weight, bias].compactMap { $0 }
        return result.record(thenReLU ? "batch_norm_relu_\(layout)" : "batch_norm_\(layout)", inputs: inputs) { g in
            let sums = g.withUnsafeBufferPointer { gb in
                input.data.withUnsafeBufferPointer { yb in
                    Tensor.withOptionalBuffer(mask) { mp -> (sumG: [Float], sumGXhat: [Float]) in
                        guard let gp = gb.baseAddress, let yp = yb.baseAddress else { return ([], []) }
                        return blocks.gradientSums(gp, mask: mp, yp, mean: coefficients.mean, invStd: coefficients.invStd)
                    }
                }
            }
            guard sums.sumG.count == channels else { return }
            if let weight, weight.requiresGrad { weight.accumulateGrad(sums.sumGXhat) }
            if let bias, bias.requiresGrad { bias.accumulateGrad(sums.sumG) }
            guard input.requiresGrad else { return }
            let (a, b, c) = coefficients.inputGradient(sumG: sums.sumG, sumGXhat: sums.sumGXhat)
            let dx = g.withUnsafeBufferPointer { gb in
                input.data.withUnsafeBufferPointer { yb in
                    Tensor.withOptionalBuffer(mask) { mp in
                        Tensor.storage(count: blocks.count) { out in
                            guard let gp = gb.baseAddress, let yp = yb.baseAddress else { return }
                            blocks.combine(gp, mask: mp, yp, into: out, gScale: a, yScale: b, shift: c)
                        }
                    }
                }
            }
            input.accumulateGrad(dx)
        }
    }
}
