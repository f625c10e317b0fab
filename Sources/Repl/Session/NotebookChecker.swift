import Basics
import DSL

/// `rnx check`: parses every code cell of a notebook and checks its names without running anything.
/// Every problem is listed (`file:line:col`, the line with a caret, and a "did you mean" when a known name is close).
struct NotebookChecker {
    /// Where problems and the summary go.
    let console: Console

    /// Checks `file`; returns true when every code cell parses and uses only names it defines (or builtins).
    /// Throws when the file cannot be read.
    func check(file: String) throws -> Bool {
        let notebook = try Notebook(contentsOf: file)
        let cells = notebook.codeCellNumbers.map { number in
            ScriptCell(source: notebook.cells[number - 1].source, firstLine: notebook.cells[number - 1].startLine)
        }
        let problems = NameCheck().check(cells, file: file).problems
        for problem in problems { console.error(problem.rendered) }
        let cellText = Plural.count(cells.count, "code cell")
        if problems.isEmpty {
            console.line("\(file): \(cellText), no errors")
        } else {
            let isSyntax = problems.contains { $0.kind == .syntax }
            let skipped = isSyntax ? " (names are checked once every cell parses)" : ""
            console.error("\(file): \(Plural.count(problems.count, "error")) in \(cellText)\(skipped)")
        }
        return problems.isEmpty
    }
}
