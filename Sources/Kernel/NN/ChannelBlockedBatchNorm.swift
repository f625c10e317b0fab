// Training-mode batch norm (and the ReLU after it) on feature maps in oneDNN's 16-channel blocked layout
// (`ChannelBlocks`), so the convolutions around it read and write that layout directly.

extension Tensor {
    /// `batchNorm(…, training: true, thenReLU:)` on this blocked `[N, C, H, W]` input, the output and its gradient
    /// blocked too. Nil when the channels are not a multiple of 16, the input is not 4-D, the parameters do not have C
    /// values, or there is a single value per channel (the caller then runs `batchNorm` on plain values, which reports
    /// any error). The running statistics are updated as `batchNorm` updates them; values and gradients equal its own
    /// up to float rounding.
    func channelBlockedBatchNorm(weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVar: Tensor, momentum: Float, eps: Float,
                                 thenReLU: Bool) -> Tensor? {
        guard rank == 4, shape[1] % ChannelBlocks.width == 0 else { return nil }
        let channels = shape[1]
        guard [weight?.shape, bias?.shape, runningMean.shape, runningVar.shape].allSatisfy({ $0 == nil || $0 == [channels] }),
              eps >= 0, eps.isFinite, momentum >= 0, momentum <= 1 else { return nil }
        let blocks = ChannelBlocks(batch: shape[0], channels: channels, plane: shape[2] * shape[3])
        guard blocks.perChannel > 1, data.count == blocks.count else { return nil }

        var mean = [Float](repeating: 0, count: channels)
        var invStd = [Float](repeating: 0, count: channels)
        var variance = data.withUnsafeBufferPointer { y in y.baseAddress.map { blocks.statistics($0, mean: &mean) } } ?? []
        guard variance.count == channels else { return nil }
        // Sync BN: the statistics (and in backward the gradient sums) over all ranks when fit syncs batch norm.
        let synchronizer = BatchNormSynchronizer.current
        var count = blocks.perChannel
        synchronizer?.synchronize(mean: &mean, variance: &variance, count: &count)
        // The same operations, in the same order, as `batchNorm` in training mode.
        let unbiasing = Double(count) / Double(count - 1)
        for c in 0..<channels {
            invStd[c] = Float(1 / (variance[c] + Double(eps)).squareRoot())
            runningMean.data[c] = (1 - momentum) * runningMean.data[c] + momentum * mean[c]
            runningVar.data[c] = (1 - momentum) * runningVar.data[c] + momentum * Float(variance[c] * unbiasing)
        }
        let gamma = weight?.data ?? [Float](repeating: 1, count: channels)
        let beta = bias?.data ?? [Float](repeating: 0, count: channels)
        var scale = [Float](repeating: 0, count: channels), shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            scale[c] = gamma[c] * invStd[c]
            shift[c] = beta[c] - mean[c] * scale[c]
        }
        let out = data.withUnsafeBufferPointer { y in
            Tensor.storage(count: blocks.count) { o in
                guard let yp = y.baseAddress else { return }
                blocks.affine(yp, o, scale: scale, shift: shift, relu: thenReLU)
            }
        }
        let result = Tensor(unchecked: shape, data: out)
        guard GradMode.isEnabled else { return result }
        let input = self
        // The fused ReLU's gradient needs the output (positive exactly where the ReLU let the value through).
        let mask = thenReLU ? out : nil
        let inputs = [input, weight, bias].compactMap { $0 }
        return result.record(thenReLU ? "batch_norm_relu_nChw16c" : "batch_norm_nChw16c", inputs: inputs) { g in
            var sums = g.withUnsafeBufferPointer { gb in
                input.data.withUnsafeBufferPointer { yb in
                    Tensor.withOptionalBuffer(mask) { mp -> (sumG: [Float], sumGXhat: [Float]) in
                        guard let gp = gb.baseAddress, let yp = yb.baseAddress else { return ([], []) }
                        return blocks.gradientSums(gp, mask: mp, yp, mean: mean, invStd: invStd)
                    }
                }
            }
            guard sums.sumG.count == channels else { return }
            if let weight, weight.requiresGrad { weight.accumulateGrad(sums.sumGXhat) }
            if let bias, bias.requiresGrad { bias.accumulateGrad(sums.sumG) }
            guard input.requiresGrad else { return }
            synchronizer?.synchronize(sumG: &sums.sumG, sumGXhat: &sums.sumGXhat)
            // dx = γσ⁻¹·(g − mean(g) − x̂·mean(g·x̂)) as an affine map of g and x per channel, as in `batchNorm`.
            let n = Float(count)
            var a = [Float](repeating: 0, count: channels), b = a, c = a
            for ch in 0..<channels {
                a[ch] = scale[ch]
                b[ch] = -scale[ch] * invStd[ch] * sums.sumGXhat[ch] / n
                c[ch] = -scale[ch] * sums.sumG[ch] / n - b[ch] * mean[ch]
            }
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
