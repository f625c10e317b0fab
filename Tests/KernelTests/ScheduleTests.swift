import XCTest
@testable import Kernel

final class ScheduleTests: XCTestCase {
    private func assertRelativelyEqual(_ actual: [Double], _ expected: [Double], _ label: String, file: StaticString = #filePath, line: UInt = #line)
    {
        XCTAssertEqual(actual.count, expected.count, label, file: file, line: line)
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            XCTAssertEqual(a, e, accuracy: 1e-6 * abs(e), "\(label) at step \(step)", file: file, line: line)
        }
    }

    // MARK: One-cycle parity with PyTorch

    func testOneCycleDefaultsMatchPyTorch() throws {
        let schedule = try OneCycleSchedule(maxLR: 0.1, totalSteps: 100)
        let values = schedule.preview()
        assertRelativelyEqual(values.map(\.learningRate), OneCycleReference.defaultConfigLR, "lr")
        assertRelativelyEqual(values.map { $0.momentum ?? .nan }, OneCycleReference.defaultConfigMomentum, "momentum")
        // PyTorch's cos formula does not give exactly max_lr/25 at step 0.
        XCTAssertEqual(values[0].learningRate, 0.0040000000000000036)
    }

    func testOneCycleFastaiPresetMatchesPyTorch() throws {
        let schedule = try OneCycleSchedule.fastai(maxLR: 1, totalSteps: 100)
        let values = schedule.preview()
        assertRelativelyEqual(values.map(\.learningRate), OneCycleReference.fastaiConfigLR, "lr")
        assertRelativelyEqual(values.map { $0.momentum ?? .nan }, OneCycleReference.fastaiConfigMomentum, "momentum")
    }

    func testOneCycleThreePhaseMatchesPyTorchFormula() throws {
        let schedule = try OneCycleSchedule(maxLR: 0.1, totalSteps: 100, threePhase: true)
        let values = schedule.preview()
        assertRelativelyEqual(values.map(\.learningRate), OneCycleReference.threePhaseLR, "lr")
        assertRelativelyEqual(values.map { $0.momentum ?? .nan }, OneCycleReference.threePhaseMomentum, "momentum")
    }

    func testOneCycleLinearAnnealing() throws {
        // max 1, initial 1/10 = 0.1, final 0.1/100 = 0.001; warm-up ends at step 0.5·10 − 1 = 4.
        let schedule = try OneCycleSchedule(maxLR: 1, totalSteps: 10, pctStart: 0.5, annealing: .linear, divFactor: 10, finalDivFactor: 100)
        let values = schedule.preview()
        // Up: 0.1 + 0.9·k/4; down: 1 − 0.999·(k − 4)/5.
        assertRelativelyEqual(values.map(\.learningRate), [0.1, 0.325, 0.55, 0.775, 1.0, 0.8002, 0.6004, 0.4006, 0.2008, 0.001], "lr")
        assertRelativelyEqual(values.map { $0.momentum ?? .nan }, [0.95, 0.925, 0.9, 0.875, 0.85, 0.87, 0.89, 0.91, 0.93, 0.95], "momentum")
    }

    func testOneCycleThreePhaseLinear() throws {
        // Phase ends at 0.25·20 − 1 = 4, 2·0.25·20 − 2 = 8 and 19.
        let schedule = try OneCycleSchedule(
            maxLR: 1, totalSteps: 20, pctStart: 0.25, annealing: .linear, divFactor: 10,
            finalDivFactor: 100, threePhase: true)
        let values = schedule.preview()
        let up: [Double] = (0...4).map { 0.1 + 0.9 * Double($0) / 4 }
        let down: [Double] = (5...8).map { 1 - 0.9 * Double($0 - 4) / 4 }
        let anneal: [Double] = (9...19).map { 0.1 - 0.099 * Double($0 - 8) / 11 }
        assertRelativelyEqual(values.map(\.learningRate), up + down + anneal, "lr")
        let momentumUp: [Double] = (0...4).map { 0.95 - 0.1 * Double($0) / 4 }
        let momentumDown: [Double] = (5...8).map { 0.85 + 0.1 * Double($0 - 4) / 4 }
        let momentum = momentumUp + momentumDown + [Double](repeating: 0.95, count: 11)
        assertRelativelyEqual(values.map { $0.momentum ?? .nan }, momentum, "momentum")
    }

    func testOneCycleWithoutMomentumCycling() throws {
        let schedule = try OneCycleSchedule(maxLR: 0.1, totalSteps: 10, cycleMomentum: false)
        XCTAssertNil(schedule.value(at: 3).momentum)
    }

    func testOneCycleRejectsBadSettings() {
        XCTAssertThrowsError(try OneCycleSchedule(maxLR: 0.1, totalSteps: 0))
        XCTAssertThrowsError(try OneCycleSchedule(maxLR: 0.1, totalSteps: 10, pctStart: 1))
        XCTAssertThrowsError(try OneCycleSchedule(maxLR: 0.1, totalSteps: 10, pctStart: 0.6, threePhase: true))
        XCTAssertThrowsError(try OneCycleSchedule(maxLR: -1, totalSteps: 10)) { error in
            XCTAssertEqual("\(error)", "one_cycle: max_lr must be a finite number > 0, found -1.0")
        }
    }

    func testStepsPastTheEndKeepTheLastValue() throws {
        let schedule = try OneCycleSchedule(maxLR: 0.1, totalSteps: 100)
        XCTAssertEqual(schedule.value(at: 150), schedule.value(at: 99))
        XCTAssertThrowsError(try schedule.checkCovers(steps: 101))
        XCTAssertNoThrow(try schedule.checkCovers(steps: 100))
    }

    // MARK: Other schedules

    func testCosineWithWarmup() throws {
        let schedule = try CosineSchedule(maxLR: 1, totalSteps: 10, warmupSteps: 2, minLR: 0.1)
        let lr = schedule.preview().map(\.learningRate)
        // Warm-up 0, 0.5; then 0.1 + 0.9·(1 + cos(π·k/8))/2 for k = 0…7.
        let cosinePart: [Double] = (0..<8).map { 0.1 + 0.9 * (1 + cos(Double.pi * Double($0) / 8)) / 2 }
        let expected = [0.0, 0.5] + cosinePart
        for (a, e) in zip(lr, expected) { XCTAssertEqual(a, e, accuracy: 1e-12) }
        XCTAssertEqual(schedule.learningRate(at: 6), 0.55, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 10), 0.1, accuracy: 1e-12)
    }

    func testStepDecay() throws {
        let schedule = try StepDecaySchedule(learningRate: 1, stepSize: 3, gamma: 0.5)
        XCTAssertEqual(schedule.preview(steps: 7).map(\.learningRate), [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    }

    func testMultiStepDecay() throws {
        let schedule = try MultiStepSchedule(learningRate: 1, milestones: [4, 2], gamma: 0.1)
        let lr = schedule.preview(steps: 6).map(\.learningRate)
        for (a, e) in zip(lr, [1, 1, 0.1, 0.1, 0.01, 0.01]) { XCTAssertEqual(a, e, accuracy: 1e-15) }
    }

    func testExponentialDecay() throws {
        let schedule = try ExponentialSchedule(learningRate: 2, gamma: 0.5)
        XCTAssertEqual(schedule.preview(steps: 4).map(\.learningRate), [2, 1, 0.5, 0.25])
    }

    func testLinearWarmupThenConstant() throws {
        let schedule = try LinearWarmupSchedule(learningRate: 0.3, warmupSteps: 3, startFactor: 0.25)
        let lr = schedule.preview(steps: 5).map(\.learningRate)
        for (a, e) in zip(lr, [0.075, 0.15, 0.225, 0.3, 0.3]) { XCTAssertEqual(a, e, accuracy: 1e-15) }
    }

    func testConstant() throws {
        let schedule = try ConstantSchedule(learningRate: 0.01)
        XCTAssertEqual(schedule.preview(steps: 3), [ScheduleValue](repeating: ScheduleValue(learningRate: 0.01), count: 3))
        XCTAssertNil(schedule.totalSteps)
    }
}
