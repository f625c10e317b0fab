#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A cooperative stop request that training checks between batches and data-set loaders between files or records.
///
/// `request()` only stores to a `sig_atomic_t`, so it may be called from a SIGINT handler or another thread;
/// pass `flag.check` as the `interrupt` of `fit`, `lrFind`, `evaluate` or `gridSearch`, or of a loader
/// (`Datasets.imageFolder`, `cifar10`, `csv`, `idx`/`mnist`), which then throws `LoadingInterrupted`.
public final class InterruptFlag: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<sig_atomic_t>

    /// A flag that is not set.
    public init() {
        storage = .allocate(capacity: 1)
        storage.initialize(to: 0)
    }

    deinit {
        storage.deallocate()
    }

    /// Asks running work to stop at the next batch boundary.
    public func request() {
        storage.pointee = 1
    }

    /// Clears the request (before starting new work).
    public func clear() {
        storage.pointee = 0
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { storage.pointee != 0 }

    /// The flag as a check to hand to training functions.
    public var check: InterruptCheck { { [self] in self.isRequested } }
}
