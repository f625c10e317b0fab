import Kernel

/// The ResNet factory with every `ResNetConfig` option as a snake_case keyword, and the usual presets.
enum ModelResNetFactories {
    static let group = BuiltinGroup(
        title: "ResNets",
        functions: [
            resnetFunction, preset(18, parameters: "11,689,512"), preset(34, parameters: "21,797,672"), preset(50, parameters: "25,557,032"),
            cifarFunction,
        ])

    private static let imagenetDepths = [18, 34, 50, 101, 152]

    static let resnetFunction = BuiltinFunction(
        "resnet",
        [
            .optional("depth", .none), .keywordOnly("blocks", .none), .keywordOnly("block", .none), .keywordOnly("widths", .none),
            .keywordOnly("kernel_sizes", .none), .keywordOnly("strides", .none), .keywordOnly("stem", .none),
            .keywordOnly("preact", false), .keywordOnly("merge", "add"), .keywordOnly("shortcut", .none),
            .keywordOnly("stochastic_depth", 1.0), .keywordOnly("stochastic_depth_mode", "batch"), .keywordOnly("dropout", 0.0),
            .keywordOnly("zero_init_residual", false), .keywordOnly("conv_init", .none), .keywordOnly("bn_momentum", 0.1),
            .keywordOnly("classes", .none), .keywordOnly("in_channels", .none), .keywordOnly("input_shape", .none), .keywordOnly("name", .none),
        ],
        doc: """
            A residual network; depth picks a preset and every keyword changes one part of it.
            depth 18, 34, 50, 101 or 152 is torchvision's ImageNet ResNet; 6n + 2 (20, 32, 44, 56, 110, …) is He et al.'s CIFAR ResNet. Without depth, give blocks and start from ResNet-18's configuration. \
            blocks=[2, 2, 2, 2] blocks per stage; block="basic" or "bottleneck"; widths per stage (bottleneck stages output 4×); kernel_sizes per stage (or one int); strides of each stage's first block; \
            stem="imagenet" (7×7 stride 2 + max-pool), "cifar" (3×3 to 16 channels) or a dict(width=64, kernel_size=3, stride=1, max_pool=False); preact=True for pre-activation blocks (He et al. 2016); \
            merge="add" or "concat" (concatenate, then a 1×1 convolution back to the width); shortcut="A" (zero-padding), "B" (projection where the shape changes) or "C" (projection everywhere); \
            stochastic_depth=p_L, the survival probability of the last block (block l of L survives with 1 − l/L·(1 − p_L); 1 is off), stochastic_depth_mode="batch" or "sample"; dropout before the classifier; \
            zero_init_residual=True starts each block's last batch norm at zero; conv_init names the convolution initialiser; bn_momentum of every batch norm (None: the true cumulative average, see batchnorm); classes; in_channels or input_shape=[C, H, W]; name.
            """
    ) { args in
        .object(ModelObject(try ResNet.make(try config(args))))
    }

    /// `resnet18(classes=1000, input_shape=[3, 224, 224], in_channels=None)` and its siblings.
    private static func preset(_ depth: Int, parameters count: String) -> BuiltinFunction {
        let parameters: [Parameter] = [
            .optional("classes", 1000), .optional("input_shape", .list([3, 224, 224])), .keywordOnly("in_channels", .none),
        ]
        return BuiltinFunction(
            "resnet\(depth)", parameters,
            doc:
                "torchvision's ResNet-\(depth) (\(count) parameters with 1000 classes); its weights load from and save to torchvision's keys.\nin_channels replaces the channels of input_shape, e.g. in_channels=1 for grey images; the network accepts any image size."
        ) { args in
            var config = try ResNetConfig.imagenet(depth: depth)
            try applyPresetArguments(args, to: &config)
            return .object(ModelObject(try ResNet.make(config)))
        }
    }

    private static let cifarFunction = BuiltinFunction(
        "cifar_resnet",
        [.required("depth"), .optional("classes", 10), .optional("input_shape", .list([3, 32, 32])), .keywordOnly("in_channels", .none)],
        doc:
            "He et al.'s CIFAR ResNet of depth 6n + 2 (20, 32, 44, 56, 110): a 3×3 stem, three stages of widths 16-32-64 and option A shortcuts (ResNet-20 has 269,722 parameters).\nin_channels replaces the channels of input_shape, e.g. in_channels=1 for MNIST; for other options use resnet(depth, ...)."
    ) { args in
        let depth = try args.int("depth")
        var config = try ResNetConfig.cifar(depth: depth)
        try applyPresetArguments(args, to: &config)
        return .object(ModelObject(try ResNet.make(config)))
    }

    /// classes, input_shape and in_channels of the presets.
    private static func applyPresetArguments(_ args: Arguments, to config: inout ResNetConfig) throws {
        config.classes = try args.int("classes")
        config.inputShape = try args.sampleShape("input_shape")
        try applyInChannels(args, to: &config)
    }

    /// `in_channels` replaces the channels of the input shape; given together with `input_shape`, they must agree.
    private static func applyInChannels(_ args: Arguments, to config: inout ResNetConfig) throws {
        guard let channels = try args.optionalInt("in_channels") else { return }
        guard channels > 0 else { throw args.valueError("in_channels", "must be positive, found \(channels)") }
        if try args.wasGiven("input_shape"), config.inputShape.first != channels {
            throw args.valueError(
                "in_channels",
                "is \(channels) but input_shape \(shapeString(config.inputShape)) has \(config.inputShape.first ?? 0) channels; give one of them")
        }
        guard !config.inputShape.isEmpty else { return }
        config.inputShape[0] = channels
    }

    /// The configuration `resnet(...)` describes: the preset for depth (or ResNet-18's), then every given keyword.
    static func config(_ args: Arguments) throws -> ResNetConfig {
        var config: ResNetConfig
        if let depth = try args.optionalInt("depth") {
            if try args.wasGiven("blocks") {
                throw args.valueError("blocks", "cannot be combined with depth (which picks the blocks); give one of them")
            }
            if imagenetDepths.contains(depth) {
                config = try ResNetConfig.imagenet(depth: depth)
            } else if depth >= 8, (depth - 2) % 6 == 0 {
                config = try ResNetConfig.cifar(depth: depth)
            } else {
                throw args.valueError(
                    "depth",
                    "must be 18, 34, 50, 101 or 152 (ImageNet ResNets) or 6n + 2 such as 20, 32, 44, 56 or 110 (CIFAR ResNets), found \(depth); or give blocks=[...] instead"
                )
            }
        } else {
            guard try args.wasGiven("blocks") else {
                throw DSLError(.type, "resnet() needs depth (e.g. resnet(18) or resnet(20)) or blocks per stage (e.g. resnet(blocks=[2, 2, 2, 2]))")
            }
            config = ResNetConfig()
        }
        if try args.wasGiven("blocks") { config.blocksPerStage = try args.intList("blocks") }
        if let name = try args.optionalString("block") {
            guard let block = ResNetConfig.Block(rawValue: name.lowercased()) else {
                throw args.valueError("block", "must be \"basic\" or \"bottleneck\", found \(Value.quote(name))")
            }
            config.block = block
        }
        if !(try args.isNone("widths")) { config.widths = try args.intList("widths") }
        if !(try args.isNone("strides")) { config.strides = try args.intList("strides") }
        if !(try args.isNone("kernel_sizes")) {
            if let size = try args.value("kernel_sizes").integerValue {
                config.kernelSizes = Array(repeating: size, count: config.blocksPerStage.count)
            } else {
                config.kernelSizes = try args.intList("kernel_sizes")
            }
        }
        if !(try args.isNone("stem")) { config.stem = try stem(args, current: config.stem) }
        config.preActivation = try args.bool("preact")
        let mergeName = try args.string("merge")
        guard let merge = ResNetConfig.Merge(rawValue: mergeName.lowercased()) else {
            throw args.valueError("merge", "must be \"add\" or \"concat\", found \(Value.quote(mergeName))")
        }
        config.merge = merge
        if let name = try args.optionalString("shortcut") {
            guard let shortcut = ResNetConfig.Shortcut(rawValue: name.uppercased()) else {
                throw args.valueError("shortcut", "must be \"A\" (zero-padding), \"B\" or \"C\" (projections), found \(Value.quote(name))")
            }
            config.shortcut = shortcut
        }
        config.finalSurvivalProbability = try args.float("stochastic_depth")
        let modeName = try args.string("stochastic_depth_mode")
        guard let mode = StochasticDepth.Mode(rawValue: modeName.lowercased()) else {
            throw args.valueError("stochastic_depth_mode", "must be \"batch\" or \"sample\", found \(Value.quote(modeName))")
        }
        config.stochasticDepthMode = mode
        config.dropout = try args.float("dropout")
        config.zeroInitResidual = try args.bool("zero_init_residual")
        if !(try args.isNone("conv_init")) { config.convolutionInitializer = try args.initializer("conv_init") }
        config.batchNormMomentum = try args.isNone("bn_momentum") ? nil : try args.float("bn_momentum")
        if let classes = try args.optionalInt("classes") { config.classes = classes }
        if !(try args.isNone("input_shape")) { config.inputShape = try args.sampleShape("input_shape") }
        try applyInChannels(args, to: &config)
        if let name = try args.optionalString("name") { config.name = name }
        return config
    }

    /// `stem="cifar"`, `stem="imagenet"`, or a dict of the fields to change (`width`, `kernel_size`, `stride`, `max_pool`).
    private static func stem(_ args: Arguments, current: ResNetConfig.Stem) throws -> ResNetConfig.Stem {
        let argument = try args.value("stem")
        switch argument {
        case .string(let name):
            switch name.lowercased() {
            case "imagenet": return .imagenet
            case "cifar": return .cifar
            default:
                throw args.valueError(
                    "stem", "must be \"imagenet\", \"cifar\" or a dict(width=, kernel_size=, stride=, max_pool=), found \(Value.quote(name))")
            }
        case .dict(let dict):
            var stem = current
            let fields = ["width", "kernel_size", "stride", "max_pool"]
            for (key, value) in dict.entries {
                guard case .string(let field) = key, fields.contains(field) else {
                    var problem = "has an unknown key \(key.repr); known: \(fields.joined(separator: ", "))"
                    if case .string(let text) = key, let suggestion = Suggestions.closest(to: text, among: fields) {
                        problem += " (did you mean '\(suggestion)'?)"
                    }
                    throw args.valueError("stem", problem)
                }
                if field == "max_pool" {
                    stem.maxPool = try Operations.truthy(value)
                    continue
                }
                guard let number = value.integerValue else { throw args.typeError("stem", expected: "int values for \(field)", found: value) }
                switch field {
                case "width": stem.width = number
                case "kernel_size": stem.kernelSize = number
                default: stem.stride = number
                }
            }
            return stem
        default:
            throw args.typeError("stem", expected: "\"imagenet\", \"cifar\" or a dict", found: argument)
        }
    }
}
