#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Makes oneDNN's OpenMP threads sleep between calls instead of spinning.
///
/// oneDNN runs on GNU OpenMP, whose idle threads busy-wait for a while after every parallel region by default.
/// Between two convolutions the Kernel runs batch norm, activations and sgemm on the same cores, and the
/// spinning threads take those cores away: on a 2-core machine shared with other work a convolution took 8–16×
/// longer (measured: 32 ms instead of 2 ms). libgomp reads `OMP_WAIT_POLICY` once, when the process loads it —
/// before any Swift code runs — so the only way to change it from inside is to restart the program with it set.
public enum OpenMPWaitPolicy {
    /// The variable that tells a program it was already restarted, so a failing `execv` can never loop.
    static let restartMarker = "RNX_OMP_RESTARTED"

    /// Call first thing in `main`. When `OMP_WAIT_POLICY` is unset, sets it to `passive` and replaces the process
    /// with a fresh copy of itself (same executable, arguments and open files). Returns without doing anything when
    /// the variable is already set by the user or by the restart, or when the executable cannot be found.
    public static func restartWithPassiveWaitIfNeeded() {
        #if os(Linux)
            guard getenv("OMP_WAIT_POLICY") == nil, getenv(restartMarker) == nil else { return }
            setenv("OMP_WAIT_POLICY", "passive", 1)
            setenv(restartMarker, "1", 1)
            var arguments: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
            arguments.append(nil)
            execv("/proc/self/exe", &arguments)
            // Only reached when execv failed: carry on with libgomp's default policy.
            for argument in arguments { free(argument) }
        #endif
    }
}
