import XCTest
@testable import DSL

/// cross_entropy, nll_loss, mse_loss, l1_loss and binary_cross_entropy_with_logits as builtins: PyTorch's values
/// (from the script in KernelTests/FunctionalLossTests.swift), gradients, integer labels and argument errors.
final class FunctionalLossBindingTests: XCTestCase {
    private func session() throws -> Session {
        let session = Session()
        try session.run(
            """
            logits = tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 0.3], [2.0, 0.0, -2.0], [0.5, 0.5, 0.5]], requires_grad=True)
            y = tensor([1, 2, 0, 2], dtype='int64')
            x = tensor([[0.5, -1.0, 2.0], [0.0, 3.0, -0.5]])
            t = tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])
            def close(a, b):
                return abs(a - b) < 1e-6
            def log_softmax(z):
                return z - z.exp().sum(1, keepdim=True).log()
            """)
        return session
    }

    func testValuesEqualTorch() throws {
        let session = try session()
        XCTAssertEqual(
            try session.run(
                """
                [close(cross_entropy(logits, y).item(), 0.6109202),
                 close(cross_entropy(logits, [1, 2, 0, 2], reduction='sum', label_smoothing=0.1).item(), 2.7770143),
                 close(cross_entropy(logits, tensor([1, -100, 0, 2]), weight=tensor([1.0, 2.0, 0.5]), label_smoothing=0.2).item(), 0.6318552),
                 close(nll_loss(log_softmax(logits), y, reduction='none')[3].item(), 1.0986123),
                 close(mse_loss(x, t).item(), 1.2083334),
                 close(l1_loss(x, t, reduction='sum').item(), 5.5),
                 close(binary_cross_entropy_with_logits(x, t, pos_weight=tensor([2.0, 0.5, 1.0])).item(), 0.4716436)]
                """),
            .list(Array(repeating: true, count: 7)))
        XCTAssertEqual(try session.run("cross_entropy(logits, y, reduction='none').shape"), .tuple([4]))
    }

    func testGradientsFlowToTheLogits() throws {
        let session = try session()
        try session.run("loss = cross_entropy(logits, y)\nloss.backward()\ng = logits.grad")
        // d/dlogits = (softmax − one-hot) / N: each row sums to zero.
        XCTAssertEqual(try session.run("all(abs(v) < 1e-6 for v in g.sum(1).tolist())"), true)
        XCTAssertEqual(try session.run("close(g[0, 1].item(), (log_softmax(logits)[0, 1].exp().item() - 1) / 4)"), true)
    }

    func testCustomLossFunctionsInFitGetIntegerLabels() throws {
        let session = try trainingSession()
        try session.run(
            """
            seen = []
            def loss(out, labels):
                seen.append(labels.dtype)
                return cross_entropy(out, labels, label_smoothing=0.1)
            h = fit(m, data, 1, opt=sgd(lr=0.1), loss=loss, quiet=True)
            """)
        XCTAssertEqual(try session.run("len(seen) > 0 and all(d == 'int64' for d in seen)"), true)
        XCTAssertEqual(try session.run("h.train_loss[0] > 0"), true)
    }

    func testArgumentErrors() throws {
        let session = try session()
        XCTAssertEqual(
            session.error("cross_entropy(logits, y, reduction='avg')")?.message,
            "cross_entropy() argument 'reduction' must be 'mean', 'sum' or 'none', got 'avg'")
        XCTAssertEqual(
            session.error("cross_entropy(logits, tensor([0.5, 1, 2, 0]))")?.message,
            "cross_entropy() argument 'target' must hold integer class indices, found 0.5 at position 0")
        XCTAssertEqual(
            session.error("cross_entropy(logits, tensor([[1, 2]]))")?.message,
            "cross_entropy() argument 'target' must be class indices of shape [N], got shape [1, 2]")
        XCTAssertTrue(
            session.error("cross_entropy(logits, [1, 2, 3, 0])")?.message.contains("target 3 (sample 2) is out of range for 3 classes") ?? false)
        XCTAssertTrue(session.error("mse_loss(x, logits)")?.message.contains("target of the input's shape [2, 3]") ?? false)
    }
}
