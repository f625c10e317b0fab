import Kernel

/// Calls language functions with the history while `fit` or `lr_find` runs — the hook for live charts:
/// every `interval` training steps, after each epoch (when its row is in) and once at the end, however the run ended
/// (completed, Ctrl-C, a NaN loss, an error), so the final chart is drawn. A call with nothing new since the previous
/// one is skipped, except at an end that cut the run short.
///
/// A `live_plot()` among the callbacks is driven directly, so it knows which run it draws (the loss over the steps,
/// or the LR finder's loss over the learning rate) and when the run is over; other callbacks get the History (for
/// `lr_find`, its mock training steps: `h.lrs`, `h.losses`).
///
/// Observers cannot throw, so the first error a callback raises is kept in `failure`; the run stops at the next batch
/// (its interrupt check asks `failure`) and raises it, or, for `KeyboardInterrupt`, returns the partial result like
/// any interrupt.
final class CallbackObserver: TrainingObserver {
    /// Which builtin runs the callbacks.
    enum Run {
        /// `fit`: the loss over the steps.
        case fit
        /// `lr_find`: the loss over the learning rate.
        case lrFind
    }

    private let interpreter: Interpreter
    private let callbacks: [Value]
    private let interval: Int
    private let run: Run
    private var changes = 0
    private var changesAtLastCall = 0
    private var isOver = false
    /// The history as last reported, for the final call after a run that ended with an error.
    private var lastHistory: History?
    /// The first error raised by a callback.
    private(set) var failure: DSLError?

    /// Calls each of `callbacks` (language callables taking the history) every `interval` (≥ 1) steps of `run`.
    init(interpreter: Interpreter, callbacks: [Value], interval: Int, run: Run = .fit) {
        self.interpreter = interpreter
        self.callbacks = callbacks
        self.interval = interval
        self.run = run
    }

    func batchDidEnd(_ progress: BatchProgress, history: History) {
        guard progress.phase == .train || progress.phase == .lrFind else { return }
        lastHistory = history
        changes += 1
        if progress.step % interval == 0 { call(history, suggestions: [], ended: false) }
    }

    func epochDidEnd(_ record: EpochRecord, history: History) {
        lastHistory = history
        changes += 1
        call(history, suggestions: [], ended: false)
    }

    func trainingDidEnd(history: History) {
        finish(history, suggestions: [])
    }

    /// The end of an `lr_find`: the final chart marks `result`'s suggestions.
    func lrFinderDidEnd(_ result: LRFinderResult) {
        guard var history = lastHistory else { return }
        history.stopReason =
            result.interrupted
            ? .interrupted(epoch: history.steps.last?.epoch ?? 0, batch: (history.steps.last?.batch ?? -1) + 1, validating: false)
            : .completed
        finish(history, suggestions: result.suggestions)
    }

    /// The end of a run that stopped with an error (a NaN loss, a failing loss function): the callbacks see the
    /// history as it was at the last step.
    func trainingDidFail() {
        guard let lastHistory else { return }
        finish(lastHistory, suggestions: [])
    }

    /// Calls the callbacks once more, even when one failed before, with the interrupt that stopped the run (it is
    /// answered by the run's end) cleared so that language callbacks run. Live charts always get this call; language
    /// callbacks skip it when the run completed with nothing new since their previous call.
    private func finish(_ history: History, suggestions: [LRSuggestion]) {
        guard !isOver else { return }
        isOver = true
        if history.stopReason != nil, interpreter.interrupt.isRequested { interpreter.interrupt.clear() }
        let repeated = history.stopReason == .completed && changes == changesAtLastCall
        call(history, suggestions: suggestions, ended: true, livePlotsOnly: repeated)
    }

    private func call(_ history: History, suggestions: [LRSuggestion], ended: Bool, livePlotsOnly: Bool = false) {
        guard ended || (failure == nil && changes != changesAtLastCall) else { return }
        changesAtLastCall = changes
        let value = Value.object(HistoryObject(history))
        for callback in callbacks {
            if case .object(let object) = callback, let live = object as? LivePlotObject {
                live.update(frame(history, suggestions: suggestions, ended: ended, logY: live.logY), interpreter: interpreter)
                continue
            }
            if livePlotsOnly { continue }
            do {
                _ = try interpreter.call(callback, [value])
            } catch let error as DSLError {
                failure = failure ?? error
                if !ended { return }
            } catch {
                failure = failure ?? DSLError(.runtime, "a training callback failed: \(error)")
                if !ended { return }
            }
        }
    }

    private func frame(_ history: History, suggestions: [LRSuggestion], ended: Bool, logY: Bool) -> LiveFrame {
        switch run {
        case .fit: return .training(history, logY: logY, ended: ended)
        case .lrFind: return .lrFinder(history, suggestions: suggestions, logY: logY, ended: ended)
        }
    }
}
