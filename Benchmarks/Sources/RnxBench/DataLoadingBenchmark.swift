import Foundation
import Kernel

/// The augmentation both sides of the loading group apply: random horizontal flip, random 56×56 crop, random rotation
/// of up to 15°.
private func loadingAugmentation() -> Compose {
    Compose([RandomFlip(), RandomCrop(size: ImageSize(56)), RandomAffine.rotation(15)])
}

/// JPEG image-folder loading with augmentation, in images/s: each repeat decodes the folder `Benchmarks/run.sh` wrote
/// (64×64 JPEGs, one sub-folder per class, Tiny-ImageNet-like) and serves one shuffled epoch of batches of 64 with a
/// random horizontal flip, a random 56×56 crop and a random rotation of up to 15°. `torch_bench.py` does the same with
/// PIL and a DataLoader of 2 workers (torchvision cannot be installed beside the CPU build of torch here).
func benchmarkImageLoading(_ recorder: Recorder, folder: String, warmup: Int, repeats: Int) throws {
    var images = 0
    let augment = loadingAugmentation()
    let samples = try measure(warmup: warmup, repeats: repeats) {
        let dataset = try Datasets.imageFolder(root: folder)
        let stream = try DataLoader(dataset, batchSize: 64, transform: augment, seed: 0).batches(epoch: 0)
        images = 0
        while let batch = try stream.next() { images += batch.labels.count }
    }
    recorder.add(imageLoadingWorkload, "imageFolder + DataLoader", samples, images: images)
}

/// Whether loading is ever the bottleneck of training: a ResNet-18 (200 classes) SGD epoch over the folder's images
/// (decoded once, as `imageFolder` does), batches of 32 augmented to 56 px, once with the DataLoader augmenting in its
/// prefetch thread while the model trains (as `fit` runs) and once over the same batches built beforehand. The two
/// alternate, `repeats` times each; overlap = pre-built time / overlapped time (1: loading hides completely).
func benchmarkLoadingOverlap(_ recorder: Recorder, folder: String, repeats: Int) throws {
    let dataset = try Datasets.imageFolder(root: folder)
    let loader = try DataLoader(dataset, batchSize: 32, transform: loadingAugmentation(), seed: 0)
    let model = try ResNet.resnet18(classes: 200, inputShape: [3, 56, 56])
    model.train()
    let optimizer = try SGD(model.trainableParameters, learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
    func step(_ batch: Batch) throws {
        optimizer.zeroGrad()
        let loss = try Loss.crossEntropy(logits: try model(batch.images), targets: batch.labels)
        try loss.backward()
        try optimizer.step()
    }
    var prebuilt: [Batch] = []
    let stream = try loader.batches(epoch: 0)
    while let batch = try stream.next() { prebuilt.append(batch) }
    for batch in prebuilt.prefix(3) { try step(batch) }
    var overlapped = Samples(), predecoded = Samples()
    for _ in 0..<repeats {
        predecoded = try appending(predecoded) {
            for batch in prebuilt { try step(batch) }
        }
        overlapped = try appending(overlapped) {
            let batches = try loader.batches(epoch: 0)
            while let batch = try batches.next() { try step(batch) }
        }
    }
    recorder.add(loadingOverlapWorkload, preBuiltVariant, predecoded, images: dataset.count)
    recorder.add(loadingOverlapWorkload, overlappedVariant, overlapped, images: dataset.count)
    let median = { (samples: [Double]) in samples.sorted()[samples.count / 2] }
    let overlap = median(predecoded.wallMs) / median(overlapped.wallMs)
    FileHandle.standardError.write(
        String(format: "    overlap %.3f (pre-built batches time / overlapped loading time)\n", overlap).data(using: .utf8) ?? Data())
}

/// `samples` with one more timed run of `body`.
private func appending(_ samples: Samples, _ body: () throws -> Void) throws -> Samples {
    var samples = samples
    let one = try measure(warmup: 0, repeats: 1, body)
    samples.wallMs += one.wallMs
    samples.cpuMs += one.cpuMs
    return samples
}

/// The workload name shared with `torch_bench.py`.
let imageLoadingWorkload = "jpeg folder 64px flip+crop+rotate epoch"
/// The workload and variant names `report.py` computes the overlap from.
let loadingOverlapWorkload = "resnet18-200 epoch on jpeg folder b32 56px"
let preBuiltVariant = "pre-built batches"
let overlappedVariant = "loader overlapped (prefetch 2)"
