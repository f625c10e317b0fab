import Foundation
import Plot

/// One training run's live chart where charts are captured as images and the host shows live frames
/// (`ChartCapture.onLiveFrame`, the Jupyter kernel): frames due by the same limiter as the terminal's live chart go to
/// the capture under one id, so the host replaces the picture in place; the final chart ends the run's frames.
final class LiveCaptureRun {
    private let capture: ChartCapture
    private let context: ChartContext
    private var limiter: LiveRedrawLimiter
    private let clock: () -> Double
    private let thread = Thread.current
    private let id = UUID().uuidString
    private var lastCount = 0
    private var lastEpochCount = 0
    private var isFinished = false
    private(set) var drawCount = 0

    init(capture: ChartCapture, context: ChartContext, every: Int, clock: @escaping () -> Double) {
        self.capture = capture
        self.context = context
        self.limiter = LiveRedrawLimiter(minimumSteps: every, clock: clock)
        self.clock = clock
    }

    /// Whether `frame` belongs to another run than this one (or this statement has ended).
    func isOver(_ frame: LiveFrame) -> Bool {
        isFinished || Thread.current !== thread || frame.count < lastCount
    }

    /// Sends a frame for `frame` when due: at each new epoch always, otherwise when the limiter allows; the end of
    /// the run sends nothing (the caller presents the final chart through `presentingFinalChart`). Returns the
    /// drawing error that should turn the live chart off, if any.
    func update(_ frame: LiveFrame) -> Error? {
        guard !isFinished, frame.count > 0 else { return nil }
        let newEpoch = frame.epochs != lastEpochCount
        lastCount = frame.count
        lastEpochCount = frame.epochs
        if frame.ended {
            isFinished = true
            return nil
        }
        do {
            if newEpoch {
                let start = clock()
                try send(frame)
                limiter.recordRedraw(step: frame.step, seconds: clock() - start)
            } else {
                try limiter.redrawIfDue(step: frame.step) { try send(frame) }
            }
            return nil
        } catch {
            isFinished = true
            return error
        }
    }

    /// Runs `body`, which presents the run's final chart, so that the chart replaces the frames sent so far.
    func presentingFinalChart(_ body: () -> Void) {
        capture.presentingFinalLiveChart(id: id, isFirst: drawCount == 0, body)
    }

    private func send(_ frame: LiveFrame) throws {
        guard let chart = try frame.chart() else { return }
        let object = ChartObject(
            chart: chart, kind: .line, layout: ChartLayout(of: chart), context: context, drawing: "",
            target: .text(width: 80, height: 24, color: .plain))
        try capture.sendLiveFrame(object, id: id, isFirst: drawCount == 0, context: context)
        drawCount += 1
    }
}
