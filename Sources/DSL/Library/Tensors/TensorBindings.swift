import Kernel

/// Tensors in the language: creation builtins and the `Tensor` type's properties and methods.
enum TensorBindings {
    static let group = BuiltinGroup(
        title: "Tensors",
        functions: [
            BuiltinFunction(
                "tensor", [.required("data"), .keywordOnly("dtype", "float32"), .keywordOnly("requires_grad", false)],
                doc:
                    "A tensor from a number or (nested) lists of numbers, e.g. tensor([[1, 2], [3, 4]]): float32 (even from ints, for data), or dtype='int64' for integers (truncated toward zero, up to ±16777215)."
            ) { args in
                let tensor = try args.tensor("data")
                let requiresGrad = try args.bool("requires_grad")
                switch try args.string("dtype") {
                case "float32", "float":
                    return .object(TensorObject(try Tensor(shape: tensor.shape, data: tensor.data, requiresGrad: requiresGrad)))
                case "int64", "long":
                    guard !requiresGrad else { throw args.valueError("requires_grad", "needs a float32 tensor; int64 tensors have no gradients") }
                    return .object(TensorObject(try tensor.converted(to: .int64)))
                case let other:
                    throw args.valueError("dtype", "must be 'float32' or 'int64', got \(Value.quote(other))")
                }
            },
            BuiltinFunction(
                "zeros", [.variadic("shape"), .keywordOnly("requires_grad", false)],
                doc: "A tensor of zeros, e.g. zeros(2, 3) or zeros((2, 3))."
            ) { args in
                .object(TensorObject(try Tensor.zeros(try args.shape("shape"), requiresGrad: try args.bool("requires_grad"))))
            },
            BuiltinFunction(
                "ones", [.variadic("shape"), .keywordOnly("requires_grad", false)],
                doc: "A tensor of ones, e.g. ones(2, 3)."
            ) { args in
                .object(TensorObject(try Tensor.ones(try args.shape("shape"), requiresGrad: try args.bool("requires_grad"))))
            },
            BuiltinFunction(
                "full", [.required("shape"), .required("value"), .keywordOnly("requires_grad", false)],
                doc: "A tensor of the given shape (an int or a tuple) filled with value."
            ) { args in
                let shape = try TensorBindings.shape(from: try args.value("shape"), args, "shape")
                let value = Float(try args.double("value"))
                return .object(TensorObject(try Tensor.full(shape, value, requiresGrad: try args.bool("requires_grad"))))
            },
            BuiltinFunction(
                "arange", [.required("start"), .optional("end", .none), .optional("step", 1)],
                doc: "A 1-D tensor counting from start (or 0) by step up to but excluding end: arange(5), arange(1, 2, 0.25)."
            ) { args in
                var start = try args.double("start")
                var end = 0.0
                if let given = try args.optionalDouble("end") {
                    end = given
                } else {
                    end = start
                    start = 0
                }
                let step = try args.double("step")
                let count = ((end - start) / step).rounded(.up)
                guard step != 0, count.isFinite, count <= Double(Int32.max) else {
                    throw DSLError(
                        .value,
                        "arange(\(Value.formatFloat(start)), \(Value.formatFloat(end)), \(Value.formatFloat(step))) would have too many elements or a zero step"
                    )
                }
                return .object(TensorObject(try Tensor.arange(Float(start), Float(end), step: Float(step))))
            },
            BuiltinFunction(
                "randn", [.variadic("shape"), .keywordOnly("requires_grad", false)],
                doc: "Samples from the standard normal distribution, e.g. randn(3, 4); reproducible after seed(n)."
            ) { args in
                .object(TensorObject(try Tensor.randn(try args.shape("shape"), requiresGrad: try args.bool("requires_grad"))))
            },
            BuiltinFunction(
                "rand", [.variadic("shape"), .keywordOnly("requires_grad", false)],
                doc: "Uniform samples in [0, 1), e.g. rand(3); reproducible after seed(n)."
            ) { args in
                .object(TensorObject(try Tensor.rand(try args.shape("shape"), requiresGrad: try args.bool("requires_grad"))))
            },
            BuiltinFunction("seed", [.required("n")], doc: "Seed the random generator so that runs are reproducible.") { args in
                let n = try args.int("n")
                guard n >= 0 else { throw args.valueError("n", "must not be negative, got \(n)") }
                Kernel.seed(UInt64(n))
                return .none
            },
            BuiltinFunction(
                "stack", [.required("tensors"), .optional("dim", 0)],
                doc: "Join equally shaped tensors along a new dimension."
            ) { args in
                let tensors = try args.tensors("tensors")
                return .object(TensorObject(try Tensor.stack(tensors, axis: try args.int("dim"))))
            },
            BuiltinFunction(
                "cat", [.required("tensors"), .optional("dim", 0)],
                doc: "Join tensors along an existing dimension."
            ) { args in
                let tensors = try args.tensors("tensors")
                return .object(TensorObject(try Tensor.concat(tensors, axis: try args.int("dim"))))
            },
        ])

    static let type = DSLType(
        name: "Tensor",
        doc: "A float32 (or int64) array of any rank that records operations for automatic differentiation.",
        properties: [
            DSLProperty("shape", doc: "The size of each dimension, as a tuple.") { value in
                .tuple(try receiver(value).shape.map { .int($0) })
            },
            DSLProperty("ndim", doc: "The number of dimensions.") { .int(try receiver($0).rank) },
            DSLProperty("dtype", doc: "The element type: 'float32', or 'int64' for integer tensors (argmax, long()).") {
                .string(try receiver($0).dtype)
            },
            DSLProperty("grad", doc: "The gradient accumulated by backward(), or None.") { value in
                try receiver(value).grad.map { .object(TensorObject($0)) } ?? .none
            },
            DSLProperty(
                "requires_grad", doc: "Whether gradients are computed for this tensor (settable on leaves).",
                get: { .bool(try receiver($0).requiresGrad) },
                set: { owner, value in
                    let tensor = try receiver(owner)
                    guard tensor.isLeaf else {
                        throw DSLError(.runtime, "requires_grad can only be changed on tensors created by the user (leaves)")
                    }
                    tensor.requiresGrad = try Operations.truthy(value)
                }),
            DSLProperty("is_leaf", doc: "Whether the tensor was created by the user rather than computed.") { .bool(try receiver($0).isLeaf) },
            DSLProperty("grad_fn", doc: "The name of the operation that computed this tensor, or None.") { value in
                try receiver(value).gradFnName.map { .string($0) } ?? .none
            },
            DSLProperty("T", doc: "The transpose of a 2-D tensor.") { value in
                .object(TensorObject(try receiver(value).transpose()))
            },
        ],
        methods: TensorMethods.all)

    /// The Tensor behind a receiver value.
    static func receiver(_ value: Value) throws -> Tensor {
        guard case .object(let object) = value, let wrapped = object as? TensorObject else {
            throw DSLError(.type, "expected a Tensor, not \(value.typeName)")
        }
        return wrapped.tensor
    }

    /// A shape given as ints, or as one list/tuple of ints. The non-zero sizes (other than a -1 to infer) must
    /// multiply without overflowing, checked here once: the Kernel's shape arithmetic (element counts, strides)
    /// assumes sizes a tensor can really have.
    static func shape(from value: Value, _ args: Arguments, _ name: String) throws -> [Int] {
        let items: [Value]
        switch value {
        case .int, .bool: items = [value]
        case .list, .tuple: items = try value.elements()
        default: throw args.typeError(name, expected: "an int or a tuple of ints", found: value)
        }
        let sizes = try items.map { item in
            guard let size = item.integerValue else { throw args.typeError(name, expected: "ints", found: item) }
            return size
        }
        var product = 1
        for size in sizes where size != -1 && size != 0 {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw args.valueError(
                    name,
                    "has sizes too large for a tensor: \(sizes.map(String.init).joined(separator: ", ")) (their product overflows a 64-bit integer)")
            }
            product = next
        }
        return sizes
    }

    /// Most levels of nested lists `tensor()` accepts (NumPy's limit on dimensions); deeper nesting is an error,
    /// which also keeps the recursive walk below far from the bottom of the stack.
    static let maximumNesting = 64

    /// Converts numbers and nested lists/tuples of numbers into a tensor, checking that the nesting is rectangular.
    static func tensor(from value: Value) throws -> Tensor {
        if case .object(let object) = value, let wrapped = object as? TensorObject { return wrapped.tensor }
        var shape: [Int] = []
        var values: [Float] = []
        func visit(_ value: Value, depth: Int) throws {
            if let number = value.numericValue {
                guard depth == shape.count else {
                    throw DSLError(.value, "tensor(): the nested lists are ragged (a number where a list was expected)")
                }
                values.append(Float(number))
                return
            }
            switch value {
            case .list, .tuple: break
            default: throw DSLError(.type, "tensor() needs numbers or (nested) lists of numbers, not \(value.typeName)")
            }
            guard depth < maximumNesting else {
                throw DSLError(
                    .value, "tensor(): the lists nest more than \(maximumNesting) levels deep (a tensor has at most \(maximumNesting) dimensions)")
            }
            let items = try value.elements()
            if depth == shape.count {
                guard values.isEmpty else { throw DSLError(.value, "tensor(): the nested lists are ragged (a list where a number was expected)") }
                shape.append(items.count)
            } else if depth > shape.count || shape[depth] != items.count {
                throw DSLError(
                    .value,
                    "tensor(): the nested lists are ragged (lengths \(depth < shape.count ? shape[depth] : 0) and \(items.count) at depth \(depth))")
            }
            for item in items { try visit(item, depth: depth + 1) }
        }
        try visit(value, depth: 0)
        return try Tensor(shape: shape, data: values)
    }
}

extension Arguments {
    /// A tensor argument; numbers and nested lists of numbers are converted.
    public func tensor(_ name: String) throws -> Tensor {
        try TensorBindings.tensor(from: try value(name))
    }

    /// A list (or tuple) of tensors.
    func tensors(_ name: String) throws -> [Tensor] {
        try elements(name).map { try TensorBindings.tensor(from: $0) }
    }

    /// A shape given as `*shape` ints or as a single tuple/list.
    func shape(_ name: String) throws -> [Int] {
        let parts = try variadic(name)
        if parts.count == 1, case .list = parts[0] { return try TensorBindings.shape(from: parts[0], self, name) }
        if parts.count == 1, case .tuple = parts[0] { return try TensorBindings.shape(from: parts[0], self, name) }
        return try TensorBindings.shape(from: .tuple(parts), self, name)
    }
}
