import XCTest
@testable import Kernel

final class LRFindTests: XCTestCase {
    /// fastai's raw losses through our smoothing reproduce fastai's recorded curve, stop and suggestions.
    func testParityWithFastai() throws {
        var curve = try LRFinderCurve(startLR: 1e-7, endLR: 10, numIterations: 100)
        for loss in LRFindReference.rawLosses {
            XCTAssertFalse(curve.isFinished)
            curve.record(loss: Float(loss))
        }
        XCTAssertEqual(curve.stopIndex, 99)
        XCTAssertFalse(curve.stoppedByDivergence)
        XCTAssertTrue(curve.isFinished)
        for (i, (lr, expected)) in zip(curve.learningRates, LRFindReference.learningRates).enumerated() {
            XCTAssertEqual(lr, expected, accuracy: 1e-12 * expected, "learning rate \(i)")
        }
        // Float32 smoothing with torch.lerp's fused multiply-add gives fastai's values exactly.
        XCTAssertEqual(curve.losses, LRFindReference.recordedLosses)

        let suggestions = curve.suggestions()
        XCTAssertEqual(suggestions.map(\.method), [.valley, .slide, .minimum, .steep])
        func check(_ method: LRSuggestionMethod, lr: Double, index: Int, pointLR: Double, line: UInt = #line) {
            guard let s = suggestions.first(where: { $0.method == method }) else {
                return XCTFail("no \(method) suggestion", line: line)
            }
            XCTAssertEqual(s.learningRate, lr, "\(method) lr", line: line)
            XCTAssertEqual(s.index, index, "\(method) index", line: line)
            XCTAssertEqual(s.pointLearningRate, pointLR, "\(method) point", line: line)
            XCTAssertEqual(s.pointLoss, LRFindReference.recordedLosses[index], accuracy: 1e-7, "\(method) loss", line: line)
        }
        // Values from curve_a.json: the suggested LRs are Float32 values, `minimum` is a tenth of the LR at the lowest loss.
        check(.valley, lr: 0.0006918309954926372, index: 48, pointLR: 0.0006918309954926372)
        check(.slide, lr: 0.004365158267319202, index: 58, pointLR: 0.004365158267319202)
        check(.minimum, lr: 0.13182567358016967, index: 89, pointLR: 1.3182567358016968)
        check(.steep, lr: 0.0063095735386013985, index: 60, pointLR: 0.0063095735386013985)
    }

    func testRampDividesByTheNumberOfIterations() throws {
        let curve = try LRFinderCurve(startLR: 1e-7, endLR: 10, numIterations: 100)
        XCTAssertEqual(curve.learningRate(at: 0), 1e-7)
        // The last iteration (99) uses 1e-7 · 1e8^0.99 ≈ 8.3, never 10.
        XCTAssertEqual(curve.learningRate(at: 99), 8.317637711026709, accuracy: 1e-12)
    }

    func testDivergenceStopRecordsTheTrippingBatch() throws {
        var curve = try LRFinderCurve(numIterations: 100)
        for _ in 0..<5 { curve.record(loss: 1) }
        XCTAssertFalse(curve.isFinished)
        // Smoothed: (0.98·(1 − 0.98⁵) + 0.02·50) / (1 − 0.98⁶) = 1.0941576 / 0.1141576 ≈ 9.58 > 4 × 1.
        curve.record(loss: 50)
        XCTAssertTrue(curve.stoppedByDivergence)
        XCTAssertEqual(curve.stopIndex, 5)
        XCTAssertEqual(curve.losses[5], 9.5845, accuracy: 1e-3)
        curve.record(loss: 1)
        XCTAssertEqual(curve.learningRates.count, 6, "nothing is recorded after the stop")
    }

    func testNonFiniteLossStops() throws {
        var curve = try LRFinderCurve(numIterations: 100, stopOnDivergence: false)
        curve.record(loss: 1)
        curve.record(loss: .nan)
        XCTAssertTrue(curve.isFinished)
        XCTAssertEqual(curve.rawLosses.count, 2)
    }

    func testSuggestionsNeedEnoughPoints() {
        // With 100 iterations fastai looks at points 10 ..< count − 5; twelve points leave nothing.
        let lrs = (0..<12).map { 1e-7 * pow(10, Double($0) / 10) }
        XCTAssertEqual(LRSuggestions.suggest(learningRates: lrs, losses: lrs.map { _ in 1 }, numIterations: 100), [])
    }

    func testSuggestionsStopAtTheFirstNaN() {
        let lrs = (0..<40).map { 1e-5 * pow(10, Double($0) / 10) }
        // Falling until index 30, then NaN: only points 10..<30 count, so the minimum is at 29.
        let losses = (0..<40).map { $0 < 30 ? 3 - Double($0) * 0.05 : .nan }
        let minimum = LRSuggestions.suggest(learningRates: lrs, losses: losses, numIterations: 40, methods: [.minimum])
        XCTAssertEqual(minimum.first?.index, 29)
    }

    func testLRFindOnAModelRestoresWeightsAndOptimizer() throws {
        seed(3)
        let model = try TinyClassifier(features: 4, classes: 3)
        let data = blobs(perClass: 16, seed: 1)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.05, momentum: 0.9)
        // Give the optimizer some state worth restoring.
        let warmup = try fit(model: model, train: data, epochs: 1, optimizer: optimizer)
        XCTAssertEqual(warmup.steps.count, 3)
        let before = model.stateValues
        let optimizerBefore = optimizer.exportState()

        let observer = RecordingObserver()
        let result = try lrFind(
            model: model, data: data, optimizer: optimizer, startLR: 1e-4, endLR: 100, numIterations: 20,
            observers: [observer])
        XCTAssertEqual(model.stateValues, before, "weights and buffers are restored")
        XCTAssertEqual(optimizer.exportState(), optimizerBefore, "optimizer state and learning rate are restored")
        XCTAssertFalse(result.interrupted)
        // 20 iterations over a 3-batch source take several passes, unless the loss diverges first.
        XCTAssertGreaterThan(result.learningRates.count, 6)
        XCTAssertLessThanOrEqual(result.learningRates.count, 20)
        XCTAssertEqual(result.learningRates.count == 20, !result.curve.stoppedByDivergence)
        for (i, lr) in result.learningRates.enumerated() {
            XCTAssertEqual(lr, 1e-4 * pow(1e6, Double(i) / 20), accuracy: 1e-12 * lr)
        }
        XCTAssertEqual(observer.progress.map(\.phase), [TrainingPhase](repeating: .lrFind, count: result.learningRates.count))
        XCTAssertTrue(model.modes.allSatisfy { $0 }, "the finder trains in training mode")
    }

    func testLRFindDivergesOnAHugeRange() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1)
        // Squared error on one-hot targets is quadratic in the weights, so a large enough step overshoots without bound
        // (cross-entropy on separable data would just keep falling).
        let squaredError: LossFunction = { output, labels in
            let classes = output.shape[1]
            let oneHot = try Tensor(shape: output.shape, data: labels.flatMap { label in (0..<classes).map { $0 == label ? Float(1) : 0 } })
            return try (output - oneHot).pow(2).mean()
        }
        let result = try lrFind(
            model: model, data: blobs(perClass: 16, seed: 1), optimizer: optimizer, loss: squaredError,
            startLR: 1e-3, endLR: 1e3, numIterations: 60)
        XCTAssertTrue(result.curve.stoppedByDivergence, "\(result.curve.rawLosses)")
        XCTAssertLessThan(result.learningRates.count, 60)
        let last = result.losses[result.losses.count - 1]
        XCTAssertGreaterThan(last, 4 * (result.losses.dropLast().min() ?? 0), "the batch that tripped the stop is recorded")
        XCTAssertEqual(result.table().split(separator: "\n").first, "method         lr  at index  lr there  loss there")
    }

    func testInterruptStopsTheSearch() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let optimizer = try SGD(model.trainableParameters, learningRate: 0.1)
        let before = model.stateValues
        var checks = 0
        let result = try lrFind(
            model: model, data: blobs(perClass: 16, seed: 1), optimizer: optimizer, numIterations: 50,
            interrupt: {
                checks += 1
                return checks > 4
            })
        XCTAssertTrue(result.interrupted)
        XCTAssertEqual(result.learningRates.count, 4)
        XCTAssertEqual(model.stateValues, before)
    }
}
