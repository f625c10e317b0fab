/// Collects input lines into complete entries (one statement, or a block) before they run: the REPL shows `...` while
/// an entry is incomplete, and piped or scripted input is cut into the same entries.
///
/// An entry ends when the DSL says it is complete. A block (`for`, `def`, …) ends with a blank line, or when a new
/// unindented line starts that does not continue the block (`else`, `elif`, `except`, `finally`), so pasted
/// scripts need no blank lines between a block and what follows.
struct EntryBuffer {
    /// Asks the language whether `source` is a whole entry (no open bracket or string, and any block ended by a
    /// trailing blank line, passed as a final `\n`).
    let isComplete: (String) -> Bool
    /// A complete entry and the input line it started on (1-based), so errors can name the real line.
    struct Entry: Equatable {
        /// The entry's text, lines joined with `\n`.
        let source: String
        /// The number of the entry's first line among all lines added to the buffer.
        let firstLine: Int
    }

    /// The lines of the entry being typed.
    private(set) var lines: [String] = []
    /// How many lines were added so far.
    private var lineCount = 0
    /// The number of the first line of the entry being typed.
    private var entryFirstLine = 1

    /// A buffer deciding completeness with `isComplete` (the DSL's `Interpreter.isComplete` in the REPL).
    init(isComplete: @escaping (String) -> Bool) {
        self.isComplete = isComplete
    }

    /// True when no entry is in progress (the REPL then shows the primary prompt).
    var isEmpty: Bool { lines.isEmpty }

    /// The indentation the next line of the entry most likely needs, for the REPL's auto-indent: one level more
    /// after a line ending in `:`, one less after `return`, `pass`, `break` or `continue`, else the last line's.
    var nextIndent: String {
        guard let last = lines.last, !last.allSatisfy(\.isWhitespace) else { return "" }
        let indent = String(last.prefix(while: { $0 == " " || $0 == "\t" }))
        let code = last.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? last
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(":") { return indent + Self.indentUnit }
        let firstWord = trimmed.prefix(while: { $0.isLetter })
        if ["return", "pass", "break", "continue"].contains(String(firstWord)) {
            return String(indent.dropLast(Self.indentUnit.count))
        }
        return indent
    }

    /// One level of indentation, as PEP 8 and IPython.
    static let indentUnit = "    "

    /// Adds one line of input; returns the entries that became complete (at most two: a finished block and the
    /// one-line statement that ended it).
    mutating func add(_ line: String) -> [Entry] {
        lineCount += 1
        let isBlank = line.allSatisfy(\.isWhitespace)
        if lines.isEmpty {
            if isBlank { return [] }
            start(with: line)
            return takeIfComplete()
        }
        if isBlank {
            if isComplete(text + "\n") { return [take()] }
            lines.append(line)
            return []
        }
        // The entry only lacked its closing blank line: an unindented new statement ends it just as well.
        if startsNewStatement(line), lines.last?.hasSuffix("\\") == false, isComplete(text + "\n") {
            let finished = take()
            start(with: line)
            return [finished] + takeIfComplete()
        }
        lines.append(line)
        return takeIfComplete()
    }

    /// Counts a line that is not part of any entry (a `:` command in piped input), keeping later line numbers right.
    mutating func skipLine() {
        lineCount += 1
    }

    /// Ends the input (end of file): the unfinished entry, if any, so that running it reports what is missing.
    mutating func finish() -> Entry? {
        guard !lines.isEmpty else { return nil }
        return take()
    }

    /// The entry being typed when it only lacks the blank line that ends a block (a pasted or recalled block
    /// that arrived whole); nil, keeping it, while a bracket, string or block is really open.
    mutating func finishIfBlockComplete() -> Entry? {
        guard !lines.isEmpty, isComplete(text + "\n") else { return nil }
        return take()
    }

    /// Drops the entry being typed (Ctrl-C at a continuation prompt).
    mutating func clear() {
        lines = []
    }

    private var text: String { lines.joined(separator: "\n") }

    private mutating func start(with line: String) {
        lines = [line]
        entryFirstLine = lineCount
    }

    private mutating func take() -> Entry {
        let entry = Entry(source: text, firstLine: entryFirstLine)
        lines = []
        return entry
    }

    private mutating func takeIfComplete() -> [Entry] {
        isComplete(text) ? [take()] : []
    }

    /// An unindented line that is not `else:`/`elif`/`except`/`finally` begins a statement of its own.
    private func startsNewStatement(_ line: String) -> Bool {
        guard let first = line.first, !first.isWhitespace else { return false }
        let word = line.prefix(while: { $0.isLetter })
        return !["else", "elif", "except", "finally"].contains(String(word))
    }
}
