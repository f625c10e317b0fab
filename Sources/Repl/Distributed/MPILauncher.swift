import Foundation
import DSL

/// `rnx run --np N exp.rnx`: runs `mpirun` starting N copies of `rnx run exp.rnx`, with the flags a single machine
/// (and a container, and root) needs, so users and CI never have to find them, and exits with mpirun's status.
///
/// mpirun ends the whole job on SIGINT, so it runs in a process group of its own, out of the terminal's reach: Ctrl-C
/// comes to this process, which asks the ranks through mpirun (SIGUSR1, which mpirun passes on) to stop as a Ctrl-C
/// stops one process — `fit` ends after the batch all ranks agree on — and ends the job (SIGTERM) on a second Ctrl-C.
enum MPILauncher {
    /// Runs mpirun with `ranks` copies of this executable given `arguments` and exits with its status; returns only
    /// by throwing.
    static func run(ranks: Int, arguments: [String]) throws -> Never {
        guard let mpirun = locate() else {
            throw ReplError(
                "--np \(ranks): mpirun was not found on PATH (nor $RNX_MPIRUN); install Open MPI (apt-get install openmpi-bin libopenmpi-dev)")
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let command = [mpirun] + options(ranks: ranks) + [executable] + arguments
        for (name, value) in environment where getenv(name) == nil { setenv(name, value, 1) }
        // The ranks write into mpirun's pseudo-terminals: tell them whether the user's output really is a terminal.
        setenv(OutputTerminal.environmentName, OutputTerminal.isTerminal(STDOUT_FILENO) ? "1" : "0", 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let cArguments: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        var job: pid_t = 0
        let status = posix_spawn(&job, mpirun, nil, &attributes, cArguments, environ)
        guard status == 0 else {
            throw ReplError("--np \(ranks): cannot start \(mpirun): \(String(cString: strerror(status)))")
        }
        JobInterrupt.install(job: job)
        var waitStatus: Int32 = 0
        while waitpid(job, &waitStatus, 0) < 0 {
            guard errno == EINTR else { throw ReplError("--np \(ranks): lost track of mpirun: \(String(cString: strerror(errno)))") }
        }
        let signal = waitStatus & 0x7f
        exit(signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal)
    }

    /// mpirun's flags: more ranks than cores is allowed (a laptop, CI), ranks are not pinned to cores (rnx runs its
    /// own threads), and root may run it (containers).
    static func options(ranks: Int) -> [String] {
        // No rank reads the terminal, and a background process group that did would be stopped (SIGTTIN).
        var flags = ["-np", String(ranks), "--oversubscribe", "--bind-to", "none", "--stdin", "none"]
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
