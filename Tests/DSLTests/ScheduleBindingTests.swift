import XCTest
@testable import DSL

/// Schedules previewed in the language, value for value as PyTorch's schedulers stepped per batch.
final class ScheduleBindingTests: XCTestCase {
    func testOneCyclePreviewMatchesPyTorch() throws {
        let session = Session()
        try session.run("s = one_cycle(max_lr=0.1, total_steps=100)\np = s.preview()")
        // torch.optim.lr_scheduler.OneCycleLR(max_lr=0.1, total_steps=100): lr and momentum of steps 0, 29, 50, 99.
        XCTAssertEqual(try session.run("len(p), p[0]"), .tuple([100, .tuple([0.0040000000000000036, 0.95])]))
        XCTAssertEqual(try session.run("p[99][0]"), 4e-07)
        let peak = try XCTUnwrap(try session.run("p[29][0]")?.numericValue)
        XCTAssertEqual(peak, 0.1, accuracy: 1e-12)
        let middle = try XCTUnwrap(try session.run("p[50]"))
        guard case .tuple(let pair) = middle, let lr = pair[0].numericValue, let momentum = pair[1].numericValue else {
            return XCTFail("preview entries are (lr, momentum) pairs, got \(middle.repr)")
        }
        XCTAssertEqual(lr, 0.0793893450575732, accuracy: 1e-15)
        XCTAssertEqual(momentum, 0.8706107373853763, accuracy: 1e-15)
        XCTAssertEqual(try session.run("s.lrs() == [v[0] for v in p], s.moms()[0], s.total_steps"), .tuple([true, 0.95, 100]))
        XCTAssertEqual(try session.run("repr(s)"), "one_cycle(max_lr=0.1, total_steps=100)")
    }

    func testOneCycleVariants() throws {
        let session = Session()
        XCTAssertEqual(try session.run("one_cycle(0.1, total_steps=10, momentum=None).preview()[0]"), .tuple([0.0040000000000000036, .none]))
        XCTAssertEqual(
            try session.run("one_cycle(1.0, total_steps=4, anneal='linear', pct_start=0.5).lrs()"),
            [0.04, 1.0, 0.5000020000000001, 4.000000000004e-06])
        let fastai = try XCTUnwrap(try session.run("one_cycle_fastai(0.1).lrs(100)")?.listItems)
        XCTAssertEqual(fastai.count, 100)
        XCTAssertEqual(fastai.last?.numericValue ?? 0, 0.1 / 25 / 1e5, accuracy: 1e-18, "fastai divides the final rate by 1e5")
        XCTAssertEqual(try session.run("one_cycle(0.1, total_steps=100, three_phase=True).lrs()[58]"), 0.004)
    }

    func testSchedulesWithoutALengthNeedStepsToPreview() throws {
        let session = Session()
        try session.run("s = one_cycle(0.1)")
        XCTAssertEqual(try session.run("s.total_steps, len(s.preview(10))"), .tuple([.none, 10]))
        XCTAssertEqual(session.error("s.preview()")?.message, "one_cycle(max_lr=0.1) has no length yet; give one: .preview(steps) or total_steps=...")
    }

    func testCosineWithWarmupInStepsOrAsAFraction() throws {
        let session = Session()
        let lrs = try XCTUnwrap(try session.run("cosine(1.0, total_steps=10, warmup=2).lrs()")?.listItems).compactMap(\.numericValue)
        XCTAssertEqual(Array(lrs.prefix(3)), [0, 0.5, 1.0])
        XCTAssertEqual(lrs[6], 0.5, accuracy: 1e-12, "halfway through the cosine part")
        XCTAssertEqual(try session.run("cosine(1.0, total_steps=10, warmup=0.2).lrs() == cosine(1.0, total_steps=10, warmup=2).lrs()"), true)
        let expected: Double = 0.5 + 0.5 * (1 + cos(Double.pi * 3 / 4)) / 2
        XCTAssertEqual(try session.run("cosine(1.0, total_steps=4, min_lr=0.5).lrs()[-1]"), .float(expected))
    }

    func testDecayWarmupAndConstantSchedules() throws {
        let session = Session()
        XCTAssertEqual(try session.run("step_lr(0.1, 3, gamma=0.5).lrs(7)"), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
        XCTAssertEqual(try session.run("multistep(1.0, [2, 4], gamma=0.1).lrs(5)"), [1.0, 1.0, 0.1, 0.1, 0.010000000000000002])
        XCTAssertEqual(try session.run("exponential(1.0, 0.5).lrs(3)"), [1.0, 0.5, 0.25])
        XCTAssertEqual(try session.run("warmup(0.3, 3, start_factor=0.0).lrs(5)"), [0.0, 0.09999999999999999, 0.19999999999999998, 0.3, 0.3])
        XCTAssertEqual(try session.run("constant(0.01).preview(2)"), [.tuple([0.01, .none]), .tuple([0.01, .none])])
        XCTAssertEqual(try session.run("len(constant(0.01).lrs())"), 100, "schedules without a length preview 100 steps")
    }

    func testBadArgumentsFailWhereTheyAreWritten() throws {
        let session = Session()
        XCTAssertEqual(session.error("one_cycle(-1)")?.message, "one_cycle: max_lr must be a finite number > 0, found -1.0")
        XCTAssertEqual(
            session.error("one_cycle(0.1, anneal='cubic')")?.message, "one_cycle() argument 'anneal' must be 'cos' or 'linear', got 'cubic'")
        XCTAssertEqual(session.error("one_cycle(0.1, pct_start=1.5)")?.kind, .value)
        XCTAssertEqual(session.error("one_cycle(0.1, total_steps=0)")?.message, "one_cycle() argument 'total_steps' must be at least 1, got 0")
        XCTAssertEqual(session.error("cosine(0.1, warmup=1.5)")?.message, "cosine() argument 'warmup' as a fraction must be in [0, 1), got 1.5")
        XCTAssertEqual(session.error("step_lr(0.1, 0)")?.kind, .value)
        XCTAssertEqual(session.error("one_cycle(0.1, momentum=0.9)")?.message, "one_cycle() argument 'momentum' must be an iterable, not float")
    }
}

extension Value {
    /// The elements of a list value, or nil.
    var listItems: [Value]? {
        if case .list(let list) = self { return list.items }
        return nil
    }
}
