import Kernel

/// A Kernel `Layer` as a language value. Calling it on symbolic tensors adds it to a graph (calling one layer object
/// twice shares its weights, as in Keras); calling it on real tensors runs it. Its weights read and write as tensors:
/// assigning `layer.weight = t` copies the values in place, so models and optimizers holding the tensor see them.
final class LayerObject: DSLObject {
    let layer: Layer
    /// The output of the layer's latest call on symbolic tensors, for `.output` and `.output_shape`.
    private(set) var output: SymbolicTensor?

    init(_ layer: Layer, output: SymbolicTensor? = nil) {
        self.layer = layer
        self.output = output
    }

    var dslType: DSLType { LayerObject.type }
    var description: String { layer.description }

    var callable: BuiltinFunction? {
        BuiltinFunction(
            layer.name, [.required("x"), .keywordOnly("training", false)],
            doc: "Apply the layer to a symbolic tensor (or a list of them for merge layers), or run it on a batch."
        ) { [self] args in
            switch try LayerInput(args, "x") {
            case .symbolic(let inputs):
                let result = try layer(inputs)
                output = result
                return .object(SymbolicObject(result))
            case .tensors(let tensors):
                let training = try args.bool("training")
                return .object(TensorObject(try layer(tensors, training: training)))
            }
        }
    }

    static let type = DSLType(
        name: "Layer",
        doc:
            "A layer of a network (Conv2D, BatchNormalization, Dense, …) with its weights. Call it on a symbolic tensor to add it to a graph, or on a Tensor batch to run it (layer(t, training=True) in training mode); m.layer(name) and m.layers return a model's layers.",
        properties: [
            DSLProperty("name", doc: "The layer's name, unique in its model (conv2d, conv2d_1, … unless given with name=).") { value in
                .string(try receiver(value).layer.name)
            },
            DSLProperty("type", doc: "The layer's class, as summary() shows it (Conv2D, BatchNormalization, …).") { value in
                .string(try receiver(value).layer.typeName)
            },
            weightProperty(
                "weight",
                doc:
                    "The weight tensor (PyTorch layout, e.g. [filters, C, kH, kW] for Conv2D), or None; assign a tensor of the same shape to overwrite it in place."
            ),
            weightProperty("bias", doc: "The bias tensor, or None; assign a tensor of the same shape to overwrite it in place."),
            DSLProperty(
                "weights", doc: "Every tensor of the layer by short name, trainable and not (weight, bias, running_mean, running_var), as a dict."
            ) { value in
                let layer = try receiver(value).layer
                return .dict(try DictObject((layer.weights + layer.buffers).map { (.string($0.name), .object(TensorObject($0.tensor))) }))
            },
            DSLProperty(
                "params", doc: "The number of values in the layer's weight and bias; count_params() adds buffers such as batch-norm statistics."
            ) { value in
                .int(try receiver(value).layer.weights.reduce(0) { $0 + $1.tensor.count })
            },
            DSLProperty(
                "trainable",
                doc: "Whether training updates the weights; set it to False to freeze the layer (a frozen batch norm also keeps its statistics).",
                get: { .bool(try receiver($0).layer.trainable) },
                set: { owner, value in try receiver(owner).layer.trainable = try Operations.truthy(value) }),
            DSLProperty(
                "output", doc: "The symbolic tensor of the layer's latest call in a graph, or None (e.g. to build a feature extractor model)."
            ) { value in
                try receiver(value).output.map { .object(SymbolicObject($0)) } ?? .none
            },
            DSLProperty(
                "output_shape",
                doc: "The per-sample shape of the layer's latest output as a tuple, or None if it was never called on a symbolic tensor."
            ) { value in
                try receiver(value).output.map { .tuple($0.shape.map { .int($0) }) } ?? .none
            },
        ],
        methods: [
            BuiltinFunction("count_params", doc: "Keras's count: every value in weights and buffers (the Param # column of summary()).") { args in
                .int(try receiver(args.receiver).layer.parameterCount)
            }
        ])

    /// The layer object behind a receiver value.
    static func receiver(_ value: Value) throws -> LayerObject {
        guard case .object(let object) = value, let wrapped = object as? LayerObject else {
            throw DSLError(.type, "expected a Layer, not \(value.typeName)")
        }
        return wrapped
    }

    /// `weight` or `bias`: read as a tensor (None when the layer has none); assignment copies values in place.
    private static func weightProperty(_ name: String, doc: String) -> DSLProperty {
        DSLProperty(
            name, doc: doc,
            get: { value in
                try receiver(value).layer.weights.first { $0.name == name }.map { .object(TensorObject($0.tensor)) } ?? .none
            },
            set: { owner, value in
                let layer = try receiver(owner).layer
                guard let target = layer.weights.first(where: { $0.name == name })?.tensor else {
                    let reason = layer.isBuilt ? "has no \(name)" : "has no \(name) yet (weights are created when the layer is first called)"
                    throw DSLError(.attribute, "layer '\(layer.name)' (\(layer.typeName)) \(reason)")
                }
                switch value {
                case .object(_ as TensorObject), .list, .tuple: break
                default:
                    throw DSLError(
                        .type,
                        "layer '\(layer.name)' (\(layer.typeName)) \(name) must be set to a Tensor (or nested lists of numbers), not \(value.typeName)"
                    )
                }
                let source = try TensorBindings.tensor(from: value)
                guard source.shape == target.shape else {
                    throw DSLError(
                        .value,
                        "layer '\(layer.name)' (\(layer.typeName)) \(name) has shape \(shapeString(target.shape)), cannot assign a tensor of shape \(shapeString(source.shape))"
                    )
                }
                try target.assign(source)
            })
    }
}

/// What a layer is applied to: symbolic tensors (defining a graph) or real tensors (running it).
enum LayerInput {
    case symbolic([SymbolicTensor])
    case tensors([Tensor])

    /// Reads argument `name`: one symbolic tensor, one tensor (or nested list of numbers), or a list of either kind.
    init(_ args: Arguments, _ name: String) throws {
        let value = try args.value(name)
        switch value {
        case .object(let object as SymbolicObject):
            self = .symbolic([object.symbolic])
        case .object(let object as TensorObject):
            self = .tensors([object.tensor])
        case .list, .tuple:
            let items = try value.elements()
            let symbolic = items.compactMap { item -> SymbolicTensor? in
                if case .object(let object as SymbolicObject) = item { return object.symbolic }
                return nil
            }
            if !items.isEmpty && symbolic.count == items.count {
                self = .symbolic(symbolic)
            } else if symbolic.isEmpty, items.contains(where: { if case .object(_ as TensorObject) = $0 { return true } else { return false } }) {
                self = .tensors(try items.map { try TensorBindings.tensor(from: $0) })
            } else if symbolic.isEmpty {
                self = .tensors([try TensorBindings.tensor(from: value)])
            } else {
                throw args.typeError(name, expected: "symbolic tensors only (not mixed with other values)", found: value)
            }
        default:
            throw args.typeError(name, expected: "a SymbolicTensor (from input() or a layer) or a Tensor", found: value)
        }
    }
}
