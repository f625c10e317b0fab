#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
@preconcurrency import CMPI

/// Whether this process is one rank of an `mpirun` launch, and the process group that connects the ranks.
///
/// The launch is read from Open MPI's environment (`OMPI_COMM_WORLD_SIZE`, `OMPI_COMM_WORLD_RANK`), so asking
/// costs nothing; MPI itself is loaded and started only when `world()` is first called in a launch of two or
/// more ranks. A single process never loads it.
public enum Distributed {
    /// This process's rank in the launch (0 when not launched by mpirun).
    public static var launchRank: Int { environmentInteger("OMPI_COMM_WORLD_RANK") ?? 0 }

    /// The number of ranks in the launch (1 when not launched by mpirun).
    public static var launchSize: Int { max(environmentInteger("OMPI_COMM_WORLD_SIZE") ?? 1, 1) }

    /// The group of all ranks, started on first use; nil for a single process.
    public static func world() throws -> ProcessGroup? {
        if let started { return started }
        guard launchSize > 1 else { return nil }
        let group = try MPIProcessGroup()
        started = group
        return group
    }

    /// Whether MPI was started, so that `finish()` or `abort` must end it.
    public static var isStarted: Bool { started != nil }

    /// Ends MPI cleanly (every rank must call it) when it was started; call once training is over, before exiting.
    public static func finish() {
        rnx_mpi_finish()
    }

    /// Ends every rank of the launch with `code`. Used after an error on one rank: the others may be waiting in a
    /// collective call for it and would otherwise wait forever.
    public static func abort(code: Int32) -> Never {
        rnx_mpi_abort(code)
        exit(code)
    }

    nonisolated(unsafe) private static var started: MPIProcessGroup?

    private static func environmentInteger(_ name: String) -> Int? {
        getenv(name).flatMap { Int(String(cString: $0)) }
    }
}
