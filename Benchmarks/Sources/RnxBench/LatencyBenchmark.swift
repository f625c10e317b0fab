import Kernel

/// Batch-1 inference latency of `m(x)`, as a person in the REPL feels it: the first call on a fresh model (plans and
/// buffers created then) recorded as its own workload with one sample, then warm repeats.
func benchmarkLatency(_ recorder: Recorder, workload: String, model: Model, size: Int, variant: String, repeats: Int) throws {
    model.eval()
    let x = try Tensor.randn([1, 3, size, size], generator: RandomGenerator(seed: 0))
    let infer = { _ = try noGrad { try model(x) } }
    recorder.add(workload + " first call", variant, try measure(warmup: 0, repeats: 1, infer), images: 1)
    recorder.add(workload, variant, try measure(warmup: 2, repeats: repeats, infer), images: 1)
}

/// The `latency` group: ResNet-20 on one 32×32 image, ResNet-18 and ResNet-50 on one 224×224 image.
func benchmarkLatencies(_ recorder: Recorder, variant: String, repeats: Int) throws {
    try benchmarkLatency(
        recorder, workload: "latency resnet20 b1 32px", model: try ResNet.cifarResNet(depth: 20), size: 32, variant: variant,
        repeats: repeats)
    try benchmarkLatency(recorder, workload: "latency resnet18 b1 224px", model: try ResNet.resnet18(), size: 224, variant: variant, repeats: repeats)
    try benchmarkLatency(recorder, workload: "latency resnet50 b1 224px", model: try ResNet.resnet50(), size: 224, variant: variant, repeats: repeats)
}
