/// Synchronized batch norm (PyTorch's `SyncBatchNorm`) for data-parallel training: batch statistics over the global
/// batch instead of each rank's share. In forward the per-channel count, sum and sum of squares are summed over the
/// ranks; in backward the two per-channel gradient sums behind the input gradient are (the weight and bias gradients
/// stay local: the gradient averaging combines them like every other parameter's).
///
/// The batch-norm ops reach it through `current`, which `fit` sets while it trains with `syncBatchNorm`, so no layer
/// or model needs to know about ranks. An op's backward closure cannot throw, so a communication failure is kept
/// (the op goes on with its local sums) and thrown by `rethrowFailure()` once backward is done.
final class BatchNormSynchronizer {
    /// The synchronizer of the training running now, nil outside synchronized training (one training thread at a time).
    nonisolated(unsafe) static var current: BatchNormSynchronizer?

    private let group: ProcessGroup
    private var failure: Error?

    init(group: ProcessGroup) {
        self.group = group
    }

    /// Turns this rank's per-channel `mean` and biased `variance` over `count` values each into those over all ranks'
    /// values, and `count` into the global count.
    func synchronize(mean: inout [Float], variance: inout [Double], count: inout Int) {
        let channels = mean.count
        let n = Double(count)
        var sums = [Double](repeating: 0, count: 2 * channels + 1)
        for c in 0..<channels {
            let mu = Double(mean[c])
            sums[c] = n * mu
            sums[channels + c] = n * (variance[c] + mu * mu)
        }
        sums[2 * channels] = n
        guard attempt({ try group.allReduceSum(&sums) }) else { return }
        let total = sums[2 * channels]
        for c in 0..<channels {
            let mu = sums[c] / total
            mean[c] = Float(mu)
            variance[c] = max(sums[channels + c] / total - mu * mu, 0)
        }
        count = Int(total)
    }

    /// Sums the per-channel gradient sums Σg and Σg·x̂ over the ranks.
    func synchronize(sumG: inout [Float], sumGXhat: inout [Float]) {
        var sums = (sumG + sumGXhat).map(Double.init)
        guard attempt({ try group.allReduceSum(&sums) }) else { return }
        let channels = sumG.count
        sumG = sums[..<channels].map { Float($0) }
        sumGXhat = sums[channels...].map { Float($0) }
    }

    /// Throws (once) the first communication failure since the last call.
    func rethrowFailure() throws {
        guard let failure else { return }
        self.failure = nil
        throw failure
    }

    /// Runs `body` unless an earlier call failed (the connection is gone: later calls would fail or hang).
    private func attempt(_ body: () throws -> Void) -> Bool {
        guard failure == nil else { return false }
        do {
            try body()
            return true
        } catch {
            failure = error
            return false
        }
    }
}
