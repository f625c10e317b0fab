import XCTest
@testable import Kernel

final class CheckpointTests: XCTestCase {
    /// Batches reshuffled from the global generator, and a model with dropout: both draw random numbers,
    /// so the continuation is identical only if the generator is restored too.
    private let train = blobs(perClass: 16, seed: 1, batchSize: 12, shuffle: true)  // 48 samples, 4 batches
    private let valid = blobs(perClass: 4, seed: 2)

    private func makeRun(modelSeed: UInt64) throws -> (TinyClassifier, Optimizer, LearningRateSchedule) {
        let model = try TinyClassifier(features: 4, classes: 3, dropout: 0.25, seed: modelSeed)
        let optimizer = try AdamW(model.trainableParameters, learningRate: 0.01, weightDecay: 0.05)
        return (model, optimizer, try OneCycleSchedule(maxLR: 0.05, totalSteps: 8))
    }

    func testResumingGivesAnIdenticalContinuation() throws {
        let path = try temporaryDirectory(for: self) + "/run.safetensors"

        seed(42)
        let (straight, straightOptimizer, schedule) = try makeRun(modelSeed: 5)
        let straightHistory = try fit(model: straight, train: train, valid: valid, epochs: 2, optimizer: straightOptimizer, schedule: schedule)

        seed(42)
        let (first, firstOptimizer, _) = try makeRun(modelSeed: 5)
        try fit(
            model: first, train: train, valid: valid, epochs: 1, optimizer: firstOptimizer, schedule: schedule,
            options: FitOptions(checkpointPath: path))

        // A fresh process would start from other weights and another random state.
        seed(999)
        let (resumed, resumedOptimizer, _) = try makeRun(modelSeed: 6)
        let checkpoint = try TrainingCheckpoint.load(from: path)
        XCTAssertEqual(checkpoint.position, TrainingPosition(epoch: 1, step: 4))
        try checkpoint.restore(model: resumed, optimizer: resumedOptimizer)
        XCTAssertEqual(resumed.stateValues, first.stateValues)
        let resumedHistory = try fit(
            model: resumed, train: train, valid: valid, epochs: 2, optimizer: resumedOptimizer, schedule: schedule,
            options: FitOptions(resuming: checkpoint))

        XCTAssertEqual(resumed.stateValues, straight.stateValues, "bit-identical weights and buffers")
        XCTAssertEqual(resumedOptimizer.exportState(), straightOptimizer.exportState())
        XCTAssertEqual(resumedHistory.epochs.map(\.trainLoss), straightHistory.epochs.map(\.trainLoss))
        XCTAssertEqual(resumedHistory.epochs.map(\.validLoss), straightHistory.epochs.map(\.validLoss))
        XCTAssertEqual(resumedHistory.steps.map(\.learningRate), straightHistory.steps.map(\.learningRate))
        XCTAssertEqual(resumedHistory.steps.map(\.loss), straightHistory.steps.map(\.loss))
    }

    func testRoundTripKeepsEveryPart() throws {
        let path = try temporaryDirectory(for: self) + "/state.safetensors"
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1, momentum: 0.9)
        var history = try fit(model: model, train: train, epochs: 1, optimizer: optimizer)
        history.epochs[0].validLoss = .nan  // non-finite numbers survive the JSON metadata
        let saved = TrainingCheckpoint.capture(model: model, optimizer: optimizer, position: TrainingPosition(epoch: 1, step: 4), history: history)
        try saved.save(to: path)
        let loaded = try TrainingCheckpoint.load(from: path)
        XCTAssertEqual(loaded.modelTensors.map(\.name), ["fc.weight", "fc.bias", "fc.running_mean"])
        XCTAssertEqual(loaded.modelTensors.map(\.tensor.data), model.stateValues)
        XCTAssertEqual(loaded.optimizerState, optimizer.exportState())
        XCTAssertEqual(loaded.randomState, RandomGenerator.global.snapshot)
        XCTAssertEqual(loaded.history?.steps, history.steps)
        XCTAssertTrue(loaded.history?.epochs[0].validLoss?.isNaN ?? false)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent), ["state.safetensors"],
            "no temporary file is left behind")
    }

    func testRestoringIntoAnotherModelChangesNothing() throws {
        let path = try temporaryDirectory(for: self) + "/small.safetensors"
        let small = try TinyClassifier(features: 4, classes: 3)
        try TrainingCheckpoint.capture(model: small, optimizer: nil, position: .start, history: nil).save(to: path)
        let checkpoint = try TrainingCheckpoint.load(from: path)

        let wide = try TinyClassifier(features: 4, classes: 5)
        let before = wide.stateValues
        let generatorBefore = RandomGenerator.global.snapshot
        XCTAssertThrowsError(try checkpoint.restore(model: wide, optimizer: nil)) { error in
            XCTAssertEqual("\(error)", "restore checkpoint: shape mismatch: expected 'fc.weight' of shape [4, 5], found [4, 3]")
        }
        XCTAssertEqual(wide.stateValues, before)
        XCTAssertEqual(RandomGenerator.global.snapshot, generatorBefore)

        let optimizer = try SGD(small.trainableParameters, learningRate: 0.1)
        XCTAssertThrowsError(try checkpoint.restore(model: small, optimizer: optimizer)) { error in
            XCTAssertEqual("\(error)", "restore checkpoint: the checkpoint holds no optimizer state")
        }
    }

    func testPlainWeightFilesAreNotCheckpoints() throws {
        let path = try temporaryDirectory(for: self) + "/weights.safetensors"
        try Safetensors.save([NamedTensor(name: "fc.weight", tensor: Tensor(1))], to: path)
        XCTAssertThrowsError(try TrainingCheckpoint.load(from: path)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(path): not an rnx training checkpoint (expected metadata rnx.format = rnx-checkpoint-1); to load bare weights use loadWeights")
        }
    }
}
