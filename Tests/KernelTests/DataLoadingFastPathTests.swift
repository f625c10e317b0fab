import XCTest

@testable import Kernel

/// The image-loading fast paths give exactly the images of the straightforward code: the affine warp that works out
/// each pixel's sampling once for all channels, and batches whose samples are augmented on several threads.
final class DataLoadingFastPathTests: XCTestCase {
    /// The warp as it was first written: channel by channel, each pixel's four neighbours looked up with bounds tests
    /// (`fill` outside), blended horizontally, then vertically.
    private func referenceWarp(_ image: Tensor, _ warp: AffineWarp) -> [Float] {
        let (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2])
        let angle = Double(warp.rotation) * Double.pi / 180
        let (c, s) = (cos(angle), sin(angle))
        let a = tan(Double(warp.shearX) * Double.pi / 180)
        let b = tan(Double(warp.shearY) * Double.pi / 180)
        let k = Double(warp.scale)
        let m00 = k * (c * (1 + a * b) + s * b), m01 = k * (c * a + s)
        let m10 = k * (-s * (1 + a * b) + c * b), m11 = k * (-s * a + c)
        let determinant = m00 * m11 - m01 * m10
        let i00 = Float(m11 / determinant), i01 = Float(-m01 / determinant)
        let i10 = Float(-m10 / determinant), i11 = Float(m00 / determinant)
        let cx = Float(width - 1) / 2, cy = Float(height - 1) / 2
        var result = [Float](repeating: 0, count: image.count)
        for channel in 0..<channels {
            let base = channel * height * width
            func pixel(_ px: Int, _ py: Int) -> Float {
                px >= 0 && px < width && py >= 0 && py < height ? image.data[base + py * width + px] : warp.fill
            }
            for y in 0..<height {
                let dy = Float(y) - cy - warp.translateY
                for x in 0..<width {
                    let dx = Float(x) - cx - warp.translateX
                    let sx = cx + i00 * dx + i01 * dy
                    let sy = cy + i10 * dx + i11 * dy
                    let fx = sx.rounded(.down), fy = sy.rounded(.down)
                    guard fx > -2, fy > -2, fx < Float(width), fy < Float(height) else {
                        result[base + y * width + x] = warp.fill
                        continue
                    }
                    let (x0, y0, wx, wy) = (Int(fx), Int(fy), sx - fx, sy - fy)
                    let top = pixel(x0, y0) * (1 - wx) + pixel(x0 + 1, y0) * wx
                    let bottom = pixel(x0, y0 + 1) * (1 - wx) + pixel(x0 + 1, y0 + 1) * wx
                    result[base + y * width + x] = top * (1 - wy) + bottom * wy
                }
            }
        }
        return result
    }

    func testAffineWarpEqualsTheChannelByChannelWarpExactly() throws {
        let generator = RandomGenerator(seed: 3)
        let image = try Tensor(shape: [3, 13, 17], data: (0..<(3 * 13 * 17)).map { _ in generator.uniform() })
        let warps = [
            AffineWarp(rotation: 15), AffineWarp(rotation: -7.5, fill: 0.25), AffineWarp(rotation: 180),
            AffineWarp(rotation: 33, translateX: 3, translateY: -2, scale: 1.3, shearX: 10, shearY: -5, fill: -1),
            AffineWarp(scale: 0.4, fill: 2), AffineWarp(translateX: 20),
        ]
        for warp in warps {
            XCTAssertEqual(try warp.apply(image, generator: generator).data, referenceWarp(image, warp), "\(warp)")
        }
    }

    func testAugmentedBatchesAreTheSameOnAnyNumberOfThreadsAndMatchEachSampleAlone() throws {
        let data = try DataFixtures.dataset(count: 10, channels: 3, height: 12, width: 12)
        let augment = Compose([RandomFlip(), RandomCrop(size: ImageSize(10)), RandomAffine.rotation(15)])
        func batches(threads: Int) throws -> [Batch] {
            let previous = Parallel.threads
            defer { Parallel.threads = previous }
            Parallel.threads = threads
            let stream = try DataLoader(data, batchSize: 4, transform: augment, seed: 5, prefetch: 0).batches(epoch: 1)
            var result: [Batch] = []
            while let batch = try stream.next() { result.append(batch) }
            return result
        }
        let one = try batches(threads: 1)
        let three = try batches(threads: 3)
        XCTAssertEqual(one.map(\.images.shape), [[4, 3, 10, 10], [4, 3, 10, 10], [2, 3, 10, 10]])
        XCTAssertEqual(one.map(\.images.data), three.map(\.images.data))
        XCTAssertEqual(one.map(\.indices), three.map(\.indices))
        // Each sample is its own transform with the generator the loader derives for it (DataLoader.sampleStream).
        let sampleSeed = SeedDerivation.derive(SeedDerivation.derive(5, 0x5341_4D50_4C45_5331), 1)
        for batch in one {
            for (row, index) in batch.indices.enumerated() {
                let alone = try augment.apply(
                    data.image(at: index), generator: RandomGenerator(seed: SeedDerivation.derive(sampleSeed, UInt64(index))))
                XCTAssertEqual(Array(batch.images.data[(row * 300)..<((row + 1) * 300)]), alone.data)
            }
        }
    }

    /// Fails for images whose first value is above 0.5.
    private struct FailingTransform: Transform {
        func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
        func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
            guard image.data[0] <= 0.5 else { throw KernelError.invalidArgument(op: "FailingTransform", message: "value \(image.data[0])") }
            return image
        }
    }

    func testAFailingSampleThrowsTheFirstFailureInBatchOrderOnAnyNumberOfThreads() throws {
        let values: [Float] = [0.1, 0.9, 0.2, 0.7, 0.3, 0.3]
        let data = try Dataset(values: values, sampleShape: [1, 1, 1], labels: [0, 1, 0, 1, 0, 1], classNames: ["a", "b"], name: "six")
        for threads in [1, 2, 4] {
            let previous = Parallel.threads
            defer { Parallel.threads = previous }
            Parallel.threads = threads
            let stream = try DataLoader(data, batchSize: 6, shuffle: false, transform: FailingTransform(), prefetch: 0).batches(epoch: 0)
            XCTAssertThrowsError(try stream.next(), "\(threads) threads") { error in
                XCTAssertTrue("\(error)".contains("0.9"), "\(error)")
            }
        }
    }
}
