import Foundation
import XCTest

/// `.npy`, `.npz` and safetensors files crossing between the real NumPy of the test environment and `rnx run`.
final class NumpyFileInteropTests: XCTestCase {
    func testRnxReadsWhatNumpyWritesAndNumpyReadsWhatRnxWrites() throws {
        let directory = try TemporaryDirectory()
        let written = try TestPython.run(
            """
            import numpy as np
            np.save("f32.npy", np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
            np.save("f64.npy", np.array([0.1, -2.5]))
            np.save("i64.npy", np.array([[3, -1], [16777215, 0]], dtype=np.int64))
            np.save("u8.npy", np.array([0, 7, 255], dtype=np.uint8))
            np.save("fortran.npy", np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
            np.save("objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
            np.savez("stored.npz", x=np.ones((2, 2), dtype=np.float32), labels=np.array([1, 2, 3]))
            np.savez_compressed("deflated.npz", x=np.linspace(0, 1, 1000, dtype=np.float32), y=np.zeros(500, dtype=np.uint8))
            """, in: directory.url)
        XCTAssertEqual(written.status, 0, written.output)
        try directory.write(
            """
            print(load_npy("f32.npy").tolist(), load_npy("f64.npy").tolist())
            print(load_npy("i64.npy").tolist(), load_npy("u8.npy").tolist())
            stored = load_npz("stored.npz")
            print(list(stored.keys()), stored["labels"].tolist())
            deflated = load_npz("deflated.npz")
            print(deflated["x"].shape, deflated["x"][999].item(), deflated["y"].shape)
            save_npy(tensor([[1.5, 2], [3, 4]]), "out.npy")
            save_npz({"a": tensor([1, 2, 3]), "b": zeros(2, 2)}, "out.npz")
            save_tensors({"logits": tensor([0.25, -1])}, "out.safetensors")
            """, to: "read.rnx")
        let result = try RnxProcess.run(["run", "read.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("[[0.0, 0.25, 0.5], [0.75, 1.0, 1.25]] [0.10000000149011612, -2.5]"), result.output)
        XCTAssertTrue(lines.contains("[[3, -1], [16777215, 0]] [0, 7, 255]"), result.output)
        for (file, reason) in [
            ("fortran.npy", "header field 'fortran_order' is True"), ("objects.npy", "header field 'descr' is '|O': object arrays"),
        ] {
            try directory.write("load_npy('\(file)')", to: "bad.rnx")
            let refused = try RnxProcess.run(["run", "bad.rnx"], in: directory.url)
            XCTAssertNotEqual(refused.status, 0)
            XCTAssertTrue(refused.errors.contains("\(file): \(reason)"), refused.errors)
        }
        XCTAssertTrue(lines.contains("['x', 'labels'] [1, 2, 3]"), result.output)
        XCTAssertTrue(lines.contains("(1000,) 1.0 (500,)"), result.output)

        let check = try TestPython.run(
            """
            import numpy as np
            a = np.load("out.npy")
            assert a.dtype == np.float32 and a.tolist() == [[1.5, 2], [3, 4]], a
            z = np.load("out.npz")
            assert sorted(z.files) == ["a", "b"], z.files
            assert z["a"].tolist() == [1, 2, 3] and z["b"].shape == (2, 2), (z["a"], z["b"])
            print("OK")
            """, in: directory.url)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertEqual(check.output, "OK\n")
    }
}
