import XCTest

@testable import Kernel

/// Any safetensors file reads, whatever its keys and element types: floats as float32, integers and bools as int64.
final class SafetensorsAnyKeysTests: XCTestCase {
    /// A safetensors file of `entries` (name, dtype, shape, raw bytes) in the given order.
    static func file(_ entries: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
        var offset = 0
        var fields: [String] = []
        var data: [UInt8] = []
        for entry in entries {
            fields.append(
                "\"\(entry.name)\":{\"dtype\":\"\(entry.dtype)\",\"shape\":\(entry.shape),\"data_offsets\":[\(offset),\(offset + entry.bytes.count)]}"
            )
            offset += entry.bytes.count
            data += entry.bytes
        }
        let header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        return NpyTests.littleEndian([UInt64(header.count)]) + header + data
    }

    private func write(_ bytes: [UInt8]) throws -> String {
        let path = try temporaryDirectory(for: self) + "/t.safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testBareKeysAndEveryElementTypeLoad() throws {
        let path = try write(
            SafetensorsAnyKeysTests.file([
                ("x", "F64", [2], NpyTests.littleEndian([Double(0.5).bitPattern, Double(-2).bitPattern])),
                ("logits", "BF16", [1], [0x80, 0x3F]),
                ("labels", "I64", [3], NpyTests.littleEndian([Int64(3), -1, 16_777_215])),
                ("counts", "I32", [], NpyTests.littleEndian([Int32(42)])),
                ("pixels", "U8", [2], [0, 255]),
                ("mask", "BOOL", [2], [0, 1]),
            ]))
        let file = try Safetensors.load(path)
        XCTAssertEqual(file.tensors.map(\.name), ["x", "logits", "labels", "counts", "pixels", "mask"])
        XCTAssertEqual(file.tensors.map(\.tensor.elementType), [.float32, .float32, .int64, .int64, .int64, .int64])
        XCTAssertEqual(file["x"]?.data, [0.5, -2])
        XCTAssertEqual(file["logits"]?.data, [1])
        XCTAssertEqual(file["labels"]?.data, [3, -1, 16_777_215])
        XCTAssertEqual(file["counts"]?.shape, [])
        XCTAssertEqual(file["pixels"]?.data, [0, 255])
    }

    func testIntegersBeyondFloatPrecisionAreRefusedByName() throws {
        let path = try write(SafetensorsAnyKeysTests.file([("ids", "I64", [2], NpyTests.littleEndian([Int64(1), 1 << 25]))]))
        assertError(try Safetensors.load(path), contains: [path, "integer tensor \"ids\" holds 33554432 at position 1"])
    }

    func testInt64TensorsSaveAsI64AndReadBack() throws {
        let path = try temporaryDirectory(for: self) + "/ints.safetensors"
        let tensors = [
            NamedTensor(name: "labels", tensor: try Tensor(shape: [3], integers: [5, -2, 0])),
            NamedTensor(name: "x", tensor: try Tensor(shape: [1], data: [0.25])),
        ]
        try Safetensors.save(tensors, to: path)
        let header = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)).prefix(200), as: UTF8.self)
        XCTAssertTrue(header.contains("\"labels\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]}"), header)
        let back = try Safetensors.load(path)
        XCTAssertEqual(back["labels"]?.elementType, .int64)
        XCTAssertEqual(back["labels"]?.data, [5, -2, 0])
        XCTAssertEqual(back["x"]?.data, [0.25])
    }
}
