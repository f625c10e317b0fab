import XCTest
@testable import Kernel

final class FitTests: XCTestCase {
    private let train = blobs(perClass: 32, seed: 1, shuffle: true)  // 96 samples, 6 batches
    private let valid = blobs(perClass: 10, seed: 2)  // 30 samples, 2 batches

    func testLossFallsAndTheHistoryIsComplete() throws {
        seed(0)
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1, momentum: 0.9)
        let schedule = try OneCycleSchedule(maxLR: 0.5, totalSteps: 18)
        let history = try fit(
            model: model, train: train, valid: valid, epochs: 3, optimizer: optimizer, schedule: schedule,
            metrics: [.accuracy, .topK(2)])

        XCTAssertEqual(history.stopReason, .completed)
        XCTAssertEqual(history.metricNames, ["accuracy", "top_2_accuracy"])
        XCTAssertEqual(history.epochs.map(\.epoch), [0, 1, 2])
        XCTAssertEqual(history.steps.map(\.step), Array(0..<18))
        XCTAssertEqual(history.steps.map(\.batch), [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5])
        // The schedule was stepped per batch: recorded rates and momenta are the schedule's.
        for record in history.steps {
            let value = schedule.value(at: record.step)
            XCTAssertEqual(record.learningRate, value.learningRate)
            XCTAssertEqual(record.momentum, value.momentum)
        }
        let trainLosses = history.epochs.map(\.trainLoss)
        let validLosses = history.epochs.compactMap(\.validLoss)
        XCTAssertLessThan(trainLosses[2], trainLosses[0] * 0.5, "\(trainLosses)")
        XCTAssertLessThan(validLosses[2], validLosses[0], "\(validLosses)")
        XCTAssertGreaterThan(history.metric("accuracy")?.last ?? 0, 0.9)
        XCTAssertEqual(history.metric("top_2_accuracy")?.count, 3)
        XCTAssertTrue(history.epochs.allSatisfy { $0.seconds >= 0 })
        let table = history.table().split(separator: "\n")
        XCTAssertEqual(table.count, 5)
        XCTAssertEqual(table.first, "epoch  train_loss  valid_loss  accuracy  top_2_accuracy   time")
    }

    func testTrainingAndValidationModes() throws {
        let model = try TinyClassifier(features: 4, classes: 3, dropout: 0.2)
        let optimizer = try Adam(model.trainableParameters, learningRate: 0.01)
        try fit(model: model, train: train, valid: valid, epochs: 1, optimizer: optimizer)
        // Six training batches in training mode, then two validation batches in evaluation mode without a graph.
        XCTAssertEqual(model.modes, [true, true, true, true, true, true, false, false])
        XCTAssertFalse(model.evaluationRecordedGraph)
        XCTAssertTrue(model.trainableParameters.allSatisfy { $0.tensor.grad == nil }, "gradients are released after each step")
    }

    func testEvaluateRunsInInferenceMode() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let before = model.stateValues
        let evaluation = try evaluate(model: model, data: valid, metrics: [.accuracy, .errorRate])
        XCTAssertEqual(evaluation.samples, 30)
        XCTAssertEqual(model.modes, [false, false])
        XCTAssertFalse(model.evaluationRecordedGraph)
        XCTAssertEqual(model.stateValues, before, "evaluation changes nothing, not even buffers")
        XCTAssertEqual((evaluation.metric("accuracy") ?? 0) + (evaluation.metric("error_rate") ?? 0), 1, accuracy: 1e-12)
    }

    func testNonFiniteLossStopsBeforeTheUpdate() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1)
        let schedule = try ConstantSchedule(learningRate: 0.25)
        var calls = 0
        let poisoned: LossFunction = { output, labels in
            calls += 1
            let loss = try crossEntropyLoss(output, labels)
            return calls == 9 ? loss * Float.nan : loss
        }
        var weightsBeforeBatch: [[Float]] = []
        let observer = RecordingObserver()
        observer.onBatch = { _ in weightsBeforeBatch = model.stateValues }
        XCTAssertThrowsError(
            try fit(
                model: model, train: train, epochs: 3, optimizer: optimizer, schedule: schedule, loss: poisoned,
                metrics: [], options: FitOptions(observers: [observer]))
        ) { error in
            guard case let TrainingError.nonFiniteLoss(epoch, batch, step, learningRate, _, history) = error else {
                return XCTFail("unexpected error \(error)")
            }
            // The ninth batch is batch 2 of epoch 1.
            XCTAssertEqual([epoch, batch, step], [1, 2, 8])
            XCTAssertEqual(learningRate, 0.25)
            XCTAssertEqual(history.steps.count, 8)
            XCTAssertEqual(history.epochs.count, 1)
            XCTAssertEqual(
                "\(error)",
                "training stopped: the loss became NaN at epoch 1, batch 2 (step 8) with learning rate 0.250000; "
                    + "that update was not applied and the model keeps the weights from before this batch. "
                    + "A lower learning rate (see lr_find) or gradient clipping usually helps.")
        }
        // The weights after batch 8 — only the forward pass's buffer update of the bad batch differs.
        XCTAssertEqual(model.trainableParameters.map(\.tensor.data), Array(weightsBeforeBatch.prefix(2)))
    }

    func testInterruptLeavesAUsableModelAndPartialHistory() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.2, momentum: 0.9)
        let flag = InterruptFlag()
        let observer = RecordingObserver()
        observer.onBatch = { progress in if progress.phase == .train && progress.step == 8 { flag.request() } }
        let history = try fit(
            model: model, train: train, valid: valid, epochs: 5, optimizer: optimizer,
            options: FitOptions(observers: [observer], interrupt: flag.check))
        XCTAssertEqual(history.stopReason, .interrupted(epoch: 1, batch: 2, validating: false))
        XCTAssertEqual(history.steps.count, 8)
        XCTAssertEqual(history.epochs.count, 1, "only complete epochs get a row")
        XCTAssertEqual(observer.ended, 1)
        XCTAssertTrue(model.stateValues.joined().allSatisfy { $0.isFinite })

        // The model is usable: it evaluates, and training can go on from where it stopped.
        XCTAssertGreaterThan(try evaluate(model: model, data: valid).metric("accuracy") ?? 0, 0.5)
        flag.clear()
        let more = try fit(model: model, train: train, epochs: 1, optimizer: optimizer, metrics: [])
        XCTAssertEqual(more.stopReason, .completed)
    }

    func testInterruptDuringValidation() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1)
        let flag = InterruptFlag()
        let observer = RecordingObserver()
        observer.onBatch = { progress in if progress.phase == .validation { flag.request() } }
        let history = try fit(
            model: model, train: train, valid: valid, epochs: 2, optimizer: optimizer,
            options: FitOptions(observers: [observer], interrupt: flag.check))
        XCTAssertEqual(history.stopReason, .interrupted(epoch: 0, batch: 1, validating: true))
        XCTAssertEqual(history.steps.count, 6)
        XCTAssertEqual(history.epochs.count, 0)
    }

    func testProgressReports() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1)
        let observer = RecordingObserver()
        try fit(model: model, train: train, valid: valid, epochs: 2, optimizer: optimizer, options: FitOptions(observers: [observer]))
        XCTAssertEqual(observer.started, 1)
        XCTAssertEqual(observer.ended, 1)
        XCTAssertEqual(observer.epochRecords.count, 2)
        let firstEpochTraining = observer.progress.filter { $0.phase == .train && $0.epoch == 0 }
        XCTAssertEqual(firstEpochTraining.map(\.batch), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(firstEpochTraining.map(\.samples), [16, 32, 48, 64, 80, 96])
        XCTAssertTrue(firstEpochTraining.allSatisfy { $0.batchCount == 6 && $0.epochs == 2 && $0.eta >= 0 && $0.itemsPerSecond >= 0 })
        XCTAssertEqual(firstEpochTraining.last?.eta, 0)
        XCTAssertEqual(observer.progress.filter { $0.phase == .validation }.map(\.batch), [1, 2, 1, 2])
    }

    func testEveryNStepsFeedsLiveCharts() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1)
        var seen: [Int] = []
        let chart = try EveryNSteps(4) { history in seen.append(history.steps.count) }
        try fit(model: model, train: train, epochs: 2, optimizer: optimizer, options: FitOptions(observers: [chart]))
        XCTAssertEqual(seen, [4, 8, 12, 12])
        XCTAssertThrowsError(try EveryNSteps(0) { _ in })
    }

    func testGradientClippingLimitsTheStep() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let before = model.trainableParameters.map(\.tensor.data)
        let optimizer = try SGD(model.trainableParameters, learningRate: 1)
        let oneBatch = ArrayBatches(
            inputs: Array(train.inputs.prefix(16 * 4)), featureCount: 4, labels: Array(train.labels.prefix(16)),
            batchSize: 16, shuffle: false)
        try fit(model: model, train: oneBatch, epochs: 1, optimizer: optimizer, options: FitOptions(gradientClipNorm: 1e-3))
        let after = model.trainableParameters.map(\.tensor.data)
        let squares = zip(before.joined(), after.joined()).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        // With lr 1 the step is the clipped gradient: its norm is 1e-3.
        XCTAssertEqual(squares.squareRoot(), 1e-3, accuracy: 1e-5)
    }

    func testMetricsLogsAreWrittenAsTrainingGoes() throws {
        let directory = try temporaryDirectory(for: self)
        let jsonl = directory + "/metrics.jsonl"
        let csv = directory + "/metrics.csv"
        var linesAfterFirstEpoch: [String] = []
        final class LogReader: TrainingObserver {
            let path: String
            let onFirst: ([String]) -> Void
            init(path: String, onFirst: @escaping ([String]) -> Void) {
                self.path = path
                self.onFirst = onFirst
            }
            func epochDidEnd(_ record: EpochRecord, history: History) {
                if record.epoch == 0 { onFirst((try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []) }
            }
        }
        let reader = LogReader(path: jsonl) { linesAfterFirstEpoch = $0 }
        for path in [jsonl, csv] {
            let model = try TinyClassifier(features: 4, classes: 3)
            let optimizer = try SGD(model.trainableParameters, learningRate: 0.1)
            try fit(
                model: model, train: train, valid: valid, epochs: 2, optimizer: optimizer,
                options: FitOptions(observers: path == jsonl ? [reader] : [], metricsLogPath: path))
        }
        XCTAssertEqual(linesAfterFirstEpoch.count, 1, "the first epoch is on disk before the second starts")
        let json = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(json.count, 2)
        XCTAssertTrue(json[1].hasPrefix("{\"epoch\":1,\"train_loss\":"), String(json[1]))
        XCTAssertTrue(json[1].contains("\"accuracy\":"))
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows[0], "epoch,train_loss,valid_loss,accuracy,seconds")
        XCTAssertEqual(rows[2].split(separator: ",").count, 5)
    }

    func testBadSettingsAreRejectedBeforeTraining() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1)
        XCTAssertThrowsError(try fit(model: model, train: train, epochs: 0, optimizer: optimizer))
        XCTAssertThrowsError(
            try fit(
                model: model, train: train, epochs: 2, optimizer: optimizer,
                schedule: try OneCycleSchedule(maxLR: 0.1, totalSteps: 6))
        ) { error in
            XCTAssertEqual(
                "\(error)",
                "schedule: the schedule is made for 6 steps but training takes 12 (epochs × batches per epoch); build it with totalSteps: 12")
        }
        XCTAssertEqual(model.modes, [], "nothing ran")
        XCTAssertThrowsError(try fit(model: model, train: train, epochs: 1, optimizer: optimizer, loss: { output, _ in output })) { error in
            XCTAssertEqual("\(error)", "fit: the loss function must return a single number, found a tensor of shape [16, 3]")
        }
    }

    func testAccuracyAndTopKOnFixedScores() throws {
        // Row 0 predicts 2 (label 2 ✓); row 1 predicts 0, label 1 is second; row 2 ties 0 and 1: the lower index wins,
        // so label 1 counts only in the top 2; row 3 predicts 1, label 2 is last.
        let scores = try Tensor(shape: [4, 3], data: [0, 1, 5, 3, 2, 1, 4, 4, 0, 1, 9, 0])
        let labels = [2, 1, 1, 2]
        XCTAssertEqual(try Metric.accuracy.measure(scores, labels).total, 1)
        XCTAssertEqual(try Metric.topK(2).measure(scores, labels).total, 3)
        XCTAssertEqual(try Metric.topK(3).measure(scores, labels).total, 4)
        XCTAssertEqual(try Metric.errorRate.measure(scores, labels).total, 3)
        XCTAssertThrowsError(try Metric.accuracy.measure(scores, [0, 1])) { error in
            XCTAssertEqual("\(error)", "accuracy: shape mismatch: expected 4 labels, one per row of the output, found 2 labels")
        }
        XCTAssertThrowsError(try Metric.accuracy.measure(scores, [0, 1, 2, 3]))
    }
}
