import XCTest
@testable import Kernel

final class DataLoaderTests: XCTestCase {
    private let augment = Compose([RandomFlip(.horizontal), RandomCrop(size: ImageSize(4), padding: 1), Cutout(size: 2)])

    /// All batches of one epoch.
    private func epoch(_ loader: DataLoader, _ number: Int) throws -> [Batch] {
        let stream = try loader.batches(epoch: number)
        var batches: [Batch] = []
        while let batch = try stream.next() { batches.append(batch) }
        return batches
    }

    func testTheSameSeedGivesTheSameBatches() throws {
        let data = try DataFixtures.dataset(count: 10)
        let first = try epoch(DataLoader(data, batchSize: 4, transform: augment, seed: 5), 1)
        let second = try epoch(DataLoader(data, batchSize: 4, transform: augment, seed: 5), 1)
        XCTAssertEqual(first.map(\.indices), second.map(\.indices))
        XCTAssertEqual(first.map(\.images.data), second.map(\.images.data))
        let other = try epoch(DataLoader(data, batchSize: 4, transform: augment, seed: 6), 1)
        XCTAssertNotEqual(first.map(\.indices), other.map(\.indices))

        seed(11)
        let fromGlobal = try DataLoader(data, batchSize: 4)
        seed(11)
        XCTAssertEqual(try DataLoader(data, batchSize: 4).seed, fromGlobal.seed)
    }

    func testEveryEpochVisitsEverySampleOnceInANewOrder() throws {
        let data = try DataFixtures.dataset(count: 10, classes: 3)
        let loader = try DataLoader(data, batchSize: 4, seed: 1, prefetch: 0)
        XCTAssertEqual(loader.batchCount, 3)
        let zero = try epoch(loader, 0)
        XCTAssertEqual(zero.map(\.indices.count), [4, 4, 2])
        XCTAssertEqual(zero.flatMap(\.indices).sorted(), Array(0..<10))
        XCTAssertEqual(zero.flatMap(\.indices), loader.sampleOrder(epoch: 0))
        XCTAssertNotEqual(loader.sampleOrder(epoch: 0), loader.sampleOrder(epoch: 1))
        for batch in zero {
            XCTAssertEqual(batch.images.shape, [batch.indices.count, 1, 4, 4])
            XCTAssertEqual(batch.labels, batch.indices.map { data.labels[$0] })
            for (row, index) in batch.indices.enumerated() {
                XCTAssertEqual(Array(batch.images.data[(row * 16)..<((row + 1) * 16)]), try data.sample(index).image.data)
            }
        }
        let ordered = try DataLoader(data, batchSize: 4, shuffle: false)
        XCTAssertEqual(try epoch(ordered, 3).flatMap(\.indices), Array(0..<10))
    }

    func testDropLastLeavesOutTheIncompleteBatch() throws {
        let data = try DataFixtures.dataset(count: 10)
        let loader = try DataLoader(data, batchSize: 4, dropLast: true, seed: 2)
        XCTAssertEqual(loader.batchCount, 2)
        XCTAssertEqual(try epoch(loader, 0).map(\.indices.count), [4, 4])
        XCTAssertThrowsError(try DataLoader(data, batchSize: 11, dropLast: true))
        XCTAssertThrowsError(try DataLoader(data, batchSize: 0))
    }

    func testPrefetchingGivesTheSameBatchesAsLoadingInPlace() throws {
        let data = try DataFixtures.dataset(count: 23)
        let inPlace = try DataLoader(data, batchSize: 5, transform: augment, seed: 9, prefetch: 0)
        let prefetched = try DataLoader(data, batchSize: 5, transform: augment, seed: 9, prefetch: 3)
        for number in 0..<2 {
            let a = try epoch(inPlace, number)
            let b = try epoch(prefetched, number)
            XCTAssertEqual(a.map(\.indices), b.map(\.indices))
            XCTAssertEqual(a.map(\.images.data), b.map(\.images.data))
            XCTAssertEqual(a.map(\.labels), b.map(\.labels))
        }
    }

    func testStoppingEarlyEndsTheWorkerWithoutHanging() throws {
        let data = try DataFixtures.dataset(count: 64)
        let loader = try DataLoader(data, batchSize: 1, transform: augment, seed: 3, prefetch: 2)
        // Dropped after one batch while the worker waits on a full queue: release must stop and join it.
        do {
            let stream = try loader.batches(epoch: 0)
            XCTAssertNotNil(try stream.next())
        }
        // Never read at all.
        _ = try loader.batches(epoch: 1)
        // Cancelled explicitly: nothing more comes out.
        let stream = try loader.batches(epoch: 2)
        XCTAssertNotNil(try stream.next())
        stream.cancel()
        XCTAssertNil(try stream.next())
        XCTAssertNil(try stream.next())
        // Cancelled from another thread while this one may be waiting.
        let waiting = try loader.batches(epoch: 3)
        let canceller = try NativeThread { waiting.cancel() }
        while try waiting.next() != nil {}
        canceller.join()
    }

    func testATransformErrorSurfacesFromNextAndEndsTheEpoch() throws {
        let data = try DataFixtures.dataset(count: 6)
        for prefetch in [0, 2] {
            let loader = try DataLoader(data, batchSize: 2, shuffle: false, transform: FailingTransform(badSample: 3), prefetch: prefetch)
            let stream = try loader.batches(epoch: 0)
            XCTAssertNotNil(try stream.next())
            XCTAssertThrowsError(try stream.next()) { error in
                XCTAssertEqual("\(error)", "FailingTransform: sample 3 is bad")
            }
            XCTAssertNil(try stream.next())
        }
    }

    func testProgressiveResizingChangesTheImageSizeBetweenEpochs() throws {
        let data = try DataFixtures.dataset(count: 5, channels: 3, height: 4, width: 4)
        let schedule = try ResizeSchedule([(startEpoch: 1, size: ImageSize(8)), (startEpoch: 3, size: ImageSize(height: 12, width: 6))])
        let loader = try DataLoader(data, batchSize: 2, resize: schedule, seed: 4)
        XCTAssertEqual(try epoch(loader, 0).first?.images.shape, [2, 3, 4, 4])
        XCTAssertEqual(try epoch(loader, 1).first?.images.shape, [2, 3, 8, 8])
        XCTAssertEqual(try epoch(loader, 2).last?.images.shape, [1, 3, 8, 8])
        XCTAssertEqual(try epoch(loader, 7).first?.images.shape, [2, 3, 12, 6])
        loader.resize = try ResizeSchedule(constant: ImageSize(2))
        XCTAssertEqual(try loader.sampleShape(epoch: 0), [3, 2, 2])
        XCTAssertEqual(try epoch(loader, 0).first?.images.shape, [2, 3, 2, 2])
        XCTAssertThrowsError(try ResizeSchedule([(startEpoch: 2, size: ImageSize(8)), (startEpoch: 2, size: ImageSize(9))]))
        XCTAssertThrowsError(try ResizeSchedule([(startEpoch: 0, size: ImageSize(0))]))
    }

    func testATransformThatDoesNotFitTheDataIsRefusedUpFront() throws {
        let data = try DataFixtures.dataset(count: 4)
        XCTAssertThrowsError(try DataLoader(data, batchSize: 2, transform: Normalize(mean: [0, 0, 0], std: [1, 1, 1]))) { error in
            XCTAssertTrue(
                "\(error)".contains("Normalize: shape mismatch: expected 1 means and standard deviations (one per channel), found 3 means"),
                "\(error)")
        }
    }
}

/// Fails on one sample, to test error propagation.
private struct FailingTransform: Transform {
    let badSample: Int

    func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        // DataFixtures.dataset stores the sample number in the integer part of every pixel.
        guard Int(image.data[0]) != badSample else {
            throw KernelError.invalidArgument(op: "FailingTransform", message: "sample \(badSample) is bad")
        }
        return image
    }
}
