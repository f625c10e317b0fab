import DSL
import Foundation

/// The read-eval-print loop, on a terminal (readline, prompts, history, completion) or on piped input
/// (no prompts, no escape codes; entries run as soon as they are complete).
struct ReplLoop {
    /// The session the entries run in.
    let session: Session
    /// Performs `:` commands.
    let commands: CommandRunner

    /// The prompt for a new entry.
    static let prompt = "rnx> "
    /// The prompt while an entry continues (open bracket, block).
    static let continuationPrompt = "...  "
    /// History entries kept in the history file.
    static let historyLimit = 1000

    /// The REPL on the terminal; returns when the user quits (Ctrl-D or `:quit`).
    func runInteractive(showBanner: Bool = true) {
        let console = session.console
        if showBanner {
            console.line("rnx \(rnxVersion) · type :help for commands, help(name) for a builtin, Ctrl-D to quit")
        }
        let engine = session.engine
        let completer = CommandCompleter(
            codeCompletions: { engine.completions(line: $0, cursor: $1) },
            helpTopics: { engine.helpTopics })
        let editor = LineEditor(
            history: HistoryStore(url: HistoryStore.defaultURL(), limit: Self.historyLimit),
            complete: completer.complete)
        var buffer = EntryBuffer(isComplete: engine.isComplete)
        var entryNumber = 0
        while true {
            switch editor.readLine(prompt: buffer.isEmpty ? Self.prompt : Self.continuationPrompt, indent: buffer.nextIndent) {
            case .endOfInput:
                return
            case .interrupted:
                buffer.clear()
            case .line(let typed):
                // A bracketed paste or a recalled multi-line history entry arrives as one "line" holding newlines:
                // take it line by line. History keeps whole entries, so up-arrow recalls a block as one.
                let lines = typed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for (index, line) in lines.enumerated() {
                    if buffer.isEmpty, Self.isCommand(line) || Self.helpQuery(line) != nil {
                        editor.remember(line)
                        if commands.perform(Self.helpQuery(line).map { ":help " + $0 } ?? line) == .quit { return }
                        continue
                    }
                    var entries = buffer.add(line)
                    if lines.count > 1, index == lines.count - 1, let block = buffer.finishIfBlockComplete() {
                        // A recalled block is whole: it runs on Enter without waiting for a blank line.
                        entries.append(block)
                    }
                    for entry in entries {
                        editor.remember(entry.source)
                        entryNumber += 1
                        session.run(entry.source, file: "<input-\(entryNumber)>")
                    }
                }
            }
        }
    }

    /// The REPL on piped input (`rnx < script.rnx`): reads to the end (or `:quit`) and stops at the first error,
    /// reported with the input's line numbers, as `python < script.py` does. Returns the exit status: 0, 1 after an
    /// error, 130 after Ctrl-C (which also ends the process while it waits for input).
    @discardableResult
    func runPiped() -> Int32 {
        InterruptController.shared.setIdleAction {
            fputs("\nKeyboardInterrupt\n", StandardStream.error)
            exit(130)
        }
        let engine = session.engine
        // Ctrl-C ends a piped run as it ends Python's: fit stops between batches, then nothing after it runs.
        engine.interruptEndsProgram = true
        var buffer = EntryBuffer(isComplete: engine.isComplete)
        func run(_ entry: EntryBuffer.Entry) -> Int32? {
            let succeeded = session.run(entry.source, file: "<stdin>", firstLine: entry.firstLine)
            if engine.takeInterruption() {
                // Said as `rnx run` says it: where it stopped, and that nothing after it ran.
                let line = (succeeded ? nil : engine.lastFailureLine) ?? entry.firstLine
                session.console.failure("<stdin>: interrupted (Ctrl-C) at line \(line); the input after it did not run")
                return ReplError.interruptedExitCode
            }
            return succeeded ? nil : 1
        }
        while let line = readLine(strippingNewline: true) {
            if buffer.isEmpty, Self.isCommand(line) || Self.helpQuery(line) != nil {
                buffer.skipLine()
                if commands.perform(Self.helpQuery(line).map { ":help " + $0 } ?? line) == .quit { return 0 }
                if session.hadError { return 1 }
                continue
            }
            for entry in buffer.add(line) {
                if let status = run(entry) { return status }
            }
        }
        if let entry = buffer.finish(), let status = run(entry) { return status }
        return 0
    }

    /// The name asked about by IPython's help syntax, `fit?`, `?fit`, `Tensor.mean??`; nil for any other line (no
    /// statement starts or ends with `?`).
    static func helpQuery(_ line: String) -> String? {
        var name = Substring(line.trimmingCharacters(in: .whitespaces))
        if name.hasPrefix("?") {
            name = name.drop(while: { $0 == "?" })
        } else if name.hasSuffix("?") {
            while name.hasSuffix("?") { name = name.dropLast() }
        } else {
            return nil
        }
        name = Substring(name.trimmingCharacters(in: .whitespaces))
        guard let first = name.first, first.isLetter || first == "_",
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." })
        else { return nil }
        return String(name)
    }

    /// A line starting with `:` (after spaces) is a command: no statement starts with a colon.
    static func isCommand(_ line: String) -> Bool {
        line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix(":")
    }
}
