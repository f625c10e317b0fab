import Foundation

/// A value that threads share, reachable only while holding its lock: every read and write goes through
/// `withLock`, so no access can forget the lock and no lock can guard the wrong value.
public final class Locked<Value> {
    private let lock = NSLock()
    private var value: Value

    /// A lock around `value`.
    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` on the value while holding the lock; other threads wait until it returns.
    /// `body` must not call `withLock` on the same instance (the lock is not recursive).
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

// The lock serialises every access, so sharing the box is as safe as sharing the value.
extension Locked: @unchecked Sendable where Value: Sendable {}
