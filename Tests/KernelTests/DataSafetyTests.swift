import Foundation
import XCTest
@testable import Kernel

/// Transforms, loaders and the image-folder walk with sizes, counts and folder structures from user input: refused with
/// a clear error before any work, never a trap, an allocation failure or a walk that does not end.
final class DataSafetyTests: XCTestCase {

    /// Four 3×8×8 images.
    private func images() throws -> Dataset {
        try Dataset(images: try Tensor.randn([4, 3, 8, 8], generator: RandomGenerator(seed: 3)), labels: [0, 1, 0, 1])
    }

    func testResizeToAnOverflowingSizeIsRefusedWhenTheLoaderIsBuilt() throws {
        // `loader(ds, transforms=[resize(1518500250)]).one_batch()`: 3 × 1518500250² elements per sample overflows a batch.
        let huge = ImageSize(1_518_500_250)
        assertRefusedForSize(try DataLoader(try images(), batchSize: 4, transform: Resize(huge)))
        assertRefusedForSize(try Resize(ImageSize(3_037_000_500)).outputShape(for: [3, 8, 8]))
        assertRefusedForSize(try Resize.bilinear(try Tensor.zeros([2, 3, 8, 8]), to: huge))
        assertRefusedForSize(try DataLoader(try images(), batchSize: 4, resize: try ResizeSchedule([(0, ImageSize(8)), (5, huge)])))
    }

    func testTransformsOverTheMemoryLimitAreRefusedBeforeAllocating() throws {
        // `resize(100000)` and `random_resized_crop(100000)` aborted with "failed to allocate"; 1000 is 12 MB here.
        try withSmallMemoryLimit {
            let data = try images()
            let image = data.image(at: 0)
            let generator = RandomGenerator(seed: 1)
            assertRefusedForSize(try DataLoader(data, batchSize: 4, transform: Resize(ImageSize(1000))))
            assertRefusedForSize(try DataLoader(data, batchSize: 4, transform: RandomResizedCrop(size: ImageSize(1000))))
            assertRefusedForSize(try DataLoader(data, batchSize: 4, transform: RandomCrop(size: ImageSize(1000), padding: 500)))
            assertRefusedForSize(try Resize(ImageSize(1000)).apply(image, generator: generator))
            assertRefusedForSize(try RandomResizedCrop(size: ImageSize(1000)).apply(image, generator: generator))
            // One sample fits, a batch of 4 does not.
            assertRefusedForSize(try DataLoader(data, batchSize: 4, transform: Resize(ImageSize(200))))
            XCTAssertEqual(try DataLoader(data, batchSize: 1, transform: Resize(ImageSize(200))).sampleShape(epoch: 0), [3, 200, 200])
        }
    }

    func testCropSizesFromExtremeRatiosDoNotTrap() throws {
        let image = try images().image(at: 0)
        for ratio: ClosedRange<Float> in [1e-38...1e-37, 1e37...1e38, 1e-38...1e38] {
            let crop = RandomResizedCrop(size: ImageSize(4), scale: 0.5...1, ratio: ratio)
            for seed in 0..<20 {
                XCTAssertEqual(try crop.apply(image, generator: RandomGenerator(seed: UInt64(seed))).shape, [3, 4, 4])
            }
        }
    }

    func testRandomCropWithAHugePaddingIsAnError() throws {
        assertError(try RandomCrop(size: ImageSize(8), padding: Int.max).outputShape(for: [3, 8, 8]), containing: "too large")
        assertError(try RandomCrop(size: ImageSize(8), padding: Int.max / 2).outputShape(for: [3, 8, 8]), containing: "too large")
    }

    func testCutoutCountBeyondThePixelCountIsRefused() throws {
        // `cutout(4, count=10**9)` spun for 10⁹ patches per image.
        assertError(
            try DataLoader(try images(), batchSize: 2, transform: Cutout(size: 4, count: 1_000_000_000)),
            containing: "count must be at most the 64 pixels")
        let all = try Cutout(size: 2, count: 64).apply(try Tensor.ones([1, 8, 8]), generator: RandomGenerator(seed: 2))
        XCTAssertEqual(all.shape, [1, 8, 8])
        XCTAssertTrue(all.data.contains(0))
    }

    func testImageFolderScalingAThinImageBeyondMemoryIsAnError() throws {
        try withSmallMemoryLimit {
            // A 1×4000 strip scaled to cover 100×100 is 100×400000 pixels.
            assertError(
                try ImageFit.cover(
                    [Float](repeating: 0.5, count: 4000), channels: 1, from: ImageSize(height: 1, width: 4000),
                    to: ImageSize(100), path: "strip.png"),
                containing: "strip.png")
        }
        let folder = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.writeImage(try Tensor.ones([3, 4, 4]), to: folder + "/cat/a.png")
        assertRefusedForSize(try Datasets.imageFolder(root: folder, size: ImageSize(3_037_000_500)))
    }

    func testImageFolderWalksASymbolicLinkDAGOnce() throws {
        // 30 levels, each holding two links to the next: 2³⁰ paths lead to the one image at the bottom.
        let root = try DataFixtures.temporaryDirectory(for: self)
        let levels = 30
        let manager = FileManager.default
        for level in 0...levels {
            try manager.createDirectory(atPath: root + "/levels/\(level)", withIntermediateDirectories: true)
        }
        for level in 0..<levels {
            for link in ["a", "b"] {
                try manager.createSymbolicLink(atPath: root + "/levels/\(level)/\(link)", withDestinationPath: root + "/levels/\(level + 1)")
            }
        }
        try DataFixtures.writeImage(try Tensor.ones([3, 2, 2]), to: root + "/levels/\(levels)/image.png")
        try manager.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: root + "/data/deep", withDestinationPath: root + "/levels/0")
        // A link back up makes a cycle as well.
        try manager.createSymbolicLink(atPath: root + "/levels/\(levels)/up", withDestinationPath: root + "/levels/0")

        let data = try Datasets.imageFolder(root: root + "/data")
        XCTAssertEqual(data.count, 1)
        XCTAssertEqual(data.classNames, ["deep"])
    }

    func testImageFolderWithTooManyEntriesIsAnError() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        for index in 0..<3 {
            try DataFixtures.writeImage(try Tensor.ones([3, 2, 2]), to: root + "/cat/sub/\(index).png")
        }
        let cancellation = LoadingCancellation(nil)
        XCTAssertEqual(try Datasets.imageFiles(in: root + "/cat", cancellation: cancellation, root: root, found: 0, limit: 4).count, 3)
        assertError(
            try Datasets.imageFiles(in: root + "/cat", cancellation: cancellation, root: root, found: 0, limit: 3),
            containing: "holds more than 3 files and folders")
        XCTAssertEqual(Datasets.entryLimit, 10_000_000)
    }
}
