import Foundation

/// Whether what rnx writes reaches a terminal, which decides colours, progress bars and charts redrawn in place.
///
/// Usually `isatty`. But mpirun gives each rank a pseudo-terminal whatever the user's own output is (a file, a pipe),
/// so `rnx run --np` passes its own answer down in `RNX_OUTPUT_TERMINAL` (`1` or `0`), and a log written through
/// mpirun stays free of escape codes.
public enum OutputTerminal {
    /// The variable `rnx run --np` sets for its ranks.
    public static let environmentName = "RNX_OUTPUT_TERMINAL"

    /// Whether file descriptor `fd` (standard output or error) is a terminal the user sees.
    public static func isTerminal(_ fd: Int32) -> Bool {
        guard isatty(fd) == 1 else { return false }
        return ProcessInfo.processInfo.environment[environmentName] != "0"
    }
}
