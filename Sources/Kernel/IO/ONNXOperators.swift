// The ONNX form (opset 17) of each layer `export_onnx` supports, in evaluation mode. Window layers write their padding
// explicitly from the export's shapes ([top, left, bottom, right]), so "same" keeps its extra bottom/right pixel.

extension Conv2D: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        guard let weight else { throw KernelError.invalidArgument(op: "", message: "used before being built") }
        let g = try WindowGeometry(
            height: shapes[0][1], width: shapes[0][2], kernel: kernelSize, stride: strides, dilation: dilation, padding: padding)
        var operands = [inputs[0], graph.weight(name + ".weight", weight)]
        if let bias { operands.append(graph.weight(name + ".bias", bias)) }
        graph.node(
            "Conv", operands, output: output, name: name,
            [
                .ints("dilations", [dilation.0, dilation.1]), .ints("kernel_shape", [kernelSize.0, kernelSize.1]),
                .ints("pads", [g.padTop, g.padLeft, g.padBottom, g.padRight]), .ints("strides", [strides.0, strides.1]),
            ])
    }
}

extension BatchNormalization: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        guard let runningMean, let runningVar else { throw KernelError.invalidArgument(op: "", message: "used before being built") }
        let channels = runningMean.count
        // Without affine parameters the scale is one and the shift zero, which ONNX needs spelled out.
        let scale =
            weight.map { graph.weight(name + ".weight", $0) }
            ?? graph.floats(name + ".weight", shape: [channels], Array(repeating: 1, count: channels))
        let shift =
            bias.map { graph.weight(name + ".bias", $0) } ?? graph.floats(name + ".bias", shape: [channels], Array(repeating: 0, count: channels))
        graph.node(
            "BatchNormalization",
            [inputs[0], scale, shift, graph.weight(name + ".running_mean", runningMean), graph.weight(name + ".running_var", runningVar)],
            output: output, name: name, [.float("epsilon", epsilon)])
    }
}

extension Activation: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        switch function {
        case "relu": graph.node("Relu", inputs, output: output, name: name)
        case "leaky_relu": graph.node("LeakyRelu", inputs, output: output, name: name, [.float("alpha", 0.01)])
        case "sigmoid": graph.node("Sigmoid", inputs, output: output, name: name)
        case "tanh": graph.node("Tanh", inputs, output: output, name: name)
        case "softmax": graph.node("Softmax", inputs, output: output, name: name, [.int("axis", -1)])
        case "log_softmax": graph.node("LogSoftmax", inputs, output: output, name: name, [.int("axis", -1)])
        default: graph.node("Identity", inputs, output: output, name: name)
        }
    }
}

extension ReLU: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        graph.node("Relu", inputs, output: output, name: name)
    }
}

extension LeakyReLU: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        graph.node("LeakyRelu", inputs, output: output, name: name, [.float("alpha", slope)])
    }
}

extension Softmax: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        graph.node("Softmax", inputs, output: output, name: name, [.int("axis", axis)])
    }
}

extension Identity: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        graph.node("Identity", inputs, output: output, name: name)
    }
}

extension Add: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        graph.node(inputs.count == 2 ? "Add" : "Sum", inputs, output: output, name: name)
    }
}

extension Concatenate: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        graph.node("Concat", inputs, output: output, name: name, [.int("axis", axis)])
    }
}

extension MaxPooling2D: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        // ONNX's max pooling, like rnx's, never lets a padded position win.
        graph.node("MaxPool", inputs, output: output, name: name, try windowAttributes(shapes[0]))
    }
}

extension AveragePooling2D: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        // Explicit padding counts the zeros in the mean (PyTorch's default), "same" only the pixels inside the image.
        let attributes = try windowAttributes(shapes[0]) + [.int("count_include_pad", padding == .same ? 0 : 1)]
        graph.node("AveragePool", inputs, output: output, name: name, attributes)
    }
}

extension WindowPooling2D {
    /// `kernel_shape`, `pads` and `strides` for an input of per-sample `shape` `[C, H, W]`.
    fileprivate func windowAttributes(_ shape: [Int]) throws -> [ONNXAttribute] {
        let g = try WindowGeometry(height: shape[1], width: shape[2], kernel: poolSize, stride: strides, dilation: (1, 1), padding: padding)
        return [
            .ints("kernel_shape", [poolSize.0, poolSize.1]), .ints("pads", [g.padTop, g.padLeft, g.padBottom, g.padRight]),
            .ints("strides", [strides.0, strides.1]),
        ]
    }
}

extension GlobalAveragePooling2D: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        // GlobalAveragePool keeps 1×1 spatial axes; rnx's layer drops them.
        let pooled = graph.intermediate(self, "pool")
        graph.node("GlobalAveragePool", inputs, output: pooled, name: name)
        graph.node("Flatten", [pooled], output: output, name: name + "/flatten", [.int("axis", 1)])
    }
}

extension Dense: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        guard let weight else { throw KernelError.invalidArgument(op: "", message: "used before being built") }
        let weightName = graph.weight(name + ".weight", weight)
        let biasName = bias.map { graph.weight(name + ".bias", $0) }
        if shapes[0].count == 1 {
            graph.node("Gemm", [inputs[0], weightName] + (biasName.map { [$0] } ?? []), output: output, name: name, [.int("transB", 1)])
            return
        }
        // Gemm takes matrices only; a dense layer on the last axis of a larger tensor is a MatMul with the transposed weight.
        let transposed = graph.intermediate(self, "weight_t")
        graph.node("Transpose", [weightName], output: transposed, name: name + "/transpose", [.ints("perm", [1, 0])])
        guard let biasName else {
            graph.node("MatMul", [inputs[0], transposed], output: output, name: name)
            return
        }
        let product = graph.intermediate(self, "matmul")
        graph.node("MatMul", [inputs[0], transposed], output: product, name: name)
        graph.node("Add", [product, biasName], output: output, name: name + "/bias")
    }
}

extension Flatten: ONNXExportable {
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        graph.node("Flatten", inputs, output: output, name: name, [.int("axis", 1)])
    }
}

extension Dropout: ONNXExportable {
    /// The identity: dropout does nothing in inference.
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        graph.node("Identity", inputs, output: output, name: name)
    }
}

extension StochasticDepth: ONNXExportable {
    /// The evaluation rule: the branch scaled by its survival probability.
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        guard survivalProbability < 1 else {
            graph.node("Identity", inputs, output: output, name: name)
            return
        }
        let survival = graph.floats(name + ".survival", shape: [], [survivalProbability])
        graph.node("Mul", [inputs[0], survival], output: output, name: name)
    }
}

extension ZeroPadShortcut: ONNXExportable {
    /// Every `stride`-th pixel from the first (a Slice with steps), then zero channels half before and half after (Pad).
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws {
        let extra = filters - shapes[0][0]
        var x = inputs[0]
        if stride > 1 {
            let subsampled = extra > 0 ? graph.intermediate(self, "subsample") : output
            let operands = [
                x, graph.int64s(name + ".starts", [0, 0]), graph.int64s(name + ".ends", [Int.max, Int.max]),
                graph.int64s(name + ".axes", [2, 3]), graph.int64s(name + ".steps", [stride, stride]),
            ]
            graph.node("Slice", operands, output: subsampled, name: name + "/subsample")
            guard extra > 0 else { return }
            x = subsampled
        }
        guard extra > 0 else {
            graph.node("Identity", [x], output: output, name: name)
            return
        }
        let pads = graph.int64s(name + ".pads", [0, extra / 2, 0, 0, 0, extra - extra / 2, 0, 0])
        graph.node("Pad", [x, pads], output: output, name: name + "/pad")
    }
}
