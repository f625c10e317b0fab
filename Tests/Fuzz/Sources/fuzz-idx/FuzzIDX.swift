import FuzzSupport
import Kernel

/// The IDX reader MNIST loading uses, on plain and gzip-compressed files (it recognises gzip from the content).
/// An IDX data set is a pair of files: the first byte says which one the rest of the input is (even: the images,
/// odd: the labels), and the other one is a small valid file holding two samples, so a fuzzed file that reads
/// cleanly still reaches the checks that compare the two.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.setUp()
    let input = FuzzHarness.bytes(data, size)
    guard let selector = input.first else { return 0 }
    let fuzzed = FuzzHarness.file("input.idx", containing: Array(input.dropFirst()))
    let dataset =
        selector % 2 == 0
        ? try? Datasets.idx(images: fuzzed, labels: companionLabels)
        : try? Datasets.idx(images: companionImages, labels: fuzzed)
    if let dataset, dataset.count > 0, let sample = try? dataset.sample(dataset.count - 1) {
        _ = sample.image.data.reduce(0, +)
    }
    return 0
}

/// Two 2×2 images (magic 2051: unsigned bytes, three dimensions).
private let companionImages = FuzzHarness.file(
    "companion-images.idx",
    containing: [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 64, 128, 255, 255, 128, 64, 0]
)

/// Two labels (magic 2049: unsigned bytes, one dimension).
private let companionLabels = FuzzHarness.file("companion-labels.idx", containing: [0, 0, 8, 1, 0, 0, 0, 2, 3, 7])
