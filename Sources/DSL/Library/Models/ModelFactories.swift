import Kernel

/// Defining models: `input` starts a graph, `model` closes it, `sequential` stacks layer objects.
enum ModelFactories {
    static let group = BuiltinGroup(title: "Models", functions: [inputFunction, modelFunction(named: "model"), sequentialFunction])

    /// `input([3, 64, 64])`: where every graph starts; `input("name? ")`, Python's, reads a line (`InputBuiltin`).
    static let inputFunction = BuiltinFunction(
        "input", [.optional("shape", ""), .keywordOnly("name", .none)],
        doc:
            "The input of a model: a SymbolicTensor of per-sample shape (without the batch), e.g. input([3, 64, 64]) for 64×64 RGB images.\nCall layer builders on it (conv2d(x, 16, 3), relu(x), …) and finish with model(x, outputs). Layers get automatic names (conv2d, conv2d_1, …) unless given name=.\n"
            + InputBuiltin.doc
    ) { args in
        if case .string(let prompt) = try args.value("shape") { return try InputBuiltin.readLine(prompt: prompt, interpreter: args.interpreter) }
        let shape = try args.sampleShape("shape")
        let name = try args.optionalString("name")
        return .object(SymbolicObject(try Input(shape: shape, name: name)))
    }

    /// `model(x, out, name=...)`, also the constructor of the `Model` type (Keras's spelling).
    static func modelFunction(named name: String) -> BuiltinFunction {
        BuiltinFunction(
            name, [.required("inputs"), .required("outputs"), .optional("name", "model")],
            doc:
                "The Model computing outputs from inputs (each a SymbolicTensor or a list of them), Keras's functional API: m = model(x, out, name='tiny').\nThe outputs must depend only on the given inputs; layer names must be unique within the model."
        ) { args in
            let inputs = try args.symbolicTensors("inputs")
            for input in inputs where !(input.layer is InputLayer) {
                throw DSLError(
                    .value, "\(name)() inputs must come from input(...); '\(input.layer.name)' is the output of a \(input.layer.typeName) layer")
            }
            let outputs = try args.symbolicTensors("outputs")
            let name = try args.string("name")
            return .object(ModelObject(try Model(inputs: inputs, outputs: outputs, name: name)))
        }
    }

    /// `sequential([Conv2D(16, 3), ReLU(), ...], input_shape=[1, 28, 28])`.
    static let sequentialFunction = BuiltinFunction(
        "sequential", [.required("layers"), .required("input_shape"), .optional("name", "sequential")],
        doc:
            "A Model applying layer objects one after another to inputs of per-sample input_shape (Keras's Sequential), e.g. sequential([Conv2D(16, 3), ReLU(), GlobalAveragePooling2D(), Dense(10)], input_shape=[1, 28, 28]).\nThe layers are objects made by the constructors (Conv2D, ReLU, Dense, …); the input shape is given to sequential, not to the first layer."
    ) { args in
        let layers = try args.elements("layers").map { item -> Layer in
            guard case .object(let object as LayerObject) = item else {
                throw args.typeError("layers", expected: "a list of layer objects such as Conv2D(16, 3) or ReLU()", found: item)
            }
            return object.layer
        }
        guard !layers.isEmpty else { throw args.valueError("layers", "must list at least one layer") }
        let shape = try args.sampleShape("input_shape")
        let name = try args.string("name")
        return .object(ModelObject(try Model.sequential(layers, inputShape: shape, name: name)))
    }
}
