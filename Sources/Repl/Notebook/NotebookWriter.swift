/// Writes cells back as `.rnx` text (Jupytext percent format), the inverse of `NotebookParser`.
enum NotebookWriter {
    /// The text of a notebook holding `cells`: each cell starts with its `# %%` marker and ends with a blank line.
    static func text(of cells: [Cell]) -> String {
        cells.map(text(of:)).joined(separator: "\n")
    }

    /// One cell with its marker line; markdown lines are commented with `# ` again.
    static func text(of cell: Cell) -> String {
        var marker = "# %%"
        if !cell.title.isEmpty { marker += " " + cell.title }
        switch cell.kind {
        case .code: break
        case .markdown: marker += " [markdown]"
        case .raw: marker += " [raw]"
        }
        let body: String
        if cell.kind == .markdown {
            body = cell.source.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "#" : "# " + $0 }
                .joined(separator: "\n")
        } else {
            body = cell.source
        }
        return marker + "\n" + body + "\n"
    }
}
