import XCTest
@testable import Kernel

/// Transfer learning: layer groups, freezing (fastai's freeze/freeze_to/unfreeze with train_bn), per-group learning
/// rates as fastai's slice, and replacing the classifier.
final class FreezeTests: XCTestCase {
    /// conv → BN → ReLU at 8×8, then at 4×4, global pooling and a dense classifier.
    private func smallNet() throws -> Model {
        let x = try Input(shape: [1, 8, 8])
        var y = try ReLU()(try BatchNormalization()(try Conv2D(filters: 4, kernelSize: (3, 3), padding: .same, name: "stem")(x)))
        y = try ReLU()(try BatchNormalization()(try Conv2D(filters: 4, kernelSize: (3, 3), strides: (2, 2), padding: .same, name: "late")(y)))
        return try Model(inputs: x, outputs: try Dense(units: 3, name: "fc")(try GlobalAveragePooling2D()(y)), name: "small")
    }

    private func names(_ groups: [[Layer]]) -> [[String]] { groups.map { $0.map(\.name) } }

    /// One SGD step (with weight decay) on a random batch, over the trainable parameters only.
    private func trainStep(_ model: Model) throws {
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        let loss = try Loss.crossEntropy(logits: try model.forward(try Tensor.randn([4, 1, 8, 8]), training: true), targets: [0, 1, 2, 1])
        try loss.backward()
        try optimizer.step()
    }

    func testLayerGroupsSplitTheBodyByResolutionAndEndWithTheHead() throws {
        XCTAssertEqual(
            names(try smallNet().layerGroups()),
            [
                ["stem", "batch_normalization", "re_lu"], ["late", "batch_normalization_1", "re_lu_1", "global_average_pooling2d"], ["fc"],
            ])
        // resnet18 at 64×64 has feature maps of 32 (stem), 16, 8, 4 and 2: fastai's split puts the 4 and 2 stages late.
        let resnet = try ResNet.resnet18(classes: 10, inputShape: [3, 64, 64])
        let groups = try resnet.layerGroups()
        XCTAssertEqual(groups.count, 3)
        XCTAssertEqual(groups[2].map { $0 }.count, 1)
        XCTAssertTrue(groups[2][0] === resnet.layers.last, "the head is the classifier")
        func side(_ layer: Layer) throws -> Int? {
            let shape = try resnet.output(ofLayer: layer.name).shape
            return shape.count == 3 ? shape[1] : nil
        }
        XCTAssertTrue(try groups[0].allSatisfy { try side($0).map { $0 >= 8 } ?? false }, "stem and early stages")
        XCTAssertTrue(try groups[1].allSatisfy { try side($0).map { $0 <= 4 } ?? true }, "late stages and pooling")
        XCTAssertEqual(
            groups.flatMap { $0 }.count, resnet.layers.count - 1, "every layer but the input belongs to exactly one group")
    }

    func testFreezeKeepsTheBodyBitIdenticalAndTrainsTheHeadAndBatchNorm() throws {
        seed(7)
        let model = try smallNet()
        try model.freeze()
        let before = Dictionary(uniqueKeysWithValues: model.stateTensors.map { ($0.name, $0.tensor.data) })
        try trainStep(model)
        for name in ["stem.weight", "stem.bias", "late.weight", "late.bias"] {
            XCTAssertEqual(model.stateTensors.first { $0.name == name }?.tensor.data, before[name], "\(name) is frozen")
        }
        XCTAssertNil(model.layer(named: "stem")?.weights.first?.tensor.grad, "a frozen weight gets no gradient")
        for name in ["fc.weight", "fc.bias", "batch_normalization.weight", "batch_normalization.running_mean"] {
            XCTAssertNotEqual(model.stateTensors.first { $0.name == name }?.tensor.data, before[name], "\(name) trains (train_bn=True)")
        }

        try model.freeze(trainBatchNorm: false)
        let frozenBN = Dictionary(uniqueKeysWithValues: model.stateTensors.map { ($0.name, $0.tensor.data) })
        try trainStep(model)
        for name in ["batch_normalization.weight", "batch_normalization.running_mean", "batch_normalization_1.running_var"] {
            XCTAssertEqual(model.stateTensors.first { $0.name == name }?.tensor.data, frozenBN[name], "\(name) frozen with train_bn=False")
        }

        model.unfreeze()
        XCTAssertTrue(model.layers.allSatisfy(\.trainable))
        let unfrozen = Dictionary(uniqueKeysWithValues: model.stateTensors.map { ($0.name, $0.tensor.data) })
        try trainStep(model)
        XCTAssertNotEqual(model.stateTensors.first { $0.name == "stem.weight" }?.tensor.data, unfrozen["stem.weight"], "unfreeze trains all")
    }

    func testFreezeUpToAGroupOrALayer() throws {
        let model = try smallNet()
        try model.freeze(.groups(1), trainBatchNorm: false)
        XCTAssertEqual(model.layers.filter { !$0.trainable }.map(\.name), ["stem", "batch_normalization", "re_lu"])
        try model.freeze(.groups(-1))
        XCTAssertEqual(model.layers.filter { !$0.trainable }.map(\.name), ["stem", "re_lu", "late", "re_lu_1", "global_average_pooling2d"])
        try model.freeze(.throughLayer("late"), trainBatchNorm: false)
        XCTAssertEqual(model.layers.filter { !$0.trainable }.map(\.name), ["input_1", "stem", "batch_normalization", "re_lu", "late"])
        XCTAssertThrowsError(try model.freeze(.groups(4))) { XCTAssertTrue("\($0)".contains("has 3 layer groups"), "\($0)") }
        XCTAssertThrowsError(try model.freeze(.throughLayer("nope"))) { XCTAssertTrue("\($0)".contains("no layer named 'nope'"), "\($0)") }
    }

    func testGroupLearningRatesFollowFastaiSlices() throws {
        let model = try smallNet()
        assertClose(try model.groupLearningRates(low: 1e-5, high: 1e-3).map(Float.init), [1e-5, 1e-4, 1e-3], tolerance: 1e-9, "even_mults")
        XCTAssertEqual(try model.groupLearningRates(low: nil, high: 1e-3), [1e-4, 1e-4, 1e-3], "slice(high)")
        let scales = try model.learningRateScales(low: 1e-5, high: 1e-3)
        XCTAssertEqual(scales["stem.weight"] ?? 0, 0.01, accuracy: 1e-12)
        XCTAssertEqual(scales["batch_normalization_1.bias"] ?? 0, 0.1, accuracy: 1e-12)
        XCTAssertEqual(scales["fc.weight"], 1)
        XCTAssertThrowsError(try model.learningRateScales(low: 0, high: 1e-3))
    }

    func testReplacingADenseHeadKeepsTheBodyAndItsWeights() throws {
        let model = try smallNet()
        let replaced = try model.replacingHead(classes: 5)
        XCTAssertEqual(replaced.outputs[0].shape, [5])
        XCTAssertEqual(replaced.layers.map(\.name), model.layers.map(\.name))
        XCTAssertTrue(replaced.layer(named: "stem") === model.layer(named: "stem"), "the body is shared")
        XCTAssertEqual(replaced.parameters.first { $0.name == "fc.weight" }?.tensor.shape, [5, 4])
        XCTAssertEqual(try replaced(try Tensor.randn([2, 1, 8, 8])).shape, [2, 5])
        XCTAssertEqual(try model(try Tensor.randn([2, 1, 8, 8])).shape, [2, 3], "the original model still works")
        XCTAssertEqual(try replaced.replacingHead(classes: 2).outputs[0].shape, [2], "a replaced head can be replaced again")
        let resnet = try ResNet.cifarResNet(depth: 8, classes: 10).replacingHead(classes: 4)
        XCTAssertEqual(try resnet(try Tensor.randn([1, 3, 32, 32])).shape, [1, 4])
    }

    func testReplacingAOneByOneConvolutionHeadKeepsThePooling() throws {
        let x = try Input(shape: [2, 6, 6])
        let features = try ReLU()(try Conv2D(filters: 4, kernelSize: (3, 3), padding: .same)(x))
        let model = try Model(
            inputs: x, outputs: try GlobalAveragePooling2D()(try Conv2D(filters: 3, kernelSize: (1, 1), name: "classifier")(features)))
        XCTAssertEqual(names(try model.layerGroups()).last, ["classifier", "global_average_pooling2d"])
        let replaced = try model.replacingHead(classes: 7)
        XCTAssertEqual(try replaced(try Tensor.randn([2, 2, 6, 6])).shape, [2, 7])

        let notAClassifier = try Model(inputs: x, outputs: try BatchNormalization()(features))
        XCTAssertThrowsError(try notAClassifier.replacingHead(classes: 2)) {
            XCTAssertTrue("\($0)".contains("the head must be a dense layer or a 1×1 convolution"), "\($0)")
        }
        XCTAssertThrowsError(try model.replacingHead(classes: 0))
    }
}
