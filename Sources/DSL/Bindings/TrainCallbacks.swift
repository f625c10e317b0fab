import Kernel

/// Calls language functions with the history while `fit` runs — the hook for live loss charts:
/// every `interval` training steps, after each epoch (when its row is in) and once at the end, skipping a call
/// when nothing changed since the previous one.
///
/// Observers cannot throw, so the first error a callback raises is kept in `failure`; `fit` stops training at the
/// next batch (its interrupt check asks `failure`) and raises it, or, for `KeyboardInterrupt`, returns the
/// partial history like any interrupt.
final class CallbackObserver: TrainingObserver {
    private let interpreter: Interpreter
    private let callbacks: [Value]
    private let interval: Int
    private var changes = 0
    private var changesAtLastCall = 0
    /// The first error raised by a callback.
    private(set) var failure: DSLError?

    /// Calls each of `callbacks` (language callables taking the history) every `interval` (≥ 1) steps.
    init(interpreter: Interpreter, callbacks: [Value], interval: Int) {
        self.interpreter = interpreter
        self.callbacks = callbacks
        self.interval = interval
    }

    func batchDidEnd(_ progress: BatchProgress, history: History) {
        guard progress.phase == .train else { return }
        changes += 1
        if progress.step % interval == 0 { call(history) }
    }

    func epochDidEnd(_ record: EpochRecord, history: History) {
        changes += 1
        call(history)
    }

    func trainingDidEnd(history: History) {
        call(history)
    }

    private func call(_ history: History) {
        guard failure == nil, changes != changesAtLastCall else { return }
        changesAtLastCall = changes
        let value = Value.object(HistoryObject(history))
        for callback in callbacks {
            do {
                _ = try interpreter.call(callback, [value])
            } catch let error as DSLError {
                failure = error
                return
            } catch {
                failure = DSLError(.runtime, "a fit callback failed: \(error)")
                return
            }
        }
    }
}
