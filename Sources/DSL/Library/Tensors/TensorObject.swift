import Kernel

/// A Kernel `Tensor` as a language value: arithmetic and comparison operators (with tensors or numbers on
/// either side), `@`, indexing and slicing along leading axes, iteration over the first axis, `len`, truthiness
/// of one-element tensors, and f-string formatting of one-element tensors (`f"{loss:.4f}"`).
final class TensorObject: DSLObject {
    let tensor: Tensor

    init(_ tensor: Tensor) {
        self.tensor = tensor
    }

    var shape: [Int]? { tensor.shape }
    var memoryBytes: Int? { (tensor.count + (tensor.grad?.count ?? 0)) * MemoryLayout<Float>.stride }

    var dslType: DSLType { TensorBindings.type }
    var description: String {
        guard TensorObject.shownValueCount(tensor.shape, count: tensor.count) <= TensorObject.maximumShownValues else {
            // Many short dimensions defeat the `...` abbreviation ([2] * 30 shows all 2**30 values): one line instead.
            return "tensor(<\(tensor.count) values of shape \(ChartValues.shapeText(tensor.shape)), too many to show; index or reshape it>)"
        }
        return tensor.description
    }

    /// Most values a printed tensor shows; beyond, the text would run to gigabytes.
    static let maximumShownValues = 1 << 20

    /// How many values the printed form of a tensor of `shape` (`count` values) shows: all of them up to the print threshold,
    /// else the first and last few of every dimension longer than twice that (as `Tensor.description` does).
    static func shownValueCount(_ shape: [Int], count: Int) -> Int {
        guard count > 0 else { return 0 }
        let abbreviated = count > Tensor.printThreshold
        var shown = 1
        for length in shape {
            let kept = abbreviated ? Swift.min(length, 2 * Tensor.printEdgeItems) : length
            let (product, overflow) = shown.multipliedReportingOverflow(by: kept)
            if overflow { return .max }
            shown = product
        }
        return shown
    }
    var summary: String { tensor.count <= 6 ? tensor.description.replacingOccurrences(of: "\n", with: " ") : tensor.summary }

    func binaryOperation(_ op: BinaryOperator, _ other: Value, objectOnLeft: Bool) throws -> Value? {
        if case .object(let object) = other, let right = object as? TensorObject {
            // Both operands are tensors: the left one answers.
            guard objectOnLeft else { return nil }
            return try TensorObject.combine(op, tensor, right.tensor)
        }
        guard let number = other.numericValue else { return nil }
        let scalar = Float(number)
        switch (op, objectOnLeft) {
        case (.add, _): return .object(TensorObject(tensor + scalar))
        case (.multiply, _): return .object(TensorObject(tensor * scalar))
        case (.subtract, true): return .object(TensorObject(tensor - scalar))
        case (.subtract, false): return .object(TensorObject(scalar - tensor))
        case (.divide, true): return .object(TensorObject(tensor / scalar))
        case (.divide, false): return .object(TensorObject(scalar / tensor))
        case (.power, true): return .object(TensorObject(tensor.pow(scalar)))
        case (.power, false), (.matrixMultiply, _), (.floorDivide, _), (.modulo, _): return nil
        case (.equal, _), (.notEqual, _), (.less, _), (.lessEqual, _), (.greater, _), (.greaterEqual, _):
            let number = Tensor(scalar)
            return objectOnLeft ? try TensorObject.combine(op, tensor, number) : try TensorObject.combine(op, number, tensor)
        }
    }

    /// `a op b` for two tensors; nil when the operator has no tensor meaning.
    private static func combine(_ op: BinaryOperator, _ a: Tensor, _ b: Tensor) throws -> Value? {
        let result: Tensor
        switch op {
        case .add: result = try a + b
        case .subtract: result = try a - b
        case .multiply: result = try a * b
        case .divide: result = try a / b
        case .matrixMultiply: result = try a.matmul(b)
        case .equal: result = try a.eq(b)
        case .notEqual: result = try a.ne(b)
        case .less: result = try a.lt(b)
        case .lessEqual: result = try a.le(b)
        case .greater: result = try a.gt(b)
        case .greaterEqual: result = try a.ge(b)
        case .power, .floorDivide, .modulo: return nil
        }
        return .object(TensorObject(result))
    }

    func unaryOperation(_ op: UnaryOperator) throws -> Value? {
        .object(op == .negate ? TensorObject(-tensor) : self)
    }

    func truthValue() throws -> Bool {
        guard tensor.count == 1 else {
            throw DSLError(
                .value, "the truth value of a tensor with \(tensor.count) elements is ambiguous; reduce it first, e.g. (t > 0).sum().item() > 0")
        }
        return try tensor.item() != 0
    }

    func length() throws -> Int? {
        guard let first = tensor.shape.first else { throw DSLError(.type, "len() of a 0-d tensor") }
        return first
    }

    /// `t[i]`, `t[a:b]`, `t[i, j]`, `t[:, 0]`, `t[[0, 2]]`: ints remove an axis, slices keep it, lists pick rows.
    func item(at index: Value) throws -> Value? {
        let components: [Value]
        if case .tuple(let items) = index { components = items } else { components = [index] }
        guard components.count <= tensor.rank else {
            throw DSLError(.index, "too many indices for a tensor of rank \(tensor.rank): \(components.count) given")
        }
        var result = tensor
        var axis = 0
        for component in components {
            switch component {
            case .int, .bool:
                result = try result.select(axis: axis, index: component.integerValue ?? 0)
            case .slice(let slice):
                result = try result.slice(axis: axis, start: slice.start, end: slice.stop, step: slice.step ?? 1)
                axis += 1
            case .list(let list):
                let size = result.shape[axis]
                let indices = try list.items.map { try Operations.position($0, count: size, typeName: "tensor") }
                result = try result.indexSelect(axis: axis, indices: indices)
                axis += 1
            default:
                throw DSLError(.type, "tensor indices must be integers, slices or lists of integers, not \(component.typeName)")
            }
        }
        return .object(TensorObject(result))
    }

    func makeIterator() throws -> ValueIterator? {
        guard let count = tensor.shape.first else { throw DSLError(.type, "iteration over a 0-d tensor") }
        var index = 0
        let tensor = self.tensor
        return ValueIterator {
            guard index < count else { return nil }
            defer { index += 1 }
            return .object(TensorObject(try tensor.select(axis: 0, index: index)))
        }
    }

    func formatted(spec: String) throws -> String? {
        guard tensor.count == 1 else { return nil }
        return try Formatting.format(TensorMethods.scalar(try tensor.item(), of: tensor), spec: spec)
    }
}
