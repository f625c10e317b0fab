import DSL
import Foundation
import FuzzSupport

/// The training-checkpoint reader and `restore`, through `load_checkpoint` as a script calls it: into a small
/// model and an SGD optimizer with momentum (so optimizer buffers are imported too), then the restored history
/// is displayed. The interpreter and its model are built once; `restore` checks everything before it changes
/// anything, so an input that fails leaves them as they were.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzHarness.setUp()
    let path = FuzzHarness.file("input.checkpoint", containing: FuzzHarness.bytes(data, size))
    do {
        _ = try Watchdog.shared.guarding(session.interrupt) {
            try session.execute(source: "h = load_checkpoint(net, \"\(path)\", opt)\nstr(h)", file: "fuzz-checkpoint.rnx")
        }
    } catch let error as DSLError {
        _ = error.rendered
    } catch {
        _ = String(describing: error)
    }
    return 0
}

/// The model the seed checkpoints were saved from (Tests/Fuzz/seeds.rnx builds the same one).
private let session: Interpreter = {
    FuzzHarness.setUp()
    let interpreter = Interpreter()
    interpreter.output = { _ in }
    do {
        _ = try interpreter.execute(source: FuzzCheckpointModel.source, file: "fuzz-checkpoint-setup.rnx")
    } catch {
        FileHandle.standardError.write(Data("rnx-fuzz: the checkpoint target's model does not build: \(error)\n".utf8))
        exit(2)
    }
    return interpreter
}()

private enum FuzzCheckpointModel {
    static let source = [
        "seed(1)",
        "x = input([1, 4, 4])",
        "net = model(x, dense(flatten(batchnorm(conv2d(x, 2, 3, padding=1))), 3), name=\"tiny\")",
        "opt = sgd(lr=0.1, momentum=0.9)",
    ].joined(separator: "\n")
}
