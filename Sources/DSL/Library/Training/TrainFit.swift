import Basics
import Foundation
import Kernel

/// `fit` and `lr_find`: argument handling around the Kernel's training loop, the progress display, Ctrl-C, and
/// callbacks for live charts.
enum TrainFit {
    static let parameters: [Parameter] = [
        .required("model"), .required("data"), .optional("epochs", 1), .keywordOnly("opt", .none), .keywordOnly("lr", .none),
        .keywordOnly("schedule", .none), .keywordOnly("metrics", .list([.object(MetricObject.accuracy)])), .keywordOnly("loss", "cross_entropy"),
        .keywordOnly("label_smoothing", 0), .keywordOnly("clip", .none), .keywordOnly("log", .none), .keywordOnly("checkpoint", .none),
        .keywordOnly("resume", .none), .keywordOnly("callbacks", .none), .keywordOnly("every", 10), .keywordOnly("live", false),
        .keywordOnly("progress", true), .keywordOnly("quiet", false), .keywordOnly("sync_bn", false),
        .keywordOnly("tensorboard", .none), .keywordOnly("histograms", false), .keywordOnly("hparams", .none),
    ]

    static let doc = """
        Train model on data (a DataBunch, or a DataLoader without validation) for epochs, printing fastai's epoch table; returns the History.
        opt: sgd/adam/adamw (default adam(lr=1e-3)), bound to the model on first use and keeping its state across fits.
        lr: the learning rate without a schedule (default: the optimizer's); a pair (low, high) spreads rates over the layer groups as fastai's slice(low, high). schedule: one_cycle(max_lr), cosine(max_lr), … stepped per batch, total_steps filled in.
        metrics: accuracy, error_rate, top5, top_k(k) or f(output, labels). loss: 'cross_entropy' (with label_smoothing) or f(output, labels). clip: gradient norm limit.
        log: a per-epoch metrics file (.csv or JSON lines; default $RNX_METRICS_LOG, which `rnx run --log` sets). checkpoint: a file rewritten after each epoch; resume: continue from such a file.
        callbacks: functions f(history) called every `every` steps, after each epoch and once at the end however training stopped (live charts).
        live=True adds live_plot() to the callbacks (unless they have one): the loss chart redrawn in place on a terminal; elsewhere (a file, a pipe) the final chart is drawn once.
        progress=False hides the bar; quiet=True prints nothing but live charts. Ctrl-C stops between batches and returns the history so far; the model keeps its weights.
        tensorboard: a run directory for TensorBoard event files (default $RNX_TENSORBOARD_DIR, which `rnx run --tensorboard` sets): train/loss, train/lr, train/momentum per step, valid/loss and metrics per epoch, the model summary as text; histograms=True adds weight histograms per epoch.
        hparams: a dict {name: number, str or bool} of the run's hyper-parameters for TensorBoard's HParams dashboard (needs tensorboard=); grid_search(tensorboard=) records its trials' own.
        Example: fit(model, data, 3, schedule=one_cycle(0.1), tensorboard="runs/exp1", hparams={"max_lr": 0.1}), then `tensorboard --logdir runs`.
        Under mpirun (rnx run --np N) each rank trains on its shard of every epoch with gradients averaged over the ranks; sync_bn=True computes batch-norm statistics over all ranks' batches.
        """

    static let lrFindParameters: [Parameter] = [
        .required("model"), .required("data"), .keywordOnly("opt", .none), .keywordOnly("start_lr", 1e-7), .keywordOnly("end_lr", 10.0),
        .keywordOnly("num_it", 100), .keywordOnly("stop_div", true), .keywordOnly("loss", "cross_entropy"), .keywordOnly("callbacks", .none),
        .keywordOnly("every", 10), .keywordOnly("live", false), .keywordOnly("quiet", false),
    ]

    static let lrFindDoc = """
        The learning-rate range test (fastai's lr_find): num_it training batches with the rate growing exponentially from start_lr to end_lr.
        Stops when the loss diverges, prints the suggestions and returns them with the curve (r.valley, r.lrs, r.losses).
        The model's weights and the optimizer's state are restored afterwards.
        callbacks: functions f(history) called every `every` iterations and once at the end (the history's steps are the iterations: h.lrs, h.losses).
        live=True adds live_plot(): the loss over the learning rate (log x) redrawn in place on a terminal; elsewhere the final chart, with the suggestions, is drawn once.
        """

    // MARK: - fit

    static func fit(_ args: Arguments) throws -> Value {
        let interpreter = args.interpreter
        let model = try TrainBindings.model(args, "model")
        let (data, valid) = try TrainBindings.trainingData(args, "data")
        // Under mpirun each rank trains on its shard of the data, so the schedule counts the shard's batches.
        let train = try Distributed.trainingShard(of: data, group: Distributed.world())
        let epochs = try args.int("epochs")
        guard epochs >= 1 else { throw args.valueError("epochs", "must be at least 1, got \(epochs)") }
        let optimizerObject = try TrainBindings.optimizerObject(args, "opt") ?? OptimizerObject(.fitDefault)
        let scheduleObject =
            try args.isNone("schedule") ? nil : try args.object("schedule", as: ScheduleObject.self, expected: "a schedule such as one_cycle(0.1)")
        let (lr, lrSpread) = try LearningRateSpread.rate(args, "lr")
        let spread = lrSpread ?? scheduleObject?.spread
        let optimizer = try optimizerObject.optimizer(for: model, lrScales: try spread?.scales(for: model) ?? [:])
        if lr != nil && scheduleObject != nil {
            throw DSLError(
                .value,
                "fit() got both lr= and schedule=, which both set the learning rate; give the rate to the schedule, e.g. one_cycle(max_lr=...)")
        }
        let schedule = try scheduleObject?.schedule(forTraining: epochs * train.batchCount)
        let metrics = try TrainBindings.metricList(args, "metrics")
        let loss = try TrainBindings.lossFunction(args, "loss", labelSmoothing: try args.double("label_smoothing"))
        let quiet = try args.bool("quiet")

        var options = FitOptions()
        if let path = try args.optionalString("resume") {
            let checkpoint = try TrainingCheckpoint.load(from: path)
            try checkpoint.restore(model: model, optimizer: optimizer)
            options = FitOptions(resuming: checkpoint)
        }
        if schedule == nil {
            optimizerObject.resetHyperParameters(optimizer)
            if let lr {
                guard lr >= 0, lr.isFinite else { throw args.valueError("lr", "must be a finite number ≥ 0, got \(Value.formatFloat(lr))") }
                optimizer.setLearningRate(lr)
            }
        }
        options.gradientClipNorm = try args.optionalDouble("clip")
        options.syncBatchNorm = try args.bool("sync_bn")
        options.metricsLogPath = try args.optionalString("log") ?? ProcessInfo.processInfo.environment["RNX_METRICS_LOG"]
        options.checkpointPath = try args.optionalString("checkpoint")
        let tensorboardDirectory =
            try args.optionalString("tensorboard") ?? interpreter.extensionState(TrainingState.self).tensorBoardTrialDirectory
            ?? ProcessInfo.processInfo.environment["RNX_TENSORBOARD_DIR"]
        let hparams = try TrainGridSearch.hyperParameters(args, "hparams")
        if hparams != nil, tensorboardDirectory == nil {
            throw args.valueError(
                "hparams", "needs tensorboard= too: the hyper-parameters go into that TensorBoard run (or use rnx run --tensorboard DIR)")
        }
        // Only rank 0 observes training, so only rank 0 gets an event file.
        let board = try tensorboardDirectory.flatMap { directory in
            DistributedRun.rank == 0
                ? try TensorBoardLog(
                    directory: directory, modelSummary: model.summary(), weights: try args.bool("histograms") ? { model.trainableParameters } : nil,
                    hparams: hparams)
                : nil
        }

        let printer =
            quiet
            ? nil
            : ProgressPrinter(
                interpreter: interpreter, showsProgress: try args.bool("progress"),
                table: EpochTable(metricNames: metrics.map(\.name)))
        let callbacks = try callbackObserver(args, run: .fit)
        options.observers = ([printer, callbacks, board] as [TrainingObserver?]).compactMap { $0 }
        options.interrupt = { interpreter.interrupt.isRequested || callbacks?.failure != nil }

        let history: History
        do {
            history = try Kernel.fit(
                model: model, train: train, valid: valid, epochs: epochs, optimizer: optimizer, schedule: schedule,
                loss: loss, metrics: metrics, options: options)
        } catch {
            printer?.clear()
            callbacks?.trainingDidFail()
            throw error
        }
        if let failure = callbacks?.failure, failure.kind != .keyboardInterrupt { throw failure }
        if let failure = board?.failure { throw failure }
        if case .interrupted = history.stopReason {
            interpreter.extensionState(TrainingState.self).interruptedRuns += 1
            if !quiet, let note = TrainResults.stopNote(history) { interpreter.write(note + "\n") }
            try interpreter.interrupt.settleEarlyStop()
        }
        return .object(HistoryObject(history))
    }

    /// The observer calling `callbacks=[...]` (with a `live_plot()` added for `live=True` unless they have one), or nil
    /// when there are none.
    private static func callbackObserver(_ args: Arguments, run: CallbackObserver.Run) throws -> CallbackObserver? {
        let value = try args.value("callbacks")
        var callbacks: [Value] = []
        if case .none = value {} else { callbacks = value.isCallable ? [value] : try args.elements("callbacks") }
        if let bad = callbacks.first(where: { !$0.isCallable }) {
            throw args.typeError("callbacks", expected: "a list of functions f(history)", found: bad)
        }
        let hasLivePlot = callbacks.contains { if case .object(let object) = $0 { return object is LivePlotObject } else { return false } }
        if try args.bool("live"), !hasLivePlot { callbacks.append(.object(LivePlotObject(every: nil, logY: false))) }
        let every = try args.int("every")
        guard every >= 1 else { throw args.valueError("every", "must be at least 1 step, got \(every)") }
        return callbacks.isEmpty ? nil : CallbackObserver(interpreter: args.interpreter, callbacks: callbacks, interval: every, run: run)
    }

    // MARK: - lr_find

    static func lrFind(_ args: Arguments) throws -> Value {
        let interpreter = args.interpreter
        let model = try TrainBindings.model(args, "model")
        let (train, _) = try TrainBindings.trainingData(args, "data")
        let optimizer = try (TrainBindings.optimizerObject(args, "opt") ?? OptimizerObject(.fitDefault)).optimizer(for: model)
        let loss = try TrainBindings.lossFunction(args, "loss", labelSmoothing: 0)
        let quiet = try args.bool("quiet")
        let printer = quiet ? nil : ProgressPrinter(interpreter: interpreter, showsProgress: true, table: nil)
        let callbacks = try callbackObserver(args, run: .lrFind)
        let observers = ([printer, callbacks] as [TrainingObserver?]).compactMap { $0 }
        let result: LRFinderResult
        do {
            result = try Kernel.lrFind(
                model: model, data: train, optimizer: optimizer, loss: loss, startLR: try args.double("start_lr"),
                endLR: try args.double("end_lr"), numIterations: try args.int("num_it"), stopOnDivergence: try args.bool("stop_div"),
                observers: observers, interrupt: { interpreter.interrupt.isRequested || callbacks?.failure != nil })
        } catch {
            printer?.clear()
            callbacks?.trainingDidFail()
            throw error
        }
        printer?.clear()
        callbacks?.lrFinderDidEnd(result)
        if let failure = callbacks?.failure, failure.kind != .keyboardInterrupt { throw failure }
        if result.interrupted { interpreter.extensionState(TrainingState.self).interruptedRuns += 1 }
        if !quiet {
            var text =
                result.suggestions.isEmpty
                ? "lr_find: no suggestion from \(Plural.count(result.learningRates.count, "point")) (the curve is too short; use more data or a larger num_it)"
                : result.table()
            if result.interrupted {
                text += "\ninterrupted after \(Plural.count(result.learningRates.count, "iteration")); the model's weights are restored"
            }
            interpreter.write(text + "\n")
        }
        if result.interrupted { try interpreter.interrupt.settleEarlyStop() }
        return .object(LRFinderObject(result))
    }
}
