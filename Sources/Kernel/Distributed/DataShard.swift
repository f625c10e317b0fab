/// Rank `rank`'s part of each epoch in a run of `worldSize` ranks, like PyTorch's `DistributedSampler`: every rank
/// computes the same seeded order of all samples and takes every `worldSize`-th one starting at `rank`, so the
/// parts are disjoint and together cover the data.
///
/// Training shards are `padded`: the order is extended with its own first samples to a multiple of `worldSize`, so
/// every rank has the same number of batches (each batch ends in a collective call every rank must make). Rank r's
/// batch b then holds exactly the samples a single process with `worldSize` times the batch size would put in its
/// batch b, which is what makes data-parallel training equal to large-batch training.
public struct DataShard: Equatable, Sendable {
    /// The rank whose part this is.
    public let rank: Int
    /// The number of ranks sharing the data.
    public let worldSize: Int
    /// Whether the order is padded so every rank has the same number of samples.
    public let padded: Bool

    /// Rank `rank` of `worldSize`; throws when the rank is out of range.
    public init(rank: Int, worldSize: Int, padded: Bool) throws {
        guard worldSize >= 1, (0..<worldSize).contains(rank) else {
            throw KernelError.invalidArgument(
                op: "DataShard", message: "rank must be in 0..<\(worldSize) with at least 1 rank, found rank \(rank) of \(worldSize)")
        }
        self.rank = rank
        self.worldSize = worldSize
        self.padded = padded
    }

    /// The number of samples this rank gets from `total`.
    public func count(of total: Int) -> Int {
        guard total > 0 else { return 0 }
        if padded { return (total + worldSize - 1) / worldSize }
        return (total - rank + worldSize - 1) / worldSize
    }

    /// This rank's samples of `order`, in order.
    public func samples(of order: [Int]) -> [Int] {
        let share = count(of: order.count)
        return (0..<share).map { order[(rank + $0 * worldSize) % order.count] }
    }
}
