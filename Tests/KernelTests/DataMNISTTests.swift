import Foundation
import XCTest
@testable import Kernel

final class DataMNISTTests: XCTestCase {
    func testBundledMNIST5kHasFourHundredOfEachDigitForTraining() throws {
        let train = try Datasets.mnist5k(root: DataFixtures.projectDataDirectory + "/mnist5k")
        XCTAssertEqual(train.count, 4000)
        XCTAssertEqual(train.sampleShape, [1, 28, 28])
        XCTAssertEqual(train.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        XCTAssertEqual(train.classCounts, [Int](repeating: 400, count: 10))
        XCTAssertEqual(train.values.min(), 0)
        XCTAssertEqual(train.values.max(), 1)
        XCTAssertEqual(train.name, "mnist5k-train")
        // Digits are thin strokes on a black background: most pixels are 0.
        let dark = train.values.filter { $0 == 0 }.count
        XCTAssertGreaterThan(dark, train.values.count / 2)

        let test = try Datasets.mnist5k(root: DataFixtures.projectDataDirectory + "/mnist5k", train: false)
        XCTAssertEqual(test.count, 1000)
        XCTAssertEqual(test.classCounts, [Int](repeating: 100, count: 10))
    }

    func testDataDirectoryComesFromRNXDataOrIsFoundAboveAStartingPoint() throws {
        let data = DataFixtures.projectDataDirectory
        let project = URL(fileURLWithPath: data).deletingLastPathComponent().path
        XCTAssertEqual(DataDirectory.search(from: [project + "/Sources/Kernel"]), data)
        XCTAssertNil(DataDirectory.search(from: ["/proc/self"]))

        setenv("RNX_DATA", data, 1)
        defer { unsetenv("RNX_DATA") }
        XCTAssertEqual(try DataDirectory.locate(), data)
        XCTAssertEqual(try Datasets.mnist5k(train: false).count, 1000)

        setenv("RNX_DATA", data + "/no-such-folder", 1)
        assertFileError(try DataDirectory.locate(), path: data + "/no-such-folder", contains: "RNX_DATA")
    }

    func testPlainAndGzipIDXFilesLoadTheSame() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let pixels: [UInt8] = [0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 0]
        let images = DataFixtures.idx(dimensions: [2, 2, 3], payload: pixels)
        let labels = DataFixtures.idx(dimensions: [2], payload: [7, 3])
        try DataFixtures.write(images, to: folder + "/train-images-idx3-ubyte")
        try DataFixtures.write(labels, to: folder + "/train-labels-idx1-ubyte")
        try DataFixtures.writeGzip(images, to: folder + "/t10k-images-idx3-ubyte.gz")
        try DataFixtures.writeGzip(labels, to: folder + "/t10k-labels-idx1-ubyte.gz")

        let plain = try Datasets.mnist(root: folder)
        let compressed = try Datasets.mnist(root: folder, train: false)
        XCTAssertEqual(plain.sampleShape, [1, 2, 3])
        XCTAssertEqual(plain.labels, [7, 3])
        XCTAssertEqual(plain.values, compressed.values)
        XCTAssertEqual(plain.labels, compressed.labels)
        assertValuesClose(Array(plain.values.prefix(6)), [0, 0.2, 0.4, 0.6, 0.8, 1], accuracy: 1e-6)
    }

    func testWrongMagicNumberNamesTheFileAndTheExpectedValue() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let labels = DataFixtures.idx(dimensions: [2], payload: [1, 2])
        try DataFixtures.write(labels, to: folder + "/labels")
        try DataFixtures.write(Array("hello, world".utf8), to: folder + "/text")
        assertFileError(
            try Datasets.idx(images: folder + "/labels", labels: folder + "/labels"), path: folder + "/labels",
            contains: "wrong magic number 2049 (0x00000801); an IDX image file starts with 2051 (0x00000803")
        assertFileError(
            try Datasets.idx(images: folder + "/text", labels: folder + "/labels"), path: folder + "/text", contains: "wrong magic number")
    }

    func testTruncatedIDXFilesAreReportedWithTheDeclaredSize() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let images = DataFixtures.idx(dimensions: [3, 2, 2], payload: [UInt8](repeating: 9, count: 12))
        try DataFixtures.write(Array(images.dropLast(5)), to: folder + "/short")
        assertFileError(
            try Datasets.idx(images: folder + "/short", labels: folder + "/short"), path: folder + "/short",
            contains: "truncated: the header declares 3x2x2 (12 bytes of image data) but the file holds only 7")
        try DataFixtures.write(Array(images.prefix(9)), to: folder + "/header")
        assertFileError(
            try Datasets.idx(images: folder + "/header", labels: folder + "/header"), path: folder + "/header", contains: "truncated header")
        try DataFixtures.write(images + [1], to: folder + "/long")
        assertFileError(
            try Datasets.idx(images: folder + "/long", labels: folder + "/long"), path: folder + "/long",
            contains: "unexpected data after the 12 bytes")

        // A gzip stream cut in the middle.
        let big = DataFixtures.idx(dimensions: [50, 28, 28], payload: (0..<(50 * 784)).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        try DataFixtures.writeGzip(big, to: folder + "/whole.gz")
        let compressed = try DataFixtures.read(folder + "/whole.gz")
        try DataFixtures.write(Array(compressed.prefix(compressed.count / 2)), to: folder + "/cut.gz")
        assertFileError(
            try Datasets.idx(images: folder + "/cut.gz", labels: folder + "/cut.gz"), path: folder + "/cut.gz",
            contains: "corrupt or truncated gzip data")
    }

    func testHugeDeclaredSizesAreRefusedWithoutAllocatingThem() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.write(DataFixtures.idx(dimensions: [2_000_000_000, 60_000, 60_000], payload: [1, 2, 3]), to: folder + "/absurd")
        assertFileError(
            try Datasets.idx(images: folder + "/absurd", labels: folder + "/absurd"), path: folder + "/absurd", contains: "more than the memory limit"
        )
        // Plausible but false: 100,000 images declared, 3 bytes present. Reading stops at the data.
        try DataFixtures.write(DataFixtures.idx(dimensions: [100_000, 28, 28], payload: [1, 2, 3]), to: folder + "/liar")
        assertFileError(
            try Datasets.idx(images: folder + "/liar", labels: folder + "/liar"), path: folder + "/liar", contains: "but the file holds only 3")
    }

    func testMismatchedCountsBadLabelsAndMissingFilesAreReported() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.write(DataFixtures.idx(dimensions: [2, 1, 1], payload: [0, 255]), to: folder + "/images")
        try DataFixtures.write(DataFixtures.idx(dimensions: [3], payload: [0, 1, 2]), to: folder + "/three-labels")
        try DataFixtures.write(DataFixtures.idx(dimensions: [2], payload: [0, 10]), to: folder + "/label-ten")
        assertFileError(
            try Datasets.idx(images: folder + "/images", labels: folder + "/three-labels"), path: folder + "/three-labels",
            contains: "holds 3 labels but \(folder)/images holds 2 images")
        assertFileError(
            try Datasets.idx(images: folder + "/images", labels: folder + "/label-ten"), path: folder + "/label-ten",
            contains: "label 10 of sample 1 is not one of the 10 classes")
        assertFileError(try Datasets.mnist(root: folder), path: folder, contains: "no MNIST file train-images-idx3-ubyte")
        assertFileError(
            try Datasets.idx(images: folder + "/missing", labels: folder + "/images"), path: folder + "/missing", contains: "no such file")
    }
}
