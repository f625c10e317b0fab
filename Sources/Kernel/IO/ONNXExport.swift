import Basics

// ONNX models are protobuf messages of onnx/onnx's `onnx/onnx.proto` (proto2). The fields rnx writes, by number:
//   ModelProto:           ir_version = 1, producer_name = 2, graph = 7, opset_import = 8
//   OperatorSetIdProto:   domain = 1, version = 2
//   GraphProto:           node = 1, name = 2, initializer = 5, input = 11, output = 12
//   NodeProto:            input = 1, output = 2, name = 3, op_type = 4, attribute = 5
//   AttributeProto:       name = 1, f = 2, i = 3, ints = 8, type = 20 (AttributeType FLOAT = 1, INT = 2, INTS = 7)
//   TensorProto:          dims = 1, data_type = 2, name = 8, raw_data = 9 (DataType FLOAT = 1, INT64 = 7)
//   ValueInfoProto:       name = 1, type = 2
//   TypeProto:            tensor_type = 1;  TypeProto.Tensor: elem_type = 1, shape = 2
//   TensorShapeProto:     dim = 1;  TensorShapeProto.Dimension: dim_value = 1, dim_param = 2
// Every message is written in field-number order with repeated scalars unpacked, as proto2 declares them, so the file
// equals byte for byte what onnx's own serializer writes for the same model.

/// ONNX export of a `Model` for deployment (onnxruntime, TensorRT, OpenVINO, …).
///
/// ```swift
/// let model = try ResNet.cifarResNet(depth: 20)
/// try model.exportONNX(to: "resnet20.onnx")   // input "input" [batch, 3, 32, 32], output "output" [batch, 10]
/// ```
///
/// The graph is the model in evaluation mode: batch norm with its running statistics, no dropout, stochastic-depth
/// branches scaled by their survival probability. The batch dimension is dynamic (named `batch`); the other input sizes
/// are fixed by the export. Weights are initializers named like the model's parameters (`layer1.0.conv1.weight`).
public enum ONNXExport {
    /// The ONNX operator set the graph uses.
    public static let opsetVersion: Int64 = 17
    /// The IR version of the file (8: ONNX 1.10 and every later runtime read it).
    public static let irVersion: Int64 = 8
    /// The name of the dynamic batch dimension of the inputs and outputs.
    public static let batchDimension = "batch"
}

extension Model {
    /// Writes the model as an ONNX file at `path` (atomically); see `onnxBytes(inputShape:)`.
    public func exportONNX(to path: String, inputShape: [Int]? = nil) throws {
        let bytes = try onnxBytes(inputShape: inputShape)
        try KernelError.reportingFileErrors { try AtomicFile.write(bytes, to: path) }
    }

    /// The model as an ONNX file (opset 17), for inputs of per-sample `inputShape` (the model's own by default; only
    /// height and width may differ, and only for a single-input model). Throws, naming every one of them, when some
    /// layers have no ONNX form.
    public func onnxBytes(inputShape: [Int]? = nil) throws -> [UInt8] {
        let op = "export_onnx"
        var unsupported: [Layer] = []
        for node in nodes where !(node.layer is ONNXExportable) && !unsupported.contains(where: { $0 === node.layer }) {
            unsupported.append(node.layer)
        }
        guard unsupported.isEmpty else {
            let list = unsupported.map { "'\($0.name)' (\($0.typeName))" }.joined(separator: ", ")
            throw KernelError.invalidArgument(
                op: op,
                message: "model '\(name)' has \(unsupported.count) layer\(unsupported.count == 1 ? "" : "s") with no ONNX form: \(list)")
        }

        var shapes: [ObjectIdentifier: [Int]] = [:]
        for input in inputs { shapes[ObjectIdentifier(input)] = input.shape }
        if let inputShape {
            guard inputs.count == 1 else {
                throw KernelError.invalidArgument(
                    op: op, message: "input_shape applies to a model with one input; model '\(name)' has \(inputs.count): leave it out")
            }
            let declared = inputs[0].shape
            guard inputShape.count == declared.count, inputShape.first == declared.first, inputShape.allSatisfy({ $0 > 0 }) else {
                throw KernelError.invalidArgument(
                    op: op,
                    message:
                        "input_shape must be a per-sample shape like \(shapeString(declared)) (positive sizes, \(declared[0]) channels, no batch), found \(shapeString(inputShape))"
                )
            }
            try Shape.validate(inputShape, op: op)
            shapes[ObjectIdentifier(inputs[0])] = inputShape
        }
        // The layers' own shape inference, for the sizes of this export (which may differ from the declared ones).
        for node in nodes {
            let inputShapes = node.inputs.map { shapes[ObjectIdentifier($0)] ?? $0.shape }
            let shape = try node.layer.annotated { try node.layer.outputShape(for: inputShapes) }
            _ = try node.layer.annotated { try Shape.validate(shape, op: "") }
            shapes[ObjectIdentifier(node)] = shape
        }

        let graph = ONNXGraph()
        var values: [ObjectIdentifier: String] = [:]
        let inputNames = inputs.map { graph.uniqueValueName(inputs.count == 1 ? "input" : $0.layer.name) }
        for (input, valueName) in zip(inputs, inputNames) { values[ObjectIdentifier(input)] = valueName }
        // Outputs get their final names up front, so the layer computing one writes it directly; an output that is a
        // model input or listed twice is copied by an Identity node at the end.
        var outputNames: [String] = []
        var copies: [(from: SymbolicTensor, to: String)] = []
        for output in outputs {
            let outputName = graph.uniqueValueName(outputs.count == 1 ? "output" : output.layer.name)
            outputNames.append(outputName)
            if values[ObjectIdentifier(output)] == nil {
                values[ObjectIdentifier(output)] = outputName
            } else {
                copies.append((output, outputName))
            }
        }

        for node in nodes {
            guard let layer = node.layer as? ONNXExportable else { continue }
            let valueName =
                values[ObjectIdentifier(node)] ?? graph.uniqueValueName(node.nodeIndex == 0 ? layer.name : "\(layer.name)_\(node.nodeIndex)")
            values[ObjectIdentifier(node)] = valueName
            // Inputs come before their readers in `nodes`, so every operand already has its name and shape.
            let operands = node.inputs.map { values[ObjectIdentifier($0)] ?? $0.layer.name }
            let operandShapes = node.inputs.map { shapes[ObjectIdentifier($0)] ?? $0.shape }
            try layer.annotated { try layer.exportONNX(inputs: operands, shapes: operandShapes, output: valueName, to: graph) }
        }
        for copy in copies {
            graph.node("Identity", [values[ObjectIdentifier(copy.from)] ?? ""], output: copy.to, name: copy.to)
        }

        let graphInputs = zip(inputNames, inputs).map { ($0, shapes[ObjectIdentifier($1)] ?? $1.shape) }
        let graphOutputs = zip(outputNames, outputs).map { ($0, shapes[ObjectIdentifier($1)] ?? $1.shape) }
        return graph.modelBytes(name: name, inputs: graphInputs, outputs: graphOutputs)
    }
}

/// A layer with an ONNX form: it appends the nodes that compute its evaluation-mode output. A new layer joins
/// `export_onnx` by conforming (in its own file or in `ONNXOperators.swift`).
protocol ONNXExportable: Layer {
    /// Appends to `graph` the nodes computing this layer's output into the value `output` from the values `inputs`
    /// (of per-sample shapes `shapes`; the batch axis comes first in the graph).
    func exportONNX(inputs: [String], shapes: [[Int]], output: String, to graph: ONNXGraph) throws
}

/// One attribute of an ONNX node.
enum ONNXAttribute {
    case float(String, Float)
    case int(String, Int)
    case ints(String, [Int])
}

/// An ONNX graph under construction: nodes in execution order, initializers (weights and constants) once each, and the
/// value names taken so far.
final class ONNXGraph {
    private struct Node {
        let opType: String
        let inputs: [String]
        let output: String
        let name: String
        let attributes: [ONNXAttribute]
    }

    private struct Initializer {
        let name: String
        let dims: [Int]
        /// TensorProto.DataType: FLOAT = 1, INT64 = 7.
        let dataType: Int64
        let rawData: [UInt8]
    }

    private var nodes: [Node] = []
    private var initializers: [Initializer] = []
    /// Initializer names by the name their layer asked for (a layer called twice asks twice and gets one tensor).
    private var initializerNames: [String: String] = [:]
    private var takenValueNames: Set<String> = []
    private var takenNodeNames: Set<String> = []

    /// `preferred`, or `preferred_1`, `preferred_2`, … when a value of that name exists; reserved from then on.
    func uniqueValueName(_ preferred: String) -> String {
        let unique = ONNXGraph.firstFree(preferred, in: takenValueNames)
        takenValueNames.insert(unique)
        return unique
    }

    /// A fresh value name for an intermediate result of a layer that needs several nodes.
    func intermediate(_ layer: Layer, _ step: String) -> String {
        uniqueValueName("\(layer.name)/\(step)")
    }

    /// Appends a node computing `output` from `inputs`.
    func node(_ opType: String, _ inputs: [String], output: String, name: String, _ attributes: [ONNXAttribute] = []) {
        let nodeName = ONNXGraph.firstFree(name, in: takenNodeNames)
        takenNodeNames.insert(nodeName)
        nodes.append(Node(opType: opType, inputs: inputs, output: output, name: nodeName, attributes: attributes))
    }

    /// The initializer holding `tensor`'s values under `name` (added on first use).
    func weight(_ name: String, _ tensor: Tensor) -> String {
        floats(name, shape: tensor.shape, tensor.data)
    }

    /// A float32 initializer of `shape` (`[]` for a scalar) under `name` (added on first use).
    func floats(_ name: String, shape: [Int], _ values: [Float]) -> String {
        initializer(name, shape: shape, dataType: 1) {
            var raw: [UInt8] = []
            raw.reserveCapacity(values.count * 4)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            return raw
        }
    }

    /// A 1-D int64 initializer (the indices and pads operators take as inputs) under `name` (added on first use).
    func int64s(_ name: String, _ values: [Int]) -> String {
        initializer(name, shape: [values.count], dataType: 7) {
            var raw: [UInt8] = []
            raw.reserveCapacity(values.count * 8)
            for value in values { withUnsafeBytes(of: Int64(value).littleEndian) { raw.append(contentsOf: $0) } }
            return raw
        }
    }

    private func initializer(_ name: String, shape: [Int], dataType: Int64, _ rawData: () -> [UInt8]) -> String {
        if let existing = initializerNames[name] { return existing }
        let unique = uniqueValueName(name)
        initializerNames[name] = unique
        initializers.append(Initializer(name: unique, dims: shape, dataType: dataType, rawData: rawData()))
        return unique
    }

    /// The ModelProto of this graph named `name`, with float32 `inputs` and `outputs` of the given per-sample shapes
    /// behind the dynamic batch dimension.
    func modelBytes(name: String, inputs: [(String, [Int])], outputs: [(String, [Int])]) -> [UInt8] {
        var model = ProtobufWriter()
        model.int64(1, ONNXExport.irVersion)
        model.string(2, "rnx")
        model.message(7) { graph in
            for node in nodes { graph.message(1) { ONNXGraph.encode(node, into: &$0) } }
            graph.string(2, name)
            for tensor in initializers {
                graph.message(5) { proto in
                    for size in tensor.dims { proto.int64(1, Int64(size)) }
                    proto.int64(2, tensor.dataType)
                    proto.string(8, tensor.name)
                    proto.bytes(9, tensor.rawData)
                }
            }
            for (valueName, shape) in inputs { graph.message(11) { ONNXGraph.encodeValueInfo(valueName, shape, into: &$0) } }
            for (valueName, shape) in outputs { graph.message(12) { ONNXGraph.encodeValueInfo(valueName, shape, into: &$0) } }
        }
        model.message(8) { $0.int64(2, ONNXExport.opsetVersion) }
        return model.bytes
    }

    private static func encode(_ node: Node, into proto: inout ProtobufWriter) {
        for input in node.inputs { proto.string(1, input) }
        proto.string(2, node.output)
        proto.string(3, node.name)
        proto.string(4, node.opType)
        for attribute in node.attributes {
            proto.message(5) { field in
                switch attribute {
                case let .float(name, value):
                    field.string(1, name)
                    field.float(2, value)
                    field.int64(20, 1)
                case let .int(name, value):
                    field.string(1, name)
                    field.int64(3, Int64(value))
                    field.int64(20, 2)
                case let .ints(name, values):
                    field.string(1, name)
                    for value in values { field.int64(8, Int64(value)) }
                    field.int64(20, 7)
                }
            }
        }
    }

    private static func encodeValueInfo(_ name: String, _ shape: [Int], into proto: inout ProtobufWriter) {
        proto.string(1, name)
        proto.message(2) { type in
            type.message(1) { tensor in
                tensor.int64(1, 1)
                tensor.message(2) { dims in
                    dims.message(1) { $0.string(2, ONNXExport.batchDimension) }
                    for size in shape { dims.message(1) { $0.int64(1, Int64(size)) } }
                }
            }
        }
    }

    private static func firstFree(_ preferred: String, in taken: Set<String>) -> String {
        guard taken.contains(preferred) else { return preferred }
        var index = 1
        while taken.contains("\(preferred)_\(index)") { index += 1 }
        return "\(preferred)_\(index)"
    }
}
