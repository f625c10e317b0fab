import XCTest
@testable import Kernel

/// CSV files as spreadsheets write them: a UTF-8 byte order mark, quoted fields (RFC 4180). Their first row used to
/// be taken for a header and dropped without a word.
final class DataCSVReliabilityTests: XCTestCase {
    private func csvFile(_ bytes: [UInt8]) throws -> String {
        let path = try DataFixtures.temporaryDirectory(for: self) + "/pixels.csv"
        try DataFixtures.write(bytes, to: path)
        return path
    }

    private func csvFile(_ text: String) throws -> String {
        try csvFile(Array(text.utf8))
    }

    func testAByteOrderMarkDoesNotTurnTheFirstRowIntoAHeader() throws {
        let path = try csvFile([0xEF, 0xBB, 0xBF] + Array("3,0,255\n1,255,0\n".utf8))
        let data = try Datasets.csv(path: path, shape: [1, 1, 2], scale: 1)
        XCTAssertEqual(data.labels, [3, 1])
        XCTAssertEqual(data.values, [0, 255, 255, 0])
        let withHeader = try csvFile([0xEF, 0xBB, 0xBF] + Array("label,a,b\n3,0,255\n".utf8))
        XCTAssertEqual(try Datasets.csv(path: withHeader, shape: [1, 1, 2], scale: 1).labels, [3])
    }

    func testQuotedFieldsAreReadAsTheirContent() throws {
        let path = try csvFile("\"3\",\"0\",255\n\"1\", \"2.5\" ,\"-1e1\"\r\n")
        let data = try Datasets.csv(path: path, shape: [1, 1, 2], scale: 1)
        XCTAssertEqual(data.labels, [3, 1], "a quoted first field is data, not a header")
        XCTAssertEqual(data.values, [0, 255, 2.5, -10])
    }

    func testQuotedHeadersMayHoldCommasEscapedQuotesAndLineBreaks() throws {
        let path = try csvFile("\"label\",\"pixel, first\",\"say \"\"hi\"\"\nthere\"\n2,4,6\n")
        let data = try Datasets.csv(path: path, shape: [1, 1, 2], scale: 1)
        XCTAssertEqual(data.labels, [2], "the header is three fields on two lines")
        XCTAssertEqual(data.values, [4, 6])
        let bad = try csvFile("1,2,3\n\"4\",\"5,6\n")
        assertFileError(try Datasets.csv(path: bad, shape: [1, 1, 2]), path: bad, contains: "line 2: a quoted field is not closed")
    }

    func testLineNumbersCountTheLineBreaksInsideQuotes() throws {
        let path = try csvFile("\"label\nname\",a,b\n1,2,x\n")
        assertFileError(try Datasets.csv(path: path, shape: [1, 1, 2]), path: path, contains: "line 3, column 3: 'x' is not a finite number")
    }
}
