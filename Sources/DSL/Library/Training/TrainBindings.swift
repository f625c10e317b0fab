import Kernel

/// A language value that holds a Kernel `Model`: what `fit`, `lr_find`, `evaluate`, `interpret`, `save` and the
/// optimizers accept as a model. The model bindings' wrapper conforms; any other binding can too.
protocol KernelModelProviding: AnyObject {
    /// The wrapped model.
    var kernelModel: Model { get }
}

/// Everything the data, optimizer, schedule and training bindings add to the standard library.
enum TrainingLibrary {
    static let groups = [
        DataBindings.group, DataTransforms.group, OptimBindings.group, ScheduleBindings.group, TrainBindings.group,
        FineTuneBindings.group, DistributedBindings.group,
    ]
    static let types = [
        DataObjects.datasetType, DataObjects.loaderType, DataObjects.bunchType, DataTransforms.type, ResizeScheduleObject.type,
        OptimBindings.type, ScheduleBindings.type, MetricObject.type, TrainResults.historyType, TrainResults.lrFinderType,
        TrainResults.interpretationType, TrainGridSearch.type, TableObject.type,
    ]
}

extension Library {
    /// This library with more builtin groups and types: the groups go before the "Help" group, which stays last
    /// in `help()` and the reference; the types go after the existing ones.
    func adding(groups: [BuiltinGroup], types: [DSLType]) -> Library {
        var merged = self.groups
        merged.insert(contentsOf: groups, at: merged.firstIndex { $0.title == "Help" } ?? merged.endIndex)
        return Library(groups: merged, types: self.types + types)
    }
}

/// The model bindings' wrapper provides its model to the training builtins.
extension ModelObject: KernelModelProviding {
    var kernelModel: Model { model }
}

/// Training in the language: `fit`, `lr_find`, `evaluate`, `interpret`, weights and checkpoints, `grid_search`,
/// and the metrics.
enum TrainBindings {
    static let group = BuiltinGroup(
        title: "Training",
        functions: [
            BuiltinFunction("fit", TrainFit.parameters, doc: TrainFit.doc, TrainFit.fit),
            BuiltinFunction("lr_find", TrainFit.lrFindParameters, doc: TrainFit.lrFindDoc, TrainFit.lrFind).returning(TrainResults.lrFinderType),
            BuiltinFunction(
                "evaluate",
                [
                    .required("model"), .required("data"), .optional("metrics", .list([.object(MetricObject.accuracy)])),
                    .optional("loss", "cross_entropy"),
                ],
                doc:
                    "The mean loss and metrics of model on data (a DataBunch's valid loader, a DataLoader or a Dataset) as a dict; no augmentation, no gradients."
            ) { args in
                let model = try model(args, "model")
                let (data, _) = try evaluationData(args, "data")
                let metrics = try metricList(args, "metrics")
                let loss = try lossFunction(args, "loss", labelSmoothing: 0)
                let printer = ProgressPrinter(interpreter: args.interpreter, showsProgress: true, table: nil)
                defer { printer.clear() }
                let result = try Kernel.evaluate(
                    model: model, data: data, loss: loss, metrics: metrics, observers: [printer],
                    interrupt: { args.interpreter.interrupt.isRequested })
                let pairs =
                    [(Value.string("loss"), Value.float(result.loss))] + zip(result.metricNames, result.metrics).map { (.string($0), .float($1)) }
                return .dict(try DictObject(pairs))
            },
            BuiltinFunction(
                "interpret", [.required("model"), .required("data")],
                doc: "What model gets wrong on data (like evaluate's): confusion matrix, per-class accuracy, top_losses(k), most_confused()."
            ) { args in
                let model = try model(args, "model")
                let (data, classNames) = try evaluationData(args, "data")
                let interpretation = try Kernel.interpret(
                    model: model, data: data, classNames: classNames, interrupt: { args.interpreter.interrupt.isRequested })
                return .object(InterpretationObject(interpretation, samples: data.dataset))
            }.returning(TrainResults.interpretationType),
            BuiltinFunction(
                "save", [.required("model"), .required("path")],
                doc: "Write the model's weights and buffers to a .safetensors file (atomically; PyTorch's safetensors.torch.load_file reads it)."
            ) { args in
                let model = try model(args, "model")
                let path = try args.string("path")
                try model.saveWeights(path)
                return .none
            },
            BuiltinFunction("load", [.required("model")] + WeightLoading.parameters, doc: WeightLoading.doc(model: "model")) { args in
                try WeightLoading.load(try model(args, "model"), args)
            },
            BuiltinFunction(
                "save_checkpoint", [.required("model"), .required("path"), .optional("opt", .none), .optional("history", .none)],
                doc:
                    "Write everything needed to continue training: weights, optimizer state, random state and history (fit(..., resume=path) continues it)."
            ) { args in
                let model = try model(args, "model")
                let path = try args.string("path")
                let optimizer = try optimizerObject(args, "opt").map { try $0.optimizer(for: model) }
                let history = try args.isNone("history") ? nil : try args.object("history", as: HistoryObject.self, expected: "a History").history
                let position =
                    history.map { history in
                        TrainingPosition(epoch: history.epochs.count, step: history.steps.filter { $0.epoch < history.epochs.count }.count)
                    } ?? .start
                try TrainingCheckpoint.capture(model: model, optimizer: optimizer, position: position, history: history).save(to: path)
                return .none
            },
            BuiltinFunction(
                "load_checkpoint", [.required("model"), .required("path"), .optional("opt", .none)],
                doc: "Restore a checkpoint into model (and opt, when given); returns its History, or None."
            ) { args in
                let model = try model(args, "model")
                let path = try args.string("path")
                let optimizer = try optimizerObject(args, "opt").map { try $0.optimizer(for: model) }
                let checkpoint = try TrainingCheckpoint.load(from: path)
                try checkpoint.restore(model: model, optimizer: optimizer)
                return checkpoint.history.map { .object(HistoryObject($0)) } ?? .none
            },
            BuiltinFunction("grid_search", TrainGridSearch.parameters, doc: TrainGridSearch.doc, TrainGridSearch.run),
            recomputeBNStats,
            BuiltinFunction("top_k", [.required("k")], doc: "The metric 'label among the k highest-scoring classes' (top_k(5) is top5).") { args in
                let k = try args.int("k")
                guard k >= 1 else { throw args.valueError("k", "must be at least 1, got \(k)") }
                return .object(MetricObject(.topK(k), text: "top_k(\(k))"))
            },
        ],
        constants: [
            BuiltinConstant("accuracy", .object(MetricObject.accuracy), doc: "The metric: fraction of samples whose top prediction is the label."),
            BuiltinConstant("error_rate", .object(MetricObject.errorRate), doc: "The metric: 1 - accuracy."),
            BuiltinConstant(
                "top5", .object(MetricObject.top5), doc: "The metric: fraction of samples whose label is among the 5 highest-scoring classes."),
        ])

    // MARK: - Arguments

    /// A model argument: any value whose binding provides a Kernel model.
    static func model(_ args: Arguments, _ name: String) throws -> Model {
        let value = try args.value(name)
        if case .object(let object) = value, let provider = object as? KernelModelProviding { return provider.kernelModel }
        throw args.typeError(name, expected: "a model (e.g. cifar_resnet(20))", found: value)
    }

    /// An optimizer argument, or nil for None.
    static func optimizerObject(_ args: Arguments, _ name: String) throws -> OptimizerObject? {
        try args.isNone(name) ? nil : try args.object(name, as: OptimizerObject.self, expected: "an optimizer such as sgd() or adam()")
    }

    /// Training data: a DataBunch (its train and valid loaders) or a DataLoader (no validation).
    static func trainingData(_ args: Arguments, _ name: String) throws -> (train: DataLoader, valid: DataLoader?) {
        let value = try args.value(name)
        if case .object(let object) = value {
            if let bunch = object as? DataBunchObject { return (bunch.train.loader, bunch.valid?.loader) }
            if let loader = object as? LoaderObject { return (loader.loader, nil) }
        }
        throw args.typeError(name, expected: "a DataBunch (e.g. mnist5k()) or a DataLoader", found: value)
    }

    /// Data to evaluate on: a DataBunch's validation loader, a DataLoader, or a Dataset, served in data-set order
    /// without random augmentation; with the class names.
    static func evaluationData(_ args: Arguments, _ name: String) throws -> (DataLoader, [String]) {
        let value = try args.value(name)
        if case .object(let object) = value {
            if let bunch = object as? DataBunchObject {
                guard let valid = bunch.valid else {
                    throw args.valueError(name, "has no validation data; pass one of its loaders, e.g. data.train")
                }
                return (try valid.evaluationSource(), bunch.classNames)
            }
            if let loader = object as? LoaderObject { return (try loader.evaluationSource(), loader.loader.dataset.classNames) }
            if let dataset = object as? DatasetObject {
                let loader = try DataLoader(dataset.dataset, batchSize: 64, shuffle: false, seed: 0)
                return (loader, dataset.dataset.classNames)
            }
        }
        throw args.typeError(name, expected: "a DataBunch, a DataLoader or a Dataset", found: value)
    }

    /// Metrics given as metric values (accuracy, top5, top_k(3)) or functions f(output, labels) returning a number.
    static func metricList(_ args: Arguments, _ name: String) throws -> [Metric] {
        let value = try args.value(name)
        if case .none = value { return [] }
        let items: [Value]
        if case .object(let object) = value, object is MetricObject { items = [value] } else { items = try args.elements(name) }
        let interpreter = args.interpreter
        return try items.map { item in
            if case .object(let object) = item, let metric = object as? MetricObject { return metric.metric }
            guard item.isCallable else { throw args.typeError(name, expected: "a list of metrics such as [accuracy, top5]", found: item) }
            return Metric(name: callableName(item), higherIsBetter: true) { output, labels in
                let result = try interpreter.call(item, [.object(TensorObject(output)), try labelTensor(labels)])
                let number: Double
                if let plain = result.numericValue {
                    number = plain
                } else if case .object(let object) = result, let tensor = object as? TensorObject, tensor.tensor.count == 1 {
                    number = Double(try tensor.tensor.item())
                } else {
                    throw DSLError(.type, "metric \(callableName(item))() must return a number, not \(result.typeName)")
                }
                return (number * Double(labels.count), labels.count)
            }
        }
    }

    /// The loss: "cross_entropy" (with label smoothing) or a function f(output, labels) returning a one-element tensor.
    static func lossFunction(_ args: Arguments, _ name: String, labelSmoothing: Double) throws -> LossFunction {
        let value = try args.value(name)
        if case .string(let text) = value {
            guard text == "cross_entropy" else {
                throw args.valueError(
                    name, "must be 'cross_entropy' or a function f(output, labels) returning the loss tensor, got \(Value.quote(text))")
            }
            let smoothing = Float(labelSmoothing)
            return { output, labels in try Loss.crossEntropy(logits: output, targets: labels, labelSmoothing: smoothing) }
        }
        guard value.isCallable else { throw args.typeError(name, expected: "'cross_entropy' or a function", found: value) }
        let interpreter = args.interpreter
        return { output, labels in
            let result = try interpreter.call(value, [.object(TensorObject(output)), try labelTensor(labels)])
            guard case .object(let object) = result, let tensor = object as? TensorObject else {
                throw DSLError(.type, "loss function \(callableName(value))() must return a tensor (so that gradients flow), not \(result.typeName)")
            }
            return tensor.tensor
        }
    }

    /// Class indices as an int64 tensor [B], as PyTorch's loaders give labels.
    static func labelTensor(_ labels: [Int]) throws -> Value {
        .object(TensorObject(try Tensor(shape: [labels.count], integers: labels.map(Int64.init))))
    }

    /// The name of a callable for column headers and messages.
    static func callableName(_ value: Value) -> String {
        switch value {
        case .function(let function): return function.name == "<lambda>" ? "metric" : function.name
        case .builtin(let function): return function.name
        case .method(let method): return method.function.name
        default: return "metric"
        }
    }
}
