import XCTest
@testable import DSL

/// A session with a linear classifier `m` on 28×28 digits and a small MNIST-5k bunch `data` (192 training images in
/// 6 batches of 32, 64 validation images), printing progress as plain lines.
func trainingSession() throws -> Session {
    let session = Session()
    session.interpreter.progressStyle = .lines
    try session.run(
        """
        seed(0)
        x = input([1, 28, 28])
        m = model(x, dense(flatten(x), 10), name="linear")
        data = mnist5k(batch_size=32, valid=0.25, limit=256, seed=1)
        """)
    return session
}

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-train-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}

/// fit, lr_find, evaluate, interpret, weights, checkpoints and grid search, as a student uses them in the REPL.
final class TrainBindingTests: XCTestCase {
    func testFitLowersTheLossAndPrintsTheEpochTable() throws {
        let session = try trainingSession()
        try session.run("before = evaluate(m, data)['loss']")
        let printed = try session.output("h = fit(m, data, 1, opt=sgd(lr=0.1))")
        let lines = printed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.count, 3, printed)
        XCTAssertEqual(lines[0], "epoch  train_loss  valid_loss  accuracy  time")
        XCTAssertNotNil(lines[1].range(of: #"^1      \d\.\d{6}    \d\.\d{6}    \d\.\d{6}  \d\d:\d\d$"#, options: .regularExpression), lines[1])
        XCTAssertEqual(lines[2], "")
        XCTAssertEqual(try session.run("str(h)")?.description, lines[0] + "\n" + lines[1])
        XCTAssertEqual(try session.run("h.valid_loss[0] < before"), true)
        XCTAssertEqual(try session.run("sum(h.losses[:2]) > sum(h.losses[-2:])"), true)
        XCTAssertEqual(
            try session.run("len(h), h.epochs, h.steps, h.lrs == [0.1] * 6, h.accuracy == h.metrics['accuracy'], h.interrupted"),
            .tuple([1, [1], [0, 1, 2, 3, 4, 5], true, true, false]))
        XCTAssertEqual(try session.run("h['valid_loss'] == h.valid_loss, 0 < h.accuracy[0] <= 1"), .tuple([true, true]))
    }

    func testProgressBarOnATerminal() throws {
        let session = try trainingSession()
        session.interpreter.progressStyle = .bar
        let printed = try session.output("h = fit(m, data, 1, opt=sgd(lr=0.1))")
        XCTAssertTrue(printed.hasPrefix("epoch  train_loss  valid_loss  accuracy  time\n\repoch 1/1 |"), printed)
        XCTAssertTrue(printed.contains("█"), printed)
        XCTAssertTrue(printed.contains(" it/s] loss "), printed)
        // The bar is erased before the row is printed, so the terminal ends with the table only.
        let row = try XCTUnwrap(try session.run("str(h)")?.description.split(separator: "\n").last)
        XCTAssertTrue(printed.hasSuffix("\r\u{1B}[K" + row + "\n"), printed)
        XCTAssertEqual(try session.output("h = fit(m, data, 1, opt=sgd(lr=0.1), quiet=True)"), "")
    }

    func testSchedulesMetricsAndCallbacks() throws {
        let session = try trainingSession()
        try session.run(
            """
            seen = []
            h = fit(m, data, 2, opt=sgd(), schedule=one_cycle(0.1), metrics=[accuracy, top5, error_rate],
                    callbacks=[lambda h: seen.append(len(h.losses))], every=4, quiet=True)
            """)
        XCTAssertEqual(
            try session.run("h.lrs == one_cycle(0.1, total_steps=12).lrs(), h.moms == one_cycle(0.1, total_steps=12).moms()"),
            .tuple([true, true]))
        XCTAssertEqual(
            try session.run("h.metric_names, abs(h.accuracy[1] + h.error_rate[1] - 1) < 1e-9, h.top_5_accuracy[1] >= h.accuracy[1]"),
            .tuple([["accuracy", "top_5_accuracy", "error_rate"], true, true]))
        XCTAssertEqual(try session.run("seen"), [4, 6, 8, 12, 12], "every 4 steps and after each epoch, skipping repeats")
        XCTAssertEqual(
            session.error("fit(m, data, 1, schedule=one_cycle(0.1, total_steps=5))")?.message,
            "one_cycle(max_lr=0.1, total_steps=5) has total_steps=5, but this fit takes 6 steps (epochs × batches per epoch); leave total_steps out and fit fills it in"
        )
        XCTAssertEqual(
            session.error("fit(m, data, 1, lr=0.1, schedule=one_cycle(0.1))")?.message,
            "fit() got both lr= and schedule=, which both set the learning rate; give the rate to the schedule, e.g. one_cycle(max_lr=...)")
        XCTAssertEqual(session.error("fit(m, data, 1, callbacks=[lambda h: 1 / 0], quiet=True)")?.kind, .zeroDivision)
    }

    func testInterruptFromAnotherThreadReturnsThePartialHistory() throws {
        let session = try trainingSession()
        let started = DispatchSemaphore(value: 0)
        session.interpreter.define(
            BuiltinFunction("training_started", doc: "Tells the test that batches are running.") { _ in
                started.signal()
                return .none
            })
        let interpreter = session.interpreter
        DispatchQueue.global().async {
            started.wait()
            interpreter.interrupt.request()
        }
        let printed = try session.output("h = fit(m, data, 100, opt=sgd(lr=0.05), callbacks=[lambda h: training_started()], every=1)")
        XCTAssertEqual(try session.run("h.interrupted, len(h) < 100, len(h.losses) > 0"), .tuple([true, true, true]))
        XCTAssertTrue(printed.contains("interrupted in epoch "), printed)
        XCTAssertTrue(printed.contains("the model keeps the weights it reached"), printed)
        XCTAssertEqual(try session.run("str(h).split('\\n')[-1].startswith('interrupted')"), true)
    }

    func testNaNLossIsAClearError() throws {
        let session = try trainingSession()
        let error = try XCTUnwrap(session.error("h = fit(m, data, 1, lr=1e37, opt=sgd(momentum=0), quiet=True)"))
        XCTAssertEqual(error.kind, .runtime)
        XCTAssertTrue(error.message.hasPrefix("training stopped: the loss became"), error.message)
        XCTAssertTrue(error.message.contains("with learning rate 1.0000e+37"), error.message)
        XCTAssertNotNil(error.message.range(of: #"at epoch 0, batch \d \(step \d\)"#, options: .regularExpression), error.message)
    }

    func testLRFindSuggestsARateAndRestoresTheWeights() throws {
        let session = try trainingSession()
        try session.run("before = [p.sum().item() for p in m.parameters()]")
        let printed = try session.output("r = lr_find(m, data, opt=sgd(), num_it=40)")
        XCTAssertTrue(printed.hasPrefix("method  "), printed)
        XCTAssertEqual(try session.run("[p.sum().item() for p in m.parameters()] == before"), true)
        XCTAssertEqual(
            try session.run("type(r.suggestion), r.suggestion == r.valley, r.lrs[0], 6 <= len(r.lrs) <= 40, len(r.losses) == len(r.lrs)"),
            .tuple([.type(CoreTypes.float), true, 1e-07, true, true]))
        XCTAssertEqual(try session.run("list(r.suggestions.keys())[0], r.table.columns"), .tuple(["valley", ["method", "lr", "index", "loss"]]))
    }

    func testSaveAndLoadWeights() throws {
        let session = try trainingSession()
        let path = try temporaryDirectory(self) + "/linear.safetensors"
        try session.run(
            """
            save(m, '\(path)')
            reference = evaluate(m, data)['loss']
            fit(m, data, 1, opt=sgd(lr=0.1), quiet=True)
            trained = evaluate(m, data)['loss']
            load(m, '\(path)')
            """)
        XCTAssertEqual(try session.run("trained != reference, evaluate(m, data)['loss'] == reference"), .tuple([true, true]))
        XCTAssertEqual(session.error("load(m, '\(path).missing')")?.message, "\(path).missing: cannot open: No such file or directory")
    }

    func testCheckpointsResumeTraining() throws {
        let session = try trainingSession()
        let folder = try temporaryDirectory(self)
        try session.run(
            """
            first = fit(m, data, 1, opt=sgd(lr=0.05), schedule=cosine(0.05), checkpoint='\(folder)/run.ckpt', log='\(folder)/run.jsonl', quiet=True)
            both = fit(m, data, 2, opt=sgd(lr=0.05), schedule=cosine(0.05), checkpoint='\(folder)/run.ckpt', log='\(folder)/run.jsonl',
                       resume='\(folder)/run.ckpt', quiet=True)
            restored = load_checkpoint(m, '\(folder)/run.ckpt')
            save_checkpoint(m, '\(folder)/manual.ckpt', opt=sgd(m), history=both)
            """)
        XCTAssertEqual(
            try session.run("both.epochs, both.train_loss[0] == first.train_loss[0], len(both.losses), both.lrs[:6] == first.lrs"),
            .tuple([[1, 2], true, 12, true]))
        XCTAssertEqual(try session.run("len(restored), len(load_checkpoint(m, '\(folder)/manual.ckpt'))"), .tuple([2, 2]))
        let log = try String(contentsOfFile: folder + "/run.jsonl", encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 2, "the resumed run appends its epoch to the log")
    }

    func testEvaluateAndInterpret() throws {
        let session = try trainingSession()
        try session.run(
            """
            fit(m, data, 1, opt=sgd(lr=0.1), quiet=True)
            result = evaluate(m, data.valid, metrics=[accuracy, top5])
            i = interpret(m, data)
            top = i.top_losses(3)
            confused = i.most_confused()
            """)
        XCTAssertEqual(
            try session.run("list(result.keys()), abs(i.accuracy - result['accuracy']) < 1e-9"),
            .tuple([["loss", "accuracy", "top_5_accuracy"], true]))
        XCTAssertEqual(
            try session.run("i.confusion.columns[:3], len(i.confusion), sum(sum(row[1:]) for row in i.confusion)"),
            .tuple([["actual \\ predicted", "0", "1"], 10, 64]))
        XCTAssertEqual(
            try session.run("i.confusion_matrix[2][2] == i.confusion[2][3], len(i.targets), i.per_class.columns"),
            .tuple([true, 64, ["class", "samples", "correct", "accuracy"]]))
        XCTAssertEqual(
            try session.run("top.columns, len(top), top.column('loss') == sorted(top.column('loss'), reverse=True)"),
            .tuple([["index", "actual", "predicted", "probability", "loss"], 3, true]))
        XCTAssertEqual(try session.run("confused.column('count') == sorted(confused.column('count'), reverse=True)"), true)
        XCTAssertEqual(try session.run("i.top_losses(5)[:2].rows == top.rows[:2], top[0][4] == max(i.losses)"), .tuple([true, true]))
        XCTAssertTrue(try session.run("str(i)")?.description.hasPrefix("Interpretation of 64 samples, accuracy 0.") ?? false)
        XCTAssertTrue(try session.run("str(top)")?.description.hasPrefix("index  actual  predicted  probability    loss\n") ?? false)
        XCTAssertEqual(
            session.error("top.column('los')")?.message,
            "the table has no column 'los'; its columns are ['index', 'actual', 'predicted', 'probability', 'loss'] (did you mean 'loss'?)")
    }

    func testGridSearchSortsTheTrials() throws {
        let session = Session()
        let printed = try session.output("r = grid_search({'a': [1, 2, 3], 'b': [10, 20]}, lambda a, b: a * b)")
        XCTAssertTrue(printed.hasPrefix("trial 1/6: a=1, b=10: score 10.0000\ntrial 2/6: a=1, b=20: score 20.0000\n"), printed)
        XCTAssertEqual(
            try session.run("r.best, r.best_score, r.metric, [t['score'] for t in r.trials]"),
            .tuple([.dict(try DictObject([("a", 3), ("b", 20)])), 60.0, "score", [60.0, 40.0, 30.0, 20.0, 20.0, 10.0]]))
        XCTAssertEqual(try session.run("[(t['a'], t['b']) for t in r.trials][3:5]"), [.tuple([1, 20]), .tuple([2, 10])], "ties keep the run order")
        XCTAssertTrue(
            try session.run("str(r)")?.description.hasPrefix("grid search: 6 trials, sorted by score (higher is better)\na   b  score   time\n")
                ?? false)
        try session.run(
            """
            losses = grid_search({'lr': [0.1, 0.01]}, lambda lr: {'valid_loss': lr * 10, 'accuracy': 1 - lr}, quiet=True)
            failing = grid_search({'a': [0, 1, 2]}, lambda a: 1 / a, higher_is_better=False, quiet=True)
            """)
        XCTAssertEqual(
            try session.run("losses.metric, losses.best, losses.table.columns"),
            .tuple(["valid_loss", .dict(try DictObject([("lr", 0.01)])), ["lr", "valid_loss", "accuracy", "time"]]))
        XCTAssertEqual(
            try session.run("[t['a'] for t in failing], failing.trials[-1]['error']"),
            .tuple([[2, 1, 0], "ZeroDivisionError: division by zero"]))
    }

    func testInterruptStopsAGridSearchBetweenTrials() throws {
        let session = Session()
        session.interpreter.define(
            BuiltinFunction("press_ctrl_c", doc: "Requests an interrupt, as Ctrl-C does.") { args in
                args.interpreter.interrupt.request()
                return .none
            })
        let printed = try session.output("r = grid_search({'a': [1, 2, 3]}, lambda a: press_ctrl_c() or a)")
        XCTAssertEqual(printed, "trial 1/3: a=1: score 1.0000\ngrid search interrupted after 1 of 3 trials\n")
        XCTAssertEqual(try session.run("len(r), r.best"), .tuple([1, .dict(try DictObject([("a", 1)]))]))
        XCTAssertTrue(
            try session.run("str(r)")?.description.hasPrefix("grid search: 1 trial, sorted by score (higher is better), interrupted\n") ?? false)
    }

    func testGridSearchOverTrainingRuns() throws {
        let session = try trainingSession()
        try session.run("r = grid_search({'lr': [0.001, 0.1]}, lambda lr: fit(m, data, 1, opt=sgd(lr=lr), quiet=True), quiet=True)")
        XCTAssertEqual(try session.run("r.metric, r.table.columns"), .tuple(["accuracy", ["lr", "accuracy", "valid_loss", "train_loss", "time"]]))
    }

    func testArgumentErrors() throws {
        let session = try trainingSession()
        XCTAssertEqual(session.error("fit(3, data)")?.message, "fit() argument 'model' must be a model (e.g. cifar_resnet(20)), not int")
        XCTAssertEqual(session.error("fit(m, [1])")?.message, "fit() argument 'data' must be a DataBunch (e.g. mnist5k()) or a DataLoader, not list")
        XCTAssertEqual(session.error("fit(m, data, 0)")?.message, "fit() argument 'epochs' must be at least 1, got 0")
        XCTAssertEqual(
            session.error("fit(m, data, metrics=[1])")?.message,
            "fit() argument 'metrics' must be a list of metrics such as [accuracy, top5], not int")
        XCTAssertEqual(
            session.error("fit(m, data, loss='mse')")?.message,
            "fit() argument 'loss' must be 'cross_entropy' or a function f(output, labels) returning the loss tensor, got 'mse'")
        XCTAssertEqual(
            session.error("evaluate(m, databunch(data.train.dataset))")?.message,
            "evaluate() argument 'data' has no validation data; pass one of its loaders, e.g. data.train")
        try session.run("y = input([1, 28, 28])\nother = model(y, dense(flatten(y), 10))\nbound = sgd(m, lr=0.1)")
        XCTAssertEqual(
            session.error("fit(other, data, opt=bound)")?.message,
            "this optimizer cannot train model 'model': it was created for model 'linear'; create a new one, e.g. sgd(m, lr=0.1, momentum=0.9)")
    }

    func testHelpForEveryTrainingBuiltin() throws {
        let session = Session()
        for group in TrainingLibrary.groups {
            for function in group.functions {
                XCTAssertEqual(try session.output("help(\(function.name))"), HelpBuiltins.describe(function) + "\n")
            }
            for constant in group.constants {
                XCTAssertTrue(try session.output("help('\(constant.name)')").contains(constant.doc), constant.name)
            }
        }
        for type in TrainingLibrary.types {
            XCTAssertTrue(try session.output("help(\(type.name))").hasPrefix("class \(type.name)\n    \(type.doc)"), type.name)
            for method in type.methods {
                XCTAssertTrue(try session.output("help('\(method.qualifiedName)')").hasPrefix(method.signature), method.qualifiedName)
            }
        }
        XCTAssertTrue(
            try session.output("help(fit)").hasPrefix("fit(model, data, epochs=1, *, opt=None, lr=None, schedule=None, metrics=[accuracy], "))
    }
}
