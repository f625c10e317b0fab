import XCTest
@testable import Kernel

/// Batch norm with `momentum` nil keeps PyTorch's cumulative average (`BatchNorm2d(momentum=None)`), and
/// `recomputeBatchNormStatistics` sets the statistics to the exact average over a pass, as `swa_utils.update_bn`.
final class BatchNormCumulativeTests: XCTestCase {
    override func setUp() {
        seed(5)
    }

    /// Three batches [2, 2, 1, 2]: per channel 4 values each.
    private let batches: [[Float]] = [
        [1, 2, 0, 0, 3, 4, 0, 4],
        [2, 2, -1, 1, 2, 2, -1, 1],
        [0, 1, 10, 10, 0, 1, 10, 14],
    ]

    func testNoMomentumAveragesTheBatchStatisticsAsPyTorch() throws {
        let norm = try BatchNormalization(momentum: nil)
        for values in batches { _ = try norm(try Tensor(shape: [2, 2, 1, 2], data: values), training: true) }
        // torch: running_mean = mean of the batch means (2.5, 2, 0.5 | 1, 0, 11); running_var = mean of the unbiased
        // (n/(n−1)) batch variances (5/3, 0, 1/3 | 4, 4/3, 4); the initial 0 and 1 carry no weight.
        XCTAssertEqual(norm.batchesTracked, 3)
        assertClose(try XCTUnwrap(norm.runningMean).data, [5.0 / 3, 4], tolerance: 1e-6, "running mean")
        assertClose(try XCTUnwrap(norm.runningVar).data, [2.0 / 3, 28.0 / 9], tolerance: 1e-6, "running var")

        _ = try norm(try Tensor(shape: [2, 2, 1, 2], data: batches[0]), training: false)
        XCTAssertEqual(norm.batchesTracked, 3, "evaluation counts no batch")
        XCTAssertEqual(norm.description, "<BatchNormalization batch_normalization: momentum None (cumulative average), epsilon 1e-05>")
    }

    func testAMomentumStillWeighsTheNewBatch() throws {
        let norm = try BatchNormalization(momentum: 0.1)
        _ = try norm(try Tensor(shape: [2, 2, 1, 2], data: batches[0]), training: true)
        assertClose(try XCTUnwrap(norm.runningMean).data, [0.25, 0.1], tolerance: 1e-6, "0.9·0 + 0.1·batch")
        assertClose(try XCTUnwrap(norm.runningVar).data, [0.9 + 0.1 * 5 / 3, 0.9 + 0.4], tolerance: 1e-6, "0.9·1 + 0.1·unbiased")
        XCTAssertEqual(norm.batchesTracked, 1)
        assertError(try BatchNormalization(momentum: -0.5), contains: ["momentum must be in [0, 1]"])
    }

    func testTheBlockedTrainingPathAveragesTheSameWay() throws {
        // 16 channels after a convolution: the model keeps the feature map in oneDNN's blocked layout when it can.
        let x = try Input(shape: [3, 4, 4])
        let norm = try BatchNormalization(momentum: nil)
        let model = try Model(inputs: x, outputs: try norm(try Conv2D(filters: 16, kernelSize: 3, padding: .same, useBias: false)(x)))
        let conv = try XCTUnwrap(model.layers[1] as? Conv2D)
        var means = [[Float]](), variances = [[Float]]()
        for _ in 0..<3 {
            let input = try Tensor.randn([2, 3, 4, 4])
            try model(input).sum().backward()
            let features = try noGrad { try conv(input) }
            let perChannel = try features.permute([1, 0, 2, 3]).data
            let channels = (0..<16).map { Array(perChannel[($0 * 32)..<(($0 + 1) * 32)]).map(Double.init) }
            means.append(channels.map { Float($0.reduce(0, +) / 32) })
            variances.append(
                channels.map { values in
                    let mean = values.reduce(0, +) / 32
                    return Float(values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 31)
                })
        }
        let expectedMean = (0..<16).map { c in (means[0][c] + means[1][c] + means[2][c]) / 3 }
        let expectedVar = (0..<16).map { c in (variances[0][c] + variances[1][c] + variances[2][c]) / 3 }
        assertClose(try XCTUnwrap(norm.runningMean).data, expectedMean, tolerance: 1e-4, "running mean")
        assertClose(try XCTUnwrap(norm.runningVar).data, expectedVar, tolerance: 1e-4, "running var")
        XCTAssertEqual(norm.batchesTracked, 3)
    }

    func testResNetBuildsEveryBatchNormWithTheGivenMomentum() throws {
        var config = try ResNetConfig.cifar(depth: 20)
        config.batchNormMomentum = nil
        let norms = try ResNet.make(config).layers.compactMap { $0 as? BatchNormalization }
        XCTAssertEqual(norms.count, 19)
        XCTAssertTrue(norms.allSatisfy { $0.momentum == nil })
        XCTAssertTrue(try ResNet.cifarResNet(depth: 20).layers.compactMap { $0 as? BatchNormalization }.allSatisfy { $0.momentum == 0.1 })
        config.batchNormMomentum = 1.5
        assertError(try ResNet.make(config), contains: ["batch-norm momentum must be in [0, 1] or None, found 1.5"])
    }

    // MARK: - Recomputing the statistics

    /// Input → batch norm → pooling → dense, and a loader of 3 unshuffled batches of 4 samples [2, 1, 2].
    private func modelAndLoader(momentum: Float? = 0.1) throws -> (Model, BatchNormalization, DataLoader, [Tensor]) {
        let x = try Input(shape: [2, 1, 2])
        let norm = try BatchNormalization(momentum: momentum)
        let model = try Model(inputs: x, outputs: try Dense(units: 2)(try GlobalAveragePooling2D()(try norm(x))))
        let images = try Tensor.randn([12, 2, 1, 2])
        let dataset = try Dataset(images: images, labels: Array(repeating: 0, count: 6) + Array(repeating: 1, count: 6))
        let loader = try DataLoader(dataset, batchSize: 4, shuffle: false, prefetch: 0)
        let batches = try (0..<3).map { b in try Tensor(shape: [4, 2, 1, 2], data: Array(images.data[(b * 16)..<((b + 1) * 16)])) }
        return (model, norm, loader, batches)
    }

    func testRecomputingSetsTheExactAverageOverThePassAndRestoresMomentumAndMode() throws {
        let (model, norm, loader, batches) = try modelAndLoader()
        for batch in batches { _ = try model(batch) }
        model.eval()
        try recomputeBatchNormStatistics(model: model, data: loader)

        let reference = try BatchNormalization(momentum: nil)
        for batch in batches { _ = try reference(batch, training: true) }
        XCTAssertEqual(norm.runningMean?.data, reference.runningMean?.data, "mean of the batch means")
        XCTAssertEqual(norm.runningVar?.data, reference.runningVar?.data, "mean of the unbiased batch variances")
        XCTAssertEqual(norm.momentum, 0.1)
        XCTAssertFalse(model.isTraining)
        XCTAssertNil(model.parameters[0].tensor.grad, "no gradients recorded")

        try recomputeBatchNormStatistics(model: model, data: loader, batches: 1)
        let first = try BatchNormalization(momentum: nil)
        _ = try first(batches[0], training: true)
        XCTAssertEqual(norm.runningMean?.data, first.runningMean?.data, "batches=1 averages the first batch only")
    }

    func testAnInterruptedOrFailedRecomputationKeepsTheStatistics() throws {
        let (model, norm, loader, batches) = try modelAndLoader(momentum: nil)
        for batch in batches { _ = try model(batch) }
        let before = (norm.runningMean?.data, norm.runningVar?.data, norm.batchesTracked)
        var calls = 0
        XCTAssertThrowsError(
            try recomputeBatchNormStatistics(
                model: model, data: loader,
                interrupt: {
                    calls += 1
                    return calls > 1
                })
        ) {
            XCTAssertEqual(($0 as? TrainingError)?.description, "recompute_bn_stats interrupted")
        }
        XCTAssertEqual(norm.runningMean?.data, before.0)
        XCTAssertEqual(norm.runningVar?.data, before.1)
        XCTAssertEqual(norm.batchesTracked, before.2)
        XCTAssertNil(norm.momentum)
        assertError(try recomputeBatchNormStatistics(model: model, data: loader, batches: 0), contains: ["batches must be positive, found 0"])
    }

    // MARK: - The counter is state

    func testWeightFilesCheckpointsAndLRFindKeepTheBatchCounter() throws {
        let (model, norm, loader, batches) = try modelAndLoader(momentum: nil)
        for batch in batches { _ = try model(batch) }
        XCTAssertEqual(model.stateCounters, ["batch_normalization.num_batches_tracked": 3])
        let directory = try temporaryDirectory(for: self)

        // A weight file carries it as PyTorch's int64 scalar, and loading it back sets the count.
        try model.saveWeights(directory + "/w.safetensors")
        let counter = try XCTUnwrap(try Safetensors.load(directory + "/w.safetensors").tensors.first { $0.name.hasSuffix("num_batches_tracked") })
        XCTAssertEqual(counter.tensor.shape, [])
        XCTAssertEqual(counter.tensor.elementType, .int64)
        XCTAssertEqual(counter.tensor.data, [3])
        let (copy, copyNorm, _, _) = try modelAndLoader(momentum: nil)
        try copy.loadWeights(directory + "/w.safetensors")
        XCTAssertEqual(copyNorm.batchesTracked, 3)

        // A resumed cumulative average continues from the saved count: without it the next batch would weigh 1/1.
        let checkpoint = TrainingCheckpoint.capture(model: model, optimizer: nil, position: TrainingPosition(epoch: 1, step: 3), history: nil)
        try checkpoint.save(to: directory + "/run.safetensors")
        let (resumed, resumedNorm, _, _) = try modelAndLoader(momentum: nil)
        try TrainingCheckpoint.load(from: directory + "/run.safetensors").restore(model: resumed, optimizer: nil)
        XCTAssertEqual(resumedNorm.batchesTracked, 3)
        _ = try model(batches[0])
        _ = try resumed(batches[0])
        XCTAssertEqual(resumedNorm.runningMean?.data, norm.runningMean?.data)

        // lr_find trains on batches, then puts the model back as it was, counter included.
        _ = try lrFind(model: model, data: loader, optimizer: try SGD(model.trainableParameters, learningRate: 0.1), numIterations: 5)
        XCTAssertEqual(norm.batchesTracked, 4)
    }

    func testACheckpointCounterTheModelLacksIsRefused() throws {
        let (model, _, _, _) = try modelAndLoader()
        let path = try temporaryDirectory(for: self) + "/run.safetensors"
        var checkpoint = TrainingCheckpoint.capture(model: model, optimizer: nil, position: TrainingPosition(epoch: 1, step: 3), history: nil)
        checkpoint.modelCounters["other.num_batches_tracked"] = 2
        try checkpoint.save(to: path)
        let (target, norm, _, _) = try modelAndLoader()
        assertError(
            try TrainingCheckpoint.load(from: path).restore(model: target, optimizer: nil),
            contains: ["the checkpoint has a counter 'other.num_batches_tracked' that this model does not have"])
        XCTAssertEqual(norm.batchesTracked, 0, "nothing changed")
    }
}
