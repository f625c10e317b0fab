import Foundation
import XCTest
@testable import Kernel

final class SafetensorsTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-safetensors-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func path(_ name: String) -> String { directory + "/" + name }

    private func write(_ bytes: [UInt8], to name: String) throws -> String {
        let target = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// A file with `header` as its JSON header followed by `data`.
    private func crafted(_ header: String, data: [UInt8] = []) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + data
    }

    private func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    /// Loading `bytes` fails with a file error that names the file and contains `fragment`.
    private func assertRejected(_ bytes: [UInt8], mentioning fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let target = try write(bytes, to: "bad.safetensors")
        XCTAssertThrowsError(try Safetensors.load(target), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(target + ": "), "error should start with the path: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "expected '\(fragment)' in: \(message)", file: file, line: line)
        }
    }

    // MARK: - Interoperability

    func testLoadsAFileWrittenByThePythonReferenceLibrary() throws {
        // safetensors.numpy.save_file({'weight': float32 [[1, 2], [3, -4.5]], 'bias': float16 [0.5, -2],
        //                              'step': int64 scalar 7}, metadata={'format': 'pt'})
        let reference = bytes(
            hex:
                "d0000000000000007b225f5f6d657461646174615f5f223a7b22666f726d6174223a227074227d2c2273746570223a7b226474797065223a22493634222c227368617065223a5b5d2c22646174615f6f666673657473223a5b302c385d7d2c22776569676874223a7b226474797065223a22463332222c227368617065223a5b322c325d2c22646174615f6f666673657473223a5b382c32345d7d2c2262696173223a7b226474797065223a22463136222c227368617065223a5b325d2c22646174615f6f666673657473223a5b32342c32385d7d7d202007000000000000000000803f0000004000004040000090c0003800c0"
        )
        let loaded = try Safetensors.load(try write(reference, to: "reference.safetensors"))

        XCTAssertEqual(loaded.metadata, ["format": "pt"])
        XCTAssertEqual(loaded.tensors.map(\.name), ["step", "weight", "bias"], "tensors come in data order")
        XCTAssertEqual(loaded["weight"]?.shape, [2, 2])
        XCTAssertEqual(loaded["weight"]?.data, [1, 2, 3, -4.5])
        XCTAssertEqual(loaded["bias"]?.data, [0.5, -2], "F16 converts exactly")
        XCTAssertEqual(loaded["step"]?.shape, [])
        XCTAssertEqual(loaded["step"]?.data, [7], "I64 converts to Float")
    }

    func testSavedFileHasTheExactReferenceLayout() throws {
        let target = path("exact.safetensors")
        try Safetensors.save([NamedTensor(name: "w", tensor: try Tensor(shape: [2], data: [1, -2]))], to: target, metadata: ["format": "pt"])
        let header = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let expected = crafted(padded, data: [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: target))), expected)
    }

    func testRoundTripKeepsNamesShapesValuesAndMetadata() throws {
        let target = path("round.safetensors")
        let tensors = [
            NamedTensor(name: "conv1.weight", tensor: try Tensor.randn([4, 3, 3, 3])),
            NamedTensor(name: "bn1.running_var", tensor: try Tensor.ones([4])),
            NamedTensor(name: "scalar", tensor: Tensor(3.25)),
            NamedTensor(name: "empty", tensor: try Tensor.zeros([0, 5])),
            NamedTensor(name: "naïve \"quoted\"\n", tensor: try Tensor(shape: [1], data: [-0.0])),
        ]
        try Safetensors.save(tensors, to: target, metadata: ["epoch": "3", "note": "ünïcode"])
        let loaded = try Safetensors.load(target)
        XCTAssertEqual(loaded.metadata, ["epoch": "3", "note": "ünïcode"])
        XCTAssertEqual(loaded.tensors.map(\.name), tensors.map(\.name))
        for (original, copy) in zip(tensors, loaded.tensors) {
            XCTAssertEqual(copy.tensor.shape, original.tensor.shape, original.name)
            XCTAssertEqual(copy.tensor.data.map(\.bitPattern), original.tensor.data.map(\.bitPattern), original.name)
        }
    }

    func testHalfAndBrainFloatConvertIncludingSpecialValues() throws {
        // F16: 1.0, smallest subnormal, -inf, 65504; BF16: 1.0, -3.0
        let header = #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}"#
        let data: [UInt8] = [0x00, 0x3C, 0x01, 0x00, 0x00, 0xFC, 0xFF, 0x7B, 0x80, 0x3F, 0x40, 0xC0]
        let loaded = try Safetensors.load(try write(crafted(header, data: data), to: "half.safetensors"))
        XCTAssertEqual(loaded["h"]?.data, [1, 0x1p-24, -.infinity, 65504])
        XCTAssertEqual(loaded["b"]?.data, [1, -3])
    }

    // MARK: - Atomic writes

    func testSavingReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
        let target = path("model.safetensors")
        try Data("old content".utf8).write(to: URL(fileURLWithPath: target))
        try Safetensors.save([NamedTensor(name: "x", tensor: try Tensor.ones([3]))], to: target)
        XCTAssertEqual(try Safetensors.load(target)["x"]?.data, [1, 1, 1])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["model.safetensors"])
    }

    func testSavingIntoAMissingDirectoryFailsClearly() throws {
        let target = path("missing/dir/model.safetensors")
        XCTAssertThrowsError(try Safetensors.save([], to: target)) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }

    func testSavingDuplicateOrReservedNamesIsRefused() throws {
        let t = try Tensor.ones([1])
        XCTAssertThrowsError(try Safetensors.save([NamedTensor(name: "a", tensor: t), NamedTensor(name: "a", tensor: t)], to: path("d.safetensors")))
        { error in
            XCTAssertTrue("\(error)".contains("two tensors are named \"a\""), "\(error)")
        }
        XCTAssertThrowsError(try Safetensors.save([NamedTensor(name: "__metadata__", tensor: t)], to: path("m.safetensors")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("d.safetensors")))
    }

    // MARK: - Corrupt files

    func testMissingFileIsReported() throws {
        XCTAssertThrowsError(try Safetensors.load(path("nope.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("cannot open"), "\(error)")
        }
    }

    func testFileShorterThanTheLengthFieldIsRejected() throws {
        try assertRejected([1, 2, 3], mentioning: "shorter than the 8-byte header length")
    }

    func testHeaderLongerThanTheFileIsRejected() throws {
        let bytes = withUnsafeBytes(of: UInt64(1000).littleEndian, Array.init) + Array("{}".utf8)
        try assertRejected(bytes, mentioning: "declared header length 1000 exceeds")
    }

    func testAbsurdHeaderLengthIsRejectedWithoutAllocating() throws {
        try assertRejected([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B, 0x7D], mentioning: "exceeds the limit")
    }

    func testInvalidJSONIsRejected() throws {
        try assertRejected(crafted(#"{"w":{"dtype":"F32",}"#), mentioning: "invalid JSON")
        try assertRejected(crafted(#"["not", "an object"]"#), mentioning: "does not start with '{'")
    }

    func testDeeplyNestedJSONIsRejectedWithoutOverflowingTheStack() throws {
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        try assertRejected(crafted(deep), mentioning: "nesting deeper than")
    }

    func testDuplicateTensorNamesAreRejected() throws {
        let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        try assertRejected(crafted(header, data: [UInt8](repeating: 0, count: 8)), mentioning: "duplicate key \"w\"")
    }

    func testOverlappingOffsetsAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        try assertRejected(crafted(header, data: [UInt8](repeating: 0, count: 12)), mentioning: "overlaps tensor \"a\"")
    }

    func testGapsBetweenTensorsAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        try assertRejected(crafted(header, data: [UInt8](repeating: 0, count: 12)), mentioning: "not contiguous")
    }

    func testOffsetsBeyondTheDataAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        try assertRejected(crafted(header, data: [UInt8](repeating: 0, count: 8)), mentioning: "beyond the 8-byte data section")
    }

    func testShapeThatDisagreesWithTheOffsetsIsRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#
        try assertRejected(crafted(header, data: [UInt8](repeating: 0, count: 12)), mentioning: "needs 16 bytes, but its data_offsets span 12")
    }

    func testHugeDeclaredShapeIsRejectedWithoutAllocating() throws {
        let header = #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#
        try assertRejected(crafted(header, data: [0, 0, 0, 0]), mentioning: "needs more than 2^63 bytes")
    }

    func testTrailingBytesAfterTheLastTensorAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        try assertRejected(
            crafted(header, data: [UInt8](repeating: 0, count: 9)), mentioning: "the tensors cover 4 bytes but the data section has 9 bytes")
    }

    func testTruncatedFileIsRejected() throws {
        let target = path("full.safetensors")
        try Safetensors.save([NamedTensor(name: "w", tensor: try Tensor.ones([10]))], to: target)
        let full = Array(try Data(contentsOf: URL(fileURLWithPath: target)))
        try assertRejected(Array(full.dropLast(5)), mentioning: "beyond the 35-byte data section")
    }

    func testUnsupportedDTypeIsNamed() throws {
        let header = #"{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#
        try assertRejected(crafted(header, data: [0]), mentioning: "dtype F8_E4M3, which rnx cannot load (supported: F32, F16")
    }

    func testMalformedFieldsAreNamed() throws {
        try assertRejected(crafted(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#), mentioning: "non-negative integers")
        try assertRejected(crafted(#"{"a":{"dtype":"F32","shape":[1]}}"#), mentioning: "tensor \"a\" has no \"data_offsets\"")
        try assertRejected(crafted(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#), mentioning: "invalid data_offsets [4, 0]")
        try assertRejected(crafted(#"{"__metadata__":{"k":1}}"#), mentioning: "metadata entry \"k\" is a number")
    }
}
