import XCTest
@testable import Kernel

final class DataTransformTests: XCTestCase {
    /// A [1, 3, 3] image holding 1 … 9.
    private func nineImage() throws -> Tensor {
        try Tensor(shape: [1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    private func apply(_ transform: any Transform, _ image: Tensor, seed: UInt64 = 0) throws -> [Float] {
        try transform.apply(image, generator: RandomGenerator(seed: seed)).data
    }

    func testHorizontalFlipMirrorsEveryRow() throws {
        let image = try Tensor(shape: [2, 2, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        XCTAssertEqual(try apply(RandomFlip(.horizontal, probability: 1), image), [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
        XCTAssertEqual(try apply(RandomFlip(.horizontal, probability: 0), image), image.data)
        XCTAssertThrowsError(try RandomFlip(.horizontal, probability: 2).outputShape(for: [1, 2, 2]))
    }

    func testCropWithPaddingShowsTheBorder() throws {
        let nine = try nineImage()
        let square = try Tensor(shape: [1, 2, 2], data: [1, 2, 3, 4])
        // A crop as large as the padded image has one position: the padded image itself.
        XCTAssertEqual(try apply(RandomCrop(size: ImageSize(4), padding: 1), square), [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0])
        XCTAssertEqual(
            try apply(RandomCrop(size: ImageSize(5), padding: 1, mode: .reflect), nine),
            [5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 8, 7, 8, 9, 8, 5, 4, 5, 6, 5])
        // Without padding, every crop is one of the four 2x2 windows.
        let windows: Set<[Float]> = [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]
        for seed in 0..<10 as Range<UInt64> {
            XCTAssertTrue(windows.contains(try apply(RandomCrop(size: ImageSize(2)), nine, seed: seed)))
        }
        XCTAssertThrowsError(try RandomCrop(size: ImageSize(6), padding: 1).outputShape(for: [1, 3, 3]))
        XCTAssertThrowsError(try RandomCrop(size: ImageSize(3), padding: 3, mode: .reflect).outputShape(for: [1, 3, 3]))
    }

    func testNormalizeStandardisesEachChannel() throws {
        let image = try Tensor(shape: [2, 1, 2], data: [0.5, 1, 0, 4])
        XCTAssertEqual(try apply(Normalize(mean: [0.5, 2], std: [0.25, 2]), image), [0, 2, -1, 1])
        XCTAssertThrowsError(try Normalize(mean: [0], std: [0]).outputShape(for: [1, 2, 2]))
    }

    func testChannelStatisticsGiveTheMeanAndStandardDeviation() throws {
        let data = try Dataset(images: Tensor(shape: [2, 2, 1, 2], data: [0, 1, 2, 2, 1, 0, 2, 2]), labels: [0, 1])
        let (mean, std) = data.channelStatistics()
        XCTAssertEqual(mean, [0.5, 2])
        XCTAssertEqual(std, [0.5, 0])
    }

    func testCutoutErasesOneClippedSquareInEveryChannel() throws {
        let ones = try Tensor.ones([3, 10, 10])
        var sawWholeSquare = false
        for seed in 0..<20 as Range<UInt64> {
            let out = try apply(Cutout(size: 4), ones, seed: seed)
            let plane = Array(out[0..<100])
            XCTAssertEqual(Array(out[100..<200]), plane)
            XCTAssertEqual(Array(out[200..<300]), plane)
            let zeros = plane.indices.filter { plane[$0] == 0 }
            let rows = zeros.map { $0 / 10 }, columns = zeros.map { $0 % 10 }
            let (top, bottom) = (rows.min() ?? 0, rows.max() ?? -1)
            let (left, right) = (columns.min() ?? 0, columns.max() ?? -1)
            // The erased pixels fill their bounding box, at most 4x4, and exactly 4 high/wide away from the border.
            XCTAssertEqual(zeros.count, (bottom - top + 1) * (right - left + 1))
            XCTAssertLessThanOrEqual(bottom - top + 1, 4)
            XCTAssertLessThanOrEqual(right - left + 1, 4)
            if top > 0 && bottom < 9 { XCTAssertEqual(bottom - top + 1, 4) }
            if left > 0 && right < 9 { XCTAssertEqual(right - left + 1, 4) }
            sawWholeSquare = sawWholeSquare || zeros.count == 16
        }
        XCTAssertTrue(sawWholeSquare)
        XCTAssertEqual(try apply(Cutout(size: 21), ones), [Float](repeating: 0, count: 300))
    }

    func testBilinearResizeMatchesPyTorch() throws {
        // torch.nn.functional.interpolate(x, size=4, mode="bilinear", align_corners=False)
        let small = try Tensor(shape: [1, 2, 2], data: [1, 2, 3, 4])
        XCTAssertEqual(
            try Resize.bilinear(small, to: ImageSize(4)).data,
            [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4])
        let grid = try Tensor.arange(0, 16).reshape([1, 1, 4, 4])
        let halved = try Resize.bilinear(grid, to: ImageSize(2))
        XCTAssertEqual(halved.shape, [1, 1, 2, 2])
        XCTAssertEqual(halved.data, [2.5, 4.5, 10.5, 12.5])
        XCTAssertEqual(try Resize(ImageSize(height: 3, width: 5)).outputShape(for: [2, 8, 8]), [2, 3, 5])
        XCTAssertEqual(try apply(CenterCrop(ImageSize(2)), grid.reshape([1, 4, 4])), [5, 6, 9, 10])
        XCTAssertThrowsError(try Resize.bilinear(small, to: ImageSize(0)))
    }

    func testAffineWarpsMoveKnownPixels() throws {
        let nine = try nineImage()
        // Counter-clockwise quarter turn: the right column becomes the top row.
        assertValuesClose(try apply(AffineWarp(rotation: 90), nine), [3, 6, 9, 2, 5, 8, 1, 4, 7], accuracy: 1e-5)
        XCTAssertEqual(try apply(AffineWarp(translateX: 1, fill: -1), nine), [-1, 1, 2, -1, 4, 5, -1, 7, 8])
        assertValuesClose(try apply(AffineWarp(shearX: 45), nine), [2, 3, 0, 4, 5, 6, 0, 7, 8], accuracy: 1e-5)
        // Zooming in by 2 about the centre pixel: neighbours are sampled half-way.
        assertValuesClose(try apply(AffineWarp(scale: 2), nine), [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7], accuracy: 1e-5)
        XCTAssertEqual(try apply(AffineWarp(), nine), nine.data)
        XCTAssertEqual(try apply(RandomAffine(degrees: 90...90), nine), try apply(AffineWarp(rotation: 90), nine))
        XCTAssertThrowsError(try AffineWarp(scale: 0).outputShape(for: [1, 3, 3]))
        XCTAssertThrowsError(try RandomAffine.shear(90).outputShape(for: [1, 3, 3]))
    }

    func testRandomResizedCropOfTheWholeImageIsAResize() throws {
        let grid = try Tensor.arange(0, 16).reshape([1, 4, 4])
        let whole = RandomResizedCrop(size: ImageSize(2), scale: 1...1, ratio: 1...1)
        XCTAssertEqual(try apply(whole, grid), try Resize.bilinear(grid, to: ImageSize(2)).data)
        XCTAssertEqual(try RandomResizedCrop(size: ImageSize(3)).apply(grid, generator: RandomGenerator(seed: 1)).shape, [1, 3, 3])
    }

    func testEveryRandomTransformIsReproducibleFromItsSeed() throws {
        let image = try Tensor.rand([3, 8, 8], generator: RandomGenerator(seed: 99))
        let transforms: [any Transform] = [
            RandomFlip(.horizontal),
            RandomCrop(size: ImageSize(8), padding: 2, mode: .reflect),
            RandomResizedCrop(size: ImageSize(6)),
            RandomAffine(degrees: -30...30, translate: (0.2, 0.2), scale: 0.8...1.2, shear: -10...10),
            RandomAffine.rotation(15), RandomAffine.translation(0.25), RandomAffine.shear(20), RandomAffine.scaling(0.5...1.5),
            Cutout(size: 3, count: 2),
            Compose([RandomFlip(.horizontal), RandomCrop(size: ImageSize(6), padding: 1), Normalize(mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2])]),
        ]
        for transform in transforms {
            let name = String(describing: type(of: transform))
            XCTAssertEqual(try apply(transform, image, seed: 7), try apply(transform, image, seed: 7), name)
            let outcomes = Set(try (0..<8 as Range<UInt64>).map { try apply(transform, image, seed: $0) })
            XCTAssertGreaterThan(outcomes.count, 1, "\(name) ignores its generator")
            XCTAssertEqual(try transform.apply(image, generator: RandomGenerator(seed: 1)).shape, try transform.outputShape(for: image.shape), name)
        }
    }

    func testTransformsRefuseImagesThatAreNotCHW() throws {
        let flat = try Tensor.zeros([4, 4])
        XCTAssertThrowsError(try RandomFlip(.horizontal).apply(flat, generator: RandomGenerator(seed: 0))) { error in
            XCTAssertEqual("\(error)", "RandomHorizontalFlip: shape mismatch: expected an image of shape [C, H, W], found [4, 4]")
        }
        XCTAssertThrowsError(try Compose([Cutout(size: 0)]).outputShape(for: [1, 4, 4]))
    }
}
