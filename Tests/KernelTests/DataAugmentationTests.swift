import XCTest
@testable import Kernel

/// The recipes' augmentations: vertical flips, zoom both ways, colour jitter and random subsets of transforms.
final class DataAugmentationTests: XCTestCase {
    /// A [1, 3, 3] image holding 1 … 9.
    private func nineImage() throws -> Tensor {
        try Tensor(shape: [1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    private func apply(_ transform: any Transform, _ image: Tensor, seed: UInt64 = 0) throws -> [Float] {
        try transform.apply(image, generator: RandomGenerator(seed: seed)).data
    }

    func testVerticalFlipMirrorsEveryColumn() throws {
        let image = try Tensor(shape: [2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(try apply(RandomFlip(.vertical, probability: 1), image), [3, 4, 1, 2, 7, 8, 5, 6])
        XCTAssertEqual(try apply(RandomFlip(.vertical, probability: 1), nineImage()), [7, 8, 9, 4, 5, 6, 1, 2, 3])
        XCTAssertEqual(try apply(RandomFlip(.vertical, probability: 0), image), image.data)
        XCTAssertThrowsError(try RandomFlip(.vertical, probability: -0.1).outputShape(for: [1, 2, 2]))
    }

    func testZoomKeepsTheSizeCropsInAndPadsOut() throws {
        // Rows hold their index, so any zoom in stays within the rows' range.
        let rows = try Tensor(shape: [1, 8, 8], data: (0..<64).map { Float($0 / 8) })
        XCTAssertEqual(try apply(RandomZoom(scale: 1...1), rows), rows.data)
        for seed in UInt64(0)..<5 {
            let zoomedIn = try apply(RandomZoom(scale: 2...2), rows, seed: seed)
            XCTAssertEqual(zoomedIn.count, 64)
            // A region of 4 rows enlarged to 8: each output row lies within the source's 0…7 and spans at most 4 rows.
            XCTAssertLessThanOrEqual(zoomedIn.max()! - zoomedIn.min()!, 3)
            XCTAssertEqual(zoomedIn[0], zoomedIn[7], "each row stays constant")

            let zoomedOut = try apply(RandomZoom(scale: 0.5...0.5, fill: -1), rows, seed: seed)
            XCTAssertEqual(zoomedOut.count, 64)
            // A 4×4 copy of the image on a canvas of fill: 48 fill pixels.
            XCTAssertEqual(zoomedOut.filter { $0 == -1 }.count, 48)
            XCTAssertEqual(try apply(RandomZoom(scale: 0.5...2), rows, seed: seed), try apply(RandomZoom(scale: 0.5...2), rows, seed: seed))
        }
        let differing = (UInt64(0)..<8).map { try? apply(RandomZoom(scale: 0.5...2), rows, seed: $0) }
        XCTAssertGreaterThan(Set(differing.map { "\(String(describing: $0))" }).count, 1, "the factor and place are random")
        XCTAssertThrowsError(try RandomZoom(scale: 0...1).outputShape(for: [1, 4, 4]))
        XCTAssertThrowsError(try RandomZoom(scale: 1...Float.infinity).outputShape(for: [1, 4, 4]))
    }

    func testColorJitterFollowsTorchvisionDefinitions() throws {
        // Brightness: f · x, clamped.
        var values: [Float] = [0.2, 0.8]
        ColorJitter.adjustBrightness(&values, factor: 1.5)
        assertValuesClose(values, [0.3, 1], accuracy: 1e-6)
        // Contrast: blend with the mean gray level (0.5 here).
        let gray = try ImageLayout([1, 1, 2], op: "test")
        values = [0, 1]
        ColorJitter.adjustContrast(&values, layout: gray, factor: 0.25)
        assertValuesClose(values, [0.375, 0.625], accuracy: 1e-6)
        // Saturation 0 turns a red pixel into its gray level on all channels; a gray image has no saturation to change.
        let rgb = try ImageLayout([3, 1, 1], op: "test")
        values = [1, 0, 0]
        ColorJitter.adjustSaturation(&values, layout: rgb, factor: 0)
        assertValuesClose(values, [0.2989, 0.2989, 0.2989], accuracy: 1e-6)
        values = [0.3, 0.7]
        ColorJitter.adjustSaturation(&values, layout: gray, factor: 0)
        XCTAssertEqual(values, [0.3, 0.7])

        // A constant image under brightness 0.5: every pixel becomes 0.5 · f with f the brightness draw in [0.5, 1.5]
        // (after the order's two draws and before the contrast and saturation draws).
        let constant = try Tensor(shape: [3, 2, 2], data: [Float](repeating: 0.5, count: 12))
        for seed in UInt64(0)..<6 {
            let replay = RandomGenerator(seed: seed)
            _ = replay.permutation(3)
            let factor = 0.5 + 1.0 * replay.uniform()
            let out = try apply(ColorJitter(brightness: 0.5), constant, seed: seed)
            assertValuesClose(out, [Float](repeating: min(1, 0.5 * factor), count: 12), accuracy: 1e-6)
        }
        XCTAssertEqual(try apply(ColorJitter(), constant), constant.data)
        XCTAssertThrowsError(try ColorJitter(brightness: -1).outputShape(for: [3, 2, 2]))
        XCTAssertThrowsError(try ColorJitter(saturation: 0.5).outputShape(for: [2, 2, 2]))
        XCTAssertNoThrow(try ColorJitter(brightness: 0.5).outputShape(for: [2, 2, 2]))
    }

    func testRandomSubsetAppliesTheChosenTransformsInOrder() throws {
        let nine = try nineImage()
        let flips: [any Transform] = [RandomFlip(.horizontal, probability: 1), RandomFlip(.vertical, probability: 1)]
        XCTAssertEqual(try apply(RandomSubset(flips, count: 2), nine), [9, 8, 7, 6, 5, 4, 3, 2, 1])
        XCTAssertEqual(try apply(RandomSubset(flips, count: 0), nine), nine.data)
        let horizontal: [Float] = [3, 2, 1, 6, 5, 4, 9, 8, 7]
        let vertical: [Float] = [7, 8, 9, 4, 5, 6, 1, 2, 3]
        var seen = Set<[Float]>()
        for seed in UInt64(0)..<16 {
            let out = try apply(RandomSubset(flips, count: 1), nine, seed: seed)
            XCTAssertTrue(out == horizontal || out == vertical, "\(out)")
            seen.insert(out)
        }
        XCTAssertEqual(seen.count, 2, "both transforms get chosen")
        XCTAssertThrowsError(try RandomSubset(flips, count: 3).outputShape(for: [1, 3, 3]))
        XCTAssertThrowsError(try RandomSubset([], count: 0).outputShape(for: [1, 3, 3]))
        XCTAssertThrowsError(try RandomSubset([CenterCrop(ImageSize(2))], count: 1).outputShape(for: [1, 3, 3])) { error in
            XCTAssertTrue("\(error)".contains("changes the image shape from [1, 3, 3] to [1, 2, 2]"), "\(error)")
        }
    }

    func testAugmentedBatchesRepeatWithTheSeed() throws {
        let data = try DataFixtures.dataset(count: 8, channels: 3, height: 6, width: 6)
        let pipeline = Compose([
            RandomSubset(
                [RandomFlip(.vertical), RandomZoom(scale: 0.8...1.25), ColorJitter(brightness: 0.3, contrast: 0.3, saturation: 0.3)], count: 2)
        ])
        func firstBatch(seed: UInt64) throws -> Batch? {
            try DataLoader(data, batchSize: 4, transform: pipeline, seed: seed).batches(epoch: 0).next()
        }
        let first = try XCTUnwrap(try firstBatch(seed: 11))
        let again = try XCTUnwrap(try firstBatch(seed: 11))
        XCTAssertEqual(first.images.shape, [4, 3, 6, 6])
        XCTAssertEqual(first.images.data, again.images.data)
        XCTAssertNotEqual(try XCTUnwrap(try firstBatch(seed: 12)).images.data, first.images.data)
    }
}
