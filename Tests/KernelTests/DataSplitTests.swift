import XCTest
@testable import Kernel

final class DataSplitTests: XCTestCase {
    /// Each sample's first pixel is its index, so subsets reveal which samples they took.
    private func numbered(_ labels: [Int]) throws -> Dataset {
        try Dataset(images: Tensor(shape: [labels.count, 1, 1, 1], data: labels.indices.map(Float.init)), labels: labels)
    }

    private func identities(_ data: Dataset) -> [Int] { data.values.map { Int($0) } }

    func testTheSameSeedGivesTheSameDisjointSplit() throws {
        let data = try numbered((0..<50).map { $0 % 5 })
        let (train, valid) = try data.split(validFraction: 0.2, seed: 42)
        let (train2, valid2) = try data.split(validFraction: 0.2, seed: 42)
        XCTAssertEqual(identities(valid), identities(valid2))
        XCTAssertEqual(identities(train), identities(train2))
        XCTAssertEqual(valid.count, 10)
        XCTAssertEqual(train.count, 40)
        XCTAssertTrue(Set(identities(train)).isDisjoint(with: identities(valid)))
        XCTAssertEqual(Set(identities(train)).union(identities(valid)), Set(0..<50))
        XCTAssertEqual(identities(valid), identities(valid).sorted(), "parts keep the data-set order")
        XCTAssertEqual(valid.labels, identities(valid).map { $0 % 5 }, "labels travel with their images")
        XCTAssertEqual(valid.name, "tensors-valid")

        let (_, other) = try data.split(validFraction: 0.2, seed: 7)
        XCTAssertNotEqual(identities(other), identities(valid))
    }

    func testStratifiedSplitKeepsClassProportions() throws {
        let data = try numbered([Int](repeating: 0, count: 80) + [Int](repeating: 1, count: 20))
        let (train, valid) = try data.split(validFraction: 0.25, seed: 3, stratified: true)
        XCTAssertEqual(valid.classCounts, [20, 5])
        XCTAssertEqual(train.classCounts, [60, 15])
        XCTAssertTrue(Set(identities(train)).isDisjoint(with: identities(valid)))
    }

    func testFractionsThatLeaveAnEmptyPartAreRefused() throws {
        let data = try numbered([0, 1, 0])
        XCTAssertThrowsError(try data.split(validFraction: 0))
        XCTAssertThrowsError(try data.split(validFraction: 1))
        XCTAssertThrowsError(try data.split(validFraction: 0.05)) { error in
            XCTAssertTrue("\(error)".contains("leaves one part empty"), "\(error)")
        }
    }

    func testDatasetFromTensorsChecksItsInputs() throws {
        let images = try Tensor.zeros([2, 1, 2, 2])
        XCTAssertEqual(try Dataset(images: images, labels: [0, 3]).classNames, ["0", "1", "2", "3"])
        XCTAssertThrowsError(try Dataset(images: images, labels: [0]))
        XCTAssertThrowsError(try Dataset(images: images, labels: [0, -1]))
        XCTAssertThrowsError(try Dataset(images: images, labels: [0, 2], classNames: ["a", "b"]))
        XCTAssertThrowsError(try Dataset(images: Tensor.zeros([2, 4]), labels: [0, 1]))
        let data = try Dataset(images: images, labels: [1, 0], classNames: ["a", "b"])
        XCTAssertEqual(data.images.shape, [2, 1, 2, 2])
        XCTAssertThrowsError(try data.sample(2))
        XCTAssertThrowsError(try data.subset([0, 5]))
        XCTAssertEqual(try data.subset([1, 1, 0]).labels, [0, 0, 1])
        XCTAssertEqual("\(data)", "tensors: 2 images of [1, 2, 2], 2 classes")
    }
}
