import Foundation
import XCTest
import Kernel
@testable import DSL

final class ChartLiveTests: XCTestCase {
    /// A session that draws live charts (as on a terminal) 60 columns wide and 10 lines high.
    private func liveSession() -> Session {
        chartSession {
            $0.live = .on
            $0.size = PlotSettings.Size(width: 60, height: 20)
        }
    }

    private let cursorUp = "\u{1B}["
    private let clearDown = "\u{1B}[J"

    func testRedrawsInPlaceAtMostEveryNSteps() throws {
        let session = liveSession()
        var now = 0.0
        // Training time passes between steps; drawing takes none, so only the step count limits redraws.
        let live = LivePlotObject(every: 5, logY: false, clock: { now })
        for steps in 1...40 {
            now += 1
            live.update(try fakeHistory(steps: steps), interpreter: session.interpreter)
        }
        XCTAssertEqual(live.drawCount, 8, "steps 0, 5, 10, …, 35")
        let frames = session.printed.components(separatedBy: clearDown)
        XCTAssertEqual(frames.count, 9)
        XCTAssertTrue(frames[1].contains("training loss"), frames[1])
        let lines = frames[1].split(separator: "\n", omittingEmptySubsequences: false).count - 1
        XCTAssertTrue((12...20).contains(lines), "room for 12 plot rows, within the 20 lines of the terminal: \(lines) lines")
        XCTAssertTrue(frames[1].hasSuffix("\r\(cursorUp)\(lines)A"), "the next frame starts \(lines) lines up")
    }

    func testDrawingIsSkippedWhileItUsesTooMuchOfTheTrainingTime() throws {
        let session = liveSession()
        var reads = 0.0
        // Every reading of the clock advances it, so each redraw seems to take as long as all training so far.
        let live = LivePlotObject(
            every: 1, logY: false,
            clock: {
                reads += 1
                return reads
            })
        for steps in 1...40 {
            live.update(try fakeHistory(steps: steps), interpreter: session.interpreter)
        }
        XCTAssertEqual(live.drawCount, 1, "only the first redraw fits in 2% of the time")
        live.update(try fakeHistory(steps: 41, epochs: 1), interpreter: session.interpreter)
        XCTAssertEqual(live.drawCount, 2, "a new epoch row is always drawn")
    }

    func testTextWrittenDuringTrainingLandsAboveTheChart() throws {
        let session = liveSession()
        let live = LivePlotObject(every: 1, logY: false)
        live.update(try fakeHistory(steps: 3), interpreter: session.interpreter)
        let frame = try XCTUnwrap(session.printed.components(separatedBy: clearDown).last)
        let lines = frame.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        session.interpreter.write("0  1.000000  1.100000  00:01\n")
        XCTAssertTrue(
            session.printed.hasSuffix("\r\(cursorUp)\(lines)A\(clearDown)0  1.000000  1.100000  00:01\n" + frame),
            "the row replaces the chart, which is drawn again below it")
        session.interpreter.write("\repoch 1/1 train |███| 3/5")
        XCTAssertTrue(session.printed.hasSuffix(frame + "\repoch 1/1 train |███| 3/5"), "a bar update stays on its line below the chart")

        live.update(try fakeHistory(steps: 5, epochs: 1, ended: true), interpreter: session.interpreter)
        let drawn = session.printed
        session.interpreter.write("done\n")
        XCTAssertEqual(session.printed, drawn + "done\n", "after the run the chart stays where it is")
    }

    func testNothingIsDrawnWhenLiveChartsAreOff() throws {
        let session = chartSession()
        let live = LivePlotObject(every: 1, logY: false)
        for steps in 1...5 { live.update(try fakeHistory(steps: steps), interpreter: session.interpreter) }
        XCTAssertEqual(live.drawCount, 0)
        XCTAssertEqual(session.printed, "")
    }

    func testFitDrawsTheLiveChartThroughItsCallbacks() throws {
        let session = liveSession()
        try session.run(tinyLiveRun)
        let history = try session.run("fit(net, data, 2, lr=0.1, callbacks=[live_plot(every=2)], every=2, progress=False)")
        XCTAssertEqual(history?.typeName, "History")
        XCTAssertTrue(session.printed.contains("training loss"), session.printed)
        XCTAssertGreaterThan(session.printed.components(separatedBy: clearDown).count, 2, "the chart was redrawn")
        let before = session.printed
        try session.run("print('after')")
        XCTAssertEqual(session.printed, before + "after\n", "a later statement's output is left alone")
    }

    func testAMissingGnuplotTurnsTheLiveChartOffAndTrainingCarriesOn() throws {
        let session = liveSession()
        try session.run(tinyLiveRun)
        setenv("RNX_GNUPLOT", "/nonexistent/gnuplot", 1)
        defer { unsetenv("RNX_GNUPLOT") }
        let history = try session.run("h = fit(net, data, 1, lr=0.1, callbacks=[live_plot(every=1)], every=1, progress=False)\nlen(h)")
        XCTAssertEqual(history, 1)
        XCTAssertEqual(
            session.printed.components(separatedBy: "live chart off: plot: gnuplot is not installed").count, 2,
            "one notice:\n\(session.printed)")
        XCTAssertTrue(session.printed.contains("apt-get install gnuplot-nox"))
    }

    func testLivePlotArguments() throws {
        let session = chartSession()
        XCTAssertEqual(try session.run("live_plot(5, logy=True)")?.repr, "live_plot(every=5, logy=True)")
        XCTAssertEqual(session.error("live_plot(0)")?.message, "live_plot() argument 'every' must be at least 1 step, got 0")
        XCTAssertEqual(session.error("live_plot()([1, 2])")?.kind, .type)
    }
}
