/// The element type of a tensor. Values always live in the Float32 buffer; an `int64` tensor holds integers whose
/// magnitude is at most `Tensor.maxExactInteger`, which Float32 represents exactly (class indices, counts, labels).
public enum ElementType: String, Sendable, CaseIterable {
    /// 32-bit floating point, the type of every computed tensor.
    case float32
    /// Integers, as PyTorch's `torch.long`: what `argmax`/`argmin` return and what `.long()` makes.
    case int64
}

extension Tensor {
    /// The largest integer magnitude an `int64` tensor holds: below 2^24 every integer is exact in Float32, and a
    /// Float32 value of 2^24 or more may have been rounded from another integer.
    public static let maxExactInteger: Int64 = (1 << 24) - 1

    /// An `int64` tensor of `integers`; throws when one of them is too large to be held exactly.
    ///
    /// ```swift
    /// let labels = try Tensor(shape: [3], integers: [2, 0, 1])   // tensor([2, 0, 1]), dtype int64
    /// ```
    public convenience init(shape: [Int], integers: [Int64]) throws {
        if let bad = integers.firstIndex(where: { $0 < -Tensor.maxExactInteger || $0 > Tensor.maxExactInteger }) {
            throw KernelError.invalidArgument(
                op: "tensor",
                message:
                    "integer \(integers[bad]) (element \(bad)) is too large: int64 tensors hold integers up to ±\(Tensor.maxExactInteger) exactly")
        }
        try self.init(shape: shape, data: integers.map { Float($0) })
        elementType = .int64
    }

    /// The values converted to `type`, off the tape, like PyTorch's `.long()` and `.float()`: to `int64` truncates
    /// toward zero and throws for NaN, infinities and magnitudes above `maxExactInteger`; to `float32` keeps the values.
    public func converted(to type: ElementType) throws -> Tensor {
        try requirePlainLayout(op: "to(\(type.rawValue))")
        switch type {
        case .float32:
            return Tensor(unchecked: shape, data: data)
        case .int64:
            let limit = Float(Tensor.maxExactInteger)
            var values = data
            for i in values.indices {
                let truncated = values[i].rounded(.towardZero)
                guard truncated.isFinite, Swift.abs(truncated) <= limit else {
                    throw KernelError.invalidArgument(
                        op: "long",
                        message:
                            "value \(values[i]) (element \(i)) cannot be an integer: int64 tensors hold integers up to ±\(Tensor.maxExactInteger) exactly"
                    )
                }
                // + 0 turns the -0 of truncating a small negative value into 0, which prints as torch's 0.
                values[i] = truncated + 0
            }
            let result = Tensor(unchecked: shape, data: values)
            result.elementType = .int64
            return result
        }
    }
}
