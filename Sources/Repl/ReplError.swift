/// A mistake in what the user asked the REPL or the command line to do (bad `:` command, missing file, bad `--set`),
/// with one message saying what was expected and what was found.
struct ReplError: Error, CustomStringConvertible, Equatable {
    /// The message shown to the user after `error: `.
    let message: String

    /// An error with the given message.
    init(_ message: String) { self.message = message }

    /// The message itself.
    var description: String { message }
}
