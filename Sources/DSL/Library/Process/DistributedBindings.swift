import Kernel

/// `world_size()` and `rank()`: where a script runs in a data-parallel launch (`mpirun -np 4 rnx run exp.rnx`).
/// `fit` needs neither: it shards the data and averages gradients by itself; these are for scripts that want to
/// do something on one rank only or name files per rank.
enum DistributedBindings {
    static let group = BuiltinGroup(
        title: "Distributed training",
        functions: [
            BuiltinFunction(
                "world_size", [], doc: "The number of ranks training together under mpirun (1 without it); fit shards each epoch across them."
            ) { _ in
                .int(Distributed.launchSize)
            },
            BuiltinFunction(
                "rank", [],
                doc: "This process's rank under mpirun, 0 ..< world_size() (0 without it); only rank 0 prints, draws and writes checkpoints."
            ) { _ in
                .int(Distributed.launchRank)
            },
        ])
}
