import Kernel

/// A Kernel `Model` as a language value: `m(x)` runs it, `m.summary()` prints the Keras-style table, its layers are
/// reachable by name (`m.layer("conv2d_1")`, or `m.fc` for names without dots) and its weights save to safetensors.
final class ModelObject: DSLObject {
    private(set) var model: Model

    init(_ model: Model) {
        self.model = model
    }

    /// Makes this value stand for `model` from now on (`m.replace_head(10)` changes `m` in place, as timm's
    /// `reset_classifier` does).
    func replaceModel(_ model: Model) {
        self.model = model
    }

    var memoryBytes: Int? { model.stateTensors.reduce(0) { $0 + $1.tensor.count } * MemoryLayout<Float>.stride }

    var dslType: DSLType { ModelObject.type }
    var description: String { model.description }

    /// Layers whose names are valid attribute names (`m.fc`, `m.conv1`); dotted torchvision names need `m.layer(name)`.
    func attribute(named name: String) throws -> Value? {
        guard let layer = model.layer(named: name) else { return nil }
        return .object(layerObject(layer))
    }

    var dynamicAttributeNames: [String] {
        model.layers.map(\.name).filter { !$0.contains(".") }
    }

    var callable: BuiltinFunction? {
        BuiltinFunction(
            model.name, [.required("x"), .keywordOnly("training", .none)],
            doc: "Run the model on a batch [N, …] (a list of batches for several inputs); training=None uses the model's mode."
        ) { [self] args in
            let inputs: [Tensor]
            if model.inputs.count == 1 {
                if case .object(_ as SymbolicObject) = try args.value("x") {
                    throw DSLError(
                        .type,
                        "model '\(model.name)' runs on Tensors; calling a model on a SymbolicTensor (nesting models) is not supported, so build one graph from the layers instead"
                    )
                }
                inputs = [try args.tensor("x")]
            } else {
                let items = try args.elements("x")
                guard items.count == model.inputs.count else {
                    throw args.valueError("x", "must list \(model.inputs.count) batches, one per model input, found \(items.count)")
                }
                inputs = try items.map { try TensorBindings.tensor(from: $0) }
            }
            let saved = model.isTraining
            if let training = try args.isNone("training") ? nil : try args.bool("training") {
                if training { model.train() } else { model.eval() }
            }
            defer { if saved { model.train() } else { model.eval() } }
            let outputs = try model(inputs)
            let values = outputs.map { Value.object(TensorObject($0)) }
            if values.count == 1, let only = values.first { return only }
            return .list(values)
        }
    }

    /// A layer of this model as a language value, knowing its output in this model.
    func layerObject(_ layer: Layer) -> LayerObject {
        LayerObject(layer, output: try? model.output(ofLayer: layer.name))
    }

    static let type = DSLType(
        name: "Model",
        doc:
            "A network from inputs to outputs, made by model(inputs, outputs), sequential([...]) or resnet(...). m(x) runs it on a batch; m.summary() prints its layers; m.train() and m.eval() switch the mode.",
        constructor: ModelFactories.modelFunction(named: "Model"),
        properties: [
            DSLProperty("name", doc: "The model's name, shown by summary().") { .string(try receiver($0).model.name) },
            DSLProperty(
                "training",
                doc: "True in training mode (batch statistics, active dropout), False after eval(). Models start in training mode, as in PyTorch."
            ) { value in
                .bool(try receiver(value).model.isTraining)
            },
            DSLProperty(
                "params",
                doc:
                    "The number of trainable parameters, as papers quote it (11,689,512 for resnet18); count_params() adds batch-norm statistics, as Keras does."
            ) { value in
                .int(try receiver(value).model.trainableParameterCount)
            },
            DSLProperty(
                "non_trainable_params", doc: "The number of values that training does not update: batch-norm running statistics and frozen weights."
            ) { value in
                .int(try receiver(value).model.nonTrainableParameterCount)
            },
            DSLProperty("layers", doc: "Every layer, inputs included, in the order of summary().") { value in
                let object = try receiver(value)
                return .list(object.model.layers.map { .object(object.layerObject($0)) })
            },
            DSLProperty("inputs", doc: "The symbolic inputs, as a list.") { value in
                .list(try receiver(value).model.inputs.map { .object(SymbolicObject($0)) })
            },
            DSLProperty("outputs", doc: "The symbolic outputs, as a list (e.g. to build a model that shares these layers).") { value in
                .list(try receiver(value).model.outputs.map { .object(SymbolicObject($0)) })
            },
            DSLProperty("input_shape", doc: "The per-sample input shape as a tuple (a list of tuples for several inputs).") { value in
                shapes(try receiver(value).model.inputs)
            },
            DSLProperty("output_shape", doc: "The per-sample output shape as a tuple (a list of tuples for several outputs).") { value in
                shapes(try receiver(value).model.outputs)
            },
        ] + FineTuneBindings.modelProperties,
        methods: ModelMethods.all + FineTuneBindings.modelMethods)

    /// The model object behind a receiver value.
    static func receiver(_ value: Value) throws -> ModelObject {
        guard case .object(let object) = value, let wrapped = object as? ModelObject else {
            throw DSLError(.type, "expected a Model, not \(value.typeName)")
        }
        return wrapped
    }

    private static func shapes(_ tensors: [SymbolicTensor]) -> Value {
        let tuples = tensors.map { Value.tuple($0.shape.map { .int($0) }) }
        return tuples.count == 1 ? tuples[0] : .list(tuples)
    }
}
