import Kernel

/// JPEG image-folder loading with augmentation, in images/s: each repeat decodes the folder `Benchmarks/run.sh` wrote
/// (64×64 JPEGs, one sub-folder per class, Tiny-ImageNet-like) and serves one shuffled epoch of batches of 64 with a
/// random horizontal flip, a random 56×56 crop and a random rotation of up to 15°. `torch_bench.py` does the same with
/// PIL and a DataLoader of 2 workers (torchvision cannot be installed beside the CPU build of torch here).
func benchmarkImageLoading(_ recorder: Recorder, folder: String, warmup: Int, repeats: Int) throws {
    var images = 0
    let augment = Compose([RandomFlip(), RandomCrop(size: ImageSize(56)), RandomAffine.rotation(15)])
    let samples = try measure(warmup: warmup, repeats: repeats) {
        let dataset = try Datasets.imageFolder(root: folder)
        let stream = try DataLoader(dataset, batchSize: 64, transform: augment, seed: 0).batches(epoch: 0)
        images = 0
        while let batch = try stream.next() { images += batch.labels.count }
    }
    recorder.add(imageLoadingWorkload, "imageFolder + DataLoader", samples, images: images)
}

/// The workload name shared with `torch_bench.py`.
let imageLoadingWorkload = "jpeg folder 64px flip+crop+rotate epoch"
