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

/// The time stochastic depth saves by skipping dropped branches: training steps of a pre-activation ResNet-34 (200
/// classes, 64 px, batch 32) without it (p_L = 1) and with p_L = 0.5, where a step runs each block's branch with
/// probability p_l = 1 − l/16·0.5, about 73% of them on average. The draws come from a seeded generator.
func benchmarkStochasticDepth(_ recorder: Recorder, warmup: Int, repeats: Int) throws {
    for (finalSurvival, variant) in [(Float(1), "p_L=1"), (0.5, "p_L=0.5")] {
        var config = try ResNetConfig.imagenet(depth: 34, classes: 200, inputShape: [3, 64, 64])
        config.preActivation = true
        config.finalSurvivalProbability = finalSurvival
        let model = try ResNet.make(config)
        model.generator = RandomGenerator(seed: 1)
        try benchmarkTrainingStep(
            recorder, workload: stochasticDepthWorkload, model: model, batch: 32, size: 64, classes: 200, variant: variant,
            warmup: warmup, repeats: repeats)
    }
}

/// The workload name `report.py` pairs the two variants by.
let stochasticDepthWorkload = "pre-act resnet34-200 stochastic depth step b32 64px"
