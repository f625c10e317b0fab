import XCTest
@testable import DSL

/// freeze/unfreeze, layer groups, discriminative learning rates, replace_head and fine_tune on the bundled digits,
/// starting from saved weights as transfer learning does.
final class FineTuneBindingTests: XCTestCase {
    /// A small convolutional net trained for an epoch, saved, and loaded into a fresh copy `m`.
    private func pretrainedSession() throws -> Session {
        let session = Session()
        session.interpreter.progressStyle = .lines
        let path = try temporaryDirectory(self) + "/digits.safetensors"
        try session.run(
            """
            def net():
                x = input([1, 28, 28])
                h = relu(batchnorm(conv2d(x, 4, stride=2)))
                h = relu(batchnorm(conv2d(h, 8, stride=2)))
                return model(x, dense(global_avg_pool(h), 10), name="digits")
            seed(0)
            data = mnist5k(batch_size=32, valid=0.25, limit=256, seed=1)
            pretrained = net()
            fit(pretrained, data, 1, opt=adam(lr=1e-2), quiet=True)
            pretrained.save_weights(\(Value.quote(path)))
            m = net()
            m.load_weights(\(Value.quote(path)))
            def same(a, b):
                return (a - b).abs().max().item() == 0
            def weights(m):
                return {name: t.detach() for name, t in m.named_parameters()}
            """)
        return session
    }

    func testLayerGroupsAndFreezeKeepTheBodyBitIdentical() throws {
        let session = try pretrainedSession()
        XCTAssertEqual(
            try session.run("m.layer_groups"),
            .list([
                ["conv2d", "batch_normalization", "re_lu"], ["conv2d_1", "batch_normalization_1", "re_lu_1", "global_average_pooling2d"],
                ["dense"],
            ]))
        try session.run(
            """
            freeze(m)
            before = weights(m)
            h = fit(m, data, 1, opt=adam(lr=1e-2), quiet=True)
            after = weights(m)
            """)
        XCTAssertEqual(
            try session.run("[n for n in before if same(before[n], after[n])]"), ["conv2d.weight", "conv2d.bias", "conv2d_1.weight", "conv2d_1.bias"])
        XCTAssertEqual(try session.run("m.layer('conv2d').trainable, m.layer('batch_normalization').trainable"), .tuple([false, true]))
        try session.run("unfreeze(m)\nbefore = weights(m)\nfit(m, data, 1, opt=adam(lr=1e-2), quiet=True)\nafter = weights(m)")
        XCTAssertEqual(try session.run("[n for n in before if same(before[n], after[n])]"), .list([]), "unfreeze trains every weight")
        try session.run("freeze(m, upto='batch_normalization', train_bn=False)")
        XCTAssertEqual(try session.run("[l.name for l in m.layers if not l.trainable]"), ["input_1", "conv2d", "batch_normalization"])
        try session.run("freeze(m, 2)")
        XCTAssertEqual(
            try session.run("[l.name for l in m.layers if l.trainable]"), ["input_1", "batch_normalization", "batch_normalization_1", "dense"])
        XCTAssertEqual(
            session.error("freeze(m, upto=1.5)")?.message, "freeze() argument 'upto' must be None, a layer group index or a layer name, not float")
    }

    func testLearningRatePairsSpreadGeometricallyOverTheGroups() throws {
        let session = try pretrainedSession()
        try session.run("opt = adam()\nfit(m, data, 1, opt=opt, lr=(1e-5, 1e-3), quiet=True)")
        let rates = try XCTUnwrap(try session.run("[g['lr'] for g in opt.param_groups]")?.description)
        XCTAssertEqual(try session.run("[round(g['lr'] / 1e-5, 6) for g in opt.param_groups]"), [1.0, 10.0, 100.0], rates)
        try session.run("fit(m, data, 1, opt=opt, schedule=one_cycle(max_lr=(None, 1e-3)), quiet=True)")
        XCTAssertEqual(
            try session.run("g = opt.param_groups\n[round(x['lr'] / g[-1]['lr'], 6) for x in g]"), [0.1, 1.0],
            "fastai's slice(high): the body groups share high / 10, so they form one optimizer group")
        XCTAssertEqual(try session.run("repr(one_cycle(max_lr=(1e-05, 0.001)))"), "one_cycle(max_lr=(1e-05, 0.001))")
        XCTAssertEqual(
            session.error("fit(m, data, 1, lr=(1e-3, 1e-5))")?.message,
            "fit() argument 'lr' must be a pair (low, high) with 0 < low ≤ high, got (0.001, 1e-05)")
    }

    func testReplaceHeadChangesTheClassesAndKeepsTheBody() throws {
        let session = try pretrainedSession()
        try session.run("before = weights(m)\nm.replace_head(12)")
        XCTAssertEqual(try session.run("m.output_shape, m(data.one_batch()[0]).shape[1]"), .tuple([.tuple([12]), 12]))
        XCTAssertEqual(try session.run("same(before['conv2d_1.weight'], m.layer('conv2d_1').weights['weight'])"), true)
        XCTAssertEqual(try session.run("m.layer('dense').weights['weight'].shape"), .tuple([12, 8]))
        XCTAssertEqual(
            session.error("m.replace_head(0)")?.message, "Model.replace_head() argument 'classes' must be at least 1, got 0")
    }

    func testFineTuneRunsFastaisTwoPhases() throws {
        let session = try pretrainedSession()
        try session.run(
            """
            m.replace_head(10)
            before = weights(m)
            opt = adam()
            h = fine_tune(m, data, 2, base_lr=2e-3, opt=opt, quiet=True)
            """)
        // Six batches an epoch; the unfrozen phase's one-cycle starts at base_lr / 2 / div and peaks at base_lr / 2.
        // h.lrs follows the first layer group, whose rate is base_lr / 2 / lr_mult at the peak.
        XCTAssertEqual(try session.run("len(h.lrs), len(h.train_loss)"), .tuple([12, 2]))
        // The peak falls between two batches (pct_start · 12 = 3.6), as in torch's OneCycleLR: the largest rate is just below it.
        XCTAssertEqual(try session.run("abs(h.lrs[0] - 1e-5 / 5) < 1e-15, 0.99e-5 < max(h.lrs) <= 1e-5"), .tuple([true, true]))
        XCTAssertEqual(try session.run("g = opt.param_groups\n[round(x['lr'] / g[-1]['lr'], 6) for x in g]"), [0.01, 0.1, 1.0])
        XCTAssertEqual(try session.run("[n for n in before if same(before[n], weights(m)[n])]"), .list([]), "every layer trained")
        XCTAssertEqual(try session.run("all(l.trainable for l in m.layers)"), true)
        XCTAssertEqual(session.error("fine_tune(m, data, 1, lr=1e-3)")?.message, "fine_tune() sets lr itself; it cannot be given")
    }
}
