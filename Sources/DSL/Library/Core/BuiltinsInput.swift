import Foundation

/// How a host answers `input(prompt)`: shows the prompt, waits for a line and returns it without its newline, or nil
/// at the end of input. It throws to stop the program (`KeyboardInterrupt` on Ctrl-C) or when it cannot ask (a
/// notebook frontend that sends no input). Called on the thread running the program.
public typealias InputLineReader = (_ prompt: String) throws -> String?

/// `input(prompt="")`, Python's: the next line of input. The name is shared with the model input `input(shape)`
/// (`ModelFactories`), which hands a string argument, or none, here. By default it reads standard input (the
/// terminal in the REPL, a pipe under `rnx run`); the Jupyter kernel asks its frontend instead
/// (`Interpreter.inputReader`).
enum InputBuiltin {
    static let doc = """
        input(prompt="") with a str (or nothing), Python's: write prompt, read one line and return it without its newline; EOFError at the end of input.
        It reads the terminal in the REPL, standard input under `rnx run`, and asks the frontend in Jupyter. Example: name = input("name? ")
        """

    /// The line read after showing `prompt`.
    static func readLine(prompt: String, interpreter: Interpreter) throws -> Value {
        let reader = interpreter.extensionState(InputState.self).reader ?? { try readStandardInput(prompt: $0, interpreter: interpreter) }
        guard let line = try reader(prompt) else { throw DSLError(.endOfFile, "EOF when reading a line") }
        return .string(line)
    }

    /// Writes `prompt`, then reads standard input a byte at a time up to a newline, so nothing after the line is
    /// taken from a pipe that later reads share. Waits in slices of 100 ms to notice Ctrl-C (the program's interrupt
    /// flag), since the REPL's SIGINT handler does not end a blocking read. Line ends are Python's universal
    /// newlines: `\n`, `\r\n` or `\r` (what Enter sends when typed ahead, while the line editor still had the
    /// terminal in raw mode).
    static func readStandardInput(prompt: String, interpreter: Interpreter) throws -> String? {
        if !prompt.isEmpty { interpreter.write(prompt) }
        fflush(stdout)
        let state = interpreter.extensionState(InputState.self)
        var line: [UInt8] = []
        while true {
            try interpreter.interrupt.check()
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 && errno != EINTR { throw DSLError(.runtime, "input(): cannot read standard input: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            var byte: UInt8 = 0
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw DSLError(.runtime, "input(): cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            let followsCarriageReturn = state.lineEndedWithCarriageReturn
            state.lineEndedWithCarriageReturn = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") && followsCarriageReturn && line.isEmpty { continue }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
            try ContainerLimit.check(stringBytes: line.count, of: "input(): the line read")
        }
    }
}

/// The host's `input()` answer for one interpreter.
final class InputState: InterpreterExtensionState {
    var reader: InputLineReader?
    /// Whether the last line read from standard input ended with `\r`, so a `\n` right after it belongs to it.
    var lineEndedWithCarriageReturn = false
    init() {}
}

extension Interpreter {
    /// What `input()` asks; nil (the default): standard input.
    public var inputReader: InputLineReader? {
        get { extensionState(InputState.self).reader }
        set { extensionState(InputState.self).reader = newValue }
    }
}
