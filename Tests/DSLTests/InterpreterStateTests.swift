import XCTest
import Plot
@testable import DSL

/// The library areas' state belongs to one interpreter: two interpreters never see each other's, and it goes with
/// its interpreter.
final class InterpreterStateTests: XCTestCase {
    private final class Counter: InterpreterExtensionState {
        var count = 0
    }

    func testEachInterpreterHasItsOwnState() {
        let first = Interpreter()
        let second = Interpreter()
        first.extensionState(Counter.self).count += 1
        first.extensionState(Counter.self).count += 1
        XCTAssertEqual(first.extensionState(Counter.self).count, 2)
        XCTAssertEqual(second.extensionState(Counter.self).count, 0)
    }

    func testStateIsDroppedWithItsInterpreter() {
        weak var state: Counter?
        do {
            let interpreter = Interpreter()
            state = interpreter.extensionState(Counter.self)
            XCTAssertNotNil(state)
        }
        XCTAssertNil(state)
    }

    func testTrainingStateIsPerInterpreter() {
        let first = Interpreter()
        let second = Interpreter()
        first.progressStyle = .bar
        first.extensionState(TrainingState.self).interruptedRuns = 3
        XCTAssertEqual(first.progressStyle, .bar)
        XCTAssertEqual(second.progressStyle, .automatic)
        XCTAssertEqual(second.extensionState(TrainingState.self).interruptedRuns, 0)
    }

    func testChartStateIsPerInterpreter() throws {
        let drawing = chartSession()
        let other = chartSession()
        XCTAssertFalse(drawing.interpreter.plotSettings === other.interpreter.plotSettings)
        XCTAssertTrue(Interpreter().plotSettings === PlotSettings.shared)
        let path = try scratchDirectory(self) + "/chart.svg"
        try drawing.run("c = plot([1, 2, 3], title='mine')")
        // The chart drawn in one interpreter is not the other's last chart.
        XCTAssertEqual(
            other.error("savefig('\(path)')")?.message,
            "savefig(): no chart has been drawn yet; make one with plot(), hist(), confusion() or images()")
        try drawing.run("savefig('\(path)')")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }
}
