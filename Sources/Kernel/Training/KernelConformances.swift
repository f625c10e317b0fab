// The Kernel's own model and loader plug into the training loop directly. (`Model` declares its
// `TrainableModel` conformance next to its definition, in Models/Model.swift.)

extension Model {
    /// The model's dropout and stochastic-depth generator, which training checkpoints save and restore.
    public var randomGenerator: RandomGenerator { generator }
}

/// A `DataLoader` serves the training loop; its order and augmentation depend only on (seed, epoch),
/// so a resumed run sees the same batches.
extension DataLoader: BatchSource {
    /// Samples in one epoch (an incomplete last batch left out by `dropLast` does not count).
    public var sampleCount: Int { dropLast ? batchCount * batchSize : epochSampleCount }

    /// Streams the batches of epoch `epoch`, cancelling the prefetch thread if `body` stops early.
    public func forEachBatch(epoch: Int, _ body: (_ inputs: Tensor, _ labels: [Int]) throws -> Bool) throws {
        let stream = try batches(epoch: epoch)
        // Stopping early (interrupt, divergence) must not leave the prefetch thread running.
        defer { stream.cancel() }
        while let batch = try stream.next() {
            guard try body(batch.images, batch.labels) else { return }
        }
    }
}
