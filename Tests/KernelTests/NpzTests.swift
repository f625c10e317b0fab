import XCTest

@testable import Kernel

/// NumPy `.npz` archives: round trips, deflated entries, and corrupt or hostile archives refused with the entry named.
final class NpzTests: XCTestCase {
    private func path(_ name: String = "a.npz") throws -> String {
        try temporaryDirectory(for: self) + "/" + name
    }

    func testArraysRoundTripInOrder() throws {
        let path = try path()
        let tensors = [
            NamedTensor(name: "x", tensor: try Tensor(shape: [2, 2], data: [1, 2, 3, 4])),
            NamedTensor(name: "labels", tensor: try Tensor(shape: [3], integers: [2, 0, 1])),
            NamedTensor(name: "empty", tensor: try Tensor(shape: [0], data: [])),
        ]
        try Npz.save(tensors, to: path)
        let back = try Npz.load(path)
        XCTAssertEqual(back.map(\.name), ["x", "labels", "empty"])
        XCTAssertEqual(back.map(\.tensor.data), tensors.map(\.tensor.data))
        XCTAssertEqual(back.map(\.tensor.shape), tensors.map(\.tensor.shape))
        XCTAssertEqual(back[1].tensor.elementType, .int64)
        assertError(try Npz.save([tensors[0], tensors[0]], to: path), containing: "two arrays are named \"x\"")
    }

    /// A deflated entry (method 8) made of one stored deflate block, as a compressor may emit for incompressible data.
    func testDeflatedEntriesAreInflatedAndChecked() throws {
        let npy = Npy.encode(try Tensor(shape: [2], data: [7, 8]))
        let deflated = [0x01, UInt8(npy.count & 0xFF), UInt8(npy.count >> 8), ~UInt8(npy.count & 0xFF), ~UInt8(npy.count >> 8)] + npy
        let path = try path()
        try Data(NpzTests.archive([(name: "w.npy", method: 8, data: deflated, size: npy.count, crc: ZipArchive.crc32(of: npy))]))
            .write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try Npz.load(path).first?.tensor.data, [7, 8])

        let lying = try self.path("lying.npz")
        try Data(NpzTests.archive([(name: "w.npy", method: 8, data: deflated, size: npy.count - 1, crc: 0)]))
            .write(to: URL(fileURLWithPath: lying))
        assertError(try Npz.load(lying), contains: [lying, "entry 'w.npy'", "not the \(npy.count - 1) bytes the directory declares"])
    }

    func testCorruptArchivesAreRefused() throws {
        let npy = Npy.encode(try Tensor(shape: [1], data: [1]))
        let good = NpzTests.archive([(name: "a.npy", method: 0, data: npy, size: npy.count, crc: ZipArchive.crc32(of: npy))])
        let cases: [([UInt8], String)] = [
            (NpzTests.archive([(name: "a.npy", method: 0, data: npy, size: npy.count, crc: 1)]), "entry 'a.npy': CRC-32 mismatch"),
            (NpzTests.archive([(name: "a.npy", method: 12, data: npy, size: npy.count, crc: 0)]), "compression method 12"),
            (
                NpzTests.archive([(name: "a.npy", method: 0, data: Array(npy.prefix(20)), size: 20, crc: ZipArchive.crc32(of: Array(npy.prefix(20))))]
                ), "entry 'a.npy'"
            ),
            (Array(good.prefix(good.count - 30)), "no end-of-central-directory record"),
            (Array("hello".utf8), "not a zip archive"),
        ]
        for (bytes, message) in cases {
            let path = try path()
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            assertError(try Npz.load(path), contains: [path, message])
        }
    }

    /// A zip archive of `entries` (local headers, central directory, end record), with whatever sizes and CRCs are given.
    static func archive(_ entries: [(name: String, method: UInt16, data: [UInt8], size: Int, crc: UInt32)]) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { u16(Int(v & 0xFFFF)) + u16(Int(v >> 16)) }
        var body: [UInt8] = []
        var directory: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let fields =
                u16(20) + u16(0) + u16(Int(entry.method)) + u16(0) + u16(0x21) + u32(entry.crc) + u32(UInt32(entry.data.count))
                + u32(UInt32(entry.size)) + u16(name.count) + u16(0)
            directory += u32(0x0201_4b50) + u16(20) + fields + u16(0) + u16(0) + u16(0) + u32(0) + u32(UInt32(body.count)) + name
            body += u32(0x0403_4b50) + fields + name + entry.data
        }
        return body + directory + u32(0x0605_4b50) + u16(0) + u16(0) + u16(entries.count) + u16(entries.count)
            + u32(UInt32(directory.count)) + u32(UInt32(body.count)) + u16(0)
    }
}
