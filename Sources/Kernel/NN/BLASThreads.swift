#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps oneDNN's sgemm from starting an OpenMP team on every worker while the Kernel already runs one sgemm per worker.
///
/// Two levels of threading on a small machine make the inner teams wait for each other, which costs more than the
/// products themselves. OpenMP's team size belongs to the calling thread, so each worker limits its own.
enum BLASThreads {
    /// libgomp's per-thread team size, looked up in the process (oneDNN loads it); nil where it is not found.
    private static let setOpenMPThreads: (@convention(c) (Int32) -> Void)? = symbol("omp_set_num_threads")
    private static let openMPThreads: (@convention(c) () -> Int32)? = symbol("omp_get_max_threads")

    private static func symbol<F>(_ name: String) -> F? {
        guard let process = dlopen(nil, RTLD_NOW), let address = dlsym(process, name) else { return nil }
        return unsafeBitCast(address, to: F.self)
    }

    /// Sets the OpenMP team size of the calling thread, which oneDNN's primitives and sgemm called from it use.
    static func setTeamSize(_ threads: Int) {
        setOpenMPThreads?(Int32(clamping: threads))
    }

    /// Runs `body` with sgemm limited to one thread when `workers` > 1, restoring the previous team size afterwards.
    /// Call it on each worker thread: the setting is per thread.
    static func serialized<T>(workers: Int, _ body: () throws -> T) rethrows -> T {
        workers > 1 ? try singleThreaded(body) : try body()
    }

    /// Runs `body` with the calling thread's OpenMP team limited to one thread, restoring the previous size afterwards.
    static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        guard let setOpenMPThreads, let previous = openMPThreads?(), previous > 1 else { return try body() }
        setOpenMPThreads(1)
        defer { setOpenMPThreads(previous) }
        return try body()
    }
}
