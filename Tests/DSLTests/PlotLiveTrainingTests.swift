import Foundation
import XCTest
import Kernel
@testable import DSL

/// Live charts during `lr_find` and `fit`: `live=True`, sixel redraws, and the final chart however training ends.
final class PlotLiveTrainingTests: XCTestCase {
    private let clearDown = "\u{1B}[J"
    private let sixelIntroducer = "\u{1B}P"
    private let restoreCursor = "\u{1B}8"

    /// A session with the tiny run loaded, drawing live charts (as on a terminal) 60 columns wide.
    private func liveSession(sixel: Bool = false, live: PlotSettings.Mode = .on) throws -> Session {
        let session = chartSession {
            $0.live = live
            $0.size = PlotSettings.Size(width: 60, height: 20)
            if sixel {
                $0.sixel = .on
                $0.pixelSize = PlotSettings.Size(width: 320, height: 160)
            }
        }
        try session.run(tinyLiveRun)
        return session
    }

    /// The Kernel objects behind `net` and `data.train`.
    private func kernelObjects(_ session: Session) throws -> (Model, DataLoader) {
        guard case .object(let net)? = try session.run("net"), let model = (net as? KernelModelProviding)?.kernelModel,
            case .object(let data)? = try session.run("data"), let bunch = data as? DataBunchObject
        else {
            throw XCTSkip("the tiny run did not make a model and a data bunch")
        }
        return (model, bunch.train.loader)
    }

    /// Advances a clock by one second per training step, so drawing seems to take no time and only the step
    /// count limits redraws.
    private final class StepClock: TrainingObserver {
        var now = 0.0
        func batchDidEnd(_ progress: BatchProgress, history: History) { now += 1 }
    }

    func testLRFinderRedrawsItsCurveInPlaceEveryNIterationsAndMarksTheSuggestionsAtTheEnd() throws {
        let session = try liveSession()
        let (model, train) = try kernelObjects(session)
        let clock = StepClock()
        let live = LivePlotObject(every: 5, logY: false, clock: { clock.now })
        let callbacks = CallbackObserver(interpreter: session.interpreter, callbacks: [.object(live)], interval: 1, run: .lrFind)
        let optimizer = try OptimizerObject(.fitDefault).optimizer(for: model)
        let result = try Kernel.lrFind(
            model: model, data: train, optimizer: optimizer, numIterations: 20, stopOnDivergence: false,
            observers: [clock, callbacks])
        callbacks.lrFinderDidEnd(result)

        XCTAssertEqual(live.drawCount, 4, "iterations 0, 5, 10 and 15")
        XCTAssertEqual(live.finalDrawCount, 1, "then, in place of the live chart, the final one as plot(r) draws it")
        let frames = session.printed.components(separatedBy: clearDown).dropFirst()
        XCTAssertEqual(frames.count, 5)
        XCTAssertTrue(frames.allSatisfy { $0.contains("learning rate finder") }, session.printed)
        XCTAssertTrue(
            frames.dropLast().allSatisfy { $0.range(of: "\r\u{1B}\\[[0-9]+A$", options: .regularExpression) != nil },
            "each redraw moves the cursor up over the last chart:\n\(session.printed)")
        let last = try XCTUnwrap(frames.last)
        XCTAssertTrue(last.contains("1e-"), "log tics on the learning-rate axis:\n\(last)")
        let valley = try XCTUnwrap(result.suggestion(.valley), "20 points give a valley")
        XCTAssertTrue(last.contains(String(format: "valley %.1e", valley.learningRate)), "the suggestions in the legend:\n\(last)")
        XCTAssertFalse(try XCTUnwrap(frames.first).contains("valley"), "no suggestion while it runs")
    }

    func testLRFinderLiveTrueDrawsTheCurveAndLeavesTheTableBelow() throws {
        let session = try liveSession()
        let result = try session.run("r = lr_find(net, data, num_it=12, live=True, every=1)\nr")
        XCTAssertTrue(result?.repr.hasPrefix("<LRFinderResult") ?? false)
        let printed = session.printed
        XCTAssertTrue(printed.contains("learning rate finder"), printed)
        XCTAssertTrue(printed.contains("\u{1B}[J"), "drawn in place")
        let chart = try XCTUnwrap(printed.range(of: "learning rate finder", options: .backwards))
        let table = try XCTUnwrap(printed.range(of: "method"))
        XCTAssertLessThan(chart.lowerBound, table.lowerBound, "the suggestions table comes after the final chart")
        let path = try scratchDirectory(self) + "/lr.png"
        try session.run("savefig('\(path)')")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "savefig saves the final live chart")
    }

    func testLRFinderCallbacksGetTheIterationsAndTheEnd() throws {
        let session = try liveSession(live: .off)
        try session.run(
            """
            seen = []
            r = lr_find(net, data, num_it=7, callbacks=[lambda h: seen.append(len(h.lrs))], every=3, quiet=True)
            """)
        XCTAssertEqual(try session.run("seen"), [3, 6, 7], "every 3 iterations, then the end")
        XCTAssertEqual(try session.run("len(r.lrs)"), 7)
        XCTAssertEqual(session.error("lr_find(net, data, callbacks=[1])")?.kind, .type)
        XCTAssertEqual(session.error("lr_find(net, data, every=0)")?.message, "lr_find() argument 'every' must be at least 1 step, got 0")
    }

    func testOffATerminalTheFinalChartIsDrawnOnce() throws {
        let session = try liveSession(live: .off)
        try session.run("h = fit(net, data, 2, lr=0.1, live=True, every=1, quiet=True)")
        XCTAssertEqual(session.printed.components(separatedBy: "train (smoothed)").count, 2, "one chart:\n\(session.printed)")
        XCTAssertFalse(session.printed.contains(clearDown), "nothing is redrawn")

        let lrSession = try liveSession(live: .off)
        try lrSession.run("r = lr_find(net, data, num_it=10, live=True, quiet=True)")
        XCTAssertEqual(lrSession.printed.components(separatedBy: "learning rate finder").count, 2, lrSession.printed)
    }

    func testFitLiveTrueIsTheSameAsALivePlotCallback() throws {
        let shorthand = try liveSession(live: .off)
        try shorthand.run("h = fit(net, data, 2, lr=0.1, live=True, quiet=True)")
        let spelledOut = try liveSession(live: .off)
        try spelledOut.run("h = fit(net, data, 2, lr=0.1, callbacks=[live_plot()], quiet=True)")
        XCTAssertFalse(shorthand.printed.isEmpty)
        XCTAssertEqual(shorthand.printed, spelledOut.printed)
        XCTAssertEqual(shorthand.error("lr_find(net, data, True)")?.kind, .type, "live is keyword-only")

        let both = try liveSession(live: .off)
        try both.run("h = fit(net, data, 2, lr=0.1, callbacks=[live_plot()], live=True, quiet=True)")
        XCTAssertEqual(both.printed, spelledOut.printed, "live=True adds no second live chart")
    }

    func testSixelChartsAreRedrawnInPlaceByRestoringTheCursor() throws {
        let session = try liveSession(sixel: true)
        var now = 0.0
        let live = LivePlotObject(every: 5, logY: false, clock: { now })
        for steps in 1...12 {
            now += 1
            live.update(try fakeHistory(steps: steps), interpreter: session.interpreter)
        }
        live.update(try fakeHistory(steps: 12, epochs: 2, ended: true), interpreter: session.interpreter)
        XCTAssertEqual(live.drawCount, 3, "steps 0, 5, 10; at the end the final chart replaces the live one")
        let printed = session.printed
        XCTAssertEqual(printed.components(separatedBy: sixelIntroducer).count, 5, "one sixel image a redraw")
        XCTAssertEqual(printed.components(separatedBy: "\u{1B}7").count, 4, "the cursor is saved at each live image's corner")
        XCTAssertEqual(printed.components(separatedBy: restoreCursor + clearDown).count, 4, "each redraw first erases the last image")
        let firstImage = try XCTUnwrap(printed.range(of: sixelIntroducer))
        let beforeImage = String(printed[..<firstImage.lowerBound])
        XCTAssertTrue(beforeImage.contains("\n\n\n") && beforeImage.contains("A\u{1B}7"), "room is made before the image is drawn")

        let drawn = session.printed
        session.interpreter.write("done\n")
        XCTAssertEqual(session.printed, drawn + "done\n", "after the run the image stays where it is")
    }

    func testTheFinalChartIsDrawnAfterANonFiniteLossStop() throws {
        let session = try liveSession(live: .off)
        try session.run(
            """
            seen = []
            calls = []
            nan_at_4 = lambda out, labels: (calls.append(1), (out * out).mean() * (nan if len(calls) == 4 else 1.0))[1]
            """)
        let error = session.error(
            "fit(net, data, 3, loss=nan_at_4, callbacks=[lambda h: seen.append(len(h.losses))], live=True, every=100, quiet=True)")
        XCTAssertEqual(error?.kind, .runtime)
        XCTAssertTrue(error?.message.contains("loss") ?? false, error?.message ?? "")
        XCTAssertTrue(session.printed.contains("train (smoothed)"), "the final chart:\n\(session.printed)")
        XCTAssertEqual(try session.run("seen"), [3], "the callback is called at the end, with the three steps before the NaN")
    }

    func testTheFinalChartIsDrawnAfterACallbackFails() throws {
        let session = try liveSession(live: .off)
        let error = session.error(
            "fit(net, data, 2, lr=0.1, callbacks=[lambda h: 1 / 0 if len(h.losses) == 4 else 0, live_plot()], every=1, quiet=True)")
        XCTAssertEqual(error?.kind, .zeroDivision)
        XCTAssertEqual(session.printed.components(separatedBy: "train (smoothed)").count, 2, "one final chart:\n\(session.printed)")
    }

    /// Requests an interrupt, as Ctrl-C does, once `step` training steps are done.
    private final class CtrlC: TrainingObserver {
        let interpreter: Interpreter
        let step: Int
        init(_ interpreter: Interpreter, at step: Int) {
            self.interpreter = interpreter
            self.step = step
        }
        func batchDidEnd(_ progress: BatchProgress, history: History) {
            if progress.phase == .train, progress.step == step { interpreter.interrupt.request() }
        }
    }

    func testCallbacksAreCalledAtTheEndOfAnInterruptedRun() throws {
        let session = try liveSession(live: .off)
        let (model, train) = try kernelObjects(session)
        try session.run("seen = []\nrecord = lambda h: seen.append(len(h.losses))")
        let record = try XCTUnwrap(try session.run("record"))
        let live = LivePlotObject(every: 1, logY: false)
        let interpreter = session.interpreter
        let callbacks = CallbackObserver(interpreter: interpreter, callbacks: [record, .object(live)], interval: 2)
        var options = FitOptions()
        options.observers = [CtrlC(interpreter, at: 3), callbacks]
        options.interrupt = { interpreter.interrupt.isRequested }
        let optimizer = try OptimizerObject(.fitDefault).optimizer(for: model)
        let history = try Kernel.fit(
            model: model, train: train, valid: nil, epochs: 2, optimizer: optimizer, schedule: nil,
            loss: crossEntropyLoss, metrics: [], options: options)
        guard case .interrupted = history.stopReason else { return XCTFail("the run was not interrupted: \(String(describing: history.stopReason))") }
        XCTAssertEqual(try session.run("seen"), [2, 3], "step 2, then the end (after step 3) though Ctrl-C was pressed")
        XCTAssertEqual(live.finalDrawCount, 1, "the final chart")
        XCTAssertFalse(interpreter.interrupt.isRequested, "the interrupt was answered by the end of the run")
    }
}
