import Dispatch

/// Elapsed wall-clock time from a monotonic clock.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds

    /// Seconds since creation.
    var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

extension BatchProgress {
    /// Progress of a pass with rate and ETA derived from the elapsed time.
    init(
        phase: TrainingPhase, epoch: Int, epochs: Int, batch: Int, batchCount: Int, samples: Int, elapsed: Double,
        runningLoss: Double, learningRate: Double, step: Int
    ) {
        let remaining = max(0, batchCount - batch)
        self.init(
            phase: phase, epoch: epoch, epochs: epochs, batch: batch, batchCount: batchCount, samples: samples, elapsed: elapsed,
            itemsPerSecond: elapsed > 0 ? Double(samples) / elapsed : 0,
            eta: batch > 0 ? elapsed / Double(batch) * Double(remaining) : 0,
            runningLoss: runningLoss, learningRate: learningRate, step: step)
    }
}
