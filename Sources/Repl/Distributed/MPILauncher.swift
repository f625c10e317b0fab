import Foundation
import DSL

/// `rnx run --np N exp.rnx`: replaces this process by `mpirun` starting N copies of `rnx run exp.rnx`, with the
/// flags a single machine (and a container, and root) needs, so users and CI never have to find them.
enum MPILauncher {
    /// Execs mpirun with `ranks` copies of this executable given `arguments`; returns only by throwing.
    static func exec(ranks: Int, arguments: [String]) throws -> Never {
        guard let mpirun = locate() else {
            throw ReplError("--np \(ranks): mpirun was not found on PATH (nor $RNX_MPIRUN); install Open MPI (apt-get install openmpi-bin libopenmpi-dev)")
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let command = [mpirun] + options(ranks: ranks) + [executable] + arguments
        for (name, value) in environment where getenv(name) == nil { setenv(name, value, 1) }
        // The ranks write into mpirun's pseudo-terminals: tell them whether the user's output really is a terminal.
        setenv(OutputTerminal.environmentName, OutputTerminal.isTerminal(STDOUT_FILENO) ? "1" : "0", 1)
        let cArguments: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        execv(mpirun, cArguments)
        throw ReplError("--np \(ranks): cannot start \(mpirun): \(String(cString: strerror(errno)))")
    }

    /// mpirun's flags: more ranks than cores is allowed (a laptop, CI), ranks are not pinned to cores (rnx runs its
    /// own threads), and root may run it (containers).
    static func options(ranks: Int) -> [String] {
        var flags = ["-np", String(ranks), "--oversubscribe", "--bind-to", "none"]
        if getuid() == 0 { flags.append("--allow-run-as-root") }
        return flags
    }

    /// Settings the ranks inherit unless the user set them: containers often forbid the cross-memory attach Open
    /// MPI's shared-memory transport tries first (a warning on every run otherwise), and each rank's OpenMP threads
    /// must sleep when idle (what `rnx` would otherwise restart itself to set).
    static let environment = [
        ("OMPI_MCA_btl_vader_single_copy_mechanism", "none"),
        ("OMP_WAIT_POLICY", "passive"),
    ]

    /// `$RNX_MPIRUN`, or `mpirun` on PATH.
    private static func locate() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["RNX_MPIRUN"], FileManager.default.isExecutableFile(atPath: explicit) { return explicit }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/mpirun"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
