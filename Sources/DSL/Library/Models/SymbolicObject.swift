import Kernel

/// A Kernel `SymbolicTensor` as a language value: the placeholder that flows through layer builders while a model
/// is being defined. `a + b` of two symbolic tensors adds an `Add` layer (the join of a residual block), and
/// `relu`/`sigmoid`/`tanh` work as methods, so code written for tensors also defines graphs.
final class SymbolicObject: DSLObject {
    let symbolic: SymbolicTensor

    init(_ symbolic: SymbolicTensor) {
        self.symbolic = symbolic
    }

    var dslType: DSLType { SymbolicObject.type }
    var description: String { symbolic.description }

    func binaryOperation(_ op: BinaryOperator, _ other: Value, objectOnLeft: Bool) throws -> Value? {
        guard op == .add, objectOnLeft, case .object(let object) = other, let right = object as? SymbolicObject else { return nil }
        return .object(SymbolicObject(try Add()([symbolic, right.symbolic])))
    }

    static let type = DSLType(
        name: "SymbolicTensor",
        doc:
            "A placeholder for layer outputs while a model is defined: it has a per-sample shape (no batch axis) but no values. input(shape) makes one, every layer builder returns one, and model(inputs, outputs) turns the graph into a Model. a + b adds an Add layer.",
        properties: [
            DSLProperty("shape", doc: "The shape of one sample, without the batch axis, as a tuple: (C, H, W) for images.") { value in
                .tuple(try receiver(value).shape.map { .int($0) })
            },
            DSLProperty("ndim", doc: "The number of dimensions of one sample.") { .int(try receiver($0).shape.count) },
            DSLProperty("layer", doc: "The layer whose call produced this tensor.") { value in
                let symbolic = try receiver(value)
                return .object(LayerObject(symbolic.layer, output: symbolic))
            },
        ],
        methods: [
            activationMethod("relu", doc: "A ReLU layer applied to this tensor (same as relu(x)).") { try ReLU() },
            activationMethod("sigmoid", doc: "A sigmoid Activation layer applied to this tensor (same as sigmoid(x)).") { try Activation("sigmoid") },
            activationMethod("tanh", doc: "A tanh Activation layer applied to this tensor (same as tanh(x)).") { try Activation("tanh") },
        ])

    /// The symbolic tensor behind a receiver value.
    static func receiver(_ value: Value) throws -> SymbolicTensor {
        guard case .object(let object) = value, let wrapped = object as? SymbolicObject else {
            throw DSLError(.type, "expected a SymbolicTensor, not \(value.typeName)")
        }
        return wrapped.symbolic
    }

    private static func activationMethod(_ name: String, doc: String, _ make: @escaping () throws -> Layer) -> BuiltinFunction {
        BuiltinFunction(name, doc: doc) { args in
            let input = try receiver(args.receiver)
            return .object(SymbolicObject(try make()(input)))
        }
    }
}
