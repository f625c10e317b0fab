import Basics
import Foundation

/// Cooperative interruption (Ctrl-C in the REPL): another thread calls `request()`, the running program
/// notices at its next loop iteration or function call (`check()`) and stops with `KeyboardInterrupt`.
/// Long builtins (training loops) should call `check()` between steps. Safe to use from any thread.
///
/// `request()` takes a lock, so do not call it from inside a signal handler; forward the signal first
/// (e.g. with a `DispatchSourceSignal`).
public final class Interrupt: Sendable {
    private let requested = Locked(false)
    private let endsProgramSetting = Locked(false)

    /// The flag of the program running on this thread (bound by the interpreter while it runs a program), so
    /// code that has no interpreter at hand — iterating a `range`, collecting elements — can still stop.
    @TaskLocal public static var current: Interrupt?

    /// Creates a flag that is not set.
    public init() {}

    /// Asks the running program to stop at the next check.
    public func request() {
        requested.withLock { $0 = true }
    }

    /// Withdraws a pending request.
    public func clear() {
        requested.withLock { $0 = false }
    }

    /// Whether a request is pending.
    public var isRequested: Bool {
        requested.withLock { $0 }
    }

    /// Whether Ctrl-C ends the whole program (`rnx run`: later statements and cells must not run) rather than only
    /// the statement running (the REPL, the default).
    public var endsProgram: Bool {
        get { endsProgramSetting.withLock { $0 } }
        set { endsProgramSetting.withLock { $0 = newValue } }
    }

    /// Called by a builtin that stopped early on Ctrl-C and has a partial result (fit's history so far, lr_find's
    /// curve): the request is withdrawn and, in the REPL, the builtin returns its result; when Ctrl-C ends the
    /// program this throws `KeyboardInterrupt` at the builtin's call, so a script does not go on to save
    /// half-trained weights as if training had finished.
    public func settleEarlyStop() throws {
        clear()
        if endsProgram { throw DSLError(.keyboardInterrupt, "interrupted") }
    }

    /// Throws `KeyboardInterrupt` (and clears the request) when an interruption was requested.
    public func check() throws {
        let wasRequested = requested.withLock { flag in
            defer { flag = false }
            return flag
        }
        if wasRequested { throw DSLError(.keyboardInterrupt, "interrupted") }
    }
}

/// Lets a tight loop inside a builtin (summing a `range(10**18)`, collecting an iterator) notice Ctrl-C
/// without taking a lock per element: `tick()` once per element looks at the flag every `interval` elements.
struct InterruptPoll {
    /// Elements between two looks at the flag: small enough to stop within a millisecond, large enough to cost
    /// nothing measurable.
    static let interval = 256

    private let interrupt: Interrupt?
    private let every: Int
    private var remaining: Int

    /// Polls `interrupt`, by default the flag of the program running on this thread (none outside a program),
    /// every `every` elements (1 for elements that take long to produce, such as batches of a data loader).
    init(_ interrupt: Interrupt? = Interrupt.current, every: Int = InterruptPoll.interval) {
        self.interrupt = interrupt
        self.every = max(1, every)
        remaining = self.every
    }

    /// Counts one element; throws `KeyboardInterrupt` when an interruption was requested.
    mutating func tick() throws {
        remaining -= 1
        guard remaining <= 0 else { return }
        remaining = every
        try interrupt?.check()
    }
}
