import XCTest

@testable import Kernel

/// NumPy `.npy` files: what numpy writes reads back exactly, what rnx writes is numpy's layout, hostile headers are refused.
final class NpyTests: XCTestCase {
    /// A `.npy` file with the given header fields and data, as numpy lays it out.
    static func npy(descr: String, fortran: String = "False", shape: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        var header = Array("{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }".utf8)
        let preamble = version == 1 ? 10 : 12
        header += [UInt8](repeating: 0x20, count: (64 - (preamble + header.count + 1) % 64) % 64) + [0x0A]
        let length =
            version == 1 ? [UInt8(header.count & 0xFF), UInt8(header.count >> 8)] : [UInt8(header.count & 0xFF), UInt8(header.count >> 8), 0, 0]
        return Npy.magic + [version, 0] + length + header + data
    }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian, Array.init) }
    }

    private func write(_ bytes: [UInt8], name: String = "a.npy") throws -> String {
        let path = try temporaryDirectory(for: self) + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testFloatAndIntegerTensorsRoundTrip() throws {
        let directory = try temporaryDirectory(for: self)
        let floats = try Tensor(shape: [2, 3], data: [1.5, -2, 0, 3.25, .infinity, -0.0])
        let integers = try Tensor(shape: [4], integers: [0, -7, 16_000_000, 3])
        for (index, tensor) in [floats, integers, Tensor(3), try Tensor(shape: [0, 4], data: [])].enumerated() {
            let path = directory + "/t\(index).npy"
            try Npy.save(tensor, to: path)
            let back = try Npy.load(path)
            XCTAssertEqual(back.shape, tensor.shape)
            XCTAssertEqual(back.data.map(\.bitPattern), tensor.data.map(\.bitPattern))
            XCTAssertEqual(back.elementType, tensor.elementType)
        }
    }

    func testWrittenBytesAreNumpysLayout() throws {
        let bytes = Npy.encode(try Tensor(shape: [3], data: [1, 2, 3]))
        XCTAssertEqual(bytes, NpyTests.npy(descr: "<f4", shape: "(3,)", data: [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40]))
        XCTAssertEqual((bytes.count - 12) % 64, 0, "numpy aligns the data to 64 bytes")
        let matrix = String(decoding: Npy.encode(try Tensor(shape: [2, 1], integers: [1, 2])), as: UTF8.self)
        XCTAssertTrue(matrix.contains("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1), }"), matrix)
    }

    func testReadsEveryNumericTypeNumpyWrites() throws {
        let doubles = NpyTests.littleEndian([Double(0.1).bitPattern, Double(-3).bitPattern])
        XCTAssertEqual(try Npy.decode(NpyTests.npy(descr: "<f8", shape: "(2,)", data: doubles), name: "d").data, [0.1, -3])
        let bytes = NpyTests.npy(descr: "|u1", shape: "(2, 2)", data: [0, 255, 7, 1], version: 2)
        let uint8 = try Npy.decode(bytes, name: "u")
        XCTAssertEqual(uint8.shape, [2, 2])
        XCTAssertEqual(uint8.data, [0, 255, 7, 1])
        XCTAssertEqual(uint8.elementType, .int64)
        let int64 = try Npy.decode(NpyTests.npy(descr: "<i8", shape: "(3L,)", data: NpyTests.littleEndian([Int64(-5), 0, 16_777_215])), name: "i")
        XCTAssertEqual(int64.data, [-5, 0, 16_777_215])
        XCTAssertEqual(int64.elementType, .int64)
        XCTAssertEqual(try Npy.decode(NpyTests.npy(descr: "|b1", shape: "()", data: [1]), name: "b").data, [1])
        XCTAssertEqual(try Npy.decode(NpyTests.npy(descr: "<f2", shape: "(1,)", data: [0x00, 0x3C]), name: "h").data, [1])
    }

    func testRefusalsNameTheFileAndTheHeaderField() throws {
        let four = [UInt8](repeating: 0, count: 4)
        let cases: [([UInt8], String)] = [
            (NpyTests.npy(descr: "<f4", fortran: "True", shape: "(1,)", data: four), "header field 'fortran_order' is True"),
            (NpyTests.npy(descr: ">f4", shape: "(1,)", data: four), "header field 'descr' is '>f4': big-endian"),
            (NpyTests.npy(descr: "|O", shape: "(1,)", data: [0, 0, 0, 0, 0, 0, 0, 0]), "object arrays"),
            (NpyTests.npy(descr: "<c8", shape: "(1,)", data: four), "header field 'descr' is '<c8'"),
            (NpyTests.npy(descr: "<f4", shape: "(2,)", data: four), "needs 8 bytes of data, but the file has 4"),
            (NpyTests.npy(descr: "<f4", shape: "(1,)", data: four + [1]), "needs 4 bytes of data, but the file has 5"),
            (NpyTests.npy(descr: "<f4", shape: "(4611686018427387904, 4)", data: four), "needs more than 2^63 bytes"),
            (NpyTests.npy(descr: "<f4", shape: "(-1,)", data: four), "non-negative integers"),
            (NpyTests.npy(descr: "<i8", shape: "(1,)", data: NpyTests.littleEndian([Int64(1) << 40])), "holds 1099511627776 at position 0"),
            (Array("not numpy".utf8) + [0, 0, 0], "not a .npy file"),
            (Npy.magic + [9, 0, 0, 0], "unsupported .npy format version 9.0"),
            (Npy.magic + [1, 0, 0xFF, 0xFF] + four, "the header declares 65535 bytes but only 4 follow"),
        ]
        for (bytes, message) in cases {
            let path = try write(bytes)
            assertError(try Npy.load(path), contains: [path, message])
        }
        let structured = Array("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }".utf8)
        assertError(try Npy.decode(Npy.magic + [1, 0, UInt8(structured.count), 0] + structured + four, name: "s"), containing: "structured")
        let nested = Array(("{'descr': '<f4', 'x': " + String(repeating: "(", count: 100) + "}").utf8)
        assertError(try Npy.decode(Npy.magic + [1, 0, UInt8(nested.count), 0] + nested, name: "n"), containing: "nested more than 32 levels")
    }

    func testHugeDeclaredArraysAreRefusedBeforeAllocating() throws {
        try withSmallMemoryLimit {
            let count = (1 << 20) / 4 + 1
            let bytes = NpyTests.npy(descr: "|u1", shape: "(\(count),)", data: [UInt8](repeating: 0, count: count))
            assertRefusedForSize(try Npy.decode(bytes, name: "big"))
        }
    }
}
