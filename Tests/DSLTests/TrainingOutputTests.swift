import Foundation
import Plot
import XCTest
@testable import DSL
@testable import Kernel

/// What training prints reads right (issue #20): the bar counts batches in batches a second and fits the terminal,
/// a diverging loss shows in scientific notation and is warned about once, the LR finder's table says what each
/// suggestion was read off, and the charts of training results mark and scale what they show correctly.
final class TrainingOutputTests: XCTestCase {
    private func progress(batch: Int, of count: Int, elapsed: Double, phase: TrainingPhase = .train) -> BatchProgress {
        BatchProgress(
            phase: phase, epoch: 1, epochs: 5, batch: batch, batchCount: count, samples: batch * 64, elapsed: elapsed,
            itemsPerSecond: Double(batch * 64) / elapsed, eta: elapsed / Double(batch) * Double(count - batch),
            runningLoss: 2.3456, learningRate: 1e-3, step: 62 + batch)
    }

    func testTheBarCountsBatchesAndSaysSoInIterationsASecond() {
        let line = ProgressPrinter.barLine(progress(batch: 11, of: 62, elapsed: 2.2))
        XCTAssertTrue(line.hasSuffix("11/62 [00:02<00:10, 5.0 it/s] loss 2.3456"), line)
        XCTAssertFalse(line.contains("items/s"), "batches are counted, so the rate is in batches: \(line)")
        XCTAssertTrue(ProgressPrinter.barLine(progress(batch: 2, of: 62, elapsed: 5)).contains("2.50 s/it"), "tqdm's unit when slower than 1/s")
        XCTAssertEqual(ProgressPrinter.rate(batches: 0, seconds: 0), "? it/s")
    }

    func testTheBarNeverExceedsTheWidthAndKeepsTheLoss() {
        let lrFind = progress(batch: 45, of: 100, elapsed: 3, phase: .lrFind)
        let full = ProgressPrinter.barLine(lrFind)
        XCTAssertGreaterThan(full.count, 79, "the case of issue #20: \(full)")
        for width in [79, 70, 60, 50, 40] {
            let line = ProgressPrinter.barLine(lrFind, width: width)
            XCTAssertLessThanOrEqual(line.count, width, line)
            XCTAssertTrue(line.hasSuffix("loss 2.3456"), "the loss is never cut at \(width): \(line)")
        }
        XCTAssertTrue(ProgressPrinter.barLine(lrFind, width: 79).contains("it/s]"), "at 80 columns the timing stays")
    }

    func testLargeLossesAreInScientificNotationAndTheTableKeepsItsColumns() {
        XCTAssertEqual(EpochTable.number(1_256_391_008), "1.256e+09")
        XCTAssertEqual(EpochTable.number(0.123456789), "0.123457")
        XCTAssertEqual(EpochTable.number(-3e7), "-3.000e+07")
        let table = EpochTable(metricNames: ["accuracy"])
        let record = EpochRecord(epoch: 0, trainLoss: 1_256_391_008, validLoss: 4.2e12, metrics: [0.1], seconds: 3)
        let row = table.row(record, metricCount: 1)
        XCTAssertEqual(row, "1      1.256e+09   4.200e+12   0.100000  00:03")
        XCTAssertEqual(
            table.header.range(of: "valid_loss")?.lowerBound.utf16Offset(in: table.header),
            row.range(of: "4.200e+12")?.lowerBound.utf16Offset(in: row))
    }

    func testADivergingFitIsWarnedAboutOnce() throws {
        let session = Session()
        try session.run(tinyLiveRun)
        let printed = try session.output("h = fit(net, data, 3, lr=1e4, progress=False)")
        let warnings = printed.components(separatedBy: "warning: the loss is diverging").count - 1
        XCTAssertEqual(warnings, 1, printed)
        XCTAssertTrue(printed.contains("over 4× its best") && printed.contains("learning rate is probably too high"), printed)
        let calm = try session.output("seed(3)\nnet2 = model(x, dense(flatten(x), 3))\nh = fit(net2, data, 2, lr=0.01, progress=False)")
        XCTAssertFalse(calm.contains("diverging"), calm)
    }

    func testTheLRFinderTableSaysWhereEachSuggestionWasReadAndWhatMinimumMeans() throws {
        let losses: [Double] = (0..<20).map { (i: Int) -> Double in 2.3 - 0.05 * Double(min(i, 14)) + 0.2 * Double(max(i - 14, 0)) }
        let curve = try fakeCurve(losses: losses)
        let rates = curve.learningRates
        let methods: [LRSuggestionMethod] = [.valley, .minimum]
        let result = LRFinderResult(curve: curve, suggestions: curve.suggestions(methods), interrupted: false)
        let minimum = try XCTUnwrap(result.suggestion(.minimum))
        let table = result.table()
        XCTAssertTrue(table.hasPrefix("method         lr  at index  lr there  loss there"), table)
        let row = String(table.split(separator: "\n").first { $0.hasPrefix("minimum") } ?? "")
        let suggested = String(format: "%.2e", minimum.learningRate)
        let recorded = String(format: "%.2e", rates[minimum.index])
        XCTAssertTrue(row.contains(suggested), row)
        XCTAssertTrue(row.contains(" \(minimum.index) ") && row.contains(recorded), "the row pairs the index with the lr recorded there: \(row)")
        XCTAssertEqual(minimum.learningRate, Double(Float(rates[minimum.index])) / 10, accuracy: 1e-12)
        let note = "minimum = the lr at the lowest loss (\(recorded), index \(minimum.index)) / 10, as fastai has it"
        XCTAssertTrue(table.hasSuffix(note), table)
    }

    func testEachLRSuggestionIsMarkedOnTheCurve() throws {
        let losses: [Double] = (0..<40).map { (i: Int) -> Double in 2.3 - 0.04 * Double(min(i, 30)) + 0.3 * Double(max(i - 30, 0)) }
        let curve = try fakeCurve(losses: losses)
        let rates = curve.learningRates
        let suggestions = curve.suggestions()
        let chart = try XCTUnwrap(
            try ChartBuilders.lrFinder(
                learningRates: rates, losses: losses, suggestions: suggestions, logX: true, logY: false, labels: ChartLabels())
                as? LineChart)
        let minimum = try XCTUnwrap(suggestions.first { (s: LRSuggestion) in s.method == .minimum })
        let marker = try XCTUnwrap(chart.series.first { (s: Series) in s.name.hasPrefix("minimum/10") }, "the legend says what minimum is")
        XCTAssertEqual(marker.x, [minimum.learningRate])
        // Between the two recorded points around lr_min / 10, on the straight line joining them on the log axis.
        let above = try XCTUnwrap(rates.firstIndex { (rate: Double) in rate >= minimum.learningRate })
        let low: Double = log(rates[above - 1]), high: Double = log(rates[above])
        let t: Double = (log(minimum.learningRate) - low) / (high - low)
        let expected: Double = losses[above - 1] + (losses[above] - losses[above - 1]) * t
        XCTAssertEqual(marker.y[0], expected, accuracy: 1e-9)
        XCTAssertGreaterThan(marker.y[0], minimum.pointLoss + 0.01, "not at the lowest loss, which is elsewhere on the curve")
        for suggestion in suggestions where suggestion.method != .minimum {
            let point = try XCTUnwrap(chart.series.first { (s: Series) in s.name.hasPrefix(suggestion.method.rawValue + " ") })
            XCTAssertEqual(point.y[0], suggestion.pointLoss, accuracy: 1e-4, "\(suggestion.method) sits at its own point")
        }
    }

    func testHistoryPanelsShareTheStepAxisAndLabelTheirYAxes() throws {
        let history = try fakeHistory(steps: 20, epochs: 4, metricNames: ["accuracy"])
        let panels = try XCTUnwrap(
            try ChartBuilders.history(history, per: .step, logY: false, labels: ChartLabels()) as? ChartPanels)
        XCTAssertTrue(panels.sharesX)
        XCTAssertEqual(panels.panels.map { (panel: LineChart) in panel.yLabel }, ["loss", "accuracy"])
        let script = try panels.script().text
        XCTAssertEqual(script.components(separatedBy: "set xrange [0.0:19.0]").count - 1, 2, "both panels start at step 0:\n\(script)")
    }

    /// An LR-finder curve from 1e-5 to 1 recording `losses` unsmoothed, without the divergence stop.
    private func fakeCurve(losses: [Double]) throws -> LRFinderCurve {
        var curve = try LRFinderCurve(startLR: 1e-5, endLR: 1, numIterations: losses.count, stopOnDivergence: false, beta: 0)
        for loss in losses { curve.record(loss: Float(loss)) }
        return curve
    }
}
