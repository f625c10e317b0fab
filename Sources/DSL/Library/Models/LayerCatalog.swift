import Kernel

/// One kind of layer, declared once and offered two ways: a lower-case builder applied to its input in the functional
/// style (`y = conv2d(x, 16, 3)`) and a constructor with the Keras class name that makes a layer object
/// (`Conv2D(16, 3)`) for `sequential([...])` or for calling later.
struct LayerKind {
    /// What the builder does when given real tensors instead of symbolic ones.
    enum OnTensors {
        /// Run a fresh layer on the batch (parameter-free layers), in training mode or not.
        case runLayer(training: Bool)
        /// The equivalent operation on one tensor (`relu(t)` is `t.relu()`).
        case operation((Arguments, Tensor) throws -> Tensor)
        /// Refuse: a builder would create new random weights on every call.
        case refuse
    }

    /// The builder's name (`conv2d`).
    let builder: String
    /// The constructors' names (`Conv2D`); empty when the layer object is made by another constructor (sigmoid → Activation).
    let classNames: [String]
    /// The parameter the builder takes its input by (`x`, or `inputs` for merge layers).
    let inputName: String
    /// The configuration parameters shared by builder and constructor (without the input and `name`).
    let parameters: [Parameter]
    /// What the builder does, one line.
    let summary: String
    /// What the options mean; shown by `help` for builder and constructor alike.
    let details: String
    /// What the builder does with a Tensor, when that needs saying (builder only: layer objects run on tensors as they are).
    var tensorNote = ""
    /// What the builder does with real tensors.
    let onTensors: OnTensors
    /// Creates the layer from the configuration arguments (read by parameter name, so both forms share it).
    let make: (Arguments) throws -> Layer

    /// `conv2d(x, filters, ...)`: builds the layer and applies it to `x`.
    var builderFunction: BuiltinFunction {
        let doc = ([summary] + [details, tensorNote].filter { !$0.isEmpty }).joined(separator: "\n")
        return BuiltinFunction(builder, [.required(inputName)] + parameters + [.keywordOnly("name", .none)], doc: doc) { args in
            let layer = try make(args)
            switch try LayerInput(args, inputName) {
            case .symbolic(let inputs):
                return .object(SymbolicObject(try layer(inputs)))
            case .tensors(let tensors):
                switch onTensors {
                case .runLayer(let training):
                    return .object(TensorObject(try layer(tensors, training: training)))
                case .operation(let operation):
                    guard tensors.count == 1, let tensor = tensors.first else {
                        throw args.typeError(inputName, expected: "one tensor", found: try args.value(inputName))
                    }
                    return .object(TensorObject(try operation(args, tensor)))
                case .refuse:
                    throw DSLError(
                        .type,
                        "\(builder)() creates a layer with new weights, so it needs a SymbolicTensor from input(...), not a Tensor; to run a layer on real data, keep the layer object: layer = \(classNames.first ?? builder)(...), then layer(t)"
                    )
                }
            }
        }
    }

    /// `Conv2D(filters, ...)`: the layer object, not yet applied.
    var constructors: [BuiltinFunction] {
        classNames.enumerated().map { index, className in
            let summary =
                index == 0
                ? "Makes a \(className) layer object: \(builder)() without the input, for sequential([...]) or to call later, on a symbolic tensor or a batch (calling it twice shares its weights)."
                : "Same as \(classNames.first ?? className)(), by its PyTorch-style short name."
            return BuiltinFunction(
                className, parameters + [.keywordOnly("name", .none)],
                doc: details.isEmpty ? summary : summary + "\n" + details
            ) { args in
                .object(LayerObject(try make(args)))
            }
        }
    }
}

/// Every layer the language offers, as builders (group "Layers") and as layer objects (group "Layer objects").
enum LayerCatalog {
    static let builderGroup = BuiltinGroup(title: "Layers", functions: kinds.map(\.builderFunction))
    static let constructorGroup = BuiltinGroup(title: "Layer objects", functions: kinds.flatMap(\.constructors))

    private static let paddingHelp =
        "padding is \"same\" (output size ⌈size / stride⌉, extra pixel at the bottom/right as in Keras), \"valid\" (no padding), a number of pixels on every side or a (rows, columns) pair"

    static let kinds: [LayerKind] = [
        LayerKind(
            builder: "conv2d", classNames: ["Conv2D"], inputName: "x",
            parameters: [
                .required("filters"), .optional("kernel_size", 3), .optional("stride", 1), .optional("padding", "same"),
                .optional("dilation", 1), .optional("bias", true), .keywordOnly("init", "pytorch"),
            ],
            summary: "A 2-D convolution applied to x: [C, H, W] → [filters, H', W'] (PyTorch's nn.Conv2d, Keras's Conv2D).",
            details:
                "kernel_size, stride and dilation are ints or (height, width) pairs; \(paddingHelp). Use bias=False before batchnorm, which has its own shift. init names the weight initialiser: pytorch (the default), kaiming_normal, he_normal, glorot_uniform, …. The weight is [filters, C, kH, kW].",
            onTensors: .refuse
        ) { args in
            try Conv2D(
                filters: try args.int("filters"), kernelSize: try args.pair("kernel_size"), strides: try args.pair("stride"),
                padding: try args.padding("padding"), dilation: try args.pair("dilation"), useBias: try args.bool("bias"),
                weightInitializer: try args.initializer("init"), name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "batchnorm", classNames: ["BatchNormalization", "BatchNorm"], inputName: "x",
            parameters: [.optional("momentum", 0.1), .optional("eps", 1e-5)],
            summary: "Batch normalisation of x over its channels ([C, H, W] images or [C] features), with a learnt scale and shift.",
            details:
                "momentum follows PyTorch: running = (1 − momentum)·running + momentum·batch, so 0.1 is PyTorch's default and Keras's momentum=0.99 is 0.01 here; momentum=None keeps the true (cumulative) average of all training batches, running = running + (batch − running)/n, as torch's BatchNorm2d(momentum=None). eps is added to the variance. Training uses batch statistics, eval() the running ones; summary() counts running_mean and running_var as non-trainable parameters.",
            onTensors: .refuse
        ) { args in
            try BatchNormalization(
                momentum: try args.isNone("momentum") ? nil : try args.float("momentum"), epsilon: try args.float("eps"),
                name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "relu", classNames: ["ReLU"], inputName: "x", parameters: [],
            summary: "max(x, 0): a ReLU layer on a SymbolicTensor, the elementwise operation on a Tensor.",
            details: "",
            onTensors: .operation { _, tensor in tensor.relu() }
        ) { args in
            try ReLU(name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "leaky_relu", classNames: ["LeakyReLU"], inputName: "x", parameters: [.optional("slope", 0.01)],
            summary: "x for x > 0, slope·x otherwise: a LeakyReLU layer on a SymbolicTensor, the operation on a Tensor.",
            details: "The default slope is PyTorch's 0.01 (Keras's LeakyReLU uses 0.3).",
            onTensors: .operation { args, tensor in tensor.leakyRelu(slope: try args.float("slope")) }
        ) { args in
            try LeakyReLU(slope: try args.float("slope"), name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "sigmoid", classNames: [], inputName: "x", parameters: [],
            summary: "1 / (1 + e^−x): an Activation('sigmoid') layer on a SymbolicTensor, the operation on a Tensor.",
            details: "",
            onTensors: .operation { _, tensor in tensor.sigmoid() }
        ) { args in
            try Activation("sigmoid", name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "activation", classNames: ["Activation"], inputName: "x", parameters: [.required("function")],
            summary:
                "An elementwise nonlinearity chosen by name: relu, leaky_relu, sigmoid, tanh, softmax, log_softmax or linear (Keras's Activation).",
            details: "softmax and log_softmax act on the last axis.",
            onTensors: .runLayer(training: false)
        ) { args in
            try Activation(try args.string("function"), name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "softmax", classNames: ["Softmax"], inputName: "x", parameters: [.optional("dim", -1)],
            summary:
                "Softmax along dim (default the last, e.g. the classes of logits): a Softmax layer on a SymbolicTensor, the operation on a Tensor.",
            details: "dim counts the batch as dimension 0, as in PyTorch, so dim=1 is the channels of an image batch.",
            onTensors: .operation { args, tensor in try tensor.softmax(axis: try args.int("dim")) }
        ) { args in
            try Softmax(axis: try args.int("dim"), name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "max_pool", classNames: ["MaxPooling2D"], inputName: "x",
            parameters: [.optional("pool_size", 2), .optional("stride", .none), .optional("padding", 0)],
            summary: "The maximum over pool_size windows of x: [C, H, W] → [C, H', W'] (PyTorch's nn.MaxPool2d).",
            details: "pool_size and stride are ints or (height, width) pairs; stride defaults to pool_size; \(paddingHelp). Padded pixels never win.",
            tensorNote: "On a Tensor [N, C, H, W], pools it.",
            onTensors: .runLayer(training: false)
        ) { args in
            try MaxPooling2D(
                poolSize: try args.pair("pool_size"), strides: try args.optionalPair("stride"), padding: try args.padding("padding"),
                name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "avg_pool", classNames: ["AveragePooling2D"], inputName: "x",
            parameters: [.optional("pool_size", 2), .optional("stride", .none), .optional("padding", 0)],
            summary: "The mean over pool_size windows of x: [C, H, W] → [C, H', W'] (PyTorch's nn.AvgPool2d).",
            details:
                "pool_size and stride are ints or (height, width) pairs; stride defaults to pool_size; \(paddingHelp). Zeros of explicit padding count towards the mean (PyTorch); \"same\" averages only pixels inside the image.",
            tensorNote: "On a Tensor [N, C, H, W], pools it.",
            onTensors: .runLayer(training: false)
        ) { args in
            try AveragePooling2D(
                poolSize: try args.pair("pool_size"), strides: try args.optionalPair("stride"), padding: try args.padding("padding"),
                name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "global_avg_pool", classNames: ["GlobalAveragePooling2D"], inputName: "x", parameters: [],
            summary: "The mean of each channel over the whole image: [C, H, W] → [C], so the head works for any image size.",
            details: "PyTorch's AdaptiveAvgPool2d(1) followed by flatten.",
            tensorNote: "On a Tensor [N, C, H, W], gives [N, C].",
            onTensors: .runLayer(training: false)
        ) { args in
            try GlobalAveragePooling2D(name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "dense", classNames: ["Dense"], inputName: "x",
            parameters: [.required("units"), .optional("bias", true), .keywordOnly("init", "pytorch")],
            summary: "A fully connected layer on the last axis of x: [F] → [units] (PyTorch's nn.Linear, Keras's Dense).",
            details:
                "The weight is [units, F]; init names its initialiser (pytorch, the default, kaiming_normal, glorot_uniform, …). Put flatten or global_avg_pool before it to turn images into features.",
            onTensors: .refuse
        ) { args in
            try Dense(
                units: try args.int("units"), useBias: try args.bool("bias"), weightInitializer: try args.initializer("init"),
                name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "dropout", classNames: ["Dropout"], inputName: "x", parameters: [.optional("rate", 0.5)],
            summary: "Zeroes each element with probability rate in training and scales the rest by 1/(1 − rate); does nothing in eval().",
            details: "",
            tensorNote:
                "On a Tensor it always drops (like PyTorch's F.dropout with training=True); a Dropout() object drops only when called with training=True.",
            onTensors: .runLayer(training: true)
        ) { args in
            try Dropout(rate: try args.float("rate"), name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "flatten", classNames: ["Flatten"], inputName: "x", parameters: [],
            summary: "Each sample flattened to a vector: [C, H, W] → [C·H·W] (PyTorch's nn.Flatten).",
            details: "",
            tensorNote: "On a Tensor the batch axis is kept ([N, C, H, W] → [N, C·H·W]); t.flatten() flattens everything.",
            onTensors: .runLayer(training: false)
        ) { args in
            try Flatten(name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "add", classNames: ["Add"], inputName: "inputs", parameters: [],
            summary:
                "The elementwise sum of a list of equally shaped inputs, add([branch, shortcut]): the join of a residual block (a + b does the same).",
            details: "",
            onTensors: .runLayer(training: false)
        ) { args in
            try Add(name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "concat", classNames: ["Concatenate"], inputName: "inputs", parameters: [.optional("dim", 1)],
            summary: "A list of inputs joined along dim, by default the channels: concat([a, b]) of [C1, H, W] and [C2, H, W] is [C1 + C2, H, W].",
            details: "dim counts the batch as dimension 0, as in PyTorch and Keras; the other sizes must agree.",
            onTensors: .runLayer(training: false)
        ) { args in
            try Concatenate(axis: try args.int("dim"), name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "zero_pad_shortcut", classNames: ["ZeroPadShortcut"], inputName: "x",
            parameters: [.required("channels"), .optional("stride", 1)],
            summary: "The option A shortcut of He et al. (2015): every stride-th pixel, channels zero-padded up to channels, no parameters.",
            details:
                "Use it on the shortcut of a residual block that halves the image and widens the channels: add([branch, zero_pad_shortcut(x, 32, 2)]).",
            onTensors: .runLayer(training: false)
        ) { args in
            try ZeroPadShortcut(filters: try args.int("channels"), stride: try args.int("stride"), name: try args.optionalString("name"))
        },
        LayerKind(
            builder: "stochastic_depth", classNames: ["StochasticDepth"], inputName: "x",
            parameters: [.required("survival"), .optional("mode", "batch")],
            summary: "Stochastic depth (Huang et al. 2016) on a residual branch: kept with probability survival in training, scaled by it in eval().",
            details: "Place it on the branch before the add. mode is \"batch\" (one draw per batch, the paper) or \"sample\" (one per sample).",
            onTensors: .runLayer(training: true)
        ) { args in
            let modeName = try args.string("mode")
            guard let mode = StochasticDepth.Mode(rawValue: modeName.lowercased()) else {
                throw args.valueError("mode", "must be \"batch\" or \"sample\", found \(Value.quote(modeName))")
            }
            return try StochasticDepth(survivalProbability: try args.float("survival"), mode: mode, name: try args.optionalString("name"))
        },
    ]
}
