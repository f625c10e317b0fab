import Basics

/// Serves a `Dataset` in mini-batches, epoch after epoch: optional shuffling, per-sample transforms,
/// progressive resizing, and background prefetching.
///
/// Everything random derives from `seed`: the order of epoch `e` and the augmentation of each sample in it
/// depend only on (`seed`, `e`, sample index), so the same seed gives the same batches — with or without
/// prefetching, on any machine. Without a `seed` the loader draws one from the global generator, so
/// `seed(42)` at the top of a run makes the loader reproducible too.
///
/// ```swift
/// let train = try Datasets.mnist5k()
/// let loader = try DataLoader(train, batchSize: 64, transform: Compose([RandomCrop(size: ImageSize(28), padding: 2)]), seed: 1)
/// for epoch in 0..<3 {
///     let batches = try loader.batches(epoch: epoch)
///     while let batch = try batches.next() {
///         // batch.images: [64, 1, 28, 28], batch.labels: [Int]
///     }
/// }
/// ```
public final class DataLoader {
    /// The samples served.
    public let dataset: Dataset
    /// Samples per batch (the last batch of an epoch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// Whether each epoch visits the samples in a new random order (otherwise data-set order).
    public let shuffle: Bool
    /// Whether an incomplete last batch is left out.
    public let dropLast: Bool
    /// Applied to every sample, with the sample's own seeded generator.
    public let transform: (any Transform)?
    /// The seed all randomness derives from.
    public let seed: UInt64
    /// How many finished batches a background thread keeps ready; 0 builds each batch in `next()`.
    public let prefetch: Int
    /// Progressive resizing: the image size per epoch, applied after `transform`. May change between epochs.
    public var resize: ResizeSchedule?
    /// In data-parallel training, the part of each epoch this rank serves (nil: all samples).
    public let shard: DataShard?

    /// A loader over `dataset`; the transform is checked against the data's image shape right away.
    public init(
        _ dataset: Dataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, transform: (any Transform)? = nil,
        resize: ResizeSchedule? = nil, seed: UInt64? = nil, prefetch: Int = 2, shard: DataShard? = nil
    ) throws {
        guard batchSize > 0 else {
            throw KernelError.invalidArgument(op: "DataLoader", message: "batch size must be positive, found \(batchSize)")
        }
        guard prefetch >= 0 else {
            throw KernelError.invalidArgument(op: "DataLoader", message: "prefetch must not be negative, found \(prefetch)")
        }
        let served = shard?.count(of: dataset.count) ?? dataset.count
        guard !dropLast || served >= batchSize else {
            throw KernelError.invalidArgument(
                op: "DataLoader", message: "dropLast with batch size \(batchSize) leaves no batch from \(Plural.count(served, "sample"))")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.transform = transform
        self.resize = resize
        self.seed = seed ?? RandomGenerator.global.next()
        self.prefetch = prefetch
        self.shard = shard
        _ = try sampleShape(epoch: 0)
        for phase in resize?.phases ?? [] { _ = try sampleShape(epoch: phase.startEpoch) }
    }

    /// The same loader (same seed unless `seed` is given) serving only `shard`'s part of each epoch.
    public func sharded(_ shard: DataShard, seed: UInt64? = nil) throws -> DataLoader {
        try DataLoader(
            dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, transform: transform, resize: resize,
            seed: seed ?? self.seed, prefetch: prefetch, shard: shard)
    }

    /// Samples served in each epoch: the shard's part, or the whole data set.
    public var epochSampleCount: Int { shard?.count(of: dataset.count) ?? dataset.count }

    /// Batches in each epoch.
    public var batchCount: Int {
        dropLast ? epochSampleCount / batchSize : (epochSampleCount + batchSize - 1) / batchSize
    }

    /// The shape of one sample in epoch `epoch`'s batches, after the transform and the resize schedule. Throws when a
    /// full batch of such samples could not be allocated (an overflowing size or one beyond the memory limit), so a
    /// huge resize fails here, with a message, instead of in the middle of an epoch.
    public func sampleShape(epoch: Int) throws -> [Int] {
        var shape = try transform?.outputShape(for: dataset.sampleShape) ?? dataset.sampleShape
        if let size = resize?.size(forEpoch: epoch) {
            shape = try Resize(size).outputShape(for: shape)
        }
        try Shape.validate([Swift.min(batchSize, epochSampleCount)] + shape, op: "DataLoader")
        return shape
    }

    /// The data-set indices in the order epoch `epoch` visits them (all of them, each once, before sharding).
    public func sampleOrder(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        let stream = SeedDerivation.derive(SeedDerivation.derive(seed, Self.shuffleStream), UInt64(epoch))
        return RandomGenerator(seed: stream).permutation(dataset.count)
    }

    /// The batches of epoch `epoch` (0-based). With `prefetch` > 0 a background thread starts building them
    /// at once; it stops when the stream is exhausted, cancelled or released.
    public func batches(epoch: Int) throws -> BatchStream {
        guard epoch >= 0 else {
            throw KernelError.invalidArgument(op: "DataLoader", message: "epoch must not be negative, found \(epoch)")
        }
        let plan = EpochPlan(
            dataset: dataset,
            order: shard.map { $0.samples(of: sampleOrder(epoch: epoch)) } ?? sampleOrder(epoch: epoch),
            batchSize: batchSize,
            batchCount: batchCount,
            transform: transform,
            resize: resize?.size(forEpoch: epoch),
            sampleShape: try sampleShape(epoch: epoch),
            sampleSeed: SeedDerivation.derive(SeedDerivation.derive(seed, Self.sampleStream), UInt64(epoch)))
        return try BatchStream(epoch: epoch, plan: plan, prefetch: prefetch)
    }

    /// Names of the two independent random streams derived from the seed.
    private static let shuffleStream: UInt64 = 0x5348_5546_464C_4531
    private static let sampleStream: UInt64 = 0x5341_4D50_4C45_5331
}
