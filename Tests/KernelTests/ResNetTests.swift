import XCTest
@testable import Kernel

final class ResNetTests: XCTestCase {
    override func setUp() {
        seed(0)
    }

    private func shape(_ model: Model, _ key: String) -> [Int]? {
        model.stateTensors.first { $0.name == key }?.tensor.shape
    }

    /// One evaluation-mode forward pass of a single small image.
    private func logitsShape(_ model: Model, input: [Int] = [1, 3, 32, 32]) throws -> [Int] {
        model.eval()
        return try model(try Tensor.randn(input)).shape
    }

    // MARK: - ImageNet presets (torchvision)

    func testResNet18MatchesTorchvision() throws {
        let model = try ResNet.resnet18()
        XCTAssertEqual(model.trainableParameterCount, 11_689_512)
        XCTAssertEqual(model.nonTrainableParameterCount, 9_600, "batch-norm running means and variances")
        XCTAssertTrue(model.summary().contains("Total params: 11,699,112\nTrainable params: 11,689,512\nNon-trainable params: 9,600\n"))
        XCTAssertEqual(model.macs, 1_814_073_344, "the usual 1.8 GMACs at 224×224")

        // torchvision's state_dict keys, in order, without the num_batches_tracked counters.
        func batchNorm(_ name: String) -> [String] { ["weight", "bias", "running_mean", "running_var"].map { "\(name).\($0)" } }
        var keys = ["conv1.weight"] + batchNorm("bn1")
        for stage in 1...4 {
            for block in 0...1 {
                let prefix = "layer\(stage).\(block)."
                keys += [prefix + "conv1.weight"] + batchNorm(prefix + "bn1") + [prefix + "conv2.weight"] + batchNorm(prefix + "bn2")
                if stage > 1 && block == 0 { keys += [prefix + "downsample.0.weight"] + batchNorm(prefix + "downsample.1") }
            }
        }
        keys += ["fc.weight", "fc.bias"]
        XCTAssertEqual(model.stateTensors.map(\.name), keys)
        XCTAssertEqual(shape(model, "conv1.weight"), [64, 3, 7, 7])
        XCTAssertEqual(shape(model, "layer3.0.downsample.0.weight"), [256, 128, 1, 1])
        XCTAssertEqual(shape(model, "fc.weight"), [1000, 512])

        XCTAssertEqual(try logitsShape(model), [1, 1000])
        XCTAssertEqual(model.description, "<Model resnet18: 68 layers, 11.7M params, input [3, 224, 224]>")
    }

    func testResNet34ParameterCountAndForwardPass() throws {
        let model = try ResNet.resnet34()
        XCTAssertEqual(model.trainableParameterCount, 21_797_672)
        XCTAssertEqual(try logitsShape(model), [1, 1000])
    }

    func testResNet50UsesBottlenecksWithTheStrideInThe3x3Convolution() throws {
        let model = try ResNet.resnet50()
        XCTAssertEqual(model.trainableParameterCount, 25_557_032)
        XCTAssertEqual(shape(model, "layer1.0.conv3.weight"), [256, 64, 1, 1], "expansion 4")
        XCTAssertEqual(shape(model, "layer1.0.downsample.0.weight"), [256, 64, 1, 1], "projection where only the width changes")
        let stridedConv = try XCTUnwrap(model.layer(named: "layer2.0.conv2") as? Conv2D)
        XCTAssertEqual(stridedConv.strides.0, 2, "torchvision v1.5")
        XCTAssertEqual(try logitsShape(model), [1, 1000])
    }

    func testInputChannelsClassesAndImageSizeAreFree() throws {
        let model = try ResNet.cifarResNet(depth: 20, classes: 7, inputShape: [1, 64, 64])
        XCTAssertEqual(shape(model, "conv1.weight"), [16, 1, 3, 3])
        XCTAssertEqual(shape(model, "fc.weight"), [7, 64])
        XCTAssertEqual(model.nodes.first { $0.layer.name == "avgpool" }?.inputs.first?.shape, [64, 16, 16])
        XCTAssertEqual(try logitsShape(model, input: [2, 1, 20, 28]), [2, 7], "global pooling accepts any size")
    }

    // MARK: - CIFAR presets (He et al. 2015)

    func testCifarResNetsHaveThePaperParameterCounts() throws {
        for (depth, count) in [(20, 269_722), (32, 464_154), (44, 658_586), (56, 853_018), (110, 1_727_962)] {
            let model = try ResNet.cifarResNet(depth: depth)
            XCTAssertEqual(model.trainableParameterCount, count, "ResNet-\(depth)")
            XCTAssertEqual(model.name, "cifar_resnet\(depth)")
        }
    }

    func testCifarResNetTrainsAndEvaluatesOnSmallBatches() throws {
        for depth in [20, 56, 110] {
            let model = try ResNet.cifarResNet(depth: depth)
            let logits = try model(try Tensor.randn([2, 3, 32, 32]))
            XCTAssertEqual(logits.shape, [2, 10])
            try Loss.crossEntropy(logits: logits, targets: [3, 7]).backward()
            XCTAssertNotNil(model.parameters.first?.tensor.grad, "gradients reach the stem of ResNet-\(depth)")
            XCTAssertEqual(try logitsShape(model), [1, 10])
        }
    }

    func testCifarResNetUsesParameterFreeOptionAShortcuts() throws {
        let model = try ResNet.cifarResNet(depth: 20)
        XCTAssertTrue(model.layer(named: "layer2.0.shortcut") is ZeroPadShortcut)
        XCTAssertFalse(model.stateTensors.contains { $0.name.contains("downsample") })
        let join = try XCTUnwrap(model.nodes.first { $0.layer.name == "layer3.0.add" })
        XCTAssertEqual(join.inputs.map(\.layer.name), ["layer3.0.bn2", "layer3.0.shortcut"])
    }

    // MARK: - Variants

    func testShortcutOptionsBAndCAddProjections() throws {
        var config = try ResNetConfig.cifar(depth: 20)
        config.shortcut = .b
        // Two projections where the shape changes: 1×1 convolutions 16→32 and 32→64, each with a batch norm.
        XCTAssertEqual(try ResNet.make(config).trainableParameterCount, 269_722 + (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64))
        config.shortcut = .c
        // A projection on all nine blocks.
        let perBlock = [
            16 * 16 + 32, 16 * 16 + 32, 16 * 16 + 32, 16 * 32 + 64, 32 * 32 + 64, 32 * 32 + 64, 32 * 64 + 128, 64 * 64 + 128, 64 * 64 + 128,
        ]
        let model = try ResNet.make(config)
        XCTAssertEqual(model.trainableParameterCount, 269_722 + perBlock.reduce(0, +))
        XCTAssertNotNil(model.layer(named: "layer1.1.downsample.0"))
        XCTAssertEqual(try logitsShape(model), [1, 10])
    }

    func testPreActivationBlocksNormaliseFirstAndEndWithBatchNormAndReLU() throws {
        var config = try ResNetConfig.cifar(depth: 20)
        config.preActivation = true
        let model = try ResNet.make(config)
        let block = model.layers.map(\.name).filter { $0.hasPrefix("layer1.0.") }
        XCTAssertEqual(
            block, ["layer1.0.bn1", "layer1.0.relu1", "layer1.0.conv1", "layer1.0.bn2", "layer1.0.relu2", "layer1.0.conv2", "layer1.0.add"])
        XCTAssertEqual(model.layers.suffix(4).map(\.name), ["final_bn", "final_relu", "avgpool", "fc"])
        // No batch norm after the stem (16 channels), one more at the end (64), and the first blocks of stages 2 and 3
        // normalise their narrower inputs (16 and 32 channels instead of 32 and 64): the changes happen to cancel.
        XCTAssertEqual(model.trainableParameterCount, 269_722 - 2 * 16 + 2 * 64 - 2 * (32 - 16) - 2 * (64 - 32))
        XCTAssertEqual(shape(model, "layer2.0.bn1.weight"), [16])
        XCTAssertEqual(try logitsShape(model), [1, 10])
    }

    func testConcatMergeReducesChannelsWithA1x1Convolution() throws {
        var config = try ResNetConfig.cifar(depth: 20)
        config.merge = .concat
        let model = try ResNet.make(config)
        let concat = try XCTUnwrap(model.nodes.first { $0.layer.name == "layer1.0.concat" })
        XCTAssertEqual(concat.shape, [32, 32, 32])
        XCTAssertEqual(shape(model, "layer2.0.reduce.weight"), [32, 64, 1, 1])
        let reductions = [16, 32, 64].reduce(0) { $0 + 3 * (2 * $1 * $1 + 2 * $1) }
        XCTAssertEqual(model.trainableParameterCount, 269_722 + reductions)
        XCTAssertEqual(try logitsShape(model), [1, 10])
    }

    func testKernelSizesWidthsAndStridesPerStage() throws {
        let config = ResNetConfig(
            name: "custom", inputShape: [3, 32, 32], classes: 5, blocksPerStage: [1, 2], widths: [8, 24],
            strides: [1, 4], kernelSizes: [5, 3], stem: .cifar)
        let model = try ResNet.make(config)
        XCTAssertEqual(shape(model, "layer1.0.conv1.weight"), [8, 16, 5, 5])
        XCTAssertEqual(model.nodes.first { $0.layer.name == "layer2.1.relu2" }?.shape, [24, 8, 8])
        XCTAssertEqual(try logitsShape(model), [1, 5])
    }

    func testStochasticDepthSurvivalDecaysLinearlyToTheLastBlock() throws {
        var config = try ResNetConfig.cifar(depth: 20)
        config.finalSurvivalProbability = 0.5
        let model = try ResNet.make(config)
        let gates = model.layers.compactMap { $0 as? StochasticDepth }
        XCTAssertEqual(gates.count, 9)
        for (l, gate) in gates.enumerated() {
            XCTAssertEqual(gate.survivalProbability, 1 - Float(l + 1) / 9 * 0.5, accuracy: 1e-6, gate.name)
        }
        XCTAssertEqual(gates.last?.name, "layer3.2.stochastic_depth")

        let x = try Tensor.randn([2, 3, 16, 16])
        model.eval()
        XCTAssertEqual(try model(x).data, try model(x).data, "no randomness in evaluation")
        model.train()
        model.generator = RandomGenerator(seed: 11)
        let first = try model(x).data
        model.generator = RandomGenerator(seed: 11)
        XCTAssertEqual(try model(x).data, first, "the draws come from the model's seeded generator")
    }

    func testZeroInitResidualStartsEveryBranchAtZero() throws {
        var config = try ResNetConfig.cifar(depth: 20)
        config.zeroInitResidual = true
        let model = try ResNet.make(config)
        let lastNorms = model.parameters.filter { $0.name.hasSuffix("bn2.weight") }
        XCTAssertEqual(lastNorms.count, 9)
        XCTAssertTrue(lastNorms.allSatisfy { $0.tensor.data.allSatisfy { $0 == 0 } })
        XCTAssertTrue(model.parameters.first { $0.name == "layer1.0.bn1.weight" }?.tensor.data.allSatisfy { $0 == 1 } ?? false)
        model.eval()
        let x = try Tensor.randn([1, 3, 8, 8])
        let stem = try Model(inputs: model.inputs, outputs: [try model.output(ofLayer: "relu")])
        stem.eval()
        let afterFirstBlock = try Model(inputs: model.inputs, outputs: [try model.output(ofLayer: "layer1.0.relu2")])
        afterFirstBlock.eval()
        XCTAssertEqual(try afterFirstBlock(x).data, try stem(x).relu().data, "each block starts as the identity (then ReLU)")
    }

    func testInvalidConfigurationsAreRejectedWithTheField() throws {
        assertError(try ResNetConfig.cifar(depth: 21), contains: ["depth must be 6n + 2", "21"])
        assertError(try ResNetConfig.imagenet(depth: 19), contains: ["no ImageNet ResNet of depth 19"])
        var config = try ResNetConfig.cifar(depth: 20)
        config.kernelSizes = [3, 4, 3]
        assertError(try ResNet.make(config), contains: ["kernel sizes must be odd"])
        config = try ResNetConfig.cifar(depth: 20)
        config.widths = [16, 32]
        assertError(try ResNet.make(config), contains: ["widths lists 2 stages but blocks per stage lists 3"])
        config = try ResNetConfig.cifar(depth: 20)
        config.widths = [16, 8, 64]
        assertError(try ResNet.make(config), contains: ["option A", "cannot shrink 16 channels to 8"])
        config = try ResNetConfig.cifar(depth: 20)
        config.finalSurvivalProbability = 0
        assertError(try ResNet.make(config), contains: ["survival probability must be in (0, 1]"])
    }
}
