import XCTest
@testable import DSL

/// sgd/adam/adamw decay every parameter by default, as torch.optim does; fastai's exemption is no_wd_bn_bias=True.
/// Two steps of each on a 1-D tensor equal torch's (values from torch 2.13):
///
/// ```python
/// c = torch.tensor([0.5, -1.0, 2.0]); p = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
/// opt = torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)   # or Adam / AdamW(weight_decay=0.1) / AdamW()
/// for _ in range(2): opt.zero_grad(); (p * c).sum().backward(); opt.step()
/// ```
final class OptimDefaultsTests: XCTestCase {
    private func twoSteps(_ optimizer: String) throws -> Value? {
        let session = Session()
        return try session.run(
            """
            c = tensor([0.5, -1.0, 2.0])
            w = tensor([1.0, -2.0, 3.0], requires_grad=True)
            opt = \(optimizer)
            for _ in range(2):
                opt.zero_grad()
                (w * c).sum().backward()
                opt.step()
            [round(v, 5) for v in w.tolist()]
            """)
    }

    func testWeightDecayAppliesToOneDimensionalTensorsAsInTorch() throws {
        XCTAssertEqual(try twoSteps("sgd([w], lr=0.1, momentum=0.9, wd=0.1)"), [0.8266, -1.6532, 2.3353])
        XCTAssertEqual(try twoSteps("adam([w], lr=0.1, wd=0.1)"), [0.80005, -1.80002, 2.80001])
        XCTAssertEqual(try twoSteps("adamw([w], lr=0.1, wd=0.1)"), [0.7811, -1.7612, 2.7413], "the issue's reproducer")
        XCTAssertEqual(try twoSteps("adamw([w], lr=0.1)"), [0.7981, -1.7961, 2.7941], "torch's default wd=0.01")
        XCTAssertEqual(try twoSteps("adamw([w], lr=0.1, wd=0.1, no_wd_bn_bias=True)"), try twoSteps("adam([w], lr=0.1)"), "fastai's exemption")
    }

    func testFastaisExemptionIsOneArgumentAway() throws {
        let session = Session()
        try session.run("x = input([1, 4, 4])\nm = model(x, batchnorm(conv2d(x, 2)), name='tiny')")
        XCTAssertEqual(try session.run("[(g['name'], g['wd']) for g in adamw(m, wd=0.05).param_groups]"), [.tuple(["all", 0.05])])
        XCTAssertEqual(
            try session.run("[(g['name'], g['wd'], g['params']) for g in adamw(m, wd=0.05, no_wd_bn_bias=True).param_groups]"),
            [.tuple(["decay", 0.05, 1]), .tuple(["no_decay", 0.0, 3])])
        XCTAssertEqual(try session.run("repr(sgd(wd=1e-4, no_wd_bn_bias=True))"), "sgd(lr=0.01, momentum=0.9, wd=0.0001, no_wd_bn_bias=True)")
    }
}
