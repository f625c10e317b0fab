import Basics
import DSL
import Foundation

/// Runs a notebook's code cells as `jupyter nbconvert --execute` does and keeps what each produced: printed text,
/// the last expression's value, charts as images, and the error that stopped the run (later cells stay unexecuted).
struct NotebookExecutor {
    /// The session whose interpreter runs the cells.
    let session: Session

    /// Why a run ended before its last cell.
    enum Stop: Equatable {
        /// Cell `cell` (1-based) failed with an error.
        case failed(cell: Int)
        /// Ctrl-C stopped cell `cell`, at file line `line` when its error had one.
        case interrupted(cell: Int, line: Int?)
    }

    /// The executed notebook, and why the run stopped early, if it did (later cells stay unexecuted).
    /// Only the code cells in `numbers` run; the other cells are kept as they are.
    func execute(_ notebook: Notebook, numbers: [Int]) -> (notebook: JupyterNotebook, stop: Stop?) {
        var result = JupyterNotebook(cells: notebook.cells)
        let engine = session.engine
        let interpreter = engine.interpreter
        let collector = OutputCollector()
        let capture = ChartCapture()
        let previousOutput = interpreter.output
        let previousStyle = interpreter.progressStyle
        interpreter.output = { collector.write($0) }
        // A notebook shows no bar redrawn with escape codes: plain progress lines, as in a log file.
        interpreter.progressStyle = .lines
        interpreter.chartCapture = capture
        capture.onChart = { collector.add(.chart(png: $0.png, svg: $0.svg, text: $0.altText)) }
        defer {
            interpreter.output = previousOutput
            interpreter.progressStyle = previousStyle
            interpreter.chartCapture = nil
        }
        var count = 0
        for number in numbers where notebook.cells[number - 1].kind == .code {
            let cell = notebook.cells[number - 1]
            count += 1
            session.console.notice("── cell \(number) · \(notebook.file):\(cell.startLine) ──")
            let started = Date()
            var failure: DSLError?
            var failed = false
            do {
                if let value = try engine.execute(cell.source, file: notebook.file, firstLine: cell.startLine) {
                    collector.add(.executeResult(count: count, text: value.repr))
                }
            } catch let error as DSLError {
                collector.add(.error(name: error.kind.rawValue, value: error.message, traceback: error.rendered.components(separatedBy: "\n")))
                session.console.error(error.rendered)
                failure = error
                failed = true
            } catch {
                collector.add(.error(name: "RuntimeError", value: "\(error)", traceback: ["\(notebook.file): error: \(error)"]))
                session.console.error("\(notebook.file): error: \(error)")
                failed = true
            }
            // Ctrl-C may also end a cell without an error (a builtin that stops early and returns): the cell still
            // shows that it was interrupted, as Jupyter shows a KeyboardInterrupt.
            let interrupted = engine.takeInterruption()
            if interrupted, failure?.kind != .keyboardInterrupt {
                let message = "interrupted (Ctrl-C)"
                collector.add(.error(name: DSLError.Kind.keyboardInterrupt.rawValue, value: message, traceback: ["\(notebook.file): \(message)"]))
            }
            result.cells[number - 1].executionCount = count
            result.cells[number - 1].outputs = collector.take()
            result.cells[number - 1].timing = JupyterNotebook.Timing(started: started, finished: Date())
            if interrupted { return (result, .interrupted(cell: number, line: failure?.location?.line)) }
            if failed { return (result, .failed(cell: number)) }
        }
        return (result, nil)
    }
}

/// Gathers a cell's outputs in the order they happen; printed text in a row is one stream output. The interpreter
/// may write from its own thread, hence the lock.
private final class OutputCollector: @unchecked Sendable {
    private let outputs = Locked<[JupyterNotebook.Output]>([])

    /// Appends printed text, joining it to the stream output just before.
    func write(_ text: String) {
        outputs.withLock { outputs in
            if case .stream("stdout", let previous) = outputs.last {
                outputs[outputs.count - 1] = .stream(name: "stdout", text: previous + text)
            } else {
                outputs.append(.stream(name: "stdout", text: text))
            }
        }
    }

    /// Appends any other output.
    func add(_ output: JupyterNotebook.Output) {
        outputs.withLock { $0.append(output) }
    }

    /// The outputs so far; the collector is empty afterwards.
    func take() -> [JupyterNotebook.Output] {
        outputs.withLock { outputs in
            defer { outputs = [] }
            return outputs
        }
    }
}
