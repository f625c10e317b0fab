import Foundation
import XCTest
@testable import Kernel

/// A tensor in oneDNN's blocked layout says so, and the plain ops refuse it instead of reading its bytes as NCHW; the
/// grad mode is per thread.
final class TensorLayoutTests: XCTestCase {
    /// The message of the error `body` throws, or a failure when it throws none.
    private func errorMessage(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try body()
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testPlainOpsRefuseABlockedTensorAndReorderingItBackGivesThePlainValues() throws {
        for width in ChannelBlockWidth.allCases { try assertPlainOpsRefuseBlocked(width) }
    }

    private func assertPlainOpsRefuseBlocked(_ width: ChannelBlockWidth) throws {
        let x = try Tensor.randn([2, 16, 3, 3], generator: RandomGenerator(seed: 5))
        let blocked = try x.reordered(to: .channelBlocked(width))
        XCTAssertEqual(blocked.layout, .channelBlocked(width))
        XCTAssertNotEqual(blocked.data, x.data, "the bytes are reordered")
        let refusals: [(op: String, run: () throws -> Any)] = [
            ("add", { try blocked + x }), ("add", { try x + blocked }), ("add", { try blocked + blocked }), ("mul", { try blocked * x }),
            ("sum", { try blocked.sum(axes: [1]) }), ("max", { try blocked.max(axis: 1) }), ("argmax", { try blocked.argmax() }),
            ("reshape", { try blocked.reshape([2, -1]) }), ("reshape", { try blocked.flatten() }),
            ("permute", { try blocked.permute([0, 2, 3, 1]) }),
            ("concat", { try Tensor.concat([x, blocked], axis: 1) }),
            ("conv2d", { try blocked.conv2d(weight: try Tensor.randn([4, 16, 3, 3]), bias: nil) }),
            (
                "batch_norm",
                {
                    try blocked.batchNorm(
                        weight: nil, bias: nil, runningMean: try Tensor.zeros([16]), runningVar: try Tensor.ones([16]),
                        training: true)
                }
            ),
            ("max_pool2d", { try blocked.maxPool2d(kernel: (2, 2)) }), ("global_avg_pool2d", { try blocked.globalAvgPool2d() }),
            ("softmax", { try blocked.softmax(axis: 1) }), ("mse_loss", { try Loss.mse(blocked, x) }),
            ("assign", { try x.detach().assign(blocked) }),
        ]
        for (op, run) in refusals {
            let message = errorMessage(run)
            XCTAssertTrue(message.contains(op) && message.contains("nChw\(width.rawValue)c") && message.contains("plain"), "\(op): \(message)")
        }
        let back = try blocked.reordered(to: .plain)
        XCTAssertEqual(back.layout, .plain)
        XCTAssertEqual(back.data, x.data)
        XCTAssertEqual(try (back + x).data, (x * 2).data)
    }

    func testElementwiseOpsKeepTheLayoutAndGradientsComeBackInIt() throws {
        for width in ChannelBlockWidth.allCases {
            let layout = TensorLayout.channelBlocked(width)
            let x = try Tensor.randn([2, 16, 2, 2], generator: RandomGenerator(seed: 6), requiresGrad: true)
            let blocked = try x.reordered(to: layout)
            let activated = blocked.relu()
            XCTAssertEqual(activated.layout, layout)
            XCTAssertEqual((activated * 3).layout, layout)
            let joined = try Tensor.sameShapeSum(activated, blocked, thenReLU: true)
            XCTAssertEqual(joined.layout, layout)
            XCTAssertThrowsError(try Tensor.sameShapeSum(joined, x, thenReLU: false), "layouts differ")
            try joined.reordered(to: .plain).sum().backward()
            let expected = x.data.map { $0 > 0 ? Float(2) : 0 }
            XCTAssertEqual(try XCTUnwrap(x.grad).data, expected, "\(width)")
            XCTAssertEqual(x.grad?.layout, .plain)
        }
        let eight = try Tensor.randn([1, 16, 2, 2]).reordered(to: .channelBlocked(.eight))
        let sixteen = try Tensor.randn([1, 16, 2, 2]).reordered(to: .channelBlocked(.sixteen))
        XCTAssertThrowsError(try Tensor.sameShapeSum(eight, sixteen, thenReLU: false), "block widths differ")
        let converted = try eight.reordered(to: .channelBlocked(.sixteen))
        XCTAssertEqual(try converted.reordered(to: .plain).data, try eight.reordered(to: .plain).data, "8 → 16 passes through plain")
    }

    func testAModelTrainingThroughBlockedFeatureMapsReturnsPlainOutputs() throws {
        var config = try ResNetConfig.cifar(depth: 8, classes: 3, inputShape: [3, 8, 8])
        config.widths = [16, 32, 32]
        let model = try ResNet.make(config)
        // A residual join deep inside the blocked region, made a model output.
        let join = try XCTUnwrap(model.layers.last { $0 is Add })
        let features = try Model(inputs: model.inputs, outputs: [try model.output(ofLayer: join.name)])
        for output in [try model(try Tensor.randn([2, 3, 8, 8])), try features(try Tensor.randn([2, 3, 8, 8]))] {
            XCTAssertEqual(output.layout, .plain)
            XCTAssertNoThrow(try output.sum(axes: [1]))
        }
    }

    func testNoGradOnOneThreadLeavesRecordingOnForAnother() throws {
        final class Flag: @unchecked Sendable { var value = true }
        let seenInside = Flag()
        let entered = DispatchSemaphore(value: 0), leave = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let other = Thread {
            noGrad {
                seenInside.value = GradMode.isEnabled
                entered.signal()
                leave.wait()
            }
            done.signal()
        }
        other.start()
        entered.wait()
        XCTAssertTrue(GradMode.isEnabled, "another thread's noGrad must not turn recording off here")
        let w = try Tensor.randn([3], requiresGrad: true)
        XCTAssertEqual((w * 2).gradFnName, "mul")
        noGrad { XCTAssertNil((w * 2).gradFnName) }
        leave.signal()
        done.wait()
        XCTAssertFalse(seenInside.value, "noGrad turns recording off on its own thread")
        XCTAssertTrue(GradMode.isEnabled)
    }
}
