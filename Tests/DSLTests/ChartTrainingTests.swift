import Foundation
import XCTest
import Kernel
@testable import DSL

/// A history with `steps` steps of a falling loss and `epochs` completed epochs (5 steps each), decoded from JSON
/// as `fit` would have recorded it.
func fakeHistory(steps: Int, epochs: Int = 0, metricNames: [String] = [], ended: Bool = false) throws -> History {
    let stepRows = (0..<steps).map { step -> [String: Any] in
        let loss = 2.0 / Double(step + 1)
        return ["step": step, "epoch": step / 5, "batch": step % 5, "learningRate": 0.01, "momentum": 0.9, "loss": loss, "smoothedLoss": loss]
    }
    let epochRows = (0..<epochs).map { epoch -> [String: Any] in
        let metrics: [Double] = metricNames.map { _ in 0.5 + 0.1 * Double(epoch) }
        return ["epoch": epoch, "trainLoss": 1.0 / Double(epoch + 1), "validLoss": 1.2 / Double(epoch + 1), "metrics": metrics, "seconds": 1.0]
    }
    var object: [String: Any] = ["metricNames": metricNames, "steps": stepRows, "epochs": epochRows]
    if ended { object["stopReason"] = ["completed": [String: Any]()] }
    return try JSONDecoder().decode(History.self, from: JSONSerialization.data(withJSONObject: object))
}

final class ChartTrainingTests: XCTestCase {
    /// A tiny classifier and 24 random samples of three classes, split into a training and a validation loader.
    private let tinyRun = """
        seed(3)
        x = input([1, 4, 4])
        net = model(x, dense(flatten(x), 3), name="tiny")
        samples = tensor_dataset(randn(24, 1, 4, 4), [i % 3 for i in range(24)], classes=['ant', 'bee', 'cat'])
        train, valid = split(samples, 0.25, seed=1)
        data = databunch(train, valid, batch_size=6, seed=1)
        """

    func testPlotOfAHistoryDrawsLossesAndMetrics() throws {
        let session = chartSession { $0.size = PlotSettings.Size(width: 100, height: 30) }
        try session.run(tinyRun + "\nh = fit(net, data, 2, lr=0.1, quiet=True)")
        let perStep = drawing(try session.run("plot(h)"))
        for expected in ["loss", "train (smoothed)", "valid", "accuracy", "step"] {
            XCTAssertTrue(perStep.contains(expected), "missing \(expected) in\n\(perStep)")
        }
        let perEpoch = drawing(try session.run("plot(h, per='epoch', logy=True, title='two epochs')"))
        XCTAssertTrue(perEpoch.contains("two epochs") && perEpoch.contains("epoch"), perEpoch)
        XCTAssertEqual(
            session.error("plot(h, steps=3)")?.message,
            "plot() argument 'steps' does not apply to a History; it takes: logy, per")
        XCTAssertEqual(session.error("plot(h, per='batch')")?.message, "plot() argument 'per' must be 'step' or 'epoch', got 'batch'")
    }

    func testAHistoryWithoutStepsOrEpochsIsAClearError() throws {
        let session = chartSession()
        session.interpreter.setGlobal("empty", .object(HistoryObject(History(metricNames: []))))
        XCTAssertEqual(session.error("plot(empty)")?.message, "plot(): the history is empty: nothing was trained yet")
        session.interpreter.setGlobal("started", .object(HistoryObject(try fakeHistory(steps: 3))))
        XCTAssertTrue(drawing(try session.run("plot(started)")).contains("train (smoothed)"))
        XCTAssertEqual(
            session.error("plot(started, per='epoch')")?.message,
            "plot(): the history has no completed epoch yet; use per='step'")
    }

    func testPlotOfAnLRFinderResultMarksTheSuggestions() throws {
        let session = chartSession { $0.size = PlotSettings.Size(width: 120, height: 30) }
        try session.run(tinyRun + "\nr = lr_find(net, data, num_it=40, end_lr=1, quiet=True)")
        XCTAssertEqual(try session.run("len(r.suggestions) > 0"), true)
        let text = drawing(try session.run("plot(r)"))
        XCTAssertTrue(text.contains("learning rate finder") && text.contains("learning rate"), text)
        XCTAssertTrue(text.contains("valley"), "the valley suggestion is marked:\n\(text)")
        XCTAssertTrue(text.contains("1e-0"), "the x axis is logarithmic:\n\(text)")
    }

    func testPlotOfAScheduleShowsLearningRateAndMomentum() throws {
        let session = chartSession()
        let cycle = drawing(try session.run("plot(one_cycle(0.01, total_steps=50))"))
        XCTAssertTrue(cycle.contains("learning rate") && cycle.contains("momentum"), cycle)
        let flat = drawing(try session.run("plot(constant(0.1), steps=20, title='flat')"))
        XCTAssertTrue(flat.contains("flat") && !flat.contains("momentum"), flat)
        XCTAssertEqual(session.error("plot(cosine(0.1))")?.kind, .value)
        XCTAssertEqual(session.error("plot(constant(0.1), steps=0)")?.message, "plot() argument 'steps' must be between 1 and 1000000, got 0")
    }

    func testConfusionAndTopLossesOfAnInterpretation() throws {
        let session = chartSession()
        try session.run(tinyRun + "\ni = interpret(net, data)")
        let matrix = drawing(try session.run("confusion(i)"))
        for name in ["ant", "bee", "cat", "predicted"] { XCTAssertTrue(matrix.contains(name), "missing \(name) in\n\(matrix)") }
        let worst = drawing(try session.run("images(i, n=4)"))
        XCTAssertTrue(worst.contains("top losses (actual/predicted/probability)"), worst)
        XCTAssertEqual(
            session.error("confusion(i, labels=['x'])")?.message,
            "confusion() argument 'labels' does not apply to Interpretation: its class names are used")
    }

    func testImagesOfDataSetsLoadersAndBunches() throws {
        let session = chartSession()
        try session.run(tinyRun)
        for source in ["samples", "data", "data.train"] {
            let text = drawing(try session.run("images(\(source), n=3)"))
            XCTAssertTrue(["ant", "bee", "cat"].contains { text.contains($0) }, "no class name for \(source):\n\(text)")
        }
    }
}
