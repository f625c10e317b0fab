import ArgumentParser
import DSL
import Foundation

/// What every subcommand sets up: console, engine, session, Ctrl-C handling.
struct CommandContext {
    /// The session the subcommand works in.
    let session: Session
    /// The REPL around the session.
    let loop: ReplLoop

    /// Installs Ctrl-C handling and creates a session (the interpreter itself is created on first use);
    /// `plain` turns escape codes off whatever the output is.
    init(plain: Bool = false) throws {
        let console = (plain ? Console(style: TextStyle(enabled: false), errorStyle: TextStyle(enabled: false)) : Console.standard())
            .forRank(DistributedRun.rank)
        try InterruptController.shared.install()
        session = Session(engine: Engine(console: console), console: console)
        loop = ReplLoop(session: session, commands: CommandRunner(session: session, editor: .fromEnvironment()))
    }

    /// Runs `body`; a `ReplError` (missing file, bad option) is printed as `error: message` and exits with its
    /// status (1, or 130 after Ctrl-C).
    func reporting(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ReplError {
            session.console.failure(error.message)
            throw ExitCode(error.exitCode)
        }
    }
}
