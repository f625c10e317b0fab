/// Why a data-parallel run could not start or continue.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// MPI could not be loaded or started (the message says what is missing).
    case unavailable(String)
    /// A collective operation failed: a rank died or a connection broke.
    case communication(String)

    /// One line saying what failed and why, for the user.
    public var description: String {
        switch self {
        case .unavailable(let message): return "distributed training is unavailable: \(message)"
        case .communication(let message): return "distributed training stopped: \(message) (a rank died or the connection broke)"
        }
    }
}
