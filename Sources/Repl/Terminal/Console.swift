import Foundation

/// Where the REPL writes: results and program output to stdout, errors and notices to stderr, each flushed at once
/// so that text from the interpreter's thread, readline and the REPL appears in the order it was produced.
struct Console {
    /// Styling for stdout (off when it is not a terminal or `NO_COLOR` is set).
    let style: TextStyle
    /// Styling for stderr.
    let errorStyle: TextStyle

    /// A console styling each stream according to whether it is a terminal.
    static func standard() -> Console {
        Console(style: .forDescriptor(STDOUT_FILENO), errorStyle: .forDescriptor(STDERR_FILENO))
    }

    /// Writes `text` to stdout as it is.
    func write(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    /// Writes `text` and a newline to stdout.
    func line(_ text: String = "") {
        write(text + "\n")
    }

    /// Writes a dimmed notice line to stdout (cell headers, timings).
    func notice(_ text: String) {
        write(style.apply(.dim, text) + "\n")
    }

    /// Writes `message` to stderr as it is (DSL errors come fully rendered).
    func error(_ message: String) {
        fflush(stdout)
        fputs(message.hasSuffix("\n") ? message : message + "\n", stderr)
        fflush(stderr)
    }

    /// Writes `error: message` to stderr, `error` in red on a terminal.
    func failure(_ message: String) {
        error(errorStyle.apply(.boldRed, "error:") + " " + message)
    }
}
