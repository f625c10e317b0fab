import XCTest
@testable import Kernel

final class LayerTests: XCTestCase {
    override func setUp() {
        seed(42)
    }

    // MARK: - Convolution

    func testConvolutionInfersShapesForValidSameAndExplicitPadding() throws {
        let x = try Input(shape: [3, 9, 9])
        XCTAssertEqual(try Conv2D(filters: 4, kernelSize: 3)(x).shape, [4, 7, 7])
        XCTAssertEqual(try Conv2D(filters: 4, kernelSize: 3, padding: .same)(x).shape, [4, 9, 9])
        XCTAssertEqual(try Conv2D(filters: 4, kernelSize: 3, strides: 2, padding: .same)(x).shape, [4, 5, 5], "same: ⌈9 / 2⌉")
        XCTAssertEqual(try Conv2D(filters: 4, kernelSize: 7, strides: 2, padding: .explicit(rows: 3, columns: 3))(x).shape, [4, 5, 5])
        XCTAssertEqual(try Conv2D(filters: 4, kernelSize: 3, padding: .same, dilation: 2)(x).shape, [4, 9, 9])
    }

    func testConvolutionWeightsUsePyTorchLayoutNamesAndDefaultInitialisation() throws {
        let conv = try Conv2D(filters: 8, kernelSize: 3)
        _ = try conv(try Input(shape: [5, 6, 6]))
        XCTAssertEqual(conv.weights.map(\.name), ["weight", "bias"])
        XCTAssertEqual(conv.weight?.shape, [8, 5, 3, 3])
        XCTAssertEqual(conv.bias?.shape, [8])
        XCTAssertEqual(conv.parameterCount, 8 * 5 * 9 + 8)
        // kaiming_uniform(a=√5) and the bias both draw from U(−1/√fan_in, 1/√fan_in), fan_in = 5·3·3.
        let bound = 1 / Float(45).squareRoot()
        for tensor in [conv.weight, conv.bias].compactMap({ $0 }) {
            XCTAssertTrue(tensor.requiresGrad)
            XCTAssertLessThanOrEqual(tensor.data.map(Swift.abs).max() ?? 1, bound)
            XCTAssertGreaterThan(tensor.data.map(Swift.abs).max() ?? 0, bound * 0.8, "the values fill the interval")
        }
    }

    func testSamePaddingWithAnOddTotalPadsTheBottomAndRight() throws {
        // A 2×2 kernel of ones over a 2×2 image with "same" padding: TensorFlow pads one zero row and column at the end.
        let conv = try Conv2D(filters: 1, kernelSize: 2, padding: .same, useBias: false, weightInitializer: .ones)
        let x = try Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        let y = try conv(x)
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        XCTAssertEqual(y.data, [10, 6, 7, 4])
    }

    func testUnevenSamePaddingHasCorrectGradients() throws {
        let conv = try Conv2D(filters: 2, kernelSize: 2, strides: 2, padding: .same)
        _ = try conv(try Tensor.randn([1, 2, 3, 3]))
        let weight = try XCTUnwrap(conv.weight)
        try assertGradientsMatch([try Tensor.randn([1, 2, 3, 3]), weight]) { inputs in try conv(inputs[0]) }
    }

    func testConvolutionRejectsTensorsThatAreNotImagesNamingLayerAndShape() throws {
        let features = try Input(shape: [64])
        assertError(try Conv2D(filters: 4, kernelSize: 3, name: "stem")(features), contains: ["layer 'stem' (Conv2D)", "[C, H, W]", "[64]"])
        let tiny = try Input(shape: [3, 2, 2])
        assertError(try Conv2D(filters: 4, kernelSize: 5)(tiny), contains: ["layer 'conv2d' (Conv2D)", "5×5", "2×2"])
    }

    func testABuiltLayerRefusesInputsWithOtherChannelCounts() throws {
        let conv = try Conv2D(filters: 4, kernelSize: 1, name: "shared")
        _ = try conv(try Input(shape: [3, 8, 8]))
        assertError(try conv(try Input(shape: [5, 8, 8])), contains: ["layer 'shared' (Conv2D)", "3 input channels", "[5, 8, 8]"])
    }

    func testInvalidConfigurationsAreRejectedWhenTheLayerIsCreated() throws {
        assertError(try Conv2D(filters: 0, kernelSize: 3), contains: ["Conv2D", "filters must be positive"])
        assertError(try Conv2D(filters: 2, kernelSize: 3, strides: 0), contains: ["strides must be positive"])
        assertError(try Dense(units: -1), contains: ["units must be positive"])
        assertError(try Dropout(rate: 1), contains: ["rate must be in [0, 1)"])
        assertError(try BatchNormalization(momentum: 2), contains: ["momentum must be in [0, 1]"])
        assertError(try MaxPooling2D(poolSize: 2, padding: .explicit(rows: 2, columns: 2)), contains: ["half the pool size"])
        assertError(try ReLU(name: "has space"), contains: ["without spaces"])
    }

    // MARK: - Initialisers

    func testHeAndGlorotInitialisersHaveTheirDefiningSpread() throws {
        let fanIn = 64 * 9, fanOut = 128 * 9
        func make(_ initializer: Initializer) throws -> [Float] {
            try initializer.makeTensor([128, 64, 3, 3], fanIn: fanIn, fanOut: fanOut, generator: RandomGenerator(seed: 1), trainable: true).data
        }
        func std(_ values: [Float]) -> Float {
            let mean = values.reduce(0, +) / Float(values.count)
            return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)).squareRoot()
        }
        XCTAssertEqual(std(try make(.kaimingNormal(mode: .fanOut))), (2 / Float(fanOut)).squareRoot(), accuracy: 0.001)
        XCTAssertEqual(std(try make(.kaimingNormal(mode: .fanIn))), (2 / Float(fanIn)).squareRoot(), accuracy: 0.001)
        let glorot = try make(.glorotUniform)
        let limit = (6 / Float(fanIn + fanOut)).squareRoot()
        XCTAssertLessThanOrEqual(glorot.map(Swift.abs).max() ?? 1, limit)
        XCTAssertEqual(std(glorot), limit / Float(3).squareRoot(), accuracy: 0.001, "U(−a, a) has std a/√3")
        XCTAssertEqual(try Initializer.named("xavier_uniform"), .glorotUniform)
        XCTAssertEqual(try Initializer.named("he_normal"), .kaimingNormal(mode: .fanIn))
        assertError(try Initializer.named("lecun"), contains: ["unknown initializer 'lecun'", "kaiming_normal"])
    }

    func testInitialisationIsReproducibleFromTheSeed() throws {
        func weights() throws -> [Float] {
            seed(7)
            let dense = try Dense(units: 3)
            _ = try dense(try Input(shape: [4]))
            return try XCTUnwrap(dense.weight).data
        }
        XCTAssertEqual(try weights(), try weights())
    }

    // MARK: - Batch normalisation

    func testBatchNormHasTrainableScaleAndShiftAndRunningStatisticsAsBuffers() throws {
        let bn = try BatchNormalization()
        _ = try bn(try Input(shape: [6, 4, 4]))
        XCTAssertEqual(bn.weights.map(\.name), ["weight", "bias"])
        XCTAssertEqual(bn.buffers.map(\.name), ["running_mean", "running_var"])
        XCTAssertEqual(bn.weight?.data, [Float](repeating: 1, count: 6))
        XCTAssertEqual(bn.bias?.data, [Float](repeating: 0, count: 6))
        XCTAssertEqual(bn.runningVar?.data, [Float](repeating: 1, count: 6))
        XCTAssertFalse(bn.runningMean?.requiresGrad ?? true)
        XCTAssertEqual(bn.parameterCount, 24, "Keras counts all four vectors")
    }

    func testBatchNormUsesBatchStatisticsInTrainingAndRunningStatisticsInEvaluation() throws {
        let bn = try BatchNormalization(momentum: 0.5)
        let x = try Tensor(shape: [4, 1], data: [2, 4, 6, 8])
        let trained = try bn(x, training: true)
        XCTAssertEqual(Double(trained.data.reduce(0, +)), 0, accuracy: 1e-5, "normalised with the batch mean")
        XCTAssertEqual(try XCTUnwrap(bn.runningMean).data[0], 2.5, accuracy: 1e-6, "0.5·0 + 0.5·5")
        let evaluated = try bn(x, training: false)
        let std = (try XCTUnwrap(bn.runningVar).data[0] + 1e-5).squareRoot()
        XCTAssertEqual(evaluated.data[0], (2 - 2.5) / std, accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(bn.runningMean).data[0], 2.5, accuracy: 1e-6, "evaluation leaves the statistics alone")
    }

    func testFreezingALayerStopsGradientsAndBatchStatisticUpdates() throws {
        let bn = try BatchNormalization()
        let x = try Tensor.randn([4, 3])
        _ = try bn(x, training: true)
        let statistics = try XCTUnwrap(bn.runningMean).data
        bn.trainable = false
        XCTAssertFalse(try XCTUnwrap(bn.weight).requiresGrad)
        _ = try bn(try Tensor.randn([4, 3]), training: true)
        XCTAssertEqual(try XCTUnwrap(bn.runningMean).data, statistics)
    }

    // MARK: - Pooling

    func testMaxPoolingWithSamePaddingNeverPicksThePadding() throws {
        let pool = try MaxPooling2D(poolSize: 2, strides: 2, padding: .same)
        let x = try Tensor(shape: [1, 1, 3, 3], data: [-1, -2, -3, -4, -5, -6, -7, -8, -9])
        let y = try pool(x)
        XCTAssertEqual(y.shape, [1, 1, 2, 2])
        XCTAssertEqual(y.data, [-1, -3, -7, -9])
        try assertGradientsMatch([try Tensor.randn([1, 2, 3, 3])]) { inputs in try pool(inputs[0]) }
    }

    func testAveragePoolingWithSamePaddingAveragesOnlyImagePixels() throws {
        let pool = try AveragePooling2D(poolSize: 3, strides: 1, padding: .same)
        let y = try pool(try Tensor.ones([1, 2, 4, 4]))
        XCTAssertEqual(y.shape, [1, 2, 4, 4])
        for value in y.data { XCTAssertEqual(value, 1, accuracy: 1e-6) }
        try assertGradientsMatch([try Tensor.randn([1, 1, 3, 3])]) { inputs in try pool(inputs[0]) }
    }

    func testExplicitPoolingPaddingFollowsPyTorch() throws {
        let x = try Input(shape: [64, 112, 112])
        XCTAssertEqual(try MaxPooling2D(poolSize: 3, strides: 2, padding: .explicit(rows: 1, columns: 1))(x).shape, [64, 56, 56])
        XCTAssertEqual(try AveragePooling2D(poolSize: 2)(x).shape, [64, 56, 56])
        XCTAssertEqual(try GlobalAveragePooling2D()(x).shape, [64])
    }

    // MARK: - Shortcuts, merges and shape layers

    func testZeroPadShortcutSubsamplesAndPadsChannelsOnBothSides() throws {
        let shortcut = try ZeroPadShortcut(filters: 4, stride: 2)
        XCTAssertEqual(try shortcut(try Input(shape: [2, 5, 5])).shape, [4, 3, 3])
        let x = try Tensor(shape: [1, 2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8])
        let y = try shortcut(x)
        XCTAssertEqual(y.shape, [1, 4, 1, 1])
        XCTAssertEqual(y.data, [0, 1, 5, 0])
        XCTAssertEqual(shortcut.parameterCount, 0)
        assertError(try ZeroPadShortcut(filters: 2, stride: 1)(try Input(shape: [3, 4, 4])), contains: ["cannot remove channels"])
    }

    func testAddRequiresEqualShapesAndNamesBoth() throws {
        let a = try Input(shape: [8, 4, 4]), b = try Input(shape: [16, 4, 4])
        assertError(try Add(name: "join")([a, b]), contains: ["layer 'join' (Add)", "[8, 4, 4]", "[16, 4, 4]"])
        assertError(try Add()([a]), contains: ["takes at least 2 inputs, found 1"])
        let sum = try Add()([try Tensor.ones([1, 2]), try Tensor.full([1, 2], 2), try Tensor.full([1, 2], 3)])
        XCTAssertEqual(sum.data, [6, 6])
    }

    func testConcatenateJoinsChannelsAndChecksTheOtherAxes() throws {
        let a = try Input(shape: [8, 4, 4]), b = try Input(shape: [16, 4, 4]), c = try Input(shape: [8, 2, 2])
        XCTAssertEqual(try Concatenate()([a, b]).shape, [24, 4, 4])
        XCTAssertEqual(try Concatenate(axis: -1)([a, a]).shape, [8, 4, 8])
        assertError(try Concatenate(name: "cat")([a, c]), contains: ["layer 'cat' (Concatenate)", "[8, 4, 4]", "[8, 2, 2]"])
    }

    func testFlattenDenseAndActivationsCompose() throws {
        let x = try Input(shape: [2, 3, 3])
        let flat = try Flatten()(x)
        XCTAssertEqual(flat.shape, [18])
        XCTAssertEqual(try Dense(units: 5)(flat).shape, [5])
        let probabilities = try Activation("softmax")(try Tensor(shape: [1, 3], data: [1, 2, 3]))
        XCTAssertEqual(Double(probabilities.data.reduce(0, +)), 1, accuracy: 1e-6)
        XCTAssertEqual(try LeakyReLU(slope: 0.1)(try Tensor(shape: [1, 2], data: [-10, 10])).data, [-1, 10])
        XCTAssertEqual(try Activation("RELU")(try Tensor(shape: [1, 2], data: [-1, 1])).data, [0, 1])
        assertError(try Activation("swish"), contains: ["unknown activation 'swish'", "relu, leaky_relu"])
    }

    // MARK: - Stochastic layers

    func testDropoutIsActiveOnlyInTraining() throws {
        let dropout = try Dropout(rate: 0.5)
        let x = try Tensor.ones([1, 1000])
        XCTAssertEqual(try dropout(x, training: false).data, x.data)
        let dropped = try dropout(x, training: true, generator: RandomGenerator(seed: 3)).data
        XCTAssertEqual(Set(dropped), [0, 2])
        XCTAssertEqual(Double(dropped.filter { $0 == 0 }.count), 500, accuracy: 60)
    }

    func testStochasticDepthDropsWholeBranchesInTrainingAndScalesThemInEvaluation() throws {
        let gate = try StochasticDepth(survivalProbability: 0.75)
        let x = try Tensor.full([2, 3], 2)
        XCTAssertEqual(try gate(x, training: false).data, [Float](repeating: 1.5, count: 6), "scaled by p at test time")
        let generator = RandomGenerator(seed: 5)
        var kept = 0
        for _ in 0..<400 {
            let y = try gate(x, training: true, generator: generator).data
            XCTAssertTrue(y == x.data || y.allSatisfy { $0 == 0 }, "per batch: all or nothing")
            if y == x.data { kept += 1 }
        }
        XCTAssertEqual(Double(kept), 300, accuracy: 40)

        let perSample = try StochasticDepth(survivalProbability: 0.5, mode: .sample)
        let rows = try perSample(try Tensor.ones([64, 2]), training: true, generator: generator).data
        let rowSums = stride(from: 0, to: rows.count, by: 2).map { rows[$0] + rows[$0 + 1] }
        XCTAssertEqual(Set(rowSums), [0, 2], "each sample keeps or drops its whole row")
    }
}
