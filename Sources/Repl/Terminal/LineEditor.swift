// readline keeps its state in C globals, which Swift 6 cannot prove safe: readline is used only on the REPL's main
// thread (the line editor and the callbacks readline makes from it while reading a line).
@preconcurrency import CReadline
import Foundation

// The state readline's callbacks share with the line editor: C callbacks cannot capture context, so these are
// globals. `nonisolated(unsafe)` because, like readline's own globals, they are touched only on the REPL's main
// thread: by `LineEditor` and by the callbacks readline makes from inside `rl_callback_read_char()`.

/// The line that readline's callback interface handed over, and whether it did.
nonisolated(unsafe) private var acceptedLine: String?
nonisolated(unsafe) private var lineWasAccepted = false
nonisolated(unsafe) private var inputEnded = false
/// The completion candidates of the current Tab press, fed to readline one at a time by `completionGenerator`.
nonisolated(unsafe) private var pendingCandidates: [String] = []
nonisolated(unsafe) private var nextCandidate = 0
/// Computes completions; set by the line editor that is reading.
nonisolated(unsafe) private var completionProvider: ((CompletionRequest) -> CompletionResult)?

/// What the user typed when Tab was pressed.
struct CompletionRequest {
    /// The whole line being edited.
    let line: String
    /// The cursor position in `line`, in characters.
    let cursor: Int
    /// The word being completed (what readline will replace): the text from the last word break to the cursor.
    let word: String
    /// True when the cursor is inside an unterminated string literal (complete file paths there).
    let insideString: Bool
}

/// The candidates for a Tab press, each a whole replacement for `CompletionRequest.word`.
struct CompletionResult {
    /// Replacements for the word; readline inserts their common prefix and lists them on a second Tab.
    var candidates: [String]
    /// True for file paths: readline marks directories with `/` and closes the string after a file name.
    var arePaths = false
}

/// GNU readline in callback mode: editing, history, reverse search (Ctrl-R), Tab completion, and Ctrl-C handled
/// through `InterruptController` (select on stdin and the interrupt pipe), so a Ctrl-C at the prompt clears the line
/// and shows a fresh prompt instead of killing the process.
final class LineEditor {
    /// What one prompt produced.
    enum Input: Equatable {
        /// A line, without its newline.
        case line(String)
        /// Ctrl-C: the line was discarded.
        case interrupted
        /// Ctrl-D on an empty line, or stdin closed.
        case endOfInput
    }

    private let history: HistoryStore
    /// Set after the first failure to save history, so an unwritable history file is reported once.
    private var historyFailureReported = false

    /// An editor keeping history in `history` and completing with `complete`.
    init(history: HistoryStore, complete: @escaping (CompletionRequest) -> CompletionResult) {
        self.history = history
        completionProvider = complete
        rl_readline_name = UnsafePointer(strdup("rnx"))
        rl_catch_signals = 0
        rl_catch_sigwinch = 1
        // Quotes start file paths: inside an open string readline takes the whole text after the quote as the word.
        rl_completer_quote_characters = UnsafePointer(strdup("\"'"))
        rl_completion_word_break_hook = wordBreakCharacters
        rl_attempted_completion_function = attemptCompletion
        using_history()
        stifle_history(Int32(history.limit))
        replaceReadlineHistory(with: history.load())
    }

    /// Shows `prompt` and reads one line with editing, starting with `indent` already typed (the REPL's
    /// auto-indent inside a block, as IPython's); Ctrl-C returns `.interrupted` after moving to a new line.
    func readLine(prompt: String, indent: String = "") -> Input {
        InterruptController.shared.drainPrompt()
        acceptedLine = nil
        lineWasAccepted = false
        inputEnded = false
        rl_callback_handler_install(prompt) { line in
            if let line {
                acceptedLine = String(cString: line)
                free(line)
            } else {
                inputEnded = true
            }
            lineWasAccepted = true
            // Stop readline from reprinting the prompt before we have run the line.
            rl_callback_handler_remove()
        }
        defer { if !lineWasAccepted { rl_callback_handler_remove() } }
        // Text typed ahead or pasted already holds its own indentation: auto-indent only a line the person types now.
        var pending = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        if !indent.isEmpty, poll(&pending, 1, 0) == 0 {
            rl_insert_text(indent)
            rl_redisplay()
        }

        let interruptDescriptor = InterruptController.shared.promptDescriptor
        while !lineWasAccepted {
            var descriptors = [
                pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                pollfd(fd: interruptDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, interruptDescriptor >= 0 ? 2 : 1, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return .endOfInput
            }
            if descriptors[1].revents & Int16(POLLIN) != 0, InterruptController.shared.drainPrompt() {
                discardLine()
                return .interrupted
            }
            if descriptors[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                rl_callback_read_char()
            }
        }
        if inputEnded {
            fputs("\n", StandardStream.output)
            fflush(StandardStream.output)
            return .endOfInput
        }
        return .line(acceptedLine ?? "")
    }

    /// Records an entry (a line, or a multi-line block recalled as one) in readline's history and the history file
    /// (blank entries are skipped).
    func remember(_ entry: String) {
        guard !entry.allSatisfy(\.isWhitespace) else { return }
        do {
            replaceReadlineHistory(with: try history.add(entry))
        } catch {
            // The session goes on without persisting; the entry is still recalled in this session.
            add_history(entry)
            if !historyFailureReported {
                fputs("warning: history is not saved: \(error)\n", StandardStream.error)
                historyFailureReported = true
            }
        }
    }

    /// Abandons the partly typed line after Ctrl-C: ends any incremental search, shows `^C` and moves to a new line.
    private func discardLine() {
        rl_callback_sigcleanup()
        rl_free_line_state()
        rl_point = rl_end
        rl_redisplay()
        // Before the handler goes: leaving bracketed-paste mode writes a carriage return, which must land on the
        // fresh line, not overwrite the abandoned one.
        fputs("^C", StandardStream.output)
        rl_crlf()
        fflush(StandardStream.output)
        rl_callback_handler_remove()
    }

    private func replaceReadlineHistory(with entries: [String]) {
        clear_history()
        for entry in entries { add_history(entry) }
        using_history()
    }
}

/// In code `.` separates an object from its attribute; after a `:` command only spaces separate words (paths keep `/`).
/// `nonisolated(unsafe)`: allocated once and never written or freed; readline only reads them.
nonisolated(unsafe) private let codeWordBreaks = strdup(" \t\n\"'`@$><=;|&{([,+-*/%:!~^.]})")
nonisolated(unsafe) private let commandWordBreaks = strdup(" \t\n")

/// readline's hook choosing the word break characters for the line being completed.
private func wordBreakCharacters() -> UnsafeMutablePointer<CChar>? {
    guard let buffer = rl_line_buffer else { return codeWordBreaks }
    let line = String(cString: buffer)
    return line.drop(while: { $0 == " " }).hasPrefix(":") ? commandWordBreaks : codeWordBreaks
}

/// readline's completion hook: builds the request from the line buffer and returns readline's match list.
private func attemptCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32)
    -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
{
    rl_attempted_completion_over = 1
    guard let provider = completionProvider, let buffer = rl_line_buffer else { return nil }
    let bytes = Array(
        UnsafeBufferPointer(
            start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
            count: Int(rl_end)))
    let cursorBytes = max(0, min(Int(rl_point), bytes.count))
    let line = String(decoding: bytes, as: UTF8.self)
    let beforeCursor = String(decoding: bytes[..<cursorBytes], as: UTF8.self)
    let word = text.map { String(cString: $0) } ?? ""
    let startBytes = max(0, min(Int(start), bytes.count))
    // readline already skipped an open quote; it is inside a string when the quote precedes the word.
    let insideString =
        startBytes > 0 && (bytes[startBytes - 1] == UInt8(ascii: "\"") || bytes[startBytes - 1] == UInt8(ascii: "'"))
        && StringLiteralProbe.isInsideString(String(decoding: bytes[..<startBytes], as: UTF8.self))
    let request = CompletionRequest(line: line, cursor: beforeCursor.count, word: word, insideString: insideString)
    let result = provider(request)
    pendingCandidates = result.candidates.filter { $0.hasPrefix(word) }
    nextCandidate = 0
    rl_completion_append_character = 0
    rl_filename_completion_desired = result.arePaths ? 1 : 0
    rl_completion_suppress_quote = result.arePaths ? 0 : 1
    guard !pendingCandidates.isEmpty, let text else { return nil }
    return rl_completion_matches(text, completionGenerator)
}

/// readline's generator protocol: called with state 0, 1, 2, … until it returns nil; readline frees each string.
private func completionGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    if state == 0 { nextCandidate = 0 }
    guard nextCandidate < pendingCandidates.count else { return nil }
    defer { nextCandidate += 1 }
    return strdup(pendingCandidates[nextCandidate])
}
