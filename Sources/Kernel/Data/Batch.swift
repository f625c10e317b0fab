/// One mini-batch from a `DataLoader`.
public struct Batch: Sendable {
    /// The images, [B, C, H, W].
    public let images: Tensor
    /// One label per image.
    public let labels: [Int]
    /// The data-set index of each image, in batch order.
    public let indices: [Int]
}

/// Everything needed to build any batch of one epoch. A batch is a pure function of the plan and its
/// number — each sample's augmentation draws from a generator seeded by (epoch, sample index) — so
/// batches come out identical whichever thread builds them and whenever.
struct EpochPlan: Sendable {
    let dataset: Dataset
    /// Sample indices in epoch order.
    let order: [Int]
    let batchSize: Int
    let batchCount: Int
    let transform: (any Transform)?
    let resize: ImageSize?
    /// The shape every sample has after transform and resize.
    let sampleShape: [Int]
    /// The base of the per-sample seeds of this epoch.
    let sampleSeed: UInt64

    /// Batch `number`, or nil if `isCancelled()` turns true while it is being built. Transformed samples are built on
    /// `Parallel.threads` workers (each from its own seed, so the batch is the same on any number); `isCancelled` is
    /// then called from several threads. A failing sample throws the error of the first in batch order.
    func batch(_ number: Int, isCancelled: () -> Bool) throws -> Batch? {
        let start = number * batchSize
        let indices = Array(order[start..<Swift.min(start + batchSize, order.count)])
        let size = Shape.count(sampleShape)
        var data = [Float](repeating: 0, count: indices.count * size)
        if transform == nil && resize == nil {
            for (row, index) in indices.enumerated() {
                if isCancelled() { return nil }
                let source = index * size
                data.withUnsafeMutableBufferPointer { destination in
                    dataset.values.withUnsafeBufferPointer { values in
                        guard let to = destination.baseAddress, let from = values.baseAddress else { return }
                        (to + row * size).update(from: from + source, count: size)
                    }
                }
            }
        } else {
            // nil: the sample was built; otherwise why not (an error, or nil for a cancelled one).
            var outcomes = [Error??](repeating: nil, count: indices.count)
            data.withUnsafeMutableBufferPointer { destination in
                outcomes.withUnsafeMutableBufferPointer { outcomes in
                    Parallel.forEach(indices.count) { row in
                        if isCancelled() {
                            outcomes[row] = .some(nil)
                            return
                        }
                        do {
                            let image = try sample(indices[row])
                            image.data.withUnsafeBufferPointer { values in
                                guard let to = destination.baseAddress, let from = values.baseAddress else { return }
                                (to + row * size).update(from: from, count: size)
                            }
                        } catch {
                            outcomes[row] = error
                        }
                    }
                }
            }
            if let first = outcomes.first(where: { $0 != nil }), let outcome = first {
                guard let error = outcome else { return nil }
                throw error
            }
        }
        return Batch(
            images: Tensor(unchecked: [indices.count] + sampleShape, data: data), labels: indices.map { dataset.labels[$0] }, indices: indices)
    }

    /// Sample `index` transformed with its own generator and resized, checked against `sampleShape`.
    private func sample(_ index: Int) throws -> Tensor {
        var image = dataset.image(at: index)
        if let transform {
            image = try transform.apply(image, generator: RandomGenerator(seed: SeedDerivation.derive(sampleSeed, UInt64(index))))
        }
        if let resize {
            image = try Resize.bilinear(image, to: resize)
        }
        guard image.shape == sampleShape else {
            throw KernelError.shapeMismatch(
                op: "DataLoader", expected: "every sample transformed to \(shapeString(sampleShape))",
                found: "\(shapeString(image.shape)) for sample \(index)")
        }
        return image
    }
}
