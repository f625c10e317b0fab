import Foundation
import XCTest

@testable import Kernel

/// `export_onnx`'s encoder against committed golden bytes, and its refusals. That the bytes are a valid ONNX model which
/// onnx re-serializes identically is checked by `ONNXCheckerTests` (ReplTests) with the real onnx package, and that
/// onnxruntime computes rnx's logits by `make interop` (Tests/Interop/onnx_logits.py).
final class ONNXExportTests: XCTestCase {
    private static let goldenPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Reference/onnx/tiny.onnx").path

    /// conv (with bias) → batch norm → ReLU → global average pooling → dense, every weight and statistic drawn from a
    /// fixed seed.
    static func tinyModel() throws -> Model {
        let x = try Input(shape: [3, 8, 8], name: "image")
        var y = try Conv2D(filters: 4, kernelSize: 3, padding: .explicit(rows: 1, columns: 1), name: "conv")(x)
        y = try BatchNormalization(name: "bn")(y)
        y = try ReLU(name: "relu")(y)
        y = try GlobalAveragePooling2D(name: "pool")(y)
        let logits = try Dense(units: 3, name: "fc")(y)
        let model = try Model(inputs: [x], outputs: [logits], name: "tiny")
        let generator = RandomGenerator(seed: 18)
        for entry in model.stateTensors {
            // Variances must stay positive: uniform in [0.5, 1.5).
            let values =
                entry.name.hasSuffix("running_var")
                ? try Tensor.rand(entry.tensor.shape, low: 0.5, high: 1.5, generator: generator)
                : try Tensor.randn(entry.tensor.shape, generator: generator)
            try entry.tensor.assign(values)
        }
        model.eval()
        return model
    }

    /// Regenerate with `RNX_WRITE_ONNX_GOLDEN=1` after a deliberate change of the encoding, and check the new file with
    /// ONNXCheckerTests and `make interop`.
    func testTinyModelMatchesGoldenBytes() throws {
        let bytes = try Self.tinyModel().onnxBytes()
        if ProcessInfo.processInfo.environment["RNX_WRITE_ONNX_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                atPath: (Self.goldenPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: Self.goldenPath))
        }
        let golden = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.goldenPath)))
        XCTAssertEqual(bytes.count, golden.count)
        XCTAssertTrue(bytes == golden, "the ONNX encoding of the tiny model differs from \(Self.goldenPath)")
        // ModelProto starts with ir_version (field 1, varint) = 8 and producer_name (field 2) "rnx".
        XCTAssertEqual(Array(bytes.prefix(7)), [0x08, 0x08, 0x12, 0x03] + Array("rnx".utf8))
    }

    func testWeightsAreStoredAsLittleEndianFloat32Initializers() throws {
        let model = try Self.tinyModel()
        let bytes = try model.onnxBytes()
        for entry in model.stateTensors {
            var raw: [UInt8] = []
            for value in entry.tensor.data { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            // TensorProto: name (field 8), then raw_data (field 9).
            var expected = ProtobufWriter()
            expected.string(8, entry.name)
            expected.bytes(9, raw)
            XCTAssertNotNil(bytes.firstRange(of: expected.bytes), "initializer \(entry.name)")
        }
    }

    func testInputShapeFixesOtherImageSizesAndIsChecked() throws {
        let model = try Self.tinyModel()
        let declared = try model.onnxBytes()
        let larger = try model.onnxBytes(inputShape: [3, 16, 12])
        XCTAssertNotEqual(declared, larger)
        // The input's dims: dim_param "batch", then dim_value 3, 16, 12.
        let dims: [UInt8] = [0x0A, 0x07, 0x12, 0x05] + Array("batch".utf8) + [0x0A, 0x02, 0x08, 3, 0x0A, 0x02, 0x08, 16, 0x0A, 0x02, 0x08, 12]
        XCTAssertNotNil(larger.firstRange(of: dims))

        for bad in [[4, 8, 8], [3, 8], [3, 0, 8]] {
            XCTAssertThrowsError(try model.onnxBytes(inputShape: bad)) { error in
                XCTAssertTrue("\(error)".contains("export_onnx") && "\(error)".contains(shapeString(bad)), "\(error)")
            }
        }
    }

    func testUnsupportedLayersAreAllNamedInOneError() throws {
        let x = try Input(shape: [2, 4, 4])
        var y = try Conv2D(filters: 2, kernelSize: 1, name: "conv")(x)
        y = try Unexportable(name: "warp")(y)
        y = try ReLU()(y)
        y = try Unexportable(name: "twist")(y)
        let model = try Model(inputs: [x], outputs: [y], name: "odd")
        let path = try temporaryDirectory(for: self) + "/odd.onnx"
        XCTAssertThrowsError(try model.exportONNX(to: path)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(KernelError.invalidArgument(op: "export_onnx", message: "model 'odd' has 2 layers with no ONNX form: 'warp' (Warp), 'twist' (Warp)"))"
            )
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testSharedLayersStoreTheirWeightsOnceAndOutputsKeepTheirNames() throws {
        let a = try Input(shape: [4], name: "a")
        let b = try Input(shape: [4], name: "b")
        let dense = try Dense(units: 2, name: "shared")
        let model = try Model(inputs: [a, b], outputs: [try dense(a), try dense(b), a], name: "siamese")
        let bytes = try model.onnxBytes()
        let weightName = Array("shared.weight".utf8)
        // Once as the initializer's name, twice as a Gemm input.
        XCTAssertEqual(occurrences(of: weightName, in: bytes), 3)
        // Graph inputs take the input layers' names; outputs the producing layers', an input listed as an output is
        // copied by an Identity node.
        for name in ["a", "b", "shared", "shared_1", "a_1"] {
            XCTAssertNotNil(bytes.firstRange(of: [0x0A, UInt8(name.utf8.count)] + Array(name.utf8)), name)
        }
        XCTAssertNotNil(bytes.firstRange(of: Array("Identity".utf8)))
    }

    func testAFailedSaveIsAFileError() throws {
        let directory = try temporaryDirectory(for: self)
        XCTAssertThrowsError(try Self.tinyModel().exportONNX(to: directory)) { error in
            guard case .file(let path, _) = error as? KernelError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, directory)
        }
    }

    private func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        var count = 0
        var start = haystack.startIndex
        while let range = haystack[start...].firstRange(of: needle) {
            count += 1
            start = range.upperBound
        }
        return count
    }
}

/// A layer with no ONNX form, for the refusal test.
private final class Unexportable: Layer {
    override init(name: String? = nil) throws {
        try super.init(name: name)
    }

    override var typeName: String { "Warp" }
    override var baseName: String { "warp" }
}
