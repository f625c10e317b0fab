import XCTest
@testable import Kernel

final class DataCSVTests: XCTestCase {
    private func csvFile(_ text: String) throws -> String {
        let path = try DataFixtures.temporaryDirectory(for: self) + "/pixels.csv"
        try DataFixtures.write(text, to: path)
        return path
    }

    func testKaggleStyleFileWithHeaderLoads() throws {
        let path = try csvFile("label,pixel0,pixel1,pixel2,pixel3\n3,0,255,51,102\n1, 0 ,0,0,255\r\n\n")
        let data = try Datasets.csv(path: path, shape: [1, 2, 2])
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(data.labels, [3, 1])
        XCTAssertEqual(data.classNames, ["0", "1", "2", "3"])
        assertValuesClose(data.values, [0, 1, 0.2, 0.4, 0, 0, 0, 1], accuracy: 1e-6)
    }

    func testFilesWithoutHeaderAndWithDecimalValuesLoad() throws {
        let path = try csvFile("0,0.5,-1.25,3e-1,+2\n1,1,2,3,4")
        let data = try Datasets.csv(path: path, shape: [4, 1, 1], scale: 1, classNames: ["no", "yes"])
        XCTAssertEqual(data.labels, [0, 1])
        XCTAssertEqual(data.values, [0.5, -1.25, 0.3, 2, 1, 2, 3, 4])
        XCTAssertEqual(data.sampleShape, [4, 1, 1])
        // Declared header: the first line is skipped even though it is numeric.
        XCTAssertEqual(try Datasets.csv(path: path, shape: [4, 1, 1], header: true, scale: 1).labels, [1])
    }

    func testBadRowsNameTheLineAndColumn() throws {
        let short = try csvFile("label,a,b\n1,2,3\n\n0,5\n")
        assertFileError(
            try Datasets.csv(path: short, shape: [1, 1, 2]), path: short,
            contains: "line 4: expected 3 columns (a label and 2 values for shape [1, 1, 2]), found 2")
        let word = try csvFile("1,2,3\n0,4,five\n")
        assertFileError(try Datasets.csv(path: word, shape: [1, 1, 2]), path: word, contains: "line 2, column 3: 'five' is not a finite number")
        let label = try csvFile("1,2,3\n-1,4,5\n")
        assertFileError(
            try Datasets.csv(path: label, shape: [1, 1, 2]), path: label, contains: "line 2, column 1: label '-1' is not a non-negative integer")
        let onlyHeader = try csvFile("label,a,b\n")
        assertFileError(try Datasets.csv(path: onlyHeader, shape: [1, 1, 2]), path: onlyHeader, contains: "holds no data rows")
        let tooManyClasses = try csvFile("2,0\n")
        assertFileError(
            try Datasets.csv(path: tooManyClasses, shape: [1, 1, 1], classNames: ["a", "b"]), path: tooManyClasses,
            contains: "label 2 of data row 1 is not one of the 2 classes")
        XCTAssertThrowsError(try Datasets.csv(path: tooManyClasses, shape: [1, 1]))
    }
}
