import Foundation
import XCTest

/// `fit(..., tensorboard=)` and `rnx run --tensorboard`, read back with the real `tensorboard` package.
final class TensorBoardEventTests: XCTestCase {
    func testFitWritesScalarsTextAndHistogramsTensorBoardReads() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            """
            seed(0)
            data = mnist5k(batch_size=32, limit=64)
            x = input([1, 28, 28])
            m = model(x, dense(flatten(x), 10))
            h = fit(m, data, 2, opt=sgd(lr=0.05, momentum=0.9), quiet=True, tensorboard="runs/exp1", histograms=True)
            print("LOSSES", h.losses)
            print("ACCURACY", h.metrics["accuracy"])
            print("VALID", h.valid_loss)
            """, to: "tiny.rnx")
        let result = try RnxProcess.run(["run", "tiny.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        // The printed lists are valid Python literals: the reader compares them with what TensorBoard read.
        let expected = result.output.split(separator: "\n").filter { $0.hasPrefix("LOSSES") || $0.hasPrefix("ACCURACY") || $0.hasPrefix("VALID") }
        XCTAssertEqual(expected.count, 3, result.output)
        try directory.write(expected.joined(separator: "\n"), to: "expected.txt")
        let check = try TestPython.run(
            """
            import ast, glob, math
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            expected = {}
            for line in open("expected.txt"):
                key, _, value = line.partition(" ")
                expected[key] = ast.literal_eval(value)
            files = glob.glob("runs/exp1/events.out.tfevents.*")
            assert len(files) == 1, files
            acc = EventAccumulator("runs/exp1", size_guidance={"scalars": 0, "tensors": 0, "histograms": 0})
            acc.Reload()
            tags = acc.Tags()
            for tag in ["train/loss", "train/lr", "train/momentum", "train/epoch_loss", "valid/loss", "valid/accuracy"]:
                assert tag in tags["scalars"], (tag, tags)
            losses = acc.Scalars("train/loss")
            assert [e.step for e in losses] == list(range(len(expected["LOSSES"]))), [e.step for e in losses]
            assert all(math.isclose(e.value, v, rel_tol=1e-6) for e, v in zip(losses, expected["LOSSES"])), (losses, expected)
            assert all(math.isclose(e.value, 0.05, rel_tol=1e-6) for e in acc.Scalars("train/lr"))
            assert all(math.isclose(e.value, 0.9, rel_tol=1e-6) for e in acc.Scalars("train/momentum"))
            steps_per_epoch = len(losses) // 2
            accuracy = acc.Scalars("valid/accuracy")
            assert [e.step for e in accuracy] == [steps_per_epoch - 1, 2 * steps_per_epoch - 1], accuracy
            assert all(math.isclose(e.value, v, rel_tol=1e-6) for e, v in zip(accuracy, expected["ACCURACY"])), accuracy
            assert all(math.isclose(e.value, v, rel_tol=1e-6) for e, v in zip(acc.Scalars("valid/loss"), expected["VALID"]))
            assert "model/summary" in tags["tensors"], tags
            text = acc.Tensors("model/summary")[0].tensor_proto.string_val[0].decode()
            assert "Total params" in text, text
            histograms = [t for t in tags["histograms"] if t.startswith("weights/")]
            assert len(histograms) == 2, tags["histograms"]
            histogram = acc.Histograms(histograms[0])
            assert len(histogram) == 2 and histogram[0].histogram_value.num > 0, histogram
            assert histogram[0].histogram_value.min <= histogram[0].histogram_value.max
            assert sum(histogram[0].histogram_value.bucket) == histogram[0].histogram_value.num
            print("OK")
            """, in: directory.url)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("OK"), check.output)
    }

    func testRunOptionGivesEveryFitItsDirectory() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            """
            seed(0)
            data = mnist5k(batch_size=32, limit=32)
            x = input([1, 28, 28])
            m = model(x, dense(flatten(x), 10))
            h = fit(m, data, 1, quiet=True)
            """, to: "tiny.rnx")
        let result = try RnxProcess.run(["run", "tiny.rnx", "--tensorboard", "logs"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        let check = try TestPython.run(
            """
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            acc = EventAccumulator("logs", size_guidance={"scalars": 0})
            acc.Reload()
            assert len(acc.Scalars("train/loss")) == 1, acc.Tags()
            print("OK")
            """, in: directory.url)
        XCTAssertEqual(check.status, 0, check.output)
    }

    func testUnwritableDirectoryIsOneError() throws {
        let directory = try TemporaryDirectory()
        try directory.write("taken", to: "file")
        try directory.write(
            """
            data = mnist5k(batch_size=32, limit=32)
            x = input([1, 28, 28])
            fit(model(x, dense(flatten(x), 10)), data, 1, quiet=True, tensorboard="file/run")
            """, to: "tiny.rnx")
        let result = try RnxProcess.run(["run", "tiny.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("tiny.rnx:3"), result.errors)
        XCTAssertTrue(result.errors.contains("file/run: cannot create the directory: file is a file"), result.errors)
    }
}
