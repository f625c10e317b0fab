/// A mistake in what the user asked the REPL or the command line to do (bad `:` command, missing file, bad `--set`),
/// with one message saying what was expected and what was found.
struct ReplError: Error, CustomStringConvertible, Equatable {
    /// The message shown to the user after `error: `.
    let message: String
    /// The process's exit status when the error ends it: 1, or 130 for a run stopped by Ctrl-C (128 + SIGINT, as a
    /// shell reports it and Python exits on an uncaught KeyboardInterrupt).
    let exitCode: Int32

    /// The exit status of a run stopped by Ctrl-C.
    static let interruptedExitCode: Int32 = 130

    /// An error with the given message.
    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// The message itself.
    var description: String { message }
}
