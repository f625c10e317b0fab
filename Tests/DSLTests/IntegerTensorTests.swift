import XCTest
@testable import DSL

/// int64 tensors: argmax/argmin, item/tolist as ints, printing as torch, conversions, what keeps the type and what
/// gives float32, and the range an int64 tensor holds exactly.
final class IntegerTensorTests: XCTestCase {
    func testArgmaxAndArgminGiveInt64Tensors() throws {
        let session = Session()
        try session.run("s = tensor([[0.1, 0.9, 0.3], [0.8, 0.05, 0.2]])\ni = s.argmax(1)")
        XCTAssertEqual(try session.run("i.dtype, i.tolist(), s.argmin(dim=1).tolist(), s.argmax()"), .tuple(["int64", [1, 0], [0, 1], 1]))
        XCTAssertEqual(try session.run("repr(i)"), "tensor([1, 0])")
        XCTAssertEqual(try session.run("i[0].item(), i[1].item()"), .tuple([1, 0]))
        XCTAssertEqual(try session.run("repr(s.argmax(1, keepdim=True))"), "tensor([[1],\n        [0]], shape=[2, 1])")
    }

    func testConstructionAndConversionFollowTorch() throws {
        let session = Session()
        XCTAssertEqual(try session.run("tensor([1, 2]).dtype, tensor([1, 2], dtype='int64').dtype"), .tuple(["float32", "int64"]))
        XCTAssertEqual(try session.run("tensor([2.7, -1.5, -0.5]).long().tolist()"), [2, -1, 0])
        XCTAssertEqual(try session.run("repr(tensor([2.7, -0.5]).int())"), "tensor([2, 0])")
        XCTAssertEqual(try session.run("t = tensor([3, 1], dtype='long').float()\nt.dtype, t.tolist()"), .tuple(["float32", [3.0, 1.0]]))
        XCTAssertEqual(try session.run("tensor([[1, 2], [3, 4]], dtype='int64')[1].tolist()"), [3, 4])
        XCTAssertEqual(try session.run("tensor([16777215, -16777215], dtype='int64').tolist()"), [16_777_215, -16_777_215])
    }

    func testWhatKeepsInt64AndWhatGivesFloat32() throws {
        let session = Session()
        try session.run("i = tensor([[3, 1], [4, 1]], dtype='int64')")
        XCTAssertEqual(
            try session.run("i.reshape(4).dtype, i[0].dtype, i[:, 1].dtype, i.T.dtype, i.max().dtype, i.detach().dtype"),
            .tuple(["int64", "int64", "int64", "int64", "int64", "int64"]))
        XCTAssertEqual(
            try session.run("(i + 1).dtype, (i * i).dtype, i.sum().dtype, (i == 1).dtype"), .tuple(["float32", "float32", "float32", "float32"]))
        XCTAssertEqual(try session.run("i.sum().item(), (i == 1).sum().item(), i.max().item()"), .tuple([9.0, 2.0, 4]))
    }

    func testValuesAnInt64TensorCannotHoldExactlyAreErrors() throws {
        let session = Session()
        XCTAssertEqual(
            session.error("tensor([16777217], dtype='int64')")?.message,
            "long: value 16777216.0 (element 0) cannot be an integer: int64 tensors hold integers up to ±16777215 exactly")
        XCTAssertTrue(session.error("tensor([float('nan')]).long()")?.message.contains("cannot be an integer") ?? false)
        XCTAssertEqual(
            session.error("tensor([1], dtype='int32')")?.message, "tensor() argument 'dtype' must be 'float32' or 'int64', got 'int32'")
        XCTAssertEqual(
            session.error("tensor([1], dtype='int64', requires_grad=True)")?.message,
            "tensor() argument 'requires_grad' needs a float32 tensor; int64 tensors have no gradients")
    }
}
