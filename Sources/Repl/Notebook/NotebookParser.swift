import Foundation

/// Splits the text of a `.rnx` file into cells (Jupytext percent format).
///
/// A line starting with `# %%` begins a cell; `# %% [markdown]` (or `[md]`) begins a markdown cell whose lines are
/// commented with `# `, and `# %% [raw]` a raw cell. Text before the first marker is a code cell of its own.
/// Blank lines around a cell's content are dropped, and every cell keeps the file line its content starts on,
/// so an error in cell 3 is reported at the file's real line. Cells with no content are dropped.
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

        for (index, line) in lines.enumerated() {
            guard let marker = Marker(line) else {
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
              let last = lines.lastIndex(where: { !isBlank($0) }) else { return nil }
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
