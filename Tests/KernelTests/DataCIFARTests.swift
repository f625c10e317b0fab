import XCTest
@testable import Kernel

final class DataCIFARTests: XCTestCase {
    /// One CIFAR-10 record: the label, then 1024 red, 1024 green and 1024 blue bytes.
    private func record(label: UInt8, red: UInt8, green: UInt8, blue: UInt8) -> [UInt8] {
        var bytes = [label] + [UInt8](repeating: red, count: 1024) + [UInt8](repeating: green, count: 1024) + [UInt8](repeating: blue, count: 1024)
        bytes[1] = 255  // the top-left red pixel
        return bytes
    }

    func testBatchesLoadInNumericOrderWithClassNamesFromTheMetaFile() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        let folder = root + "/cifar-10-batches-bin"
        try DataFixtures.write(
            record(label: 1, red: 0, green: 51, blue: 102) + record(label: 2, red: 0, green: 0, blue: 0), to: folder + "/data_batch_2.bin")
        try DataFixtures.write(record(label: 0, red: 0, green: 0, blue: 255), to: folder + "/data_batch_10.bin")
        try DataFixtures.write(record(label: 2, red: 0, green: 0, blue: 0), to: folder + "/data_batch_1.bin")
        try DataFixtures.write(record(label: 0, red: 0, green: 0, blue: 0), to: folder + "/test_batch.bin")
        try DataFixtures.write("sun\nrain\r\nsnow\n\n", to: folder + "/batches.meta.txt")

        let train = try Datasets.cifar10(root: root)
        XCTAssertEqual(train.count, 4)
        XCTAssertEqual(train.sampleShape, [3, 32, 32])
        XCTAssertEqual(train.labels, [2, 1, 2, 0])  // batch 1, then 2, then 10
        XCTAssertEqual(train.classNames, ["sun", "rain", "snow"])
        let (image, label) = try train.sample(1)
        XCTAssertEqual(label, 1)
        XCTAssertEqual(image.data[0], 1)  // red, top-left
        XCTAssertEqual(image.data[1], 0)  // red, next pixel
        XCTAssertEqual(image.data[1024], 0.2, accuracy: 1e-6)  // green plane
        XCTAssertEqual(image.data[2048], 0.4, accuracy: 1e-6)  // blue plane

        let test = try Datasets.cifar10(root: folder, train: false)
        XCTAssertEqual(test.count, 1)
    }

    func testWithoutAMetaFileTheStandardClassNamesAreUsed() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.write(record(label: 9, red: 1, green: 2, blue: 3), to: folder + "/test_batch.bin")
        let test = try Datasets.cifar10(root: folder, train: false)
        XCTAssertEqual(test.classNames.last, "truck")
        XCTAssertEqual(test.classCount, 10)
    }

    func testWrongRecordSizeBadLabelsAndMissingBatchesAreReported() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.write(record(label: 1, red: 0, green: 0, blue: 0) + [7], to: folder + "/data_batch_1.bin")
        assertFileError(
            try Datasets.cifar10(root: folder), path: folder + "/data_batch_1.bin",
            contains: "size 3074 bytes is not a whole number of 3073-byte records")
        try DataFixtures.write(
            record(label: 3, red: 0, green: 0, blue: 0) + record(label: 12, red: 0, green: 0, blue: 0), to: folder + "/test_batch.bin")
        assertFileError(
            try Datasets.cifar10(root: folder, train: false), path: folder + "/test_batch.bin",
            contains: "record 1: label 12 is not one of the 10 classes")
        let empty = try DataFixtures.temporaryDirectory(for: self)
        assertFileError(try Datasets.cifar10(root: empty), path: empty, contains: "no CIFAR-10 training batches")
        assertFileError(try Datasets.cifar10(root: empty, train: false), path: empty + "/test_batch.bin", contains: "no such file")
    }
}
