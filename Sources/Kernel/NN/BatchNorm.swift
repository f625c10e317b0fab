// Batch normalisation over axis 1 (PyTorch's F.batch_norm), for [N, C, H, W] and [N, C] inputs.

extension Tensor {
    /// Normalises each channel (axis 1) to zero mean and unit variance, then scales by `weight` and shifts by `bias` (both `[C]`).
    ///
    /// In training, the batch statistics are used (the biased variance, as PyTorch) and the buffers
    /// `runningMean`/`runningVar` are updated in place, off the tape: `running = (1 − momentum)·running + momentum·batch`,
    /// with the unbiased variance for `runningVar`. In evaluation, the running statistics are used instead.
    /// Gradients flow to the input, `weight` and `bias` in both modes.
    ///
    /// With `thenReLU` the result is `relu(batchNorm(x))` computed in one pass, and its gradient masks the output
    /// gradient inline: the same values and gradients as the two ops, without the intermediate tensor.
    public func batchNorm(
        weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVar: Tensor, training: Bool,
        momentum: Float = 0.1, eps: Float = 1e-5, thenReLU: Bool = false
    ) throws -> Tensor {
        try requirePlainLayout(op: thenReLU ? "batch_norm_relu" : "batch_norm")
        let op = thenReLU ? "batch_norm_relu" : "batch_norm"
        try NNChecks.requireRank(self, [2, 4], op: op, layout: "[N, C, H, W] or [N, C]")
        let channels = shape[1]
        let expected = [channels]
        for (name, tensor) in [("weight", weight), ("bias", bias), ("running mean", runningMean), ("running var", runningVar)] {
            if let tensor, tensor.shape != expected {
                throw KernelError.shapeMismatch(
                    op: op, expected: "\(name) \(shapeString(expected)) for input \(shapeString(shape))",
                    found: "\(name) \(shapeString(tensor.shape))")
            }
        }
        guard eps >= 0, eps.isFinite else {
            throw KernelError.invalidArgument(op: op, message: "eps must be a non-negative number, found \(eps)")
        }
        guard momentum >= 0, momentum <= 1 else {
            throw KernelError.invalidArgument(op: op, message: "momentum must be in [0, 1], found \(momentum)")
        }
        // An empty input's plane may not fit in an Int (an empty batch of huge images), so it is never computed.
        let layout =
            count == 0
            ? BatchNormLayout(batch: 0, channels: channels, plane: 0)
            : BatchNormLayout(batch: shape[0], channels: channels, plane: rank == 4 ? shape[2] * shape[3] : 1)
        if training && layout.perChannel <= 1 {
            throw KernelError.invalidArgument(op: op, message: "training needs more than 1 value per channel, found input \(shapeString(shape))")
        }

        let coefficients: BatchNormCoefficients
        if training {
            var mean = [Float](repeating: 0, count: channels)
            let variance = layout.statistics(data, mean: &mean)
            coefficients = BatchNormCoefficients(
                training: mean, variance: variance, count: layout.perChannel, weight: weight, bias: bias,
                runningMean: runningMean, runningVar: runningVar, momentum: momentum, eps: eps)
        } else {
            coefficients = BatchNormCoefficients(evaluation: runningMean, runningVar: runningVar, weight: weight, bias: bias, eps: eps)
        }
        guard count > 0 else { return NNChecks.emptyResult(shape: shape, inputs: [self, weight, bias].compactMap { $0 }, op: op) }
        let out = layout.affine(data, scale: coefficients.scale, shift: coefficients.shift, relu: thenReLU)

        let result = Tensor(unchecked: shape, data: out)
        guard GradMode.isEnabled else { return result }
        let input = self
        var inputs = [input]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        // The fused ReLU's gradient needs the output (positive exactly where the ReLU let the value through).
        let mask = thenReLU ? out : nil
        return result.record(op, inputs: inputs) { g in
            // Per channel Σ g and Σ g·x̂ give the bias and weight gradients and the input gradient's correction terms.
            let (sumG, sumGXhat) = layout.gradientSums(g, input.data, mask: mask, mean: coefficients.mean, invStd: coefficients.invStd)
            if let weight, weight.requiresGrad { weight.accumulateGrad(sumGXhat) }
            if let bias, bias.requiresGrad { bias.accumulateGrad(sumG) }
            guard input.requiresGrad else { return }
            if training {
                let (a, b, c) = coefficients.inputGradient(sumG: sumG, sumGXhat: sumGXhat)
                input.accumulateGrad(layout.combine(g, input.data, mask: mask, gScale: a, xScale: b, shift: c))
            } else {
                // Fixed statistics: dx = γσ⁻¹·g, which must not touch x (an infinite x would turn x·0 into NaN).
                let passed = mask.map { VectorKernels.reluGradient(g, output: $0) } ?? g
                input.accumulateGrad(layout.affine(passed, scale: coefficients.scale, shift: [Float](repeating: 0, count: channels)))
            }
        }
    }
}

/// The memory layout of a batch-norm input: `batch` blocks of `channels` contiguous runs of `plane` values.
struct BatchNormLayout {
    let batch: Int, channels: Int, plane: Int

    /// Values per channel over the whole batch.
    var perChannel: Int { batch * plane }

    /// Fills `mean` with the per-channel means and returns the biased variances, accumulating in Double across runs.
    func statistics(_ x: [Float], mean: inout [Float]) -> [Double] {
        var variance = [Double](repeating: 0, count: channels)
        let count = Double(perChannel)
        x.withUnsafeBufferPointer { xb in
            mean.withUnsafeMutableBufferPointer { meanOut in
                variance.withUnsafeMutableBufferPointer { varOut in
                    guard let xp = xb.baseAddress else { return }
                    Parallel.forEach(channels) { c in
                        var sum = 0.0
                        for n in 0..<batch { sum += Double(VectorKernels.sum(xp + (n * channels + c) * plane, plane)) }
                        let mu = Float(sum / count)
                        // Two passes: subtracting the mean first keeps the variance accurate for large means.
                        var squares = 0.0
                        for n in 0..<batch {
                            squares += Double(VectorKernels.sumSquaredDeviation(xp + (n * channels + c) * plane, plane, mean: mu))
                        }
                        meanOut[c] = mu
                        varOut[c] = squares / count
                    }
                }
            }
        }
        return variance
    }

    /// y = x·scale[c] + shift[c] per channel, then max(y, 0) when `relu`.
    func affine(_ x: [Float], scale: [Float], shift: [Float], relu: Bool = false) -> [Float] {
        x.withUnsafeBufferPointer { xb in
            Tensor.storage(count: xb.count) { yp in
                guard let xp = xb.baseAddress else { return }
                forEachRun { run in
                    let c = run % channels
                    if relu {
                        VectorKernels.affineReLU(xp + run * plane, yp + run * plane, plane, scale: scale[c], shift: shift[c])
                    } else {
                        VectorKernels.affine(xp + run * plane, yp + run * plane, plane, scale: scale[c], shift: shift[c])
                    }
                }
            }
        }
    }

    /// out = g'·gScale[c] + x·xScale[c] + shift[c] per channel, where g' is `g` zeroed wherever `mask` is not positive
    /// (the gradient through a fused ReLU), or `g` itself without a mask.
    func combine(_ g: [Float], _ x: [Float], mask: [Float]?, gScale: [Float], xScale: [Float], shift: [Float]) -> [Float] {
        g.withUnsafeBufferPointer { gb in
            x.withUnsafeBufferPointer { xb in
                Tensor.withOptionalBuffer(mask) { yp in
                    Tensor.storage(count: xb.count) { op in
                        guard let gp = gb.baseAddress, let xp = xb.baseAddress else { return }
                        forEachRun { run in
                            let c = run % channels, base = run * plane
                            if let yp {
                                VectorKernels.maskedCombine(
                                    gp + base, mask: yp + base, xp + base, op + base, plane,
                                    gScale: gScale[c], xScale: xScale[c], shift: shift[c])
                            } else {
                                VectorKernels.combine(gp + base, xp + base, op + base, plane, gScale: gScale[c], xScale: xScale[c], shift: shift[c])
                            }
                        }
                    }
                }
            }
        }
    }

    /// Per channel (Σ g', Σ g'·x̂) with x̂ = (x − mean)·invStd and g' the masked gradient (see `combine`).
    func gradientSums(_ g: [Float], _ x: [Float], mask: [Float]?, mean: [Float], invStd: [Float]) -> ([Float], [Float]) {
        var sumG = [Float](repeating: 0, count: channels), sumGXhat = [Float](repeating: 0, count: channels)
        g.withUnsafeBufferPointer { gb in
            x.withUnsafeBufferPointer { xb in
                Tensor.withOptionalBuffer(mask) { yp in
                    sumG.withUnsafeMutableBufferPointer { sg in
                        sumGXhat.withUnsafeMutableBufferPointer { sgx in
                            guard let gp = gb.baseAddress, let xp = xb.baseAddress else { return }
                            Parallel.forEach(channels) { c in
                                var s = 0.0, d = 0.0
                                for n in 0..<batch {
                                    let base = (n * channels + c) * plane
                                    let (runSum, runDot) =
                                        yp.map {
                                            VectorKernels.maskedSumAndCenteredDot(gp + base, mask: $0 + base, xp + base, plane, mean: mean[c])
                                        } ?? VectorKernels.sumAndCenteredDot(gp + base, xp + base, plane, mean: mean[c])
                                    s += Double(runSum)
                                    d += Double(runDot)
                                }
                                sg[c] = Float(s)
                                sgx[c] = Float(d) * invStd[c]
                            }
                        }
                    }
                }
            }
        }
        return (sumG, sumGXhat)
    }

    /// Runs `body` for every (sample, channel) run, the runs split over the workers (one thread for small inputs).
    private func forEachRun(_ body: (Int) -> Void) {
        let runs = batch * channels
        if runs * plane < Parallel.elementwiseGrain {
            for run in 0..<runs { body(run) }
        } else {
            Parallel.forEach(runs, body)
        }
    }
}
