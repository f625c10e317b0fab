import Basics
import DSL
import Foundation

/// What a running cell shows on iopub: printed text as `stream` messages, charts as `display_data` (PNG, SVG and a
/// text stand-in), live training charts as one `display_data` replaced in place by `update_display_data`.
///
/// Text is buffered and sent 50 ms after the first unsent write (or before anything else is shown), so a loop that
/// prints many lines costs a few messages, not one per line, while output still appears as the cell runs.
/// Thread-safe: the program's thread writes, a timer flushes.
final class KernelDisplay: @unchecked Sendable {
    private let iopub: IOPubChannel
    private let state = Locked(State())
    private let timerQueue = DispatchQueue(label: "rnx-kernel-stream")

    /// Seconds text may wait before it is sent.
    static let flushDelay = 0.05

    private struct State {
        var parent: WireMessage?
        var silent = false
        var pending = ""
        var flushScheduled = false
        var text = StreamText()
    }

    init(iopub: IOPubChannel) {
        self.iopub = iopub
    }

    /// Starts showing the output of the request `parent`; `silent` requests show nothing.
    func begin(parent: WireMessage, silent: Bool) {
        flush()
        state.withLock { state in
            state.parent = parent
            state.silent = silent
            state.text = StreamText()
        }
    }

    /// Program output (`print`, progress bars): sent as a `stdout` stream.
    func write(_ text: String) {
        let schedule = state.withLock { state -> Bool in
            guard !state.silent, state.parent != nil else { return false }
            state.pending += state.text.translate(text)
            defer { state.flushScheduled = true }
            return !state.flushScheduled
        }
        if schedule { timerQueue.asyncAfter(deadline: .now() + Self.flushDelay) { [weak self] in self?.flush() } }
    }

    /// Sends the text written so far.
    func flush() {
        state.withLock { state in
            state.flushScheduled = false
            guard !state.pending.isEmpty, let parent = state.parent else { return }
            iopub.publish("stream", ["name": "stdout", "text": state.pending], parent: parent)
            state.pending = ""
        }
    }

    /// Shows a chart the program drew.
    func show(_ image: ChartCapture.Image) {
        publish("display_data", image, transient: [:])
    }

    /// Shows one frame of a live chart: the first frame of `id` as a new display, later ones replacing it.
    func showLive(_ image: ChartCapture.Image, id: String, isFirst: Bool) {
        publish(isFirst ? "display_data" : "update_display_data", image, transient: ["display_id": id])
    }

    /// Publishes a message of `type` with the current request as parent (nothing for silent requests), after the
    /// text written before it.
    func publish(_ type: String, _ content: JSONObject) {
        flush()
        guard let parent = state.withLock({ $0.silent ? nil : $0.parent }) else { return }
        iopub.publish(type, content, parent: parent)
    }

    private func publish(_ type: String, _ image: ChartCapture.Image, transient: JSONObject) {
        let data: JSONObject = [
            "image/png": Data(image.png).base64EncodedString(), "image/svg+xml": image.svg, "text/plain": image.altText,
        ]
        publish(type, ["data": data, "metadata": [:] as JSONObject, "transient": transient])
    }
}
