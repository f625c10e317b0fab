import Foundation
import Kernel

/// Methods of `Model`, named like Keras's (`summary`, `count_params`, `save_weights`) and PyTorch's
/// (`train`, `eval`, `parameters`, `named_parameters`, `zero_grad`).
enum ModelMethods {
    static let all: [BuiltinFunction] = [
        BuiltinFunction(
            "summary", [.optional("flops", false)],
            doc:
                "Print the Keras-style table of layers, output shapes and parameter counts, then the totals.\nShapes are per sample with None for the batch, channels first. flops=True adds each layer's multiply–accumulates (MACs) for one sample and the totals in MACs and FLOPs (2 per MAC)."
        ) { args in
            let model = try receiver(args).model
            args.interpreter.write(model.summary(flops: try args.bool("flops")) + "\n")
            return .none
        },
        BuiltinFunction("train", doc: "Switch to training mode: batch statistics in batch norm, active dropout and stochastic depth.") { args in
            try receiver(args).model.train()
            return .none
        },
        BuiltinFunction("eval", doc: "Switch to evaluation mode: running statistics in batch norm, no dropout; use it before predicting.") { args in
            try receiver(args).model.eval()
            return .none
        },
        BuiltinFunction(
            "count_params", doc: "Keras's count: every value in weights and buffers, batch-norm statistics included (the Total params of summary())."
        ) { args in
            let model = try receiver(args).model
            return .int(model.trainableParameterCount + model.nonTrainableParameterCount)
        },
        BuiltinFunction(
            "flops",
            doc:
                "Floating-point operations of one forward pass of one sample at the declared input size: 2 per multiply–accumulate of the convolutions and dense layers."
        ) { args in
            .int(2 * (try receiver(args).model.macs))
        },
        BuiltinFunction(
            "layer", [.required("name")], doc: "The layer called name (e.g. 'conv2d_1' or 'layer1.0.conv1'), or the layer at an index of m.layers."
        ) { args in
            let object = try receiver(args)
            let model = object.model
            if let index = try args.value("name").integerValue {
                let position = try Operations.position(.int(index), count: model.layers.count, typeName: "layer list")
                return .object(object.layerObject(model.layers[position]))
            }
            let name = try args.string("name")
            guard let layer = model.layer(named: name) else {
                var message = "model '\(model.name)' has no layer named \(Value.quote(name))"
                if let suggestion = Suggestions.closest(to: name, among: model.layers.map(\.name)) { message += " (did you mean '\(suggestion)'?)" }
                throw DSLError(.value, message)
            }
            return .object(object.layerObject(layer))
        },
        BuiltinFunction(
            "parameters", doc: "Every weight tensor, in layer order, as a list (frozen ones included, as in PyTorch; they do not require grad)."
        ) { args in
            .list(try receiver(args).model.parameters.map { .object(TensorObject($0.tensor)) })
        },
        BuiltinFunction("named_parameters", doc: "Every weight as a (name, tensor) pair named '<layer>.<weight>', e.g. ('conv2d.weight', tensor).") {
            args in
            .list(try receiver(args).model.parameters.map { .tuple([.string($0.name), .object(TensorObject($0.tensor))]) })
        },
        BuiltinFunction("zero_grad", doc: "Clear the gradients of every parameter.") { args in
            try receiver(args).model.zeroGrad()
            return .none
        },
        BuiltinFunction(
            "save_weights", [.required("path")],
            doc:
                "Write the weights and batch-norm statistics to a safetensors file (replaced atomically), keyed '<layer>.<tensor>'.\nThe file loads in PyTorch with safetensors.torch.load_file; for resnet models the keys are torchvision's."
        ) { args in
            let model = try receiver(args).model
            let path = try ModelMethods.path(args)
            try model.saveWeights(path)
            return .none
        },
        BuiltinFunction("load_weights", WeightLoading.parameters, doc: WeightLoading.doc(model: "this model")) { args in
            try WeightLoading.load(try receiver(args).model, args)
        },
    ]

    private static func receiver(_ args: Arguments) throws -> ModelObject {
        try ModelObject.receiver(args.receiver)
    }

    /// The `path` argument with `~` expanded.
    static func path(_ args: Arguments) throws -> String {
        let text = try args.string("path")
        guard !text.isEmpty else { throw args.valueError("path", "must not be empty") }
        return (text as NSString).expandingTildeInPath
    }
}
