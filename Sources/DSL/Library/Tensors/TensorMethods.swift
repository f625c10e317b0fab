import Kernel

/// Methods of `Tensor`, named and parameterized like PyTorch's (`dim`, `keepdim`).
enum TensorMethods {
    static let all: [BuiltinFunction] = [
        BuiltinFunction("item", doc: "The value of a one-element tensor: an int for an int64 tensor, else a float.\nExample: loss.item()") { args in
            let tensor = try args.tensorReceiver()
            return scalar(try tensor.item(), of: tensor)
        },
        BuiltinFunction("tolist", doc: "The values as (nested) lists: ints for an int64 tensor, else floats.\nExample: x.argmax(1).tolist()") {
            args in
            let tensor = try args.tensorReceiver()
            try ContainerLimit.check(
                elements: listElementCount(tensor.shape), of: "tolist() of a tensor of shape \(ChartValues.shapeText(tensor.shape))")
            var poll = InterruptPoll()
            return try nestedList(tensor.data[...], shape: tensor.shape[...], of: tensor, poll: &poll)
        },
        conversion("long", to: .int64, doc: "An int64 copy, values truncated toward zero (torch's .long()).\nExample: tensor([2.7, -1.5]).long()"),
        conversion("int", to: .int64, doc: "The same as long(): rnx has one integer type, int64.\nExample: (x > 0).int()"),
        conversion("float", to: .float32, doc: "A float32 copy (torch's .float()).\nExample: y.float().mean()"),
        BuiltinFunction("numel", doc: "The number of elements.") { args in
            .int(try args.tensorReceiver().count)
        },
        BuiltinFunction("size", [.optional("dim", .none)], doc: "The shape as a tuple, or the size of dimension dim.") { args in
            let tensor = try args.tensorReceiver()
            guard let dim = try args.optionalInt("dim") else { return .tuple(tensor.shape.map { .int($0) }) }
            return .int(try tensor.size(dim))
        },
        BuiltinFunction(
            "backward", [.optional("gradient", .none)],
            doc: "Compute the gradients of this (one-element) tensor with respect to the leaves that require them."
        ) { args in
            let tensor = try args.tensorReceiver()
            let gradient = try args.isNone("gradient") ? nil : try args.tensor("gradient")
            try tensor.backward(gradient)
            return .none
        },
        BuiltinFunction("zero_grad", doc: "Clear the accumulated gradient.") { args in
            try args.tensorReceiver().zeroGrad()
            return .none
        },
        BuiltinFunction("detach", doc: "A copy of the values that is not part of the autograd graph.") { args in
            .object(TensorObject(try args.tensorReceiver().detach()))
        },
        reduction("sum", doc: "The sum of all elements, or along dim.") { tensor, axes, keep in
            try axes.map { try tensor.sum(axes: $0, keepDims: keep) } ?? tensor.sum()
        },
        reduction("mean", doc: "The mean of all elements, or along dim.") { tensor, axes, keep in
            try axes.map { try tensor.mean(axes: $0, keepDims: keep) } ?? tensor.mean()
        },
        extreme("max", doc: "The largest element, or the largest along dim.") { tensor, axis, keep in
            try axis.map { try tensor.max(axis: $0, keepDims: keep) } ?? tensor.max()
        },
        extreme("min", doc: "The smallest element, or the smallest along dim.") { tensor, axis, keep in
            try axis.map { try tensor.min(axis: $0, keepDims: keep) } ?? tensor.min()
        },
        BuiltinFunction(
            "argmax", [.optional("dim", .none), .optional("keepdim", false)],
            doc: "The index of the largest element (an int), or the indices along dim (an int64 tensor).\nExample: m(x).argmax(1)"
        ) { args in
            let tensor = try args.tensorReceiver()
            guard let dim = try args.optionalInt("dim") else { return .int(try tensor.argmax()) }
            return .object(TensorObject(try tensor.argmax(axis: dim, keepDims: try args.bool("keepdim"))))
        },
        BuiltinFunction(
            "argmin", [.optional("dim", .none), .optional("keepdim", false)],
            doc: "The index of the smallest element (an int), or the indices along dim (an int64 tensor).\nExample: distances.argmin(1)"
        ) { args in
            let tensor = try args.tensorReceiver()
            guard let dim = try args.optionalInt("dim") else { return .int(try tensor.argmin()) }
            return .object(TensorObject(try tensor.argmin(axis: dim, keepDims: try args.bool("keepdim"))))
        },
        BuiltinFunction("reshape", [.variadic("shape")], doc: "The same values with a new shape; one dimension may be -1.") { args in
            let shape = try args.shape("shape")
            return .object(TensorObject(try args.tensorReceiver().reshape(shape)))
        },
        BuiltinFunction("flatten", [.optional("start_dim", 0)], doc: "The dimensions from start_dim on merged into one.") { args in
            .object(TensorObject(try args.tensorReceiver().flatten(from: try args.int("start_dim"))))
        },
        BuiltinFunction("unsqueeze", [.required("dim")], doc: "A new dimension of size 1 inserted at dim.") { args in
            .object(TensorObject(try args.tensorReceiver().unsqueeze(try args.int("dim"))))
        },
        BuiltinFunction("permute", [.variadic("dims")], doc: "The dimensions reordered: output dimension i is input dimension dims[i].") { args in
            let order = try args.shape("dims")
            return .object(TensorObject(try args.tensorReceiver().permute(order)))
        },
        BuiltinFunction("transpose", [.optional("dim0", -2), .optional("dim1", -1)], doc: "Two dimensions swapped (by default the last two).") {
            args in
            .object(TensorObject(try args.tensorReceiver().transpose(try args.int("dim0"), try args.int("dim1"))))
        },
        BuiltinFunction("matmul", [.required("other")], doc: "The matrix product (same as the @ operator).") { args in
            let other = try args.tensor("other")
            return .object(TensorObject(try args.tensorReceiver().matmul(other)))
        },
        BuiltinFunction("pow", [.required("exponent")], doc: "Every element raised to a number.") { args in
            .object(TensorObject(try args.tensorReceiver().pow(Float(try args.double("exponent")))))
        },
        BuiltinFunction("clamp", [.optional("min", .none), .optional("max", .none)], doc: "Every element limited to [min, max].") { args in
            let low = Float(try args.optionalDouble("min") ?? -.infinity)
            let high = Float(try args.optionalDouble("max") ?? .infinity)
            guard low <= high else { throw args.valueError("min", "must not exceed max") }
            return .object(TensorObject(try args.tensorReceiver().clamp(min: low, max: high)))
        },
        elementwise("exp", doc: "e raised to every element.") { $0.exp() },
        elementwise("log", doc: "The natural logarithm of every element.") { $0.log() },
        elementwise("sqrt", doc: "The square root of every element.") { $0.sqrt() },
        elementwise("abs", doc: "The absolute value of every element.") { $0.abs() },
        elementwise("tanh", doc: "The hyperbolic tangent of every element.") { $0.tanh() },
        elementwise("sigmoid", doc: "The logistic sigmoid of every element.") { $0.sigmoid() },
        elementwise("relu", doc: "max(x, 0) for every element.") { $0.relu() },
    ]

    /// A one-element tensor's value as the language's number: an int for an int64 tensor (exact: its values are integers
    /// below 2^24), else a float.
    static func scalar(_ value: Float, of tensor: Tensor) -> Value {
        tensor.elementType == .int64 ? .int(Int(value)) : .float(Double(value))
    }

    private static func conversion(_ name: String, to type: ElementType, doc: String) -> BuiltinFunction {
        BuiltinFunction(name, doc: doc) { args in .object(TensorObject(try args.tensorReceiver().converted(to: type))) }
    }

    private static func elementwise(_ name: String, doc: String, _ body: @escaping (Tensor) -> Tensor) -> BuiltinFunction {
        BuiltinFunction(name, doc: doc) { args in .object(TensorObject(body(try args.tensorReceiver()))) }
    }

    /// A reduction over all elements or over `dim` (an int or a tuple of ints).
    private static func reduction(
        _ name: String, doc: String,
        _ body: @escaping (Tensor, [Int]?, Bool) throws -> Tensor
    ) -> BuiltinFunction {
        BuiltinFunction(name, [.optional("dim", .none), .optional("keepdim", false)], doc: doc) { args in
            let axes = try args.isNone("dim") ? nil : try TensorBindings.shape(from: try args.value("dim"), args, "dim")
            let tensor = try args.tensorReceiver()
            let keep = try args.bool("keepdim")
            return .object(TensorObject(try body(tensor, axes, keep)))
        }
    }

    /// max/min over all elements or along one `dim`.
    private static func extreme(
        _ name: String, doc: String,
        _ body: @escaping (Tensor, Int?, Bool) throws -> Tensor
    ) -> BuiltinFunction {
        BuiltinFunction(name, [.optional("dim", .none), .optional("keepdim", false)], doc: doc) { args in
            let axis = try args.optionalInt("dim")
            let tensor = try args.tensorReceiver()
            let keep = try args.bool("keepdim")
            return .object(TensorObject(try body(tensor, axis, keep)))
        }
    }

    /// Elements of all the lists `tolist()` builds for `shape`: the values and every nested list (a shape such as
    /// [10**12, 0] has no values but would still make 10**12 empty lists). Int.max when that overflows.
    private static func listElementCount(_ shape: [Int]) -> Int {
        var total = 0
        var lists = 1
        for length in shape {
            let (elements, overflow) = lists.multipliedReportingOverflow(by: length)
            let (sum, sumOverflow) = total.addingReportingOverflow(elements)
            if overflow || sumOverflow { return .max }
            total = sum
            lists = elements
        }
        return total
    }

    private static func nestedList(_ data: ArraySlice<Float>, shape: ArraySlice<Int>, of tensor: Tensor, poll: inout InterruptPoll) throws -> Value {
        guard let first = shape.first else { return scalar(data.first ?? 0, of: tensor) }
        let rest = shape.dropFirst()
        let stride = rest.reduce(1, *)
        var items: [Value] = []
        items.reserveCapacity(first)
        for index in 0..<first {
            try poll.tick()
            let start = data.startIndex + index * stride
            items.append(
                rest.isEmpty ? scalar(data[start], of: tensor) : try nestedList(data[start..<(start + stride)], shape: rest, of: tensor, poll: &poll))
        }
        return .list(items)
    }
}

extension Arguments {
    /// The receiver of a `Tensor` method.
    func tensorReceiver() throws -> Tensor {
        try TensorBindings.receiver(receiver)
    }
}
