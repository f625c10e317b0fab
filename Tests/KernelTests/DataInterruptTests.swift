import XCTest
@testable import Kernel

/// Loaders stop when their interrupt check says so (Ctrl-C in the REPL), say how far they got, and keep nothing.
final class DataInterruptTests: XCTestCase {
    /// An interrupt check that allows `allowed` units of work and then asks to stop, so where a loader stops does
    /// not depend on timing. Loaders call it under a lock, even from several threads.
    private final class StopAfter: @unchecked Sendable {
        private let allowed: Int
        private(set) var calls = 0

        init(allowed: Int) { self.allowed = allowed }

        var check: InterruptCheck {
            { [self] in
                calls += 1
                return calls > allowed
            }
        }
    }

    /// `perClass` tiny PNGs in each of the folders `classes`.
    private func writeImageFolder(classes: [String], perClass: Int) throws -> String {
        let root = try DataFixtures.temporaryDirectory(for: self)
        for name in classes {
            for index in 0..<perClass {
                let image = try Tensor(shape: [1, 2, 2], data: [0, Float(index % 2), 1, 0.5])
                try DataFixtures.writeImage(image, to: "\(root)/\(name)/\(index).png")
            }
        }
        return root
    }

    private func assertInterrupted<T>(_ body: @autoclosure () throws -> T, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? LoadingInterrupted)?.description, expected, "\(error)", file: file, line: line)
        }
    }

    func testImageFolderStopsBetweenFilesAndSaysHowManyWereRead() throws {
        let root = try writeImageFolder(classes: ["cat", "dog"], perClass: 10)
        // Two folders listed, one look before the first image, then five more images: six of twenty are read.
        let stop = StopAfter(allowed: 8)
        assertInterrupted(try Datasets.imageFolder(root: root, interrupt: stop.check), "interrupted while loading \(root): 6 of 20 files read")
        XCTAssertEqual(stop.calls, 9, "once the check said stop, the other threads stop without asking it again")

        let whole = try Datasets.imageFolder(root: root, interrupt: StopAfter(allowed: .max).check)
        XCTAssertEqual(whole.count, 20, "an interrupted load leaves nothing behind: the next one reads everything")
        XCTAssertEqual(whole.labels, Array(repeating: 0, count: 10) + Array(repeating: 1, count: 10))
    }

    func testAFlagSetBeforeLoadingStopsBeforeAnyFileIsRead() throws {
        let root = try writeImageFolder(classes: ["a"], perClass: 3)
        let flag = InterruptFlag()
        flag.request()
        assertInterrupted(
            try Datasets.imageFolder(root: root, interrupt: flag.check),
            "interrupted while loading \(root): listing the image files (0 found so far)")
        assertInterrupted(
            try Datasets.imageFolder(root: root, interrupt: StopAfter(allowed: 1).check),
            "interrupted while loading \(root): 0 of 3 files read")
        flag.clear()
        XCTAssertEqual(try Datasets.imageFolder(root: root, interrupt: flag.check).count, 3)
    }

    func testCIFARStopsEvery1024Records() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        let records = 1030
        var batch: [UInt8] = []
        for index in 0..<records { batch += [UInt8(index % 10)] + [UInt8](repeating: 7, count: 3072) }
        try DataFixtures.write(batch, to: root + "/data_batch_1.bin")
        let stop = StopAfter(allowed: 1)
        assertInterrupted(
            try Datasets.cifar10(root: root, interrupt: stop.check),
            "interrupted while loading \(root)/train: 0 of 1 files read (1024 of 1030 records)")
        XCTAssertEqual(stop.calls, 2)
        XCTAssertEqual(try Datasets.cifar10(root: root, interrupt: StopAfter(allowed: 2).check).count, records)
    }

    func testCSVStopsEvery256Lines() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        let rows = (0..<300).map { "\($0 % 3),\($0 % 256),0" }.joined(separator: "\n")
        try DataFixtures.write(rows, to: root + "/pixels.csv")
        let path = root + "/pixels.csv"
        XCTAssertThrowsError(try Datasets.csv(path: path, shape: [1, 1, 2], header: false, interrupt: StopAfter(allowed: 1).check)) { error in
            let description = (error as? LoadingInterrupted)?.description ?? "\(error)"
            XCTAssertTrue(description.hasPrefix("interrupted while loading \(path): 256 rows read ("), description)
            XCTAssertTrue(description.hasSuffix("% of the file)"), description)
        }
        XCTAssertEqual(try Datasets.csv(path: path, shape: [1, 1, 2], header: false, interrupt: StopAfter(allowed: 2).check).count, 300)
    }

    func testIDXStopsBetweenMebibytesOfCompressedData() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        let count = 3000
        let images = DataFixtures.idx(dimensions: [count, 28, 28], payload: (0..<(count * 784)).map { UInt8($0 % 251) })
        try DataFixtures.writeGzip(images, to: root + "/train-images-idx3-ubyte.gz")
        try DataFixtures.write(
            DataFixtures.idx(dimensions: [count], payload: (0..<count).map { UInt8($0 % 10) }), to: root + "/train-labels-idx1-ubyte")
        // 2.2 MiB of pixels: the first MiB is read, the look before the second one stops.
        assertInterrupted(
            try Datasets.mnist(root: root, interrupt: StopAfter(allowed: 1).check),
            "interrupted while loading \(root)/train-images-idx3-ubyte.gz: 1 of 2 MiB read")
        // Three looks for the images, one for the labels.
        XCTAssertThrowsError(try Datasets.mnist(root: root, interrupt: StopAfter(allowed: 3).check)) { error in
            XCTAssertEqual((error as? LoadingInterrupted)?.path, root + "/train-labels-idx1-ubyte", "\(error)")
        }
        XCTAssertEqual(try Datasets.mnist(root: root, interrupt: StopAfter(allowed: 4).check).count, count)
    }
}
