import Kernel

/// A full SGD training step (forward, cross-entropy, backward, momentum 0.9 + weight decay 5e-4) on one fixed
/// random batch, so only the network is timed, never data loading.
func benchmarkTrainingStep(
    _ recorder: Recorder, workload: String, model: Model, batch: Int, size: Int, classes: Int,
    variant: String, warmup: Int, repeats: Int
) throws {
    model.train()
    let optimizer = try SGD(model.trainableParameters, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4)
    let generator = RandomGenerator(seed: 0)
    let x = try Tensor.randn([batch, 3, size, size], generator: generator)
    let targets = (0..<batch).map { $0 % classes }
    let samples = try measure(warmup: warmup, repeats: repeats) {
        optimizer.zeroGrad()
        let loss = try Loss.crossEntropy(logits: try model(x), targets: targets)
        try loss.backward()
        try optimizer.step()
    }
    recorder.add(workload, variant, samples, images: batch)
}

/// Evaluation-mode forward passes (running batch-norm statistics, no tape) of one fixed random batch.
func benchmarkInference(
    _ recorder: Recorder, workload: String, model: Model, batch: Int, size: Int,
    variant: String, warmup: Int, repeats: Int
) throws {
    model.eval()
    let x = try Tensor.randn([batch, 3, size, size], generator: RandomGenerator(seed: 0))
    let samples = try measure(warmup: warmup, repeats: repeats) {
        _ = try noGrad { try model(x) }
    }
    recorder.add(workload, variant, samples, images: batch)
}
