import XCTest
@testable import DSL

/// Optimizers in the language: bound to tensors or a model for hand-written loops, or left unbound for fit.
final class OptimBindingTests: XCTestCase {
    func testSGDStepOnATensorList() throws {
        let session = Session()
        try session.run(
            """
            w = tensor([1.0, 2.0], requires_grad=True)
            opt = sgd([w], lr=0.1, momentum=0)
            (w * w).sum().backward()
            opt.step()
            after_one = w.tolist()
            opt.zero_grad()
            """)
        // d/dw of w·w is 2w, so one step gives w − 0.1·2w = 0.8w.
        let values = try XCTUnwrap(try session.run("after_one")?.listItems).compactMap(\.numericValue)
        XCTAssertEqual(values[0], 0.8, accuracy: 1e-6)
        XCTAssertEqual(values[1], 1.6, accuracy: 1e-6)
        XCTAssertEqual(try session.run("w.grad, opt.bound, opt.kind"), .tuple([.none, true, "sgd"]))
    }

    func testAdamFirstStepMovesEachWeightByTheLearningRate() throws {
        let session = Session()
        try session.run(
            """
            w = tensor([1.0, -2.0], requires_grad=True)
            opt = adam([w], lr=0.1)
            (w * w).sum().backward()
            opt.step()
            """)
        // Adam's first bias-corrected step is lr·g/|g| (up to ε), whatever the gradient's size.
        let values = try XCTUnwrap(try session.run("w.tolist()")?.listItems).compactMap(\.numericValue)
        XCTAssertEqual(values[0], 0.9, accuracy: 1e-5)
        XCTAssertEqual(values[1], -1.9, accuracy: 1e-5)
    }

    func testUnboundOptimizersAreRecipes() throws {
        let session = Session()
        try session.run("opt = sgd(lr=0.1, wd=5e-4)")
        XCTAssertEqual(
            try session.run("repr(opt), opt.bound, opt.lr, opt.momentum, opt.wd, opt.param_groups"),
            .tuple(["sgd(lr=0.1, momentum=0.9, wd=0.0005)", false, 0.1, 0.9, 0.0005, []]))
        XCTAssertEqual(
            session.error("opt.step()")?.message,
            "step() needs an optimizer bound to parameters: create it with sgd(m, lr=0.1, momentum=0.9, wd=0.0005) or pass a list of tensors first")
        try session.run("opt.lr = 0.05")
        XCTAssertEqual(try session.run("opt.lr, repr(adamw())"), .tuple([0.05, "adamw(lr=0.001, betas=(0.9, 0.999), wd=0.01)"]))
    }

    func testBindingToAModelSplitsWeightDecayGroups() throws {
        let session = Session()
        try session.run(
            """
            x = input([1, 4, 4])
            m = model(x, dense(flatten(x), 3), name="tiny")
            opt = sgd(m, lr=0.1, wd=5e-4, no_wd_bn_bias=True)
            groups = opt.param_groups
            """)
        XCTAssertEqual(
            try session.run("[(g['name'], g['wd'], g['params']) for g in groups]"),
            [.tuple(["decay", 0.0005, 1]), .tuple(["no_decay", 0.0, 1])],
            "the bias is exempt from weight decay, as in fastai")
        XCTAssertEqual(try session.run("[g['name'] for g in sgd(m, wd=5e-4).param_groups]"), ["all"], "torch.optim decays every parameter")
        XCTAssertTrue(
            try session.run("repr(opt)")?.description.hasPrefix("<sgd(lr=0.1, momentum=0.9, wd=0.0005, no_wd_bn_bias=True) for model 'tiny'") ?? false
        )
        XCTAssertEqual(try session.run("len(sgd(m.parameters(), lr=0.1).param_groups[0])"), 5)
    }

    func testArgumentErrors() throws {
        let session = Session()
        XCTAssertEqual(
            session.error("sgd(0.1)")?.message,
            "sgd() argument 'params' must be a model or a list of tensors, not float (the learning rate is given as lr=...)")
        XCTAssertEqual(session.error("sgd([1, 2])")?.message, "sgd() argument 'params' must be a model or a list of tensors, not int")
        XCTAssertEqual(session.error("sgd([])")?.message, "sgd() argument 'params' is an empty list; there is nothing to optimize")
        XCTAssertEqual(session.error("sgd(lr=-1)")?.message, "SGD: learning rate must be a finite number ≥ 0, found -1.0")
        XCTAssertEqual(session.error("adam(betas=(0.9,))")?.message, "adam() argument 'betas' must be a pair of numbers (β₁, β₂), e.g. (0.9, 0.999)")
        XCTAssertEqual(session.error("sgd(nesterov=True, momentum=0)")?.message, "SGD: Nesterov momentum requires a momentum > 0 and zero dampening")
    }
}
