import Foundation
import XCTest
@testable import Kernel

/// `WarmRestartSchedule` against the learning rates torch's `CosineAnnealingWarmRestarts` (torch 2.13.0) used, stepped
/// once per step after `optimizer.step()`: `Reference/sgdr/sgdr_T0_<t0>_Tmult_<t_mult>_etamin_<min_lr>_lr_<max_lr>.csv`,
/// one `step,lr` row per step.
final class ScheduleWarmRestartReferenceTests: XCTestCase {
    private static let referenceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Reference/sgdr").path

    /// The `lr` column of a `step,lr` CSV, in step order.
    private func referenceRates(_ name: String) throws -> [Double] {
        let text = try String(contentsOfFile: Self.referenceFolder + "/" + name, encoding: .utf8)
        var rates: [Double] = []
        for (index, line) in text.split(whereSeparator: \.isNewline).dropFirst().enumerated() {
            let fields = line.split(separator: ",")
            let step = try XCTUnwrap(fields.first.flatMap { Int($0) }, "bad line \(line)")
            XCTAssertEqual(step, index, "steps must be consecutive")
            rates.append(try XCTUnwrap(fields.last.flatMap { Double($0) }, "bad line \(line)"))
        }
        return rates
    }

    private func assertMatches(_ schedule: WarmRestartSchedule, _ file: String, line: UInt = #line) throws {
        let expected = try referenceRates(file)
        XCTAssertFalse(expected.isEmpty, line: line)
        for (step, rate) in expected.enumerated() {
            let found = schedule.learningRate(at: step)
            XCTAssertLessThanOrEqual(abs(found - rate), 1e-6 * abs(rate), "step \(step): \(found) vs torch's \(rate)", line: line)
        }
    }

    func testConstantCyclesMatchTorch() throws {
        try assertMatches(WarmRestartSchedule(maxLR: 0.05, firstCycle: 5), "sgdr_T0_5_Tmult_1_etamin_0.0_lr_0.05.csv")
    }

    func testGrowingCyclesWithAFloorMatchTorch() throws {
        try assertMatches(
            WarmRestartSchedule(maxLR: 0.2, firstCycle: 4, cycleMultiplier: 3, minLR: 1e-4), "sgdr_T0_4_Tmult_3_etamin_0.0001_lr_0.2.csv")
    }

    func testRestartsLengthsAndLimits() throws {
        let schedule = try WarmRestartSchedule(maxLR: 1, firstCycle: 2, cycleMultiplier: 2, totalSteps: 10)
        // Cycles of 2, 4, 8 steps start at 0, 2 and 6.
        XCTAssertEqual([0, 2, 6].map { schedule.learningRate(at: $0) }, [1, 1, 1])
        XCTAssertEqual(schedule.learningRate(at: 4), 0.5, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 50), schedule.learningRate(at: 9), "steps past the end keep the last value")
        XCTAssertThrowsError(try schedule.checkCovers(steps: 11))
        // A huge step in an endless schedule of growing cycles ends its loop without overflowing.
        let endless = try WarmRestartSchedule(maxLR: 1, firstCycle: 1, cycleMultiplier: 1000)
        XCTAssertTrue(endless.learningRate(at: Int.max).isFinite)
        XCTAssertThrowsError(try WarmRestartSchedule(maxLR: 1, firstCycle: 0))
        XCTAssertThrowsError(try WarmRestartSchedule(maxLR: 1, firstCycle: 2, cycleMultiplier: 0))
        XCTAssertThrowsError(try WarmRestartSchedule(maxLR: 1, firstCycle: 2, minLR: 2))
    }
}
