import DSL
import FuzzSupport

/// The whole path of a program through the language: the REPL's completeness check, scanning and parsing,
/// the name check of `rnx check`, running it in a fresh interpreter (output discarded, stopped by the watchdog),
/// the rendering of its error, and completion on its last line against the globals it left.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDSL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.setUp()
    let source = String(decoding: FuzzHarness.bytes(data, size), as: UTF8.self)
    let file = "fuzz.rnx"
    _ = Interpreter.isComplete(source)
    if let error = Interpreter.syntaxError(in: source, file: file) {
        _ = error.rendered
        return 0
    }
    for problem in NameCheck().check([ScriptCell(source: source)], file: file).problems {
        _ = problem.rendered
    }
    let interpreter = Interpreter()
    interpreter.output = { _ in }
    // input() with a string or nothing reads a line: the end of input, never the fuzzer's own stdin.
    interpreter.inputReader = { _ in nil }
    do {
        if let value = try Watchdog.shared.guarding(interpreter.interrupt, { try interpreter.execute(source: source, file: file) }) {
            _ = String(describing: value)
        }
    } catch let error as DSLError {
        _ = error.rendered
    } catch {
        _ = String(describing: error)
    }
    let lastLine = source.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
    _ = interpreter.completions(for: lastLine, cursor: lastLine.utf8.count)
    return 0
}
