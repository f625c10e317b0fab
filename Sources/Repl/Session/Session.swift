import Foundation

/// One interactive session's state around the interpreter: the loaded notebook, which cell is next,
/// the inputs that ran successfully (for `:save`), timing, and whether any error happened (the exit status).
final class Session {
    /// Runs DSL sources.
    let engine: Engine
    /// Where results, notices and errors go.
    let console: Console
    /// The loaded notebook (`:load`, `rnx walk`); empty until one is loaded.
    private(set) var notebook = Notebook(file: "", cells: [])
    /// Index into `notebook.cells` of the cell `:next` runs.
    var nextCellIndex = 0
    /// Which entries show their wall time.
    enum Timing: Equatable {
        /// Entries slower than `slowThreshold` (the default).
        case slow
        /// Every entry (`:time on`).
        case always
        /// None (`:time off`).
        case never
    }

    /// Which entries show their wall time; `rnx run` shows every cell's whatever it says.
    var timing = Timing.slow
    /// Entries taking at least this many seconds show their time even with `:time off`.
    let slowThreshold: Double = 1.0
    /// The sources that ran without error, in order, as cells for `:save`.
    private(set) var transcript: [Cell] = []
    /// True once any entry or cell failed (the exit status of `rnx < script` and `rnx run`).
    private(set) var hadError = false

    /// A session running on `engine` and writing to `console`.
    init(engine: Engine, console: Console) {
        self.engine = engine
        self.console = console
    }

    /// Runs one entry or cell; shows its value, its error, and its time when slow (or always with `:time on`).
    /// Returns true when it succeeded.
    @discardableResult
    func run(_ source: String, file: String, firstLine: Int = 1, showTime: Bool = false) -> Bool {
        let started = DispatchTime.now()
        let outcome = engine.run(source, file: file, firstLine: firstLine)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let succeeded: Bool
        switch outcome {
        case .success(let display):
            if let display { console.line(display) }
            transcript.append(Cell(kind: .code, title: "", source: source, startLine: 1))
            succeeded = true
        case .failure(let message, let interrupted):
            // The terminal echoed ^C on the output line; start the report on a line of its own.
            console.error(interrupted ? "\n" + message : message)
            hadError = true
            succeeded = false
        }
        if showTime || timing == .always || (timing == .slow && seconds >= slowThreshold) {
            console.notice("(\(DurationFormat.text(seconds)))")
        }
        return succeeded
    }

    /// Runs cell `number` (1-based) of the loaded notebook: markdown is shown, code runs under a header line
    /// naming the cell and its file line. Returns true when it succeeded (markdown always does).
    @discardableResult
    func runCell(_ number: Int, showTime: Bool = false, showHeader: Bool = true) -> Bool {
        guard notebook.cells.indices.contains(number - 1) else { return false }
        let cell = notebook.cells[number - 1]
        nextCellIndex = number
        switch cell.kind {
        case .markdown:
            console.line(MarkdownRenderer(style: console.style).render(cell.source))
            return true
        case .raw:
            return true
        case .code:
            if showHeader { console.notice("── cell \(number) · \(notebook.file):\(cell.startLine) ──") }
            // Charts saved by `--charts` are named after their cell (`cell04-learning-rate-finder.png`).
            engine.interpreter.chartFilePrefix = String(format: "cell%02d", number)
            defer { engine.interpreter.chartFilePrefix = nil }
            return run(cell.source, file: notebook.file, firstLine: cell.startLine, showTime: showTime)
        }
    }

    /// Runs the cells of `selection` in order, stopping at the first error; true when all succeeded.
    @discardableResult
    func runCells(_ selection: CellSelection, showTime: Bool = false) -> Bool {
        for number in selection.numbers where !runCell(number, showTime: showTime) { return false }
        return true
    }

    /// Reads the notebook at `path` (replacing the loaded one; nothing runs).
    func load(_ path: String) throws {
        notebook = try Notebook(contentsOf: path)
        nextCellIndex = 0
    }

    /// Uses `notebook` as the loaded notebook.
    func use(_ notebook: Notebook) {
        self.notebook = notebook
        nextCellIndex = 0
    }

    /// Replaces the source of cell `number` (after `:edit`).
    func replaceCell(_ number: Int, source: String) {
        guard notebook.cells.indices.contains(number - 1) else { return }
        notebook.cells[number - 1].source = source
    }

    /// Forgets all variables and this session's transcript; the loaded notebook stays and starts over.
    func reset() {
        engine.reset()
        transcript = []
        nextCellIndex = 0
    }

    /// Records that an error happened outside `run` (a bad `:` command in piped input).
    func noteError() {
        hadError = true
    }
}
