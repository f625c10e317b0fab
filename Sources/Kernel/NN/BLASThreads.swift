import COpenBLAS

/// Keeps OpenBLAS from starting its own threads while the Kernel already runs one sgemm per worker.
///
/// Two levels of threading on a small machine make OpenBLAS's workers spin in `sched_yield` waiting for
/// each other, which costs more than the products themselves.
enum BLASThreads {
    /// Runs `body` with OpenBLAS limited to one thread when `workers` > 1, restoring the previous count afterwards.
    static func serialized<T>(workers: Int, _ body: () throws -> T) rethrows -> T {
        guard workers > 1 else { return try body() }
        let previous = openblas_get_num_threads()
        guard previous > 1 else { return try body() }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(previous) }
        return try body()
    }
}
