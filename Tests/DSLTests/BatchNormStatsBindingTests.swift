import XCTest
@testable import DSL
@testable import Kernel

/// `batchnorm(x, momentum=None)`, `resnet(..., bn_momentum=None)` and `recompute_bn_stats(model, data)` from the language.
final class BatchNormStatsBindingTests: XCTestCase {
    /// A batch norm on 12 fixed samples [2, 1, 2] served unshuffled in 3 batches of 4.
    private let setup = """
        seed(1)
        xs = randn(12, 2, 1, 2)
        x = input([2, 1, 2])
        net = model(x, dense(flatten(batchnorm(x, name="bn")), 2))
        data = loader(tensor_dataset(xs, [i % 2 for i in range(12)]), batch_size=4, shuffle=False)
        """

    private func kernelObjects(_ session: Session) throws -> (Model, BatchNormalization, [Float]) {
        guard case .object(let net as ModelObject)? = try session.run("net"), case .object(let xs as TensorObject)? = try session.run("xs") else {
            throw XCTSkip("the session did not build the model")
        }
        let norm = try XCTUnwrap(net.model.layer(named: "bn") as? BatchNormalization)
        return (net.model, norm, xs.tensor.data)
    }

    func testRecomputeSetsTheTrueAverageOverThePassAndKeepsMomentumAndMode() throws {
        let session = Session()
        try session.run(setup)
        try session.run("for xb, yb in data:\n    net(xb)")
        XCTAssertEqual(try session.run("net.eval()\nresult = recompute_bn_stats(net, data)\nresult is None"), .bool(true))
        XCTAssertEqual(session.printed, "", "prints nothing")
        let (model, norm, values) = try kernelObjects(session)

        // Per channel, each batch's mean and unbiased variance over its 4 samples × 2 values; the statistics are their
        // averages over the 3 batches, as torch.optim.swa_utils.update_bn leaves them.
        var expectedMean = [Double](repeating: 0, count: 2), expectedVar = [Double](repeating: 0, count: 2)
        for batch in 0..<3 {
            for channel in 0..<2 {
                let sample = { (n: Int) in Array(values[((batch * 4 + n) * 2 + channel) * 2..<((batch * 4 + n) * 2 + channel + 1) * 2]) }
                let xs = (0..<4).flatMap(sample).map(Double.init)
                let mean = xs.reduce(0, +) / 8
                expectedMean[channel] += mean / 3
                expectedVar[channel] += xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 7 / 3
            }
        }
        let mean = try XCTUnwrap(norm.runningMean).data, variance = try XCTUnwrap(norm.runningVar).data
        for channel in 0..<2 {
            XCTAssertEqual(Double(mean[channel]), expectedMean[channel], accuracy: 1e-5, "running_mean[\(channel)]")
            XCTAssertEqual(Double(variance[channel]), expectedVar[channel], accuracy: 1e-5, "running_var[\(channel)]")
        }
        XCTAssertEqual(norm.momentum, 0.1, "the momentum is put back")
        XCTAssertFalse(model.isTraining, "the model stays in eval mode")
    }

    func testMomentumNoneKeepsACumulativeAverage() throws {
        let session = Session()
        XCTAssertEqual(
            try session.run(
                "x = input([2, 1, 2])\nm = model(x, batchnorm(x, momentum=None, name='b'))\nrepr(BatchNorm(momentum=None)), repr(m.layer('b'))"),
            .tuple([
                "<BatchNormalization batch_normalization: momentum None (cumulative average), epsilon 1e-05>",
                "<BatchNormalization b: momentum None (cumulative average), epsilon 1e-05>",
            ]))
        XCTAssertEqual(
            try session.run("m = resnet(20, bn_momentum=None)\nrepr(m.layer('layer3.2.bn2'))"),
            "<BatchNormalization layer3.2.bn2: momentum None (cumulative average), epsilon 1e-05>")
        XCTAssertEqual(
            session.error("resnet(20, bn_momentum=2)")?.message, "resnet: the batch-norm momentum must be in [0, 1] or None, found 2.0")
    }

    func testBadArgumentsAreReported() throws {
        let session = Session()
        try session.run(setup)
        XCTAssertEqual(
            session.error("recompute_bn_stats(net, data, batches=0)")?.message, "recompute_bn_stats() argument 'batches' must be at least 1, got 0")
        XCTAssertEqual(
            session.error("recompute_bn_stats(net, xs)")?.message,
            "recompute_bn_stats() argument 'data' must be a DataBunch (e.g. mnist5k()) or a DataLoader, not Tensor")
    }
}
