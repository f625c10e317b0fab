import Basics

/// Thrown by a data-set loader whose interrupt check asked it to stop (Ctrl-C while loading). Nothing read so far
/// is kept: loading again starts from the beginning.
public struct LoadingInterrupted: Error, CustomStringConvertible, Equatable {
    /// The file or folder that was being loaded.
    public let path: String
    /// How far loading got, e.g. `120 of 300 files read`.
    public let progress: String

    /// Creates the error for `path`, stopped after `progress`.
    public init(path: String, progress: String) {
        self.path = path
        self.progress = progress
    }

    /// `interrupted while loading data/pets: 120 of 300 files read`.
    public var description: String { "interrupted while loading \(path): \(progress)" }
}

/// Lets a loader stop soon after its interrupt check says so, without paying for the check on every byte:
/// `shouldStop()` is called once per unit of work (a file, a record, a row, a chunk) and asks the check every
/// `interval` units. Once the check has said stop, every later call says stop too, so the threads of a parallel
/// loader all give up. Safe to share between threads (the check itself must be, as `InterruptFlag.check` and the
/// DSL's interrupt are).
final class LoadingCancellation: @unchecked Sendable {
    private let interrupt: InterruptCheck?
    private let interval: Int
    /// Units left until the next check, and whether a check has said stop.
    private let progress: Locked<(untilCheck: Int, stopped: Bool)>

    /// Asks `interrupt` (nothing when nil) every `interval` units.
    init(_ interrupt: InterruptCheck?, every interval: Int = 1) {
        self.interrupt = interrupt
        self.interval = Swift.max(1, interval)
        progress = Locked((untilCheck: 1, stopped: false))
    }

    /// Counts one unit about to start; true when loading should stop instead.
    func shouldStop() -> Bool {
        guard let interrupt else { return false }
        return progress.withLock { progress in
            if progress.stopped { return true }
            progress.untilCheck -= 1
            guard progress.untilCheck <= 0 else { return false }
            progress.untilCheck = interval
            progress.stopped = interrupt()
            return progress.stopped
        }
    }

    /// Whether a check has said stop.
    var wasStopped: Bool {
        progress.withLock { $0.stopped }
    }
}
