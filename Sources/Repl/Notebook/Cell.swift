import Foundation

/// One cell of a `.rnx` notebook (Jupytext percent format): the text between two `# %%` marker lines.
struct Cell: Equatable {
    /// What a cell holds, from the marker's `[markdown]`/`[raw]` option.
    enum Kind: Equatable {
        /// DSL statements, run by `:run`, `rnx run` and `rnx walk`.
        case code
        /// Commented markdown (`# ` before each line), shown by `rnx walk`, never run.
        case markdown
        /// Text kept as it is and never run (Jupytext `[raw]`).
        case raw
    }

    /// Code, markdown or raw.
    var kind: Kind
    /// The text after `# %%` on the marker line, without the `[kind]` option; empty when there is none.
    var title: String
    /// Code and raw cells: the lines as written. Markdown cells: the markdown with the leading `# ` removed from each line.
    var source: String
    /// The 1-based line in the file of the first line of `source`, so diagnostics can point at the file's real lines.
    var startLine: Int

    /// The first non-blank line of the source (or the title), for listings such as `:cells`.
    var summary: String {
        let firstLine = source.split(separator: "\n").first { !$0.allSatisfy(\.isWhitespace) }
        if let firstLine { return firstLine.trimmingCharacters(in: .whitespaces) }
        return title
    }
}
