import Kernel

/// Data-parallel training throughput: one `fit` epoch of `steps` ResNet-20 steps with 64 images per rank, on every rank
/// of the `mpirun` launch (or a single process without it). Images per call count every rank's.
func benchmarkDataParallel(_ recorder: Recorder, steps: Int, warmup: Int, repeats: Int) throws {
    let ranks = try Distributed.world()?.worldSize ?? 1
    let model = try ResNet.cifarResNet(depth: 20)
    let optimizer = try SGD(model.trainableParameters, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4)
    let batches = try FixedBatches(count: steps, batch: 64, size: 32, classes: 10)
    let samples = try measure(warmup: warmup, repeats: repeats) {
        try fit(model: model, train: batches, epochs: 1, optimizer: optimizer, metrics: [])
    }
    recorder.add("resnet20 data-parallel train b64/rank", "\(ranks) rank\(ranks == 1 ? "" : "s")", samples, images: 64 * steps * ranks)
}

/// MPI_Allreduce (sum, in place) of float buffers the size of ResNet-20's (about 1 MB) and ResNet-18's (about 45 MB)
/// gradients between the ranks of the launch: the figures docs/scaling.md extrapolates from. Needs mpirun.
func benchmarkAllReduce(_ recorder: Recorder, warmup: Int, repeats: Int) throws {
    guard let group = try Distributed.world() else {
        throw BenchError.usage("allreduce needs two or more ranks: run it under mpirun -np 2")
    }
    for (label, megabytes) in [("1 MB", 1), ("45 MB", 45)] {
        var buffer = [Float](repeating: 0, count: megabytes << 18)
        let samples = try measure(warmup: warmup, repeats: repeats) { try group.allReduceSum(&buffer) }
        recorder.add("allreduce \(label)", "\(group.worldSize) ranks", samples)
    }
}

/// The same random batch `count` times: training without data loading, as the other model benchmarks do.
struct FixedBatches: BatchSource {
    let batchCount: Int
    let images: Tensor
    let labels: [Int]

    init(count: Int, batch: Int, size: Int, classes: Int) throws {
        batchCount = count
        images = try Tensor.randn([batch, 3, size, size], generator: RandomGenerator(seed: 0))
        labels = (0..<batch).map { $0 % classes }
    }

    var sampleCount: Int { batchCount * labels.count }

    func forEachBatch(epoch: Int, _ body: (Tensor, [Int]) throws -> Bool) throws {
        for _ in 0..<batchCount {
            guard try body(images, labels) else { return }
        }
    }
}
