import Foundation

/// `rnx run`: applies `--set` overrides and chart/log settings, then runs the chosen code cells in order,
/// printing each cell's output and time, and stopping at the first error.
struct ScriptRunner {
    /// The session the script runs in.
    let session: Session

    /// Runs `file`; throws `ExitCode`-worthy `ReplError`s for bad options and a failed cell.
    func run(file: String, cells: String?, overrides: [String], charts: String?, log: String?) throws {
        let notebook = try Notebook(contentsOf: file)
        session.use(notebook)
        let selection = try CellSelection(cells ?? "all", cellCount: notebook.cells.count)
        for option in overrides {
            guard let equals = option.firstIndex(of: "=") else {
                throw ReplError("--set \(option): expected name=value, e.g. --set lr=0.05")
            }
            try session.engine.setOverride(name: String(option[..<equals]).trimmingCharacters(in: .whitespaces),
                                           valueSource: String(option[option.index(after: equals)...]))
        }
        if let charts { try ChartSettings.apply(.directory(charts)) }
        if let log { try ChartSettings.setMetricsLog(log) }

        let started = DispatchTime.now()
        var ran = 0
        for number in selection.numbers where notebook.cells[number - 1].kind == .code {
            guard session.runCell(number, showTime: true) else {
                throw ReplError("\(file): stopped at cell \(number)")
            }
            ran += 1
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        session.console.notice("ran \(ran) cell\(ran == 1 ? "" : "s") of \(file) in \(DurationFormat.text(seconds))")
    }
}
