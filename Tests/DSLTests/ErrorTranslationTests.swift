import XCTest
import Kernel
import Plot
@testable import DSL

/// Other modules' errors become language errors in one place (`DSLError(translating:)`), whichever way they leave a
/// builtin: through a running program or through `Interpreter.call` from Swift.
final class ErrorTranslationTests: XCTestCase {
    private func translated(_ error: Error) -> (DSLError.Kind, String) {
        let language = DSLError(translating: error)
        return (language.kind, language.message)
    }

    func testKernelErrorsMapToPythonKinds() {
        let invalid = KernelError.invalidArgument(op: "reshape", message: "bad")
        XCTAssertTrue(translated(invalid) == (.value, invalid.description))
        let tooLarge = KernelError.allocationTooLarge(elements: 1 << 40, limitBytes: 1 << 30)
        XCTAssertTrue(translated(tooLarge) == (.memory, tooLarge.description))
        let mismatch = KernelError.shapeMismatch(op: "add", expected: "[2]", found: "[3]")
        XCTAssertTrue(translated(mismatch) == (.runtime, mismatch.description))
        XCTAssertEqual(translated(KernelError.autograd("no graph")).0, .runtime)
    }

    func testPlotTrainingAndDistributedErrorsMapToPythonKinds() {
        XCTAssertTrue(translated(PlotError.invalidChart("empty")) == (.value, PlotError.invalidChart("empty").description))
        XCTAssertEqual(translated(PlotError.unsupportedFileExtension(path: "a.gif")).0, .value)
        XCTAssertEqual(translated(PlotError.gnuplotTimedOut(seconds: 1)).0, .runtime)
        XCTAssertTrue(translated(TrainingError.interrupted("evaluate")) == (.keyboardInterrupt, TrainingError.interrupted("evaluate").description))
        XCTAssertEqual(translated(TrainingError.emptyData("no batches")).0, .runtime)
        XCTAssertEqual(translated(LoadingInterrupted(path: "data", progress: "1 of 2 files read")).0, .keyboardInterrupt)
        let distributed = DistributedError.communication("rank 1 died")
        XCTAssertTrue(translated(distributed) == (.runtime, distributed.description))
    }

    func testLanguageErrorsPassUnchanged() {
        let error = DSLError(.key, "missing")
        XCTAssertTrue(translated(error) == (.key, "missing"))
    }

    func testTensorOverTheMemoryLimitIsMemoryErrorAtTheCall() throws {
        let error = Session().error("x = 1\nt = zeros(2 ** 40, 2 ** 20)")
        XCTAssertEqual(error?.kind, .memory)
        XCTAssertEqual(error?.location?.line, 2)
    }

    func testBuiltinCalledFromSwiftThrowsLanguageError() throws {
        let interpreter = Interpreter()
        let zeros = try XCTUnwrap(interpreter.builtin("zeros"))
        XCTAssertThrowsError(try interpreter.call(zeros, [.int(-2)])) { error in
            XCTAssertEqual((error as? DSLError)?.kind, .value, "\(error)")
        }
    }

    func testInterruptedKernelWorkIsKeyboardInterruptAndConsumesTheRequest() throws {
        let session = Session()
        let interpreter = session.interpreter
        interpreter.define(
            BuiltinFunction("stopped_work", doc: "Kernel work stopped by Ctrl-C (test).") { args in
                args.interpreter.interrupt.request()
                throw TrainingError.interrupted("evaluate")
            })
        let error = session.error("stopped_work()")
        XCTAssertEqual(error?.kind, .keyboardInterrupt)
        XCTAssertEqual(error?.message, TrainingError.interrupted("evaluate").description)
        XCTAssertFalse(interpreter.interrupt.isRequested)
    }
}
