import Kernel

/// What a program running scripts needs to know and do when `mpirun` started it as one of several ranks.
public enum DistributedRun {
    /// This process's rank (0 when not launched by mpirun).
    public static var rank: Int { Distributed.launchRank }

    /// The number of ranks in the launch (1 when not launched by mpirun).
    public static var size: Int { Distributed.launchSize }

    /// Ends MPI cleanly if training started it; every rank calls this before a normal exit.
    public static func finish() {
        Distributed.finish()
    }

    /// After an error on this rank: ends every rank with `code` if MPI was started, because the other ranks may be
    /// waiting for this one in a collective call. Returns when MPI was never started (nothing can be waiting).
    public static func abortIfStarted(code: Int32) {
        if Distributed.isStarted { Distributed.abort(code: code) }
    }
}
