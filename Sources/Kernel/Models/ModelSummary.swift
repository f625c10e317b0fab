import Foundation

// `summary()` reproduces the text table of Keras 2 (`tf.keras` up to 2.12) character for character, including
// its column positions, its line wrapping at "',", its one-character overflow of long first columns and the blank
// line after each layer, so that people who know Keras read it at a glance. Shapes are rnx's NCHW shapes.

extension Model {
    /// The Keras-style summary table: one row per layer with its output shape, parameter count and (for graphs that
    /// are not a plain chain) the layers it is connected to, then total, trainable and non-trainable parameter counts.
    /// Batch-norm running statistics are non-trainable, as in Keras.
    ///
    /// With `flops`, a `MACs` column gives each layer's multiply–accumulates for one sample (convolutions and dense
    /// layers), followed by the totals in MACs and FLOPs (2 per MAC).
    public func summary(flops: Bool = false) -> String {
        let chain = isSequential || isChain
        var headers = ["Layer (type)", "Output Shape", "Param #"]
        var lineLength = chain ? 65 : 98
        var positions = (chain ? [0.45, 0.85, 1.0] : [0.33, 0.55, 0.67, 1.0]).map { Int(Double(lineLength) * $0) }
        if !chain { headers.append("Connected to") }
        let macsColumnWidth = 15
        if flops {
            // The MACs column goes right after "Param #"; the columns after it move right.
            let index = 3
            let start = positions[index - 1]
            headers.insert("MACs", at: index)
            positions = Array(positions[..<index]) + [start + macsColumnWidth] + positions[index...].map { $0 + macsColumnWidth }
            lineLength += macsColumnWidth
        }

        var lines = ["Model: \"\(name)\"", String(repeating: "_", count: lineLength)]
        lines += SummaryTable.row(headers, positions: positions)
        lines.append(String(repeating: "=", count: lineLength))

        var nodesByLayer: [ObjectIdentifier: [SymbolicTensor]] = [:]
        for node in inputs + nodes { nodesByLayer[ObjectIdentifier(node.layer), default: []].append(node) }
        var totalMACs = 0
        for layer in layers {
            if isSequential && layer is InputLayer { continue }
            let calls = nodesByLayer[ObjectIdentifier(layer)] ?? []
            var fields = ["\(layer.name) (\(layer.typeName))", SummaryTable.outputShape(of: layer, calls: calls), String(layer.parameterCount)]
            if flops {
                let macs = calls.reduce(0) { Shape.saturatingSum($0, layer.macs(inputShapes: $1.inputs.map(\.shape), outputShape: $1.shape)) }
                totalMACs = Shape.saturatingSum(totalMACs, macs)
                fields.append(String(macs))
            }
            if !chain {
                let connections = calls.flatMap { call in call.inputs.map { "'\($0.layer.name)[\($0.nodeIndex)][0]'" } }
                fields.append("[" + connections.joined(separator: ", ") + "]")
            }
            lines += SummaryTable.row(fields, positions: positions)
            lines.append(String(repeating: " ", count: lineLength))
        }
        lines.append(String(repeating: "=", count: lineLength))
        let trainable = trainableParameterCount
        let nonTrainable = nonTrainableParameterCount
        lines.append("Total params: \(SummaryTable.grouped(trainable + nonTrainable))")
        lines.append("Trainable params: \(SummaryTable.grouped(trainable))")
        lines.append("Non-trainable params: \(SummaryTable.grouped(nonTrainable))")
        if flops {
            lines.append("Total MACs: " + SummaryTable.withMagnitude(totalMACs))
            lines.append("Total FLOPs: " + SummaryTable.withMagnitude(Shape.saturatingProduct([2, totalMACs])))
        }
        lines.append(String(repeating: "_", count: lineLength))
        return lines.joined(separator: "\n")
    }

    /// Multiply–accumulates of one forward pass of a single sample, at the declared input size.
    public var macs: Int {
        nodes.reduce(0) { Shape.saturatingSum($0, $1.layer.macs(inputShapes: $1.inputs.map(\.shape), outputShape: $1.shape)) }
    }

    /// Whether the graph is a single chain of single-input layers, each used once (Keras's "sequential-like"),
    /// which Keras prints without the "Connected to" column.
    var isChain: Bool {
        guard inputs.count == 1, outputs.count == 1 else { return false }
        var seen = Set<ObjectIdentifier>()
        for node in nodes {
            guard node.inputs.count == 1, seen.insert(ObjectIdentifier(node.layer)).inserted else { return false }
        }
        return true
    }
}

/// Keras's text-table formatting.
enum SummaryTable {
    /// One logical row, wrapped over as many lines as its longest field needs (Keras's `print_row`).
    static func row(_ fields: [String], positions: [Int]) -> [String] {
        var remaining = fields.map { Array($0) }
        var lines: [String] = []
        let breakAfter = ["),", "},", "],", "',"].map { Array($0) }
        while remaining.contains(where: { !$0.isEmpty }) {
            var line: [Character] = []
            for column in remaining.indices {
                let start = column > 0 ? positions[column - 1] : 0
                let space = column != positions.count - 1 ? 2 : 0
                var cutoff = Swift.max(positions[column] - start - space, 0)
                var fit = Array(remaining[column].prefix(cutoff))
                let candidates = breakAfter.compactMap { pattern in firstIndex(of: pattern, in: fit).map { $0 + pattern.count } }
                if let earliest = candidates.min() {
                    cutoff = earliest
                    fit = Array(fit.prefix(cutoff))
                }
                if column == 0 { line.append(" ") }
                line += fit
                line += Array(repeating: " ", count: space)
                remaining[column] = Array(remaining[column].dropFirst(cutoff))
                line += Array(repeating: " ", count: Swift.max(positions[column] - line.count, 0))
            }
            lines.append(String(line))
        }
        return lines
    }

    /// Python's `str.find` on characters.
    static func firstIndex(of pattern: [Character], in text: [Character]) -> Int? {
        guard !pattern.isEmpty, text.count >= pattern.count else { return nil }
        for start in 0...(text.count - pattern.count) where Array(text[start..<start + pattern.count]) == pattern {
            return start
        }
        return nil
    }

    /// `(None, 16, 32, 32)`, `[(None, 3, 32, 32)]` for inputs (Keras lists input shapes), or `multiple` for a
    /// layer called on different shapes.
    static func outputShape(of layer: Layer, calls: [SymbolicTensor]) -> String {
        guard let first = calls.first else { return "multiple" }
        guard calls.allSatisfy({ $0.shape == first.shape }) else { return "multiple" }
        let tuple = "(" + (["None"] + first.shape.map(String.init)).joined(separator: ", ") + ")"
        return layer is InputLayer ? "[" + tuple + "]" : tuple
    }

    /// `11,689,512`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(Swift.abs(n)))
        var out: [Character] = []
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + String(out)
    }

    /// `1,814,073,344 (1.81 G)`: the exact count, then three significant digits with an SI prefix when it helps.
    static func withMagnitude(_ n: Int) -> String {
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")]
        let value = Double(n)
        for (scale, unit) in units where value >= scale {
            let scaled = value / scale
            let decimals = scaled >= 100 ? 0 : (scaled >= 10 ? 1 : 2)
            return grouped(n) + " (" + String(format: "%.\(decimals)f \(unit)", scaled) + ")"
        }
        return grouped(n)
    }
}
