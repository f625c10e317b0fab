import XCTest
@testable import DSL

/// Training a model defined in the language by hand (forward, cross-entropy from tensor operations, backward,
/// an SGD update through the layers' weights), and saving and loading its weights.
final class ModelTrainingTests: XCTestCase {
    private let tinyModel = """
        seed(3)
        x = input([1, 4, 4])
        h = relu(conv2d(x, 2, 3))
        net = model(x, dense(flatten(h), 3), name="tiny")
        images = randn(4, 1, 4, 4)
        onehot = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])

        def cross_entropy(logits, targets):
            return -(log(softmax(logits)) * targets).sum() / len(targets)

        def sgd_step(m, lr):
            for layer in m.layers:
                if layer.weight is not None:
                    layer.weight = layer.weight - lr * layer.weight.grad
                if layer.bias is not None:
                    layer.bias = layer.bias - lr * layer.bias.grad
            m.zero_grad()
        """

    func testOneManualSGDStepLowersTheLoss() throws {
        let session = Session()
        try session.run(tinyModel)
        try session.run(
            """
            loss = cross_entropy(net(images), onehot)
            loss.backward()
            before = loss.item()
            gradient_norm = net.conv2d.weight.grad.pow(2).sum().item()
            sgd_step(net, 0.5)
            after = cross_entropy(net(images), onehot).item()
            """)
        XCTAssertEqual(try session.run("net.params"), .int(2 * 9 + 2 + 32 * 3 + 3))
        XCTAssertEqual(try session.run("gradient_norm > 0, net.dense.weight.grad"), .tuple([true, .none]))
        let before = try XCTUnwrap(try session.run("before")?.numericValue)
        let after = try XCTUnwrap(try session.run("after")?.numericValue)
        XCTAssertLessThan(after, before)
        XCTAssertEqual(
            try session.run("net.dense.weight.requires_grad, net.dense.weight.is_leaf"), .tuple([true, true]),
            "assigning weights keeps them the model's trainable leaves")
    }

    func testFrozenLayersStopRequiringGradients() throws {
        let session = Session()
        try session.run(tinyModel)
        try session.run("net.conv2d.trainable = False")
        XCTAssertEqual(try session.run("net.conv2d.weight.requires_grad, net.params, net.non_trainable_params"), .tuple([false, 99, 20]))
        try session.run("cross_entropy(net(images), onehot).backward()")
        XCTAssertEqual(try session.run("net.conv2d.weight.grad is None, net.dense.weight.grad is None"), .tuple([true, false]))
    }

    func testSavedWeightsLoadIntoAFreshlyBuiltModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-model-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tiny.safetensors").path

        let session = Session()
        try session.run(tinyModel)
        try session.run("net.eval()\nexpected = net(images).tolist()\nnet.save_weights('\(path)')")
        // The same code builds the same layer names, so the file fits a fresh model with other random weights.
        try session.run(
            """
            seed(99)
            x2 = input([1, 4, 4])
            fresh = model(x2, dense(flatten(relu(conv2d(x2, 2, 3))), 3))
            fresh.eval()
            different = fresh(images).tolist() != expected
            fresh.load_weights('\(path)')
            """)
        XCTAssertEqual(try session.run("different, fresh(images).tolist() == expected"), .tuple([true, true]))

        try session.run("x3 = input([1, 4, 4])\nwider = model(x3, dense(flatten(relu(conv2d(x3, 5, 3))), 3))")
        let mismatch = try XCTUnwrap(session.error("wider.load_weights('\(path)')"))
        XCTAssertTrue(
            mismatch.message.contains("weights do not fit model 'model': shape mismatch for conv2d.weight: model [5, 1, 3, 3], file [2, 1, 3, 3]"),
            mismatch.message)
        XCTAssertTrue(
            try XCTUnwrap(session.error("net.load_weights('\(directory.path)/missing.safetensors')")).message.contains("missing.safetensors"))

        try session.run("x4 = input([1, 4, 4])\nheadless = model(x4, flatten(relu(conv2d(x4, 2, 3))))")
        XCTAssertEqual(
            session.error("headless.load_weights('\(path)')")?.message.contains(
                "unexpected keys (in the file, not in the model): dense.weight, dense.bias"), true)
        XCTAssertEqual(
            try session.run("headless.load_weights('\(path)', strict=False).unexpected"), try eval("['dense.weight', 'dense.bias']"))
        XCTAssertEqual(try session.run("headless.conv2d.weight.tolist() == net.conv2d.weight.tolist()"), true)
    }
}
