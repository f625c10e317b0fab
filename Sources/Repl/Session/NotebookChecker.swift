/// `rnx check`: parses every code cell of a notebook without running anything.
struct NotebookChecker {
    /// Answers the parse questions.
    let engine: Engine
    /// Where errors and the summary go.
    let console: Console

    /// Checks `file`; returns true when every code cell is fine. Throws when the file cannot be read.
    func check(file: String) throws -> Bool {
        let notebook = try Notebook(contentsOf: file)
        var problems = 0
        for number in notebook.codeCellNumbers {
            let cell = notebook.cells[number - 1]
            if let message = engine.syntaxError(in: cell.source, file: file, firstLine: cell.startLine) {
                console.error(message)
                problems += 1
            }
        }
        let cellCount = notebook.codeCellNumbers.count
        if problems == 0 {
            console.line("\(file): \(cellCount) code cell\(cellCount == 1 ? "" : "s"), no errors")
        } else {
            console.error("\(file): \(problems) error\(problems == 1 ? "" : "s") in \(cellCount) code cell\(cellCount == 1 ? "" : "s")")
        }
        return problems == 0
    }
}
