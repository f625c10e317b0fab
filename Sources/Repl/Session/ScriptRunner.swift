import Basics
import DSL
import Foundation

/// `rnx run`: pins `--set` overrides (warning about names the script never uses), applies chart/log settings,
/// then runs the chosen code cells in order, printing each cell's output and time, and stopping at the first error.
struct ScriptRunner {
    /// The session the script runs in.
    let session: Session

    /// Runs `file`; throws `ExitCode`-worthy `ReplError`s for bad options and a failed cell.
    /// `output` (`.ipynb` or `.html`) receives the executed notebook; `tensorboard` is fit's default event-file directory.
    func run(
        file: String, cells: String?, overrides: [String], charts: String?, log: String?, output: String? = nil,
        tensorboard: String? = nil
    ) throws {
        if let output, try NotebookDocument.Format(path: output, writing: true) == .rnx {
            throw ReplError("--to \(output): expected a file ending in .ipynb or .html")
        }
        let notebook = try Notebook(contentsOf: file)
        session.use(notebook)
        // Ctrl-C stops the script, not only the cell: fit ends between batches, then nothing after it runs.
        session.engine.interruptEndsProgram = true
        // An empty script runs, as an empty Python file does; only asking for cells it does not have is an error.
        let numbers = notebook.cells.isEmpty && cells == nil ? [] : try CellSelection(cells ?? "all", cellCount: notebook.cells.count).numbers
        try session.engine.setOverrides(overrides)
        NotebookChecker(console: session.console).warnAboutUnusedSettings(session.engine.overrideNames, in: notebook)
        if let charts { try ChartSettings.apply(.directory(charts)) }
        if let log { try ChartSettings.setMetricsLog(log) }
        if let tensorboard { try ChartSettings.setTensorBoardDirectory(tensorboard) }

        let started = DispatchTime.now()
        if let output {
            let (executed, stop) = NotebookExecutor(session: session).execute(notebook, numbers: numbers)
            try NotebookDocument.write(executed, to: output, title: URL(fileURLWithPath: file).lastPathComponent)
            switch stop {
            case .failed(let cell): throw ReplError("\(file): stopped at cell \(cell); wrote \(output) up to it")
            case .interrupted(let cell, let line):
                throw interrupted(file: file, notebook: notebook, cell: cell, line: line, of: numbers, wrote: output)
            case nil: break
            }
            let ran = executed.cells.filter { $0.executionCount != nil }.count
            session.console.notice("ran \(Plural.count(ran, "cell")) of \(file), wrote \(output)")
            return
        }
        var ran = 0
        for number in numbers where notebook.cells[number - 1].kind == .code {
            let succeeded = session.runCell(number, showTime: true)
            if session.engine.takeInterruption() {
                throw interrupted(
                    file: file, notebook: notebook, cell: number, line: succeeded ? nil : session.engine.lastFailureLine, of: numbers)
            }
            guard succeeded else {
                throw ReplError("\(file): stopped at cell \(number)")
            }
            ran += 1
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        session.console.notice("ran \(Plural.count(ran, "cell")) of \(file) in \(DurationFormat.text(seconds))")
    }

    /// The error ending a run that Ctrl-C stopped in `cell` (at file line `line`, when known): exit status 130, and
    /// where it stopped, whether later cells were skipped and which executed notebook was written up to it.
    private func interrupted(file: String, notebook: Notebook, cell: Int, line: Int?, of numbers: [Int], wrote output: String? = nil) -> ReplError {
        let place = line.map { "at line \($0)" } ?? "(it starts at line \(notebook.cells[cell - 1].startLine))"
        let later = numbers.contains { $0 > cell && notebook.cells[$0 - 1].kind == .code }
        return ReplError(
            "\(file): interrupted (Ctrl-C) in cell \(cell) \(place)" + (later ? "; the cells after it did not run" : "")
                + (output.map { "; wrote \($0) up to it" } ?? ""),
            exitCode: ReplError.interruptedExitCode)
    }
}
