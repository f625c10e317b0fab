import XCTest
@testable import DSL

final class TensorBindingTests: XCTestCase {
    func testCreationAndPrinting() throws {
        let session = Session()
        XCTAssertEqual(try session.run("repr(tensor([[1, 2], [3, 4]]))"), "tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2])")
        XCTAssertEqual(try session.run("tensor([[1, 2], [3, 4]]).shape"), .tuple([2, 2]))
        XCTAssertEqual(
            try session.run("zeros(2, 3).shape, ones((4,)).shape, full((2, 2), 7).tolist(), tensor(2.5).shape"),
            .tuple([.tuple([2, 3]), .tuple([4]), [[7.0, 7.0], [7.0, 7.0]], .tuple([])]))
        XCTAssertEqual(try session.run("arange(4).tolist(), arange(1, 2, 0.5).tolist()"), .tuple([[0.0, 1.0, 2.0, 3.0], [1.0, 1.5]]))
        XCTAssertEqual(try session.output("print(tensor([1.5, 2]))"), "tensor([1.5000, 2.0000])\n")
        XCTAssertEqual(try session.run("type(zeros(1))")?.repr, "<class 'Tensor'>")
    }

    func testSeedMakesRandomTensorsReproducible() throws {
        let session = Session()
        try session.run("seed(7)\na = randn(2, 2)\nb = rand(3)\nseed(7)\nc = randn(2, 2)\nd = rand(3)")
        XCTAssertEqual(try session.run("a.tolist() == c.tolist() and b.tolist() == d.tolist()"), true)
        XCTAssertEqual(try session.run("all(0 <= x < 1 for x in b.tolist())"), true)
    }

    func testArithmeticWithTensorsAndNumbers() throws {
        let session = Session()
        try session.run("a = tensor([1, 2, 3])\nm = tensor([[1, 2], [3, 4]])")
        XCTAssertEqual(
            try session.run("(a + a).tolist(), (a * 2).tolist(), (10 - a).tolist(), (a / 2).tolist(), (6 / a).tolist()"),
            .tuple([[2.0, 4.0, 6.0], [2.0, 4.0, 6.0], [9.0, 8.0, 7.0], [0.5, 1.0, 1.5], [6.0, 3.0, 2.0]]))
        XCTAssertEqual(
            try session.run("(a ** 2).tolist(), (-a).tolist(), (m @ m).tolist(), m.T.tolist()"),
            .tuple([[1.0, 4.0, 9.0], [-1.0, -2.0, -3.0], [[7.0, 10.0], [15.0, 22.0]], [[1.0, 3.0], [2.0, 4.0]]]))
        XCTAssertEqual(
            try session.run("(a > 1).tolist(), (a == tensor([1, 0, 3])).tolist(), (2 >= a).tolist()"),
            .tuple([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]))
        XCTAssertEqual(
            try session.run("exp(tensor([0.0])).tolist(), sqrt(tensor([4.0])).tolist(), abs(tensor([-1])).tolist()"),
            .tuple([[1.0], [2.0], [1.0]]))
    }

    func testReductionsIndexingAndConversions() throws {
        let session = Session()
        try session.run("m = tensor([[1, 2, 3], [4, 5, 6]])")
        XCTAssertEqual(
            try session.run("m.sum().item(), m.mean().item(), m.max().item(), m.min().item(), m.argmax()"),
            .tuple([21.0, 3.5, 6.0, 1.0, 5]))
        XCTAssertEqual(
            try session.run("m.sum(dim=0).tolist(), m.mean(1).tolist(), m.sum(dim=1, keepdim=True).shape"),
            .tuple([[5.0, 7.0, 9.0], [2.0, 5.0], .tuple([2, 1])]))
        XCTAssertEqual(
            try session.run("m[1].tolist(), m[-1, 0].item(), m[:, 1].tolist(), m[0, ::2].tolist(), m[[1, 0]].tolist()"),
            .tuple([[4.0, 5.0, 6.0], 4.0, [2.0, 5.0], [1.0, 3.0], [[4.0, 5.0, 6.0], [1.0, 2.0, 3.0]]]))
        XCTAssertEqual(
            try session.run("m.reshape(3, 2).shape, m.reshape(-1).shape, m.flatten().shape, m.unsqueeze(0).shape, m.permute(1, 0).shape"),
            .tuple([.tuple([3, 2]), .tuple([6]), .tuple([6]), .tuple([1, 2, 3]), .tuple([3, 2])]))
        XCTAssertEqual(
            try session.run("len(m), [row.sum().item() for row in m], float(m[0, 0]), int(m[1, 2]), m.numel(), m.size(1)"),
            .tuple([2, [6.0, 15.0], 1.0, 6, 6, 3]))
        XCTAssertEqual(
            try session.run("f'{m.sum():.1f}', stack([m[0], m[1]]).shape, cat([m, m]).shape"),
            .tuple(["21.0", .tuple([2, 3]), .tuple([4, 3])]))
    }

    func testAutograd() throws {
        let session = Session()
        try session.run(
            """
            x = tensor([1.0, 2.0, 3.0], requires_grad=True)
            loss = (x * x).sum()
            origin = loss.grad_fn
            loss.backward()
            """)
        XCTAssertEqual(
            try session.run("x.grad.tolist(), origin, x.is_leaf, x.requires_grad"),
            .tuple([[2.0, 4.0, 6.0], "sum", true, true]))
        try session.run("x.zero_grad()\nw = ones(2, requires_grad=True)\n(w * 3).sum().backward()")
        XCTAssertEqual(try session.run("x.grad, w.grad.tolist(), w.detach().requires_grad"), .tuple([.none, [3.0, 3.0], false]))
    }

    func testKernelErrorsBecomeLocatedLanguageErrors() throws {
        let session = Session()
        try session.run("a = ones(2, 3)\nb = ones(4, 5)")
        let mismatch = try XCTUnwrap(session.error("c = a @ b", file: "shapes.rnx"))
        XCTAssertEqual(mismatch.kind, .runtime)
        XCTAssertEqual(mismatch.location?.description, "shapes.rnx:1:7")
        XCTAssertTrue(mismatch.message.hasPrefix("matmul"), mismatch.message)
        XCTAssertEqual(session.error("a + b")?.message, "add: shape mismatch: expected shapes that broadcast with [2, 3], found [4, 5]")
        XCTAssertEqual(session.error("a.item()")?.kind, .value)
        XCTAssertEqual(session.error("a.backward()")?.message, "autograd: backward() on a tensor that does not require grad and has no grad_fn")
        XCTAssertEqual(
            session.error("if a:\n    pass")?.message,
            "the truth value of a tensor with 6 elements is ambiguous; reduce it first, e.g. (t > 0).sum().item() > 0")
        XCTAssertEqual(session.error("tensor([[1, 2], [3]])")?.message, "tensor(): the nested lists are ragged (lengths 2 and 1 at depth 1)")
        XCTAssertEqual(session.error("tensor(['a'])")?.message, "tensor() needs numbers or (nested) lists of numbers, not str")
        XCTAssertEqual(session.error("a[5]")?.kind, .value)
        XCTAssertEqual(session.error("a + 'x'")?.message, "unsupported operand types for +: 'Tensor' and 'str'")
        XCTAssertEqual(session.error("zeros(-1)")?.kind, .value)
        XCTAssertEqual(session.error("arange(0, 1e30)")?.kind, .value)
        XCTAssertEqual(session.error("arange(0, 1, 0)")?.kind, .value)
    }

    func testTensorsInTheRepl() throws {
        let session = Session()
        try session.run("t = zeros(2, 2)")
        XCTAssertEqual(session.interpreter.completions(for: "t.sh", cursor: 4), ["shape"])
        XCTAssertEqual(session.interpreter.completions(for: "t.sum(", cursor: 6).prefix(2), ["dim=", "keepdim="])
        XCTAssertEqual(session.interpreter.globalsSummary().first?.typeName, "Tensor")
        XCTAssertTrue(try session.output("help(t)").hasPrefix("class Tensor\n"))
        XCTAssertEqual(try session.run("isinstance(t, Tensor), type(t) == Tensor"), .tuple([true, true]))
        XCTAssertEqual(session.error("Tensor()")?.message, "'Tensor' values cannot be created by calling the type")
    }
}
