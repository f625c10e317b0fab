import Basics
import DSL
import Foundation

/// Carries out `:` commands on a session.
struct CommandRunner {
    /// What the REPL does after a command.
    enum Next {
        /// Read the next input.
        case proceed
        /// Leave the REPL (`:quit`).
        case quit
    }

    /// The session the commands act on.
    let session: Session
    /// Opens files in the user's editor (`:edit`).
    let editor: ExternalEditor

    private var console: Console { session.console }

    /// Parses and performs `line` (starting with `:`); mistakes are reported and the session goes on.
    func perform(_ line: String) -> Next {
        do {
            return try perform(try ReplCommand(parsing: line))
        } catch {
            console.failure("\(error)")
            session.noteError()
            return .proceed
        }
    }

    /// Performs a parsed command.
    func perform(_ command: ReplCommand) throws -> Next {
        switch command {
        case .help(let topic): help(topic)
        case .load(let path):
            try session.load(path)
            let notebook = session.notebook
            console.line(
                "loaded \(Plural.count(notebook.cells.count, "cell")) (\(notebook.codeCellNumbers.count) code) from \(path); :cells lists them, :next runs the first"
            )
        case .cells: listCells()
        case .run(let text):
            _ = session.runCells(try CellSelection(text, cellCount: session.notebook.cells.count))
        case .next: runNext()
        case .edit(let number): try edit(number)
        case .vars: listVariables()
        case .time(let setting):
            if let setting { session.timing = setting ? .always : .never }
            switch session.timing {
            case .always: console.line("timing: every entry")
            case .never: console.line("timing: off")
            case .slow: console.line("timing: entries slower than \(DurationFormat.text(session.slowThreshold))")
            }
        case .reset:
            session.reset()
            console.line("all variables forgotten")
        case .save(let path): try save(to: path)
        case .plot(let setting):
            if let setting { try ChartSettings.apply(setting) }
            console.line(ChartSettings.description)
        case .quit: return .quit
        }
        return .proceed
    }

    private func help(_ topic: String?) {
        guard let topic else {
            console.line("rnx \(rnxVersion): a Python-like language for training ResNets.\n")
            console.line(ReplCommand.summary)
            console.line("\nhelp(name) or :help name explains a builtin; Tab completes names, Ctrl-R searches history, Ctrl-C interrupts.")
            return
        }
        if topic.hasPrefix(":") {
            let name = String(topic.dropFirst())
            let lines = ReplCommand.summary.split(separator: "\n").filter { $0.hasPrefix(":" + name) || $0.contains(";  :" + name) }
            guard !lines.isEmpty else { return console.failure("unknown command '\(topic)'; type :help for the list") }
            lines.forEach { console.line(String($0)) }
            return
        }
        switch session.engine.help(topic) {
        case .success(let display): if let display { console.line(display) }
        case .failure(let message, _): console.error(message)
        }
    }

    private func listCells() {
        let notebook = session.notebook
        guard !notebook.cells.isEmpty else { return console.line("no cells loaded; :load FILE.rnx reads a notebook") }
        let width = String(notebook.cells.count).count
        for (index, cell) in notebook.cells.enumerated() {
            let marker = index == session.nextCellIndex ? "→" : " "
            let number = String(repeating: " ", count: width - String(index + 1).count) + String(index + 1)
            let kind: String
            switch cell.kind {
            case .code: kind = "    "
            case .markdown: kind = "[md]"
            case .raw: kind = "[raw]"
            }
            let summary = cell.summary.count > 60 ? String(cell.summary.prefix(59)) + "…" : cell.summary
            console.line("\(marker)\(number) \(kind) \(summary)" + console.style.apply(.dim, "  (line \(cell.startLine))"))
        }
    }

    private func runNext() {
        let cells = session.notebook.cells
        guard !cells.isEmpty else { return console.line("no cells loaded; :load FILE.rnx reads a notebook") }
        while session.nextCellIndex < cells.count {
            let number = session.nextCellIndex + 1
            let isCode = cells[number - 1].kind == .code
            session.runCell(number)
            if isCode { return }
        }
        console.line("no more cells; :run N runs any cell again")
    }

    private func edit(_ number: Int) throws {
        let cells = session.notebook.cells
        guard cells.indices.contains(number - 1) else {
            throw ReplError("cell \(number) does not exist: " + (cells.isEmpty ? "no cells are loaded" : "the cells are numbered 1-\(cells.count)"))
        }
        let edited = try editor.edit(cells[number - 1].source, fileName: "cell\(number).rnx")
        session.replaceCell(number, source: edited)
        console.line("cell \(number) updated; :run \(number) runs it")
    }

    private func listVariables() {
        let rows = session.engine.variables()
        guard !rows.isEmpty else { return console.line("no variables defined yet") }
        let header = ["name", "type", "shape", "memory", "value"]
        let table = [header] + rows.map { [$0.name, $0.type, $0.shape, $0.memory, $0.summary] }
        let widths = (0..<header.count).map { column in table.map { $0[column].count }.max() ?? 0 }
        for (index, row) in table.enumerated() {
            let text = row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            console.line(index == 0 ? console.style.apply(.bold, text) : text)
        }
    }

    private func save(to path: String) throws {
        let cells = session.transcript
        guard !cells.isEmpty else { throw ReplError("nothing to save yet: no input has run successfully") }
        try TextFile.save(NotebookWriter.text(of: cells), to: URL(fileURLWithPath: path))
        console.line("saved \(Plural.count(cells.count, "cell")) to \(path)")
    }
}
