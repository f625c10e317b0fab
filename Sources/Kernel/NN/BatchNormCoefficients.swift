// The per-channel arithmetic of batch norm, shared by the NCHW op (`batchNorm`) and the blocked one
// (`channelBlockedBatchNorm`), which differ only in how they walk memory.

/// A batch norm's per-channel numbers: the statistics it normalises with and the affine map `x·scale + shift` it
/// applies; in training also what the input gradient needs.
struct BatchNormCoefficients {
    let mean: [Float]
    let invStd: [Float]
    let scale: [Float]
    let shift: [Float]
    /// Values behind each channel's statistics (over all ranks when `fit` synchronizes batch norm).
    let count: Int
    /// The synchronizer of data-parallel training with sync BN, captured in forward for backward.
    let synchronizer: BatchNormSynchronizer?

    /// Training: from the batch's per-channel `mean` and biased `variance` over `count` values each, summed over the ranks
    /// first when `fit` synchronizes batch norm. Updates `runningMean` and `runningVar` in place (PyTorch's momentum,
    /// unbiased variance).
    init(
        training mean: [Float], variance: [Double], count: Int, weight: Tensor?, bias: Tensor?, runningMean: Tensor, runningVar: Tensor,
        momentum: Float, eps: Float
    ) {
        var mean = mean, variance = variance, count = count
        let synchronizer = BatchNormSynchronizer.current
        synchronizer?.synchronize(mean: &mean, variance: &variance, count: &count)
        let unbiasing = Double(count) / Double(count - 1)
        var invStd = [Float](repeating: 0, count: mean.count)
        for c in mean.indices {
            invStd[c] = Float(1 / (variance[c] + Double(eps)).squareRoot())
            runningMean.data[c] = (1 - momentum) * runningMean.data[c] + momentum * mean[c]
            runningVar.data[c] = (1 - momentum) * runningVar.data[c] + momentum * Float(variance[c] * unbiasing)
        }
        self.init(mean: mean, invStd: invStd, count: count, weight: weight, bias: bias, synchronizer: synchronizer)
    }

    /// Evaluation: from the running statistics.
    init(evaluation runningMean: Tensor, runningVar: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) {
        let invStd = runningVar.data.map { 1 / ($0 + eps).squareRoot() }
        self.init(mean: runningMean.data, invStd: invStd, count: 0, weight: weight, bias: bias, synchronizer: nil)
    }

    private init(mean: [Float], invStd: [Float], count: Int, weight: Tensor?, bias: Tensor?, synchronizer: BatchNormSynchronizer?) {
        let channels = mean.count
        let gamma = weight?.data ?? [Float](repeating: 1, count: channels)
        let beta = bias?.data ?? [Float](repeating: 0, count: channels)
        var scale = [Float](repeating: 0, count: channels), shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            scale[c] = gamma[c] * invStd[c]
            shift[c] = beta[c] - mean[c] * scale[c]
        }
        self.mean = mean
        self.invStd = invStd
        self.scale = scale
        self.shift = shift
        self.count = count
        self.synchronizer = synchronizer
    }

    /// Training's input gradient dx = γσ⁻¹·(g − mean(g) − x̂·mean(g·x̂)) as an affine map of g and x per channel,
    /// dx = a·g + b·x + c, from this rank's Σg and Σg·x̂ (summed over the ranks first with sync BN).
    func inputGradient(sumG: [Float], sumGXhat: [Float]) -> (gScale: [Float], xScale: [Float], shift: [Float]) {
        var sumG = sumG, sumGXhat = sumGXhat
        synchronizer?.synchronize(sumG: &sumG, sumGXhat: &sumGXhat)
        let n = Float(count)
        var a = [Float](repeating: 0, count: mean.count), b = a, c = a
        for ch in mean.indices {
            a[ch] = scale[ch]
            b[ch] = -scale[ch] * invStd[ch] * sumGXhat[ch] / n
            c[ch] = -scale[ch] * sumG[ch] / n - b[ch] * mean[ch]
        }
        return (a, b, c)
    }
}
