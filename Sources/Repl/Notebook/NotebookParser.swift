import Foundation

/// Splits the text of a `.rnx` file into cells (Jupytext percent format).
///
/// A line starting with `# %%` begins a cell; `# %% [markdown]` (or `[md]`) begins a markdown cell whose lines are
/// commented with `# `, and `# %% [raw]` a raw cell. Text before the first marker is a code cell of its own.
/// Blank lines around a cell's content are dropped, and every cell keeps the file line its content starts on,
/// so an error in cell 3 is reported at the file's real line. Cells with no content are dropped.
/// A `# %%` line inside a triple-quoted string of a code cell is part of the string, not a marker, so a cell
/// saved with such a string (`:save`) reads back as the same cell.
enum NotebookParser {
    /// The cells of `text`, in file order. Never fails: any text is a notebook (a file without markers is one cell).
    static func cells(in text: String) -> [Cell] {
        // "\r\n" is one Character in Swift, so split on both spellings of a line end.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var cells: [Cell] = []
        var kind = Cell.Kind.code
        var title = ""
        var body: [Substring] = []
        var bodyStartLine = 1

        func finishCell() {
            if let cell = makeCell(kind: kind, title: title, lines: body, firstLine: bodyStartLine) { cells.append(cell) }
        }

        var strings = TripleQuoteTracker()
        for (index, line) in lines.enumerated() {
            guard !strings.isInside, let marker = Marker(line) else {
                if kind == .code { strings.scan(line) }
                body.append(line)
                continue
            }
            finishCell()
            kind = marker.kind
            title = marker.title
            body = []
            bodyStartLine = index + 2
        }
        finishCell()
        return cells
    }

    /// Builds a cell from its lines, trimming blank lines at both ends; nil when nothing but blank lines remain.
    private static func makeCell(kind: Cell.Kind, title: String, lines: [Substring], firstLine: Int) -> Cell? {
        let isBlank: (Substring) -> Bool = { $0.allSatisfy(\.isWhitespace) }
        guard let first = lines.firstIndex(where: { !isBlank($0) }),
            let last = lines.lastIndex(where: { !isBlank($0) })
        else { return nil }
        let content = lines[first...last]
        let source = kind == .markdown ? content.map(uncommented) : content.map(String.init)
        return Cell(kind: kind, title: title, source: source.joined(separator: "\n"), startLine: firstLine + first)
    }

    /// A markdown line without its comment prefix: `# text` → `text`, `#` → empty; other lines stay as written.
    private static func uncommented(_ line: Substring) -> String {
        if line.hasPrefix("# ") { return String(line.dropFirst(2)) }
        if line == "#" { return "" }
        return String(line)
    }

    /// Follows a code cell line by line to know whether a triple-quoted string is still open at the end of a line
    /// (Python's rules: `#` outside a string starts a comment, a backslash escapes the next character, also in
    /// raw strings, and a single-quoted string ends at its line).
    struct TripleQuoteTracker {
        /// The delimiter (`"""` or `'''`) of the string open at the end of the last line scanned, if any.
        private var open: [Character]?

        /// Whether the lines scanned so far end inside a triple-quoted string.
        var isInside: Bool { open != nil }

        /// Advances over one line.
        mutating func scan(_ line: Substring) {
            let characters = Array(line)
            var index = 0
            func startsWith(_ delimiter: [Character], at position: Int) -> Bool {
                position + delimiter.count <= characters.count && Array(characters[position..<position + delimiter.count]) == delimiter
            }
            while index < characters.count {
                let character = characters[index]
                if let delimiter = open {
                    if character == "\\" {
                        index += 2
                    } else if startsWith(delimiter, at: index) {
                        open = nil
                        index += 3
                    } else {
                        index += 1
                    }
                    continue
                }
                if character == "#" { return }
                guard character == "\"" || character == "'" else {
                    index += 1
                    continue
                }
                let triple = [Character](repeating: character, count: 3)
                if startsWith(triple, at: index) {
                    open = triple
                    index += 3
                    continue
                }
                // A single-quoted string: skip to its closing quote on this line.
                index += 1
                while index < characters.count, characters[index] != character {
                    index += characters[index] == "\\" ? 2 : 1
                }
                index += 1
            }
        }
    }

    /// A parsed `# %%` marker line.
    private struct Marker {
        let kind: Cell.Kind
        let title: String

        /// Recognises `# %%`, `# %% title`, `# %% [markdown]`, `# %% title [md]`; nil for any other line.
        init?(_ line: Substring) {
            guard line.hasPrefix("# %%") else { return nil }
            var rest = line.dropFirst(4)
            // `# %%%` or `# %%x` is an ordinary comment, not a marker.
            if let next = rest.first, !next.isWhitespace { return nil }
            rest = rest.drop(while: \.isWhitespace)
            var kind = Cell.Kind.code
            for (option, optionKind) in [("[markdown]", Cell.Kind.markdown), ("[md]", .markdown), ("[raw]", .raw)] {
                if let range = rest.range(of: option) {
                    kind = optionKind
                    rest.removeSubrange(range)
                    break
                }
            }
            self.kind = kind
            self.title = rest.trimmingCharacters(in: .whitespaces)
        }
    }
}
