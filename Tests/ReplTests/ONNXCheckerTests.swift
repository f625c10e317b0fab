import Foundation
import XCTest

/// `export_onnx` files read by the real onnx package of the test environment: every ResNet preset and flavour (and a
/// model using the other exportable layers) passes `onnx.checker.check_model` with full (strict) shape inference,
/// infers the output shape rnx gives, and re-serializes to exactly the bytes rnx wrote.
final class ONNXCheckerTests: XCTestCase {
    /// Name → rnx expression of the model; the expected output is [batch, classes].
    static let models: [(name: String, expression: String, classes: Int)] = [
        ("resnet18", "resnet18(classes=10, input_shape=[3, 64, 64])", 10),
        ("resnet34", "resnet34(classes=10, input_shape=[3, 64, 64])", 10),
        ("resnet50", "resnet50(classes=10, input_shape=[3, 64, 64])", 10),
        ("cifar_resnet20", "cifar_resnet(20)", 10),
        ("preact_a", "resnet(20, preact=True)", 10),
        (
            "preact_b", "resnet(blocks=[1, 1], strides=[1, 2], kernel_sizes=3, widths=[16, 32], stem='cifar', preact=True, input_shape=[3, 16, 16])",
            1000
        ),
        ("concat", "resnet(20, merge='concat')", 10),
        (
            "concat_bottleneck_c",
            "resnet(blocks=[1, 1], strides=[1, 2], kernel_sizes=3, block='bottleneck', widths=[8, 16], stem='cifar', merge='concat', shortcut='C', classes=5)",
            5
        ),
        (
            "mnist_7x7",
            "resnet(blocks=[1, 1], strides=[1, 2], kernel_sizes=3, widths=[16, 32], stem=dict(width=16, kernel_size=7, stride=2, max_pool=True), input_shape=[1, 28, 28], classes=10, dropout=0.2)",
            10
        ),
        ("stochastic_depth", "resnet(20, stochastic_depth=0.5)", 10),
    ]

    /// The layers ResNets do not use: "same" padding with an odd extra pixel, both poolings, the other activations,
    /// flatten, a dense layer on a [C, H, W] map, softmax.
    static let otherLayers = """
        x = input([3, 9, 9])
        y = conv2d(x, 6, 4, stride=2, padding="same")
        y = leaky_relu(y, slope=0.2)
        y = max_pool(y, 3, stride=2, padding="same")
        y = activation(sigmoid(y), "tanh")
        z = avg_pool(conv2d(x, 6, 3, padding=1), 3, stride=2, padding=1)
        z = avg_pool(z, 2, padding="same")
        y = concat([dense(y, 4), dense(z, 4)], dim=1)
        y = dropout(flatten(y), 0.5)
        others = model(x, softmax(dense(y, 7)), name="others")
        """

    func testEveryFlavourPassesTheONNXCheckerAndRoundTrips() throws {
        let directory = try TemporaryDirectory()
        var script = Self.otherLayers + "\nexport_onnx(others, \"others.onnx\")\n"
        for model in Self.models {
            script += "export_onnx(\(model.expression), \"\(model.name).onnx\")\n"
        }
        try directory.write(script, to: "export.rnx")
        let exported = try RnxProcess.run(["run", "export.rnx"], in: directory.url)
        XCTAssertEqual(exported.status, 0, exported.errors)

        let expectations = Self.models.map { "(\"\($0.name)\", \($0.classes))" }.joined(separator: ", ")
        let check = try TestPython.run(
            """
            import onnx
            for name, classes in [("others", 7), \(expectations)]:
                raw = open(name + ".onnx", "rb").read()
                m = onnx.load_from_string(raw)
                onnx.checker.check_model(m, full_check=True)
                inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
                assert (m.ir_version, m.opset_import[0].version) == (8, 17), name
                [x], [y] = m.graph.input, m.graph.output
                assert (x.name, y.name) == ("input", "output"), (name, x.name, y.name)
                dims = [d.dim_param or d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
                assert dims == ["batch", classes], (name, dims)
                assert m.SerializeToString() == raw, name + ": onnx re-serializes other bytes"
                print(name, "OK")
            """, in: directory.url)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertEqual(check.output.split(separator: "\n").count, Self.models.count + 1, check.output)
    }

    func testExportErrorsInTheLanguage() throws {
        let directory = try TemporaryDirectory()
        let cases = [
            ("export_onnx(cifar_resnet(20), \"m.onnx\", input_shape=[1, 32, 32])", ["ValueError", "3 channels", "[1, 32, 32]"]),
            ("export_onnx(\"m\", \"m.onnx\")", ["TypeError", "model"]),
            ("export_onnx(cifar_resnet(20), \".\")", ["RuntimeError", "directory"]),
        ]
        for (index, (line, expected)) in cases.enumerated() {
            try directory.write(line + "\n", to: "error\(index).rnx")
            let result = try RnxProcess.run(["run", "error\(index).rnx"], in: directory.url)
            XCTAssertNotEqual(result.status, 0, line)
            for part in expected { XCTAssertTrue(result.errors.contains(part), "\(line): \(result.errors)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("m.onnx").path))
    }
}
