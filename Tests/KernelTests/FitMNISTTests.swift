import XCTest
@testable import Kernel

/// The whole loop on real data: a small conv net from the Layers API on a few hundred MNIST-5k digits,
/// served by the prefetching DataLoader — LR finder, one-cycle training, checkpoint and interpretation.
final class FitMNISTTests: XCTestCase {
    func testConvNetLearnsDigitsEndToEnd() throws {
        seed(1)
        let root = DataFixtures.projectDataDirectory + "/mnist5k"
        let train = try Datasets.mnist5k(root: root).subset(Array(0..<320))
        let valid = try Datasets.mnist5k(root: root, train: false).subset(Array(0..<160))
        let trainLoader = try DataLoader(train, batchSize: 32, seed: 3)
        let validLoader = try DataLoader(valid, batchSize: 80, shuffle: false, seed: 4)
        let model = try Model.sequential(
            [
                Conv2D(filters: 8, kernelSize: 3, strides: 2, padding: .same, useBias: false),
                BatchNormalization(),
                ReLU(),
                Flatten(),
                Dense(units: 10),
            ], inputShape: [1, 28, 28])
        let optimizer = try AdamW(groups: ParameterGroup.splitByWeightDecay(model.trainableParameters, weightDecay: 0.01), learningRate: 1e-3)

        let before = model.stateTensors.map(\.tensor.data)
        let search = try lrFind(model: model, data: trainLoader, optimizer: optimizer, startLR: 1e-5, endLR: 10, numIterations: 30)
        XCTAssertEqual(model.stateTensors.map(\.tensor.data), before, "lr_find leaves the model as it was")
        XCTAssertFalse(search.learningRates.isEmpty)

        let schedule = try OneCycleSchedule(maxLR: 0.01, totalSteps: 2 * trainLoader.batchCount)
        let checkpointPath = try temporaryDirectory(for: self) + "/mnist.safetensors"
        let history = try fit(
            model: model, train: trainLoader, valid: validLoader, epochs: 2, optimizer: optimizer, schedule: schedule,
            metrics: [.accuracy, .topK(3)], options: FitOptions(checkpointPath: checkpointPath))
        XCTAssertEqual(history.steps.count, 20)
        XCTAssertLessThan(history.epochs[1].trainLoss, history.epochs[0].trainLoss)
        XCTAssertGreaterThan(history.metric("accuracy")?.last ?? 0, 0.5, history.table())

        // The checkpoint holds the batch-norm statistics and restores them into a fresh model of the same architecture.
        let checkpoint = try TrainingCheckpoint.load(from: checkpointPath)
        XCTAssertTrue(checkpoint.modelTensors.contains { $0.name.hasSuffix("running_mean") })
        XCTAssertEqual(checkpoint.modelTensors.map(\.tensor.data), model.stateTensors.map(\.tensor.data))

        let interpretation = try interpret(model: model, data: validLoader, classNames: valid.classNames)
        XCTAssertEqual(interpretation.records.count, 160)
        XCTAssertEqual(interpretation.accuracy, history.metric("accuracy")?.last ?? 0, accuracy: 1e-9)
        XCTAssertEqual(interpretation.confusionMatrixTable().split(separator: "\n").count, 12)
    }
}
