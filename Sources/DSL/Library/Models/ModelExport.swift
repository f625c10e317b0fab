import Kernel

/// Taking a model out of rnx for deployment: `export_onnx`.
enum ModelExport {
    static let group = BuiltinGroup(title: "Export", functions: [exportONNXFunction])

    /// `export_onnx(m, "m.onnx", input_shape=None)`.
    static let exportONNXFunction = BuiltinFunction(
        "export_onnx", [.required("model"), .required("path"), .optional("input_shape", .none)],
        doc: """
            Write model as an ONNX file (opset 17) for deployment with onnxruntime, TensorRT or OpenVINO, e.g. export_onnx(cifar_resnet(20), "resnet20.onnx").
            The graph is the model in evaluation mode (batch norm with running statistics, no dropout, stochastic depth scaled); input "input" and output "output" have a dynamic batch dimension "batch". \
            input_shape=[C, H, W] fixes other image sizes than the model's (same channels); weights are stored under the model's parameter names. \
            Layers without an ONNX form are refused, all named in one error. In Python: onnxruntime.InferenceSession("resnet20.onnx").run(None, {"input": x}).
            """
    ) { args in
        let model = try args.object("model", as: ModelObject.self, expected: "a model (e.g. cifar_resnet(20))").model
        let path = try args.string("path")
        let shape = try args.isNone("input_shape") ? nil : try args.sampleShape("input_shape")
        try model.exportONNX(to: path, inputShape: shape)
        return .none
    }
}
