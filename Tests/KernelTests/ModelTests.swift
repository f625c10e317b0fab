import Foundation
import XCTest
@testable import Kernel

final class ModelTests: XCTestCase {
    override func setUp() {
        seed(42)
    }

    /// conv → BN → ReLU plus a 1×1 projection of the input, added, pooled, classified.
    private func tinyResidualModel() throws -> Model {
        let input = try Input(shape: [3, 8, 8])
        var x = try Conv2D(filters: 4, kernelSize: 3, padding: .same, useBias: false)(input)
        x = try ReLU()(try BatchNormalization()(x))
        let shortcut = try Conv2D(filters: 4, kernelSize: 1)(input)
        x = try Add()([x, shortcut])
        x = try Dense(units: 2)(try GlobalAveragePooling2D()(x))
        return try Model(inputs: input, outputs: x, name: "tiny")
    }

    /// The summary's lines without the trailing spaces Keras pads rows with.
    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var trimmed = Substring(line)
            while trimmed.last == " " { trimmed = trimmed.dropLast() }
            return String(trimmed)
        }
    }

    // MARK: - Definition

    func testLayersGetKerasNamesInDefinitionOrder() throws {
        let model = try tinyResidualModel()
        XCTAssertEqual(
            model.layers.map(\.name), ["input_1", "conv2d", "batch_normalization", "re_lu", "conv2d_1", "add", "global_average_pooling2d", "dense"])
        XCTAssertEqual(
            model.parameters.map(\.name),
            [
                "conv2d.weight", "batch_normalization.weight", "batch_normalization.bias", "conv2d_1.weight", "conv2d_1.bias", "dense.weight",
                "dense.bias",
            ])
        XCTAssertEqual(model.buffers.map(\.name), ["batch_normalization.running_mean", "batch_normalization.running_var"])
    }

    func testNamesDoNotDependOnWhatWasDefinedBefore() throws {
        let first = try tinyResidualModel().stateTensors.map(\.name)
        _ = try tinyResidualModel()
        XCTAssertEqual(try tinyResidualModel().stateTensors.map(\.name), first, "a rebuilt model can load the weights of an earlier one")
    }

    func testGraphsJoinedByAMergeGetUniqueNames() throws {
        let a = try Input(shape: [2, 4, 4]), b = try Input(shape: [2, 4, 4])
        let left = try Conv2D(filters: 3, kernelSize: 1)(a)
        let right = try Conv2D(filters: 3, kernelSize: 1)(b)
        let model = try Model(inputs: [a, b], outputs: [try Add()([left, right])], name: "two_towers")
        XCTAssertEqual(model.layers.map(\.name), ["input_1", "input_2", "conv2d", "conv2d_1", "add"])
        let outputs = try model([try Tensor.randn([2, 2, 4, 4]), try Tensor.randn([2, 2, 4, 4])])
        XCTAssertEqual(outputs.map(\.shape), [[2, 3, 4, 4]])
    }

    func testUserNamesAreKeptAndMustBeUnique() throws {
        let input = try Input(shape: [4], name: "features")
        let hidden = try Dense(units: 4, name: "hidden")(input)
        assertError(try Dense(units: 2, name: "hidden")(hidden), contains: ["the name 'hidden' is already used"])
        let model = try Model(inputs: input, outputs: try Dense(units: 2, name: "head")(hidden))
        XCTAssertEqual(model.layers.map(\.name), ["features", "hidden", "head"])
        XCTAssertNotNil(model.layer(named: "head"))
        XCTAssertEqual(try model.output(ofLayer: "hidden").shape, [4])
        assertError(try model.output(ofLayer: "nope"), contains: ["has no layer named 'nope'"])
    }

    func testAFailedLayerCallDoesNotUseUpAName() throws {
        let input = try Input(shape: [3, 8, 8])
        let first = try Conv2D(filters: 4, kernelSize: 3)(input)
        let misfit = try Dense(units: 2)
        assertError(try Add()([first, input]), contains: ["[4, 6, 6]", "[3, 8, 8]"])
        assertError(try misfit([try Flatten()(first), input]), contains: ["input"])
        let second = try Conv2D(filters: 4, kernelSize: 3)(first)
        let model = try Model(inputs: input, outputs: try Add()([second, try Conv2D(filters: 4, kernelSize: 1)(second)]))
        XCTAssertEqual(
            model.layers.map(\.name), ["input_1", "conv2d", "conv2d_1", "conv2d_2", "add"],
            "the failed Add and Dense calls left the automatic numbering alone")
    }

    func testShapeErrorsAtDefinitionNameTheLayerAndBothShapes() throws {
        let input = try Input(shape: [3, 16, 16])
        let wide = try Conv2D(filters: 8, kernelSize: 3, padding: .same)(input)
        let narrow = try Conv2D(filters: 4, kernelSize: 3, padding: .same)(input)
        assertError(try Add(name: "merge")([wide, narrow]), contains: ["layer 'merge' (Add)", "[8, 16, 16]", "[4, 16, 16]"])
    }

    func testDisconnectedGraphsAreRefused() throws {
        let a = try Input(shape: [4]), b = try Input(shape: [4], name: "forgotten")
        let sum = try Add()([a, b])
        assertError(try Model(inputs: a, outputs: sum), contains: ["graph disconnected", "'forgotten'"])
    }

    // MARK: - Running

    func testForwardPassAcceptsOtherImageSizesButChecksChannels() throws {
        let model = try tinyResidualModel()
        XCTAssertEqual(try model(try Tensor.randn([2, 3, 8, 8])).shape, [2, 2])
        XCTAssertEqual(try model(try Tensor.randn([2, 3, 13, 5])).shape, [2, 2], "global pooling makes any size work")
        assertError(try model(try Tensor.randn([2, 1, 8, 8])), contains: ["model 'tiny' input 'input_1'", "[N, 3, 8, 8]", "[2, 1, 8, 8]"])
    }

    func testRuntimeErrorsNameTheFailingLayer() throws {
        let input = try Input(shape: [1, 4, 4])
        let flat = try Flatten()(input)
        let model = try Model(inputs: input, outputs: try Dense(units: 2, name: "classifier")(flat))
        assertError(try model(try Tensor.randn([1, 1, 6, 6])), contains: ["layer 'classifier' (Dense)"])
    }

    func testTrainAndEvalSwitchBatchNormAndDropout() throws {
        let input = try Input(shape: [4])
        let bn = try BatchNormalization()
        let model = try Model(inputs: input, outputs: try Dropout(rate: 0.5)(try bn(input)))
        let x = try Tensor.randn([16, 4]) * 3 + 1
        XCTAssertTrue(model.isTraining, "models start in training mode, as in PyTorch")

        let trained = try model(x)
        XCTAssertNotEqual(bn.runningMean?.data, [0, 0, 0, 0], "training updates the running statistics")
        XCTAssertTrue(trained.data.contains(0), "dropout is active")

        model.eval()
        let statistics = bn.runningMean?.data
        let first = try model(x), second = try model(x)
        XCTAssertEqual(bn.runningMean?.data, statistics, "evaluation leaves the statistics alone")
        XCTAssertEqual(first.data, second.data, "evaluation is deterministic")
        XCTAssertFalse(first.data.contains(0))

        XCTAssertTrue(try model.forward(x, training: true).data.contains(0), "forward(training:) overrides the mode")
        XCTAssertFalse(model.isTraining, "and restores it")
    }

    func testSharedLayersShareWeights() throws {
        let input = try Input(shape: [4])
        let dense = try Dense(units: 4)
        let model = try Model(inputs: input, outputs: try dense(try dense(input)), name: "shared")
        XCTAssertEqual(model.parameters.count, 2)
        let x = try Tensor.randn([1, 4])
        XCTAssertEqual(try model(x).data, try dense(try dense(x)).data)
        XCTAssertTrue(model.summary().contains("['input_1[0][0]',"))
        XCTAssertTrue(model.summary().contains("'dense[0][0]']"), "the second call reads the first call's output")
    }

    func testFrozenLayersCountAsNonTrainable() throws {
        let model = try tinyResidualModel()
        XCTAssertEqual(model.trainableParameterCount, 142)
        XCTAssertEqual(model.nonTrainableParameterCount, 8)
        model.layer(named: "dense")?.trainable = false
        XCTAssertEqual(model.trainableParameterCount, 132)
        XCTAssertEqual(model.nonTrainableParameterCount, 18)
        XCTAssertEqual(model.trainableParameters.count, 5)
        XCTAssertEqual(model.parameters.count, 7, "parameters lists frozen weights too, like PyTorch")
    }

    func testATinyGraphModelLearnsWithHandWrittenSGD() throws {
        let input = try Input(shape: [2, 6, 6])
        var x = try Conv2D(filters: 4, kernelSize: 3, padding: .same, useBias: false)(input)
        x = try ReLU()(try BatchNormalization()(x))
        let model = try Model(inputs: input, outputs: try Dense(units: 2)(try GlobalAveragePooling2D()(x)))
        // Class 1 images are brighter in channel 0 than in channel 1.
        let images = try Tensor.randn([16, 2, 6, 6])
        var labels: [Int] = []
        for n in 0..<16 {
            let label = n % 2
            labels.append(label)
            for i in 0..<36 { images.data[n * 72 + (label == 1 ? 0 : 36) + i] += 1.5 }
        }
        func loss() throws -> Tensor { try Loss.crossEntropy(logits: try model(images), targets: labels) }

        let initial = try loss().item()
        for _ in 0..<40 {
            model.zeroGrad()
            try loss().backward()
            try noGrad {
                for parameter in model.trainableParameters {
                    let gradient = try XCTUnwrap(parameter.tensor.grad, parameter.name)
                    try parameter.tensor.assign(try parameter.tensor - gradient * 0.2)
                }
            }
        }
        let final = try loss().item()
        XCTAssertLessThan(final, initial * 0.5, "loss \(initial) → \(final)")
    }

    // MARK: - Summary

    func testSummaryFollowsKerasLayoutForGraphs() throws {
        let summary = try tinyResidualModel().summary()
        XCTAssertEqual(
            lines(summary),
            [
                #"Model: "tiny""#,
                String(repeating: "_", count: 98),
                " Layer (type)                   Output Shape         Param #     Connected to",
                String(repeating: "=", count: 98),
                " input_1 (InputLayer)           [(None, 3, 8, 8)]    0           []",
                "",
                " conv2d (Conv2D)                (None, 4, 8, 8)      108         ['input_1[0][0]']",
                "",
                " batch_normalization (BatchNorm  (None, 4, 8, 8)     16          ['conv2d[0][0]']",
                " alization)",
                "",
                " re_lu (ReLU)                   (None, 4, 8, 8)      0           ['batch_normalization[0][0]']",
                "",
                " conv2d_1 (Conv2D)              (None, 4, 8, 8)      16          ['input_1[0][0]']",
                "",
                " add (Add)                      (None, 4, 8, 8)      0           ['re_lu[0][0]',",
                "                                                                  'conv2d_1[0][0]']",
                "",
                " global_average_pooling2d (Glob  (None, 4)           0           ['add[0][0]']",
                " alAveragePooling2D)",
                "",
                " dense (Dense)                  (None, 2)            10          ['global_average_pooling2d[0][0]'",
                "                                                                 ]",
                "",
                String(repeating: "=", count: 98),
                "Total params: 150",
                "Trainable params: 142",
                "Non-trainable params: 8",
                String(repeating: "_", count: 98),
            ])
        let tableRows = summary.split(separator: "\n").filter { !$0.hasPrefix("Model:") && !$0.hasPrefix("Total") && !$0.contains("params:") }
        XCTAssertTrue(tableRows.allSatisfy { $0.count == 98 }, "rows are padded to the full width, as in Keras")
    }

    func testSummaryOfASequentialModelHasNoInputRowOrConnections() throws {
        let model = try Model.sequential(
            [try Conv2D(filters: 2, kernelSize: 3), try ReLU(), try Flatten(), try Dense(units: 3)], inputShape: [1, 5, 5])
        XCTAssertEqual(
            lines(model.summary()),
            [
                #"Model: "sequential""#,
                String(repeating: "_", count: 65),
                " Layer (type)                Output Shape              Param #",
                String(repeating: "=", count: 65),
                " conv2d (Conv2D)             (None, 2, 3, 3)           20",
                "",
                " re_lu (ReLU)                (None, 2, 3, 3)           0",
                "",
                " flatten (Flatten)           (None, 18)                0",
                "",
                " dense (Dense)               (None, 3)                 57",
                "",
                String(repeating: "=", count: 65),
                "Total params: 77",
                "Trainable params: 77",
                "Non-trainable params: 0",
                String(repeating: "_", count: 65),
            ])
    }

    func testSummaryWithFlopsAddsAMACsColumnAndTotals() throws {
        let summary = try tinyResidualModel().summary(flops: true)
        let rows = lines(summary)
        XCTAssertEqual(rows[2], " Layer (type)                   Output Shape         Param #     MACs           Connected to")
        XCTAssertTrue(
            rows.contains(" conv2d (Conv2D)                (None, 4, 8, 8)      108         6912           ['input_1[0][0]']"),
            "4·8·8 outputs × 3·3·3 taps")
        XCTAssertTrue(
            rows.contains(" dense (Dense)                  (None, 2)            10          8              ['global_average_pooling2d[0][0]'"))
        XCTAssertEqual(Array(rows.suffix(3).prefix(2)), ["Total MACs: 7,688 (7.69 K)", "Total FLOPs: 15,376 (15.4 K)"])
    }

    func testOneLineDescriptionForTheREPL() throws {
        XCTAssertEqual(try tinyResidualModel().description, "<Model tiny: 7 layers, 142 params, input [3, 8, 8]>")
        XCTAssertEqual(Model.compactCount(11_689_512), "11.7M")
        XCTAssertEqual(Model.compactCount(269_722), "269.7K")
        XCTAssertEqual(Model.compactCount(853_018), "853K")
        XCTAssertEqual(
            try Conv2D(filters: 16, kernelSize: 3, strides: 2, padding: .same, useBias: false, name: "c").description,
            "<Conv2D c: 16 filters, 3×3, stride 2, padding same, no bias>")
    }

    // MARK: - Weights on disk

    private var scratch: String { FileManager.default.temporaryDirectory.appendingPathComponent("rnx-weights-\(name.filter(\.isLetter))").path }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private func weightsFile() throws -> String {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return scratch + "/tiny.safetensors"
    }

    func testSavedWeightsLoadIntoAFreshlyBuiltModel() throws {
        let path = try weightsFile()
        let original = try tinyResidualModel()
        _ = try original(try Tensor.randn([4, 3, 8, 8]))  // moves the batch-norm statistics away from their defaults
        try original.saveWeights(path)

        seed(99)
        let copy = try tinyResidualModel()
        original.eval()
        copy.eval()
        let x = try Tensor.randn([2, 3, 8, 8])
        XCTAssertNotEqual(try copy(x).data, try original(x).data)
        let report = try copy.loadWeights(path)
        XCTAssertEqual(report.loaded.count, 10, "9 tensors and the batch norm's counter")
        XCTAssertEqual(try copy(x).data, try original(x).data)
        XCTAssertEqual(copy.stateCounters, original.stateCounters)
    }

    func testLoadingReportsMissingUnexpectedAndMismatchedKeys() throws {
        let path = try weightsFile()
        try tinyResidualModel().saveWeights(path)

        let input = try Input(shape: [3, 8, 8])
        let other = try Model(
            inputs: input,
            outputs: try Dense(units: 3, name: "dense")(try GlobalAveragePooling2D()(try Conv2D(filters: 4, kernelSize: 3, name: "conv2d")(input))))
        let before = other.stateTensors.map(\.tensor.data)
        assertError(
            try other.loadWeights(path),
            contains: [
                path, "weights do not fit model 'model'",
                "shape mismatch for dense.weight: model [3, 4], file [2, 4]",
                "missing keys (in the model, not in the file): conv2d.bias",
                "unexpected keys (in the file, not in the model): batch_normalization.weight",
            ])
        XCTAssertEqual(other.stateTensors.map(\.tensor.data), before, "a failed load changes nothing")
    }

    func testNonStrictLoadingFillsWhatMatches() throws {
        let path = try weightsFile()
        let source = try tinyResidualModel()
        try source.saveWeights(path)
        let input = try Input(shape: [3, 8, 8])
        let partial = try Model(
            inputs: input, outputs: try ReLU()(try Conv2D(filters: 4, kernelSize: 3, padding: .same, useBias: false, name: "conv2d")(input)))
        let report = try partial.loadWeights(path, strict: false)
        XCTAssertEqual(report.loaded, ["conv2d.weight"])
        XCTAssertEqual(report.missing, [])
        XCTAssertEqual(report.unexpected.count, 8)
        XCTAssertEqual(partial.parameters[0].tensor.data, source.parameters[0].tensor.data)
    }

    func testPyTorchBatchCountersLoadIntoTheirBatchNormAndAreSkippedOtherwise() throws {
        let path = try weightsFile()
        let model = try tinyResidualModel()
        let withCounter =
            model.stateTensors + [
                NamedTensor(name: "batch_normalization.num_batches_tracked", tensor: Tensor(12)),
                NamedTensor(name: "gone.num_batches_tracked", tensor: Tensor(3)),
            ]
        try Safetensors.save(withCounter, to: path)
        let report = try model.loadWeights(path)
        XCTAssertEqual(report.loaded.count, 10)
        XCTAssertEqual(report.unexpected, [])
        XCTAssertEqual((model.layer(named: "batch_normalization") as? BatchNormalization)?.batchesTracked, 12)
    }
}
