import Foundation
import XCTest

@testable import Kernel

/// CRC32C and TFRecord framing of TensorBoard event files (the real reader is driven in ReplTests).
final class TensorBoardEventFileTests: XCTestCase {
    func testCRC32CMatchesPublishedVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        // RFC 3720, B.4: 32 bytes of zeros and 32 bytes of 0xFF.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testMaskRotatesAndAddsTheConstant() {
        let crc: UInt32 = 0xE306_9283
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    func testRecordFramingHasLengthDataAndBothChecksums() {
        let data: [UInt8] = [1, 2, 3]
        let record = TensorBoardEventFile.record(data)
        XCTAssertEqual(record.count, 8 + 4 + 3 + 4)
        XCTAssertEqual(Array(record[0..<8]), [3, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(record[8..<12]), littleEndian(CRC32C.masked(Array(record[0..<8]))))
        XCTAssertEqual(Array(record[12..<15]), data)
        XCTAssertEqual(Array(record[15..<19]), littleEndian(CRC32C.masked(data)))
    }

    func testFileStartsWithTheVersionEventAndFlushAppends() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-tb-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try TensorBoardEventFile(directory: directory + "/run", clock: { 1_700_000_000.5 })
        XCTAssertTrue((file.path as NSString).lastPathComponent.hasPrefix("events.out.tfevents.1700000000."))
        var version = ProtobufWriter()
        version.double(1, 1_700_000_000.5)
        version.string(3, "brain.Event:2")
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: file.path))), TensorBoardEventFile.record(version.bytes))
        file.scalar("train/loss", 0.5, step: 3)
        let before = try Data(contentsOf: URL(fileURLWithPath: file.path)).count
        try file.flush()
        var event = ProtobufWriter()
        event.double(1, 1_700_000_000.5)
        event.int64(2, 3)
        event.message(5) { summary in
            summary.message(1) { value in
                value.string(1, "train/loss")
                value.float(2, 0.5)
            }
        }
        let after = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file.path)))
        XCTAssertEqual(Array(after[before...]), TensorBoardEventFile.record(event.bytes))
    }

    func testHistogramOfNonFiniteValuesWritesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-tb-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try TensorBoardEventFile(directory: directory)
        let size = try Data(contentsOf: URL(fileURLWithPath: file.path)).count
        file.histogram("w", [.nan, .infinity], step: 0)
        try file.flush()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file.path)).count, size)
    }

    private func littleEndian(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
