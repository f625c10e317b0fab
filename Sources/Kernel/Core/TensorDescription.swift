import Foundation

// Printing in PyTorch's spirit: values with aligned columns, large tensors abbreviated with `...`.

extension Tensor: CustomStringConvertible {
    /// Tensors with more elements than this print abbreviated (PyTorch's threshold).
    public static let printThreshold = 1000
    /// How many leading and trailing entries of each dimension an abbreviated tensor shows.
    public static let printEdgeItems = 3

    /// `tensor([[1.0000, 2.0000], …], shape=[2, 2])`, with the autograd origin when on the tape.
    public var description: String {
        var suffix = ""
        if rank != 1 || count > Tensor.printThreshold { suffix += ", shape=\(shapeString(shape))" }
        if let name = gradFnName { suffix += ", grad_fn=<\(name)>" } else if requiresGrad { suffix += ", requires_grad=True" }
        return "tensor(" + formattedValues(indent: 7) + suffix + ")"
    }

    /// A one-line summary for large tensors: shape, dtype, and value statistics.
    public var summary: String {
        guard count > 0 else { return "Tensor \(shapeString(shape)) \(dtype) (empty)" }
        let finite = data.filter { $0.isFinite }
        let mean = finite.isEmpty ? Float.nan : finite.reduce(0, +) / Float(finite.count)
        let variance = finite.isEmpty ? Float.nan : finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(finite.count)
        let nonFinite = count - finite.count
        var text =
            "Tensor \(shapeString(shape)) \(dtype)  min \(Tensor.format(finite.min() ?? .nan))  max \(Tensor.format(finite.max() ?? .nan))  mean \(Tensor.format(mean))  std \(Tensor.format(variance.squareRoot()))"
        if nonFinite > 0 { text += "  (\(nonFinite) NaN/Inf)" }
        return text
    }

    private func formattedValues(indent: Int) -> String {
        let integer = elementType == .int64
        if rank == 0 { return integer ? String(format: "%.0f", data.first ?? 0) : Tensor.format(data.first ?? 0) }
        // As PyTorch: no values, whatever the shape (the shape follows), and no walk over 10**12 empty rows.
        if count == 0 { return "[]" }
        let abbreviate = count > Tensor.printThreshold
        let integral = data.allSatisfy { $0 == $0.rounded() && Swift.abs($0) < 1e7 }
        let strides = Shape.strides(shape)
        func positions(axis: Int) -> [Int] {
            let length = shape[axis]
            guard abbreviate && length > 2 * Tensor.printEdgeItems else { return Array(0..<length) }
            return Array(0..<Tensor.printEdgeItems) + Array((length - Tensor.printEdgeItems)..<length)
        }
        // Only the values shown are formatted: an abbreviated tensor of a billion values shows a few dozen.
        var cells: [Int: String] = [:]
        func collect(axis: Int, offset: Int) {
            for i in positions(axis: axis) {
                let position = offset + i * strides[axis]
                if axis == rank - 1 {
                    cells[position] =
                        integer
                        ? String(format: "%.0f", data[position])
                        : integral ? String(format: "%.0f.", data[position]) : Tensor.format(data[position])
                } else {
                    collect(axis: axis + 1, offset: position)
                }
            }
        }
        collect(axis: 0, offset: 0)
        let width = cells.values.map(\.count).max() ?? 1
        func render(axis: Int, offset: Int) -> String {
            let length = shape[axis]
            let positions = positions(axis: axis)
            let gap: Int? = positions.count < length ? Tensor.printEdgeItems : nil
            var parts: [String] = []
            for (n, i) in positions.enumerated() {
                if n == gap { parts.append("...") }
                if axis == rank - 1 {
                    let cell = cells[offset + i * strides[axis]] ?? ""
                    parts.append(String(repeating: " ", count: width - cell.count) + cell)
                } else {
                    parts.append(render(axis: axis + 1, offset: offset + i * strides[axis]))
                }
            }
            if axis == rank - 1 { return "[" + parts.joined(separator: ", ") + "]" }
            let separator = ",\n" + String(repeating: "\n", count: rank - axis - 2) + String(repeating: " ", count: indent + axis + 1)
            return "[" + parts.joined(separator: separator) + "]"
        }
        return render(axis: 0, offset: 0)
    }

    /// Four decimals for ordinary magnitudes, scientific notation for very large or small ones.
    static func format(_ value: Float) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        let magnitude = Swift.abs(value)
        if magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-4) { return String(format: "%.4e", value) }
        return String(format: "%.4f", value)
    }
}
