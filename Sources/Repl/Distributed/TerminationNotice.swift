import Foundation

/// One clear line on every surviving rank when mpirun ends the run because another rank died (it sends SIGTERM to
/// the rest): without it they would vanish silently, leaving only mpirun's own report.
enum TerminationNotice {
    /// The line, built before any signal can arrive (a handler may only write bytes).
    nonisolated(unsafe) private static var message: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var length = 0

    /// Installs the SIGTERM handler for rank `rank` of `size`.
    static func install(rank: Int, size: Int) {
        let text =
            "[rank \(rank)] rnx: stopped by mpirun: another of the \(size) ranks failed or the run was cancelled; "
            + "a checkpoint written by fit(checkpoint=...) before is intact and resumes with any number of ranks\n"
        message = strdup(text)
        length = text.utf8.count
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            if let message = TerminationNotice.message { _ = write(STDERR_FILENO, message, TerminationNotice.length) }
            _exit(128 + signal)
        }
        sigemptyset(&action.sa_mask)
        sigaction(SIGTERM, &action, nil)
    }

    /// Silences the notice once this rank has reported its own error: mpirun's SIGTERM is then the consequence.
    static func remove() {
        signal(SIGTERM, SIG_DFL)
    }
}
