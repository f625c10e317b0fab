import DSL
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

    /// Writes `text` to stdout as it is, every byte of it (a NUL included, which `fputs` would stop at).
    func write(_ text: String) {
        guard rank == nil else { return }
        Console.emit(text, to: StandardStream.output)
    }

    /// Writes `text` and a newline to stdout.
    func line(_ text: String = "") {
        write(text + "\n")
    }

    /// Writes a dimmed notice line to stdout (cell headers, timings).
    func notice(_ text: String) {
        write(style.apply(.dim, text) + "\n")
    }

    /// Writes `message` to stderr (DSL errors come fully rendered). Messages quote names and paths from data and
    /// files, so control characters in it are shown escaped (`TerminalText`) instead of reaching the terminal.
    func error(_ message: String) {
        report(TerminalText.escaped(message))
    }

    /// Writes `error: message` to stderr, `error` in red on a terminal, the message escaped as `error(_:)` does.
    func failure(_ message: String) {
        report(errorStyle.apply(.boldRed, "error:") + " " + TerminalText.escaped(message))
    }

    private func report(_ message: String) {
        fflush(StandardStream.output)
        let text = rank.map { "[rank \($0)] " + message } ?? message
        Console.emit(text.hasSuffix("\n") ? text : text + "\n", to: StandardStream.error)
    }

    private static func emit(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        var text = text
        text.withUTF8 { bytes in _ = fwrite(bytes.baseAddress, 1, bytes.count, stream) }
        fflush(stream)
    }
}
