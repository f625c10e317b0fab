import Basics
import Foundation

/// Runs rnx programs. One interpreter holds one global state (the REPL session); each `execute` call runs a
/// source in it, so definitions persist across calls, and a failing statement keeps everything done before it.
///
///     let interpreter = Interpreter()
///     interpreter.output = { text in print(text, terminator: "") }
///     let value = try interpreter.execute(source: "x = 2\nx * 21", file: "<stdin>")   // .int(42)
///
/// Not thread-safe: call it from one thread at a time. Only `interrupt` may be used from other threads.
public final class Interpreter {
    /// Set from another thread to stop the running program with `KeyboardInterrupt`.
    public let interrupt = Interrupt()
    /// Where `print` and `help` write; by default standard output. Called on the thread running the program.
    public var output: (String) -> Void = Interpreter.writeToStandardOutput
    /// Most nested DSL function calls allowed before `RecursionError`.
    public var recursionLimit = 1000
    /// The builtins and documented types this interpreter was created with.
    public let library: Library

    let globals = Scope(parent: nil, function: nil)
    /// Globals fixed by `pinGlobal`: top-level plain assignments leave them unchanged.
    var pinnedGlobals: Set<String> = []
    private(set) var builtins: [String: Value] = [:]
    /// The DSL call stack: `<module>` first, then one frame per running function.
    var frames: [CallFrame] = [CallFrame(name: "<module>", location: nil)]
    /// The program stops with `RecursionError` before the native stack gets below this address.
    var stackLimitAddress: UInt = 0
    private var isExecuting = false
    /// The value the last `execute` returned, kept until the next one so the caller never drops the last reference:
    /// a deeply nested result freed on the caller's (possibly small) stack would overflow it; here it is taken
    /// apart level by level (`ContainerTeardown`).
    private var lastResult: [Value] = []
    /// The library areas' state for this interpreter, by type (`extensionState(_:)`). Locked because the host may
    /// read or change settings kept there (`plotSettings`) from another thread while a program runs.
    let extensionStates = Locked<[ObjectIdentifier: AnyObject]>([:])

    /// Stack size of the thread that runs programs: deep (but limited) DSL recursion must never overflow it.
    static let threadStackSize = 256 << 20
    /// Stack space kept in reserve below the limit, for the code that reports the error.
    static let stackReserve = 16 << 20

    /// Creates an interpreter with the builtins of `library` (by default the full standard library).
    public init(library: Library = .standard) {
        self.library = library
        for group in library.groups {
            for function in group.functions { builtins[function.name] = .builtin(function) }
            for constant in group.constants { builtins[constant.name] = constant.value }
        }
        for type in library.types {
            builtins[type.name] = .type(type)
        }
    }

    /// Runs `source` (statements) and returns the value of its final expression statement, for display.
    /// Returns nil when the source does not end with an expression, when it ends with `;`, or when the value
    /// is `None`. Throws `DSLError` (syntax error, runtime error, or `KeyboardInterrupt`); statements that ran
    /// before the error keep their effects. `firstLine` is the line of `file` the source starts at (a notebook
    /// cell's line), so errors and tracebacks name the file's real lines.
    public func execute(source: String, file: String, firstLine: Int = 1) throws -> Value? {
        if !isExecuting { interrupt.clear() }
        return try runWithLargeStack {
            let text = SourceText(name: file, text: source, firstLine: firstLine)
            let program = try Parser.parse(source, source: text)
            let value = try self.run(program)
            ContainerTeardown.release(&self.lastResult)
            if let value { self.lastResult = [value] }
            return value
        }
    }

    deinit {
        collectGlobals(with: &lastResult)
    }

    /// The syntax error in `source` (starting at line `firstLine` of `file`), or nil when it parses; nothing runs
    /// (for checking scripts before running them).
    public static func syntaxError(in source: String, file: String, firstLine: Int = 1) -> DSLError? {
        do {
            _ = try Parser.parse(source, source: SourceText(name: file, text: source, firstLine: firstLine))
            return nil
        } catch let error as DSLError {
            return error
        } catch {
            return DSLError(.syntax, String(describing: error))
        }
    }

    private func run(_ program: Program) throws -> Value? {
        let savedFrames = frames
        frames = [CallFrame(name: "<module>", location: nil)]
        defer { frames = savedFrames }
        for (index, statement) in program.statements.enumerated() {
            if index == program.statements.count - 1, !program.suppressesFinalValue,
                case .expression(let expr) = statement.kind
            {
                frames[0].location = statement.location
                let value = try evaluate(expr, globals)
                if case .none = value { return nil }
                return value
            }
            _ = try execute(statement, globals)
        }
        return nil
    }

    /// Calls a callable value (function, builtin, method, type or callable object) from Swift,
    /// e.g. a `key=` function inside a builtin or a callback inside a training loop. Throws only `DSLError`s.
    public func call(_ callee: Value, _ arguments: [Value], keywords: [(String, Value)] = []) throws -> Value {
        do {
            return try callValue(callee, arguments, keywords)
        } catch {
            var error = translated(error)
            if error.location == nil, let location = frames.last?.location { locate(&error, at: location) }
            throw error
        }
    }

    /// The value of global variable `name`, if defined.
    public func global(_ name: String) -> Value? {
        globals.variables[name]
    }

    /// Defines or replaces global variable `name`.
    public func setGlobal(_ name: String, _ value: Value) {
        globals.variables[name] = value
    }

    /// Defines global `name` as `value` and keeps it there against the program's own top-level `name = ...`
    /// statements (also inside top-level `if`/`for`/`while` blocks): such an assignment still evaluates its
    /// right-hand side but does not store it. This is how `rnx run --set epochs=1` beats a script's
    /// `epochs = 8`. Augmented assignments (`epochs += 1`), loop variables, `del` and functions assigning a
    /// `global` still change it: those are computations, not settings.
    public func pinGlobal(_ name: String, _ value: Value) {
        globals.variables[name] = value
        pinnedGlobals.insert(name)
    }

    /// Adds (or replaces) a builtin function, e.g. one a host application provides.
    public func define(_ function: BuiltinFunction) {
        builtins[function.name] = .builtin(function)
    }

    /// The builtin value called `name` (function, constant or type), if any.
    public func builtin(_ name: String) -> Value? {
        builtins[name]
    }

    /// Names of all builtins, sorted.
    public var builtinNames: [String] { builtins.keys.sorted() }

    /// Writes text to the output sink (used by `print` and `help`).
    public func write(_ text: String) {
        output(text)
    }

    private static func writeToStandardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    // MARK: - Running on a thread with a large stack

    /// Runs `body` on a fresh thread with a large stack so that deep recursion is caught by the recursion
    /// checks rather than overflowing the caller's (possibly small) stack. Nested calls run in place.
    private func runWithLargeStack<T>(_ body: @escaping () throws -> T) throws -> T {
        if isExecuting { return try body() }
        let box = ResultBox<T>()
        box.body = body
        let finished = DispatchSemaphore(value: 0)
        // The thread lives on briefly after signalling: by then it must hold neither the interpreter, nor `body` (which
        // captures it), nor the result (emptied below), or values the host lets go would be freed later, on that thread.
        let thread = Thread { [unowned self] in
            self.stackLimitAddress = Interpreter.currentStackAddress() &- UInt(Interpreter.threadStackSize - Interpreter.stackReserve)
            self.isExecuting = true
            let suspects = self.extensionState(CycleSuspects.self)
            box.result = box.body.map { body in
                Result { try Interrupt.$current.withValue(self.interrupt) { try CycleSuspects.$current.withValue(suspects) { try body() } } }
            }
            box.body = nil
            self.isExecuting = false
            finished.signal()
        }
        thread.stackSize = Interpreter.threadStackSize
        thread.start()
        finished.wait()
        guard let result = box.result else { throw DSLError(.runtime, "the program thread ended without a result") }
        box.result = nil
        return try result.get()
    }

    /// An address near the top of the current native stack frame.
    @inline(never)
    static func currentStackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// Throws `RecursionError` when the native stack is nearly used up.
    func checkStack() throws {
        if stackLimitAddress != 0 && Interpreter.currentStackAddress() < stackLimitAddress {
            throw DSLError(.recursion, "recursion depth exceeded (the program nests too deeply)")
        }
    }

    // MARK: - Errors

    /// Gives an error its location and the traceback of the current DSL frames.
    func locate(_ error: inout DSLError, at location: SourceLocation) {
        error.location = location
        error.traceback = frames.indices.map { index in
            let current = index + 1 < frames.count ? frames[index].location : nil
            return TracebackFrame(function: frames[index].name, location: current ?? location)
        }
    }

    /// A new error located at `location` with the current traceback.
    func error(_ kind: DSLError.Kind, _ message: String, at location: SourceLocation) -> DSLError {
        var error = DSLError(kind, message)
        locate(&error, at: location)
        return error
    }

    /// Makes any error a located `DSLError`: every error of a running program passes here, so this is where errors
    /// of other modules are translated (`translated(_:)`), keeping their own message.
    func located(_ error: Error, at location: SourceLocation) -> DSLError {
        var error = translated(error)
        if error.location == nil { locate(&error, at: location) }
        return error
    }
}

/// Carries a result from the program thread back to the caller.
private final class ResultBox<T>: @unchecked Sendable {
    var body: (() throws -> T)?
    var result: Result<T, Error>?
}

/// One running DSL function.
struct CallFrame {
    let name: String
    /// The statement it is executing (nil before the first one).
    var location: SourceLocation?
}
