import Foundation

/// The launcher's Ctrl-C while mpirun runs: the first asks the ranks to stop (SIGUSR1, passed on by mpirun to every
/// rank, where it acts as Ctrl-C does in one process), the next ones end the job (SIGTERM).
enum JobInterrupt {
    /// The state the handler reads, set before it is installed (a handler may only do async-signal-safe work).
    nonisolated(unsafe) private static var job: pid_t = 0
    nonisolated(unsafe) private static var presses: Int32 = 0
    nonisolated(unsafe) private static var notice: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var noticeLength = 0

    /// Routes SIGINT to the mpirun process `job`.
    static func install(job: pid_t) {
        let text = "\nrnx: stopping every rank as Ctrl-C stops one run (fit ends after the current batch); Ctrl-C again ends the run now\n"
        notice = strdup(text)
        noticeLength = text.utf8.count
        Self.job = job
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            JobInterrupt.presses += 1
            if JobInterrupt.presses == 1, let notice = JobInterrupt.notice { _ = write(STDERR_FILENO, notice, JobInterrupt.noticeLength) }
            _ = kill(JobInterrupt.job, JobInterrupt.presses == 1 ? SIGUSR1 : SIGTERM)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
    }
}
