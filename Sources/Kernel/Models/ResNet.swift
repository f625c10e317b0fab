/// Residual networks (He et al. 2015, 2016) built as graph `Model`s from a `ResNetConfig`.
///
/// Layers are named like torchvision's modules (`conv1`, `bn1`, `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`),
/// so parameter keys (`layer1.0.bn1.running_mean`) match a torchvision `state_dict` and weights move between the two.
///
/// ```swift
/// let model = try ResNet.resnet18(classes: 10)
/// print(model.summary())
/// var config = try ResNetConfig.cifar(depth: 56)
/// config.finalSurvivalProbability = 0.5       // stochastic depth
/// let deep = try ResNet.make(config)
/// ```
public enum ResNet {
    /// torchvision's ResNet-18: 11,689,512 parameters with 1000 classes.
    public static func resnet18(classes: Int = 1000, inputShape: [Int] = [3, 224, 224]) throws -> Model {
        try make(try ResNetConfig.imagenet(depth: 18, classes: classes, inputShape: inputShape))
    }

    /// torchvision's ResNet-34: 21,797,672 parameters with 1000 classes.
    public static func resnet34(classes: Int = 1000, inputShape: [Int] = [3, 224, 224]) throws -> Model {
        try make(try ResNetConfig.imagenet(depth: 34, classes: classes, inputShape: inputShape))
    }

    /// torchvision's ResNet-50 (v1.5, stride in the 3×3 convolution): 25,557,032 parameters with 1000 classes.
    public static func resnet50(classes: Int = 1000, inputShape: [Int] = [3, 224, 224]) throws -> Model {
        try make(try ResNetConfig.imagenet(depth: 50, classes: classes, inputShape: inputShape))
    }

    /// He et al.'s CIFAR ResNet of `depth` = 6n + 2 with option A shortcuts (ResNet-20: 269,722 parameters).
    public static func cifarResNet(depth: Int, classes: Int = 10, inputShape: [Int] = [3, 32, 32]) throws -> Model {
        try make(try ResNetConfig.cifar(depth: depth, classes: classes, inputShape: inputShape))
    }

    /// Builds the network `config` describes.
    public static func make(_ config: ResNetConfig) throws -> Model {
        try config.validate()
        var builder = Builder(config: config)
        let input = try Input(shape: config.inputShape, name: "input")
        var x = try builder.stem(input)
        for stage in config.blocksPerStage.indices {
            for index in 0..<config.blocksPerStage[stage] {
                x = try builder.block(x, stage: stage, index: index)
            }
        }
        let logits = try builder.head(x)
        return try Model(inputs: [input], outputs: [logits], name: config.name)
    }

    /// Emits the layers of one network, tracking the running block number for stochastic depth.
    private struct Builder {
        let config: ResNetConfig
        var blocksDone = 0

        init(config: ResNetConfig) {
            self.config = config
        }

        private func conv(_ filters: Int, _ kernel: Int, stride: Int = 1, name: String) throws -> Conv2D {
            try Conv2D(
                filters: filters, kernelSize: kernel, strides: stride, padding: .explicit(rows: kernel / 2, columns: kernel / 2),
                useBias: false, weightInitializer: config.convolutionInitializer, name: name)
        }

        private func batchNorm(_ name: String, zeroScale: Bool = false) throws -> BatchNormalization {
            try BatchNormalization(momentum: config.batchNormMomentum, scaleInitializer: zeroScale ? .zeros : .ones, name: name)
        }

        func stem(_ input: SymbolicTensor) throws -> SymbolicTensor {
            let stem = config.stem
            var x = try conv(stem.width, stem.kernelSize, stride: stem.stride, name: "conv1")(input)
            // A pre-activation network normalises at the start of each block, unless pooling needs activations first.
            if !config.preActivation || stem.maxPool {
                x = try ReLU(name: "relu")(try batchNorm("bn1")(x))
            }
            if stem.maxPool {
                x = try MaxPooling2D(poolSize: 3, strides: 2, padding: .explicit(rows: 1, columns: 1), name: "maxpool")(x)
            }
            return x
        }

        mutating func block(_ x: SymbolicTensor, stage: Int, index: Int) throws -> SymbolicTensor {
            blocksDone += 1
            let prefix = "layer\(stage + 1).\(index)."
            let width = config.widths[stage]
            let kernel = config.kernelSizes[stage]
            let stride = index == 0 ? config.strides[stage] : 1
            let outChannels = width * config.expansion
            let inChannels = x.shape[0]
            let reshapes = stride != 1 || inChannels != outChannels

            var branch: SymbolicTensor
            var shortcutSource = x
            if config.preActivation {
                let activated = try ReLU(name: prefix + "relu1")(try batchNorm(prefix + "bn1")(x))
                // Projections read the activated input (He et al. 2016); identity and option A keep the raw input.
                shortcutSource = activated
                switch config.block {
                case .basic:
                    branch = try conv(width, kernel, stride: stride, name: prefix + "conv1")(activated)
                    branch = try ReLU(name: prefix + "relu2")(try batchNorm(prefix + "bn2")(branch))
                    branch = try conv(width, kernel, name: prefix + "conv2")(branch)
                case .bottleneck:
                    branch = try conv(width, 1, name: prefix + "conv1")(activated)
                    branch = try ReLU(name: prefix + "relu2")(try batchNorm(prefix + "bn2")(branch))
                    branch = try conv(width, kernel, stride: stride, name: prefix + "conv2")(branch)
                    branch = try ReLU(name: prefix + "relu3")(try batchNorm(prefix + "bn3")(branch))
                    branch = try conv(outChannels, 1, name: prefix + "conv3")(branch)
                }
            } else {
                let zeroLast = config.zeroInitResidual
                switch config.block {
                case .basic:
                    branch = try conv(width, kernel, stride: stride, name: prefix + "conv1")(x)
                    branch = try ReLU(name: prefix + "relu1")(try batchNorm(prefix + "bn1")(branch))
                    branch = try conv(width, kernel, name: prefix + "conv2")(branch)
                    branch = try batchNorm(prefix + "bn2", zeroScale: zeroLast)(branch)
                case .bottleneck:
                    branch = try conv(width, 1, name: prefix + "conv1")(x)
                    branch = try ReLU(name: prefix + "relu1")(try batchNorm(prefix + "bn1")(branch))
                    branch = try conv(width, kernel, stride: stride, name: prefix + "conv2")(branch)
                    branch = try ReLU(name: prefix + "relu2")(try batchNorm(prefix + "bn2")(branch))
                    branch = try conv(outChannels, 1, name: prefix + "conv3")(branch)
                    branch = try batchNorm(prefix + "bn3", zeroScale: zeroLast)(branch)
                }
            }

            let survival = 1 - Float(blocksDone) / Float(config.blockCount) * (1 - config.finalSurvivalProbability)
            if survival < 1 {
                branch = try StochasticDepth(survivalProbability: survival, mode: config.stochasticDepthMode, name: prefix + "stochastic_depth")(
                    branch)
            }

            let shortcut: SymbolicTensor
            switch config.shortcut {
            case .a where reshapes:
                shortcut = try ZeroPadShortcut(filters: outChannels, stride: stride, name: prefix + "shortcut")(x)
            case .b where reshapes, .c:
                var projected = try Conv2D(
                    filters: outChannels, kernelSize: 1, strides: stride, useBias: false,
                    weightInitializer: config.convolutionInitializer, name: prefix + "downsample.0")(shortcutSource)
                if !config.preActivation {
                    projected = try batchNorm(prefix + "downsample.1")(projected)
                }
                shortcut = projected
            default:
                shortcut = x
            }

            var out: SymbolicTensor
            switch config.merge {
            case .add:
                out = try Add(name: prefix + "add")([branch, shortcut])
            case .concat:
                out = try Concatenate(axis: 1, name: prefix + "concat")([shortcut, branch])
                out = try Conv2D(
                    filters: outChannels, kernelSize: 1, useBias: false, weightInitializer: config.convolutionInitializer,
                    name: prefix + "reduce")(out)
                if !config.preActivation {
                    out = try batchNorm(prefix + "reduce_bn")(out)
                }
            }
            if !config.preActivation {
                out = try ReLU(name: prefix + (config.block == .basic ? "relu2" : "relu3"))(out)
            }
            return out
        }

        func head(_ features: SymbolicTensor) throws -> SymbolicTensor {
            var x = features
            if config.preActivation {
                x = try ReLU(name: "final_relu")(try batchNorm("final_bn")(x))
            }
            x = try GlobalAveragePooling2D(name: "avgpool")(x)
            if config.dropout > 0 {
                x = try Dropout(rate: config.dropout, name: "dropout")(x)
            }
            return try Dense(units: config.classes, name: "fc")(x)
        }
    }
}
