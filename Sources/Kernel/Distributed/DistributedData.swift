extension Distributed {
    /// `source` as rank `group.rank` trains on it: a `DataLoader` serves its padded shard of every epoch, with rank 0's
    /// seed so every rank shuffles alike even if their seeds differ. Other sources (and a loader already sharded) are
    /// served whole: every rank then computes the same gradient, which is correct, only not faster. Without a group
    /// (a single process) `source` comes back unchanged. Every rank must call this together.
    public static func trainingShard(of source: BatchSource, group: ProcessGroup?) throws -> BatchSource {
        try shard(source, group: group, padded: true)
    }

    /// `source` as rank `group.rank` validates on it: a `DataLoader`'s unpadded shard (the metrics are summed over ranks,
    /// so no sample may count twice); other sources whole.
    static func validationShard(of source: BatchSource, group: ProcessGroup?) throws -> BatchSource {
        try shard(source, group: group, padded: false)
    }

    private static func shard(_ source: BatchSource, group: ProcessGroup?, padded: Bool) throws -> BatchSource {
        guard let group, group.worldSize > 1, let loader = source as? DataLoader, loader.shard == nil else { return source }
        let seed = try group.broadcast(loader.seed)
        return try loader.sharded(DataShard(rank: group.rank, worldSize: group.worldSize, padded: padded), seed: seed)
    }
}
