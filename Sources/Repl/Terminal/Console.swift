import Foundation

/// Where the REPL writes: results and program output to stdout, errors and notices to stderr, each flushed at once
/// so that text from the interpreter's thread, readline and the REPL appears in the order it was produced.
struct Console {
    /// Styling for stdout (off when it is not a terminal or `NO_COLOR` is set).
    let style: TextStyle
    /// Styling for stderr.
    let errorStyle: TextStyle
    /// Set on ranks other than 0 of an mpirun launch: their stdout is dropped (rank 0 speaks for all) and their
    /// errors start with `[rank N] ` so a failing rank can be told apart.
    var rank: Int?

    /// A console styling each stream according to whether it is a terminal.
    static func standard() -> Console {
        Console(style: .forDescriptor(STDOUT_FILENO), errorStyle: .forDescriptor(STDERR_FILENO))
    }

    /// This console as rank `rank` of an mpirun launch uses it (unchanged on rank 0).
    func forRank(_ rank: Int) -> Console {
        var console = self
        console.rank = rank == 0 ? nil : rank
        return console
    }

    /// Writes `text` to stdout as it is.
    func write(_ text: String) {
        guard rank == nil else { return }
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
        let text = rank.map { "[rank \($0)] " + message } ?? message
        fputs(text.hasSuffix("\n") ? text : text + "\n", stderr)
        fflush(stderr)
    }

    /// Writes `error: message` to stderr, `error` in red on a terminal.
    func failure(_ message: String) {
        error(errorStyle.apply(.boldRed, "error:") + " " + message)
    }
}
