import DSL
import Foundation

/// The REPL's only contact with the DSL: runs sources, answers completeness and completion questions, lists globals,
/// and keeps `--set` overrides. The interpreter is created on first use, so the prompt appears before any
/// library is set up.
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
    /// Globals fixed from the command line (`--set lr=0.05`), in the order given.
    private var overrides: [(name: String, value: Value)] = []

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
        for override in overrides { interpreter.setGlobal(override.name, override.value) }
        cachedInterpreter = interpreter
        return interpreter
    }

    /// Forgets every variable: the next use creates a fresh interpreter (overrides are applied again).
    func reset() {
        cachedInterpreter = nil
    }

    /// Runs `source` as if it started at line `firstLine` of `file`, so errors point at the file's real lines.
    /// Ctrl-C meanwhile interrupts it cooperatively.
    func run(_ source: String, file: String, firstLine: Int = 1) -> Outcome {
        let interpreter = self.interpreter
        let padded = String(repeating: "\n", count: max(0, firstLine - 1)) + source
        do {
            let value = try InterruptController.shared.whileRunning(onInterrupt: { interpreter.interrupt.request() }) {
                try interpreter.execute(source: padded, file: file)
            }
            return .success(display: value.map(\.repr))
        } catch let error as DSLError {
            return .failure(message: error.rendered, interrupted: error.kind == .keyboardInterrupt)
        } catch {
            return .failure(message: "\(file): error: \(error)", interrupted: false)
        }
    }

    /// True when `source` is a whole statement or block; false while a bracket, string or block is still open.
    func isComplete(_ source: String) -> Bool {
        // INTEGRATION: Interpreter.isComplete
        var depth = 0
        for token in SourceToken.tokenize(source) where token.kind == .symbol {
            if "([{".contains(token.text) { depth += 1 }
            if ")]}".contains(token.text) { depth -= 1 }
        }
        return depth <= 0 && !source.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(":")
    }

    /// The DSL's completions for `line` with the cursor at character offset `cursor`.
    func completions(line: String, cursor: Int) -> [String] {
        // INTEGRATION: interpreter.completions(for:cursor:)
        interpreter.builtinNames
    }

    /// One row of `:vars`.
    struct VariableRow: Equatable {
        let name: String
        let type: String
        let shape: String
        let memory: String
    }

    /// The globals with type, shape and memory, sorted by name.
    func variables() -> [VariableRow] {
        // INTEGRATION: globals summary
        []
    }

    /// Syntax (and name) errors of `source`, rendered; empty when it is fine. Nothing runs.
    func check(_ source: String, file: String, firstLine: Int) -> [String] {
        // INTEGRATION: parse-only check
        []
    }

    /// Hands a chart setting to the plotting layer.
    func apply(_ setting: PlotSetting) throws {
        // INTEGRATION: settings store
    }

    /// The chart settings in force, one line.
    var plotSettingsDescription: String { "" }

    /// Makes training append its metrics as JSON lines to `path`.
    func setMetricsLog(_ path: String) throws {
        // INTEGRATION: settings store
    }

    /// Names `:help` can explain (builtins).
    var helpTopics: [String] { interpreter.builtinNames }

    /// Help text on builtin or global `name`.
    func help(_ name: String) -> Outcome {
        run("help(\(name))", file: "<help>")
    }

    /// Evaluates the value of a `--set name=value` option; throws with the option quoted when it is not valid.
    func setOverride(name: String, valueSource: String) throws {
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
            cachedInterpreter?.setGlobal(name, value)
        } catch let error as DSLError {
            throw ReplError("--set \(name)=\(valueSource): \(error.message) (quote strings: --set '\(name)=\"text\"')")
        }
    }

    private static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }
}
