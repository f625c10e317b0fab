import Foundation

/// Cooperative interruption (Ctrl-C in the REPL): another thread calls `request()`, the running program
/// notices at its next loop iteration or function call (`check()`) and stops with `KeyboardInterrupt`.
/// Long builtins (training loops) should call `check()` between steps. Safe to use from any thread.
///
/// `request()` takes a lock, so do not call it from inside a signal handler; forward the signal first
/// (e.g. with a `DispatchSourceSignal`).
public final class Interrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    /// Creates a flag that is not set.
    public init() {}

    /// Asks the running program to stop at the next check.
    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    /// Withdraws a pending request.
    public func clear() {
        lock.lock()
        requested = false
        lock.unlock()
    }

    /// Whether a request is pending.
    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }

    /// Throws `KeyboardInterrupt` (and clears the request) when an interruption was requested.
    public func check() throws {
        lock.lock()
        let wasRequested = requested
        requested = false
        lock.unlock()
        if wasRequested { throw DSLError(.keyboardInterrupt, "interrupted") }
    }
}
