import Basics
import DSL
import Foundation

/// The REPL's only contact with the DSL interpreter: runs sources, answers completeness and completion questions,
/// lists globals, and keeps `--set` overrides (pinned globals). The interpreter is created on first use, so the
/// prompt appears before any library is set up.
final class Engine {
    /// What running a source produced.
    enum Outcome: Equatable {
        /// It ran; `display` is the repr of the final expression's value (nil when there is none or it was suppressed).
        case success(display: String?)
        /// It failed; `message` is the DSL's rendered error (file:line:col, caret, traceback).
        case failure(message: String, interrupted: Bool)
    }

    private let console: Console
    private var cachedInterpreter: Interpreter?
    /// Globals pinned from the command line (`--set lr=0.05`), in the order given.
    private var overrides: [(name: String, value: Value)] = []
    /// Set by Ctrl-C while a source runs, until `takeInterruption()`: a builtin may have caught the request and
    /// returned early, so the error alone does not tell.
    private let interruption = Locked(false)
    /// The file line of the last failure's error, when it had one.
    private(set) var lastFailureLine: Int?

    /// Whether Ctrl-C ends the whole program (`rnx run`) instead of only the running entry (the REPL).
    var interruptEndsProgram = false {
        didSet { cachedInterpreter?.interrupt.endsProgram = interruptEndsProgram }
    }

    /// An engine writing program output to `console`.
    init(console: Console) {
        self.console = console
    }

    /// The interpreter, created (with output routed through the console) on first use.
    var interpreter: Interpreter {
        if let cachedInterpreter { return cachedInterpreter }
        let interpreter = Interpreter()
        let console = self.console
        interpreter.output = { text in console.write(text) }
        interpreter.interrupt.endsProgram = interruptEndsProgram
        for override in overrides { interpreter.pinGlobal(override.name, override.value) }
        cachedInterpreter = interpreter
        return interpreter
    }

    /// Forgets every variable: the next use creates a fresh interpreter (overrides are pinned again).
    func reset() {
        // Emptying the old globals first frees the call scopes their closures kept alive (cycles a dropped
        // interpreter would leak).
        cachedInterpreter?.resetGlobals()
        cachedInterpreter = nil
    }

    /// Runs `source` as if it started at line `firstLine` of `file`, so errors point at the file's real lines.
    /// Ctrl-C meanwhile interrupts it cooperatively.
    func run(_ source: String, file: String, firstLine: Int = 1) -> Outcome {
        do {
            return .success(display: try execute(source, file: file, firstLine: firstLine).map(\.repr))
        } catch let error as DSLError {
            lastFailureLine = error.location?.line
            return .failure(message: error.rendered, interrupted: error.kind == .keyboardInterrupt)
        } catch {
            lastFailureLine = nil
            return .failure(message: "\(file): error: \(error)", interrupted: false)
        }
    }

    /// Runs `source` as `run` does, returning the final expression's value (nil when there is none or it was
    /// suppressed) or throwing the DSL's error.
    func execute(_ source: String, file: String, firstLine: Int = 1) throws -> Value? {
        let interpreter = self.interpreter
        let interrupt = interpreter.interrupt
        let interruption = self.interruption
        let onInterrupt: @Sendable () -> Void = {
            interruption.withLock { $0 = true }
            interrupt.request()
        }
        do {
            return try InterruptController.shared.whileRunning(onInterrupt: onInterrupt) {
                try interpreter.execute(source: source, file: file, firstLine: firstLine)
            }
        } catch let error as DSLError where error.kind == .keyboardInterrupt {
            // Under mpirun a rank may stop because another one was interrupted (data-parallel fit stops every rank at
            // the same batch) before its own signal arrives: the error alone says it was interrupted then.
            interruption.withLock { $0 = true }
            throw error
        }
    }

    /// Whether Ctrl-C was pressed while a source ran since the last call; clears the record.
    func takeInterruption() -> Bool {
        interruption.withLock { pressed in
            defer { pressed = false }
            return pressed
        }
    }

    /// True when `source` (the lines typed so far, joined with `\n`) should run now; false while a bracket, a
    /// triple-quoted string or a block is open (blocks end with a blank line: pass it as a trailing `\n`).
    func isComplete(_ source: String) -> Bool {
        Interpreter.isComplete(source)
    }

    /// The DSL's completions for `line` with the cursor after `cursor` characters: names in scope, builtins,
    /// keywords, attributes after `.`, and `name=` keyword arguments inside a call.
    func completions(line: String, cursor: Int) -> [String] {
        interpreter.completions(for: line, cursor: String(line.prefix(cursor)).utf8.count)
    }

    /// One row of `:vars`.
    struct VariableRow: Equatable {
        /// The global's name.
        let name: String
        /// Its type, e.g. `Tensor` or `int`.
        let type: String
        /// Its shape, for tensors and data sets; empty otherwise.
        let shape: String
        /// The tensor memory it holds (`1.2 MB`); empty when none.
        let memory: String
        /// One line about the value (a number's value, a function's signature, a model's summary).
        let summary: String
    }

    /// The user's globals, sorted by name; empty before anything ran.
    func variables() -> [VariableRow] {
        guard let cachedInterpreter else { return [] }
        return cachedInterpreter.globalsSummary().map {
            VariableRow(
                name: $0.name, type: $0.typeName, shape: $0.shape.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "",
                memory: $0.memoryBytes.map(Engine.formatBytes) ?? "", summary: $0.description)
        }
    }

    /// `512 B`, `3.1 KB`, `1.2 MB`, `2.0 GB` (decimal units, as `ls -h --si` and PyTorch's memory summaries).
    static func formatBytes(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// Names `:help` can explain (builtins).
    var helpTopics: [String] { interpreter.builtinNames }

    /// Shows the DSL's help on `name` (a builtin, type, `type.method`, or a global), through `help('name')`.
    func help(_ name: String) -> Outcome {
        let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return run("help('\(quoted)')", file: "<help>")
    }

    /// Evaluates the value of each `--set name=value` option and pins the global (see `Interpreter.pinGlobal`):
    /// the script's own top-level `name = ...` leaves it unchanged. Throws with the option quoted when it is not valid.
    func setOverrides(_ options: [String]) throws {
        for option in options {
            guard let equals = option.firstIndex(of: "=") else {
                throw ReplError("--set \(option): expected name=value, e.g. --set lr=0.05")
            }
            try setOverride(
                name: String(option[..<equals]).trimmingCharacters(in: .whitespaces),
                valueSource: String(option[option.index(after: equals)...]))
        }
    }

    /// Pins the global `name` to the value of the expression `valueSource`, checked at once.
    private func setOverride(name: String, valueSource: String) throws {
        guard Self.isIdentifier(name) else {
            throw ReplError("--set \(name)=\(valueSource): '\(name)' is not a variable name")
        }
        let scratch = Interpreter()
        scratch.output = { _ in }
        do {
            guard let value = try scratch.execute(source: valueSource, file: "--set \(name)") else {
                throw ReplError("--set \(name)=\(valueSource): expected a value (a number, True/False, or a quoted string)")
            }
            overrides.removeAll { $0.name == name }
            overrides.append((name, value))
            cachedInterpreter?.pinGlobal(name, value)
        } catch let error as DSLError {
            throw ReplError("--set \(name)=\(valueSource): \(error.message) (quote strings: --set '\(name)=\"text\"')")
        }
    }

    /// The names given with `--set`, in the order given.
    var overrideNames: [String] { overrides.map(\.name) }

    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }
}
