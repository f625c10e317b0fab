import Kernel
import XCTest

@testable import DSL

/// load_tensors/save_tensors, load_npy/save_npy and load_npz/save_npz in the language.
final class TensorIOBindingTests: XCTestCase {
    func testSafetensorsWithBareKeysRoundTrip() throws {
        let directory = try temporaryDirectory(self)
        try Safetensors.save(
            [
                NamedTensor(name: "x", tensor: try Tensor(shape: [2], data: [1, 2])),
                NamedTensor(name: "logits", tensor: try Tensor(shape: [1, 2], data: [0.5, -0.5])),
            ], to: directory + "/torch.safetensors")
        let session = Session()
        try session.run("t = load_tensors('\(directory)/torch.safetensors')")
        XCTAssertEqual(try session.run("list(t.keys()), t['logits'].tolist(), t['x'].shape"), try eval("['x', 'logits'], [[0.5, -0.5]], (2,)"))
        try session.run("save_tensors({'y': t['x'] * 2, 'z': [[1, 2]]}, '\(directory)/out.safetensors')")
        XCTAssertEqual(try Safetensors.load(directory + "/out.safetensors").tensors.map(\.name), ["y", "z"])
        XCTAssertEqual(try session.run("load_tensors('\(directory)/out.safetensors')['y'].tolist()"), try eval("[2.0, 4.0]"))
    }

    func testNpyAndNpzRoundTrip() throws {
        let directory = try temporaryDirectory(self)
        let session = Session()
        try session.run(
            """
            save_npy(tensor([[1, 2], [3, 4.5]]), '\(directory)/a.npy')
            save_npz({'w': ones(3), 'b': tensor(2.0)}, '\(directory)/ab.npz')
            a = load_npy('\(directory)/a.npy')
            ab = load_npz('\(directory)/ab.npz')
            """)
        XCTAssertEqual(
            try session.run("a.tolist(), list(ab.keys()), ab['w'].tolist(), ab['b'].shape"),
            try eval("[[1.0, 2.0], [3.0, 4.5]], ['w', 'b'], [1.0, 1.0, 1.0], ()"))
    }

    func testBadArgumentsAndFilesGiveOneClearError() throws {
        let directory = try temporaryDirectory(self)
        let session = Session()
        XCTAssertEqual(session.error("save_tensors([1, 2], '\(directory)/x.safetensors')")?.kind, .type)
        XCTAssertTrue(session.error("save_tensors({1: ones(2)}, '\(directory)/x.safetensors')")?.message.contains("string keys") ?? false)
        XCTAssertTrue(session.error("save_npz({'a': 'text'}, '\(directory)/x.npz')")?.message.contains("a Tensor for 'a'") ?? false)
        XCTAssertEqual(session.error("load_npy('\(directory)/none.npy')")?.message, "\(directory)/none.npy: cannot open: No such file or directory")
        try "not numpy".write(toFile: directory + "/text.npy", atomically: true, encoding: .utf8)
        let error = try XCTUnwrap(session.error("load_npy('\(directory)/text.npy')"))
        XCTAssertEqual(error.kind, .runtime, "file errors are RuntimeErrors, as every KernelError.file")
        XCTAssertEqual(error.message, "\(directory)/text.npy: not a .npy file: it does not start with the magic bytes \\x93NUMPY")
        XCTAssertEqual(session.error("load_npz('\(directory)/text.npy')")?.message.contains("not a zip archive"), true)
    }
}
