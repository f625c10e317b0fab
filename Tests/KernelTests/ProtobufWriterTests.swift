import XCTest

@testable import Kernel

/// Bytes checked against the encoding rules of protobuf's documentation (and what `protoc --encode` prints).
final class ProtobufWriterTests: XCTestCase {
    func testVarintsKeysAndNegativeInt64() {
        var writer = ProtobufWriter()
        writer.int64(1, 150)
        XCTAssertEqual(writer.bytes, [0x08, 0x96, 0x01])
        writer = ProtobufWriter()
        writer.int64(2, -1)
        XCTAssertEqual(writer.bytes, [0x10] + Array(repeating: 0xFF, count: 9) + [0x01])
        writer = ProtobufWriter()
        writer.bool(16, true)
        XCTAssertEqual(writer.bytes, [0x80, 0x01, 0x01])
    }

    func testFixedWidthAndLengthDelimitedFields() {
        var writer = ProtobufWriter()
        writer.float(2, 1.0)
        writer.double(1, -2.0)
        writer.string(3, "testing")
        XCTAssertEqual(
            writer.bytes,
            [0x15, 0x00, 0x00, 0x80, 0x3F, 0x09, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0x1A, 0x07] + Array("testing".utf8))
    }

    func testNestedMessagesAndPackedFields() {
        var writer = ProtobufWriter()
        writer.message(3) { $0.int64(1, 150) }
        XCTAssertEqual(writer.bytes, [0x1A, 0x03, 0x08, 0x96, 0x01])
        writer = ProtobufWriter()
        writer.packedInt64s(4, [3, 270, 86942])
        XCTAssertEqual(writer.bytes, [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05])
        writer = ProtobufWriter()
        writer.packedFloats(5, [1, -1])
        XCTAssertEqual(writer.bytes, [0x2A, 0x08, 0, 0, 0x80, 0x3F, 0, 0, 0x80, 0xBF])
    }
}
