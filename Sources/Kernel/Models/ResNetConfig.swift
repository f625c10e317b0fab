/// Everything that varies between residual networks, for `ResNet.make(_:)`.
///
/// The presets reproduce torchvision's ImageNet ResNets (`imagenet(depth:)`) and He et al.'s CIFAR ResNets
/// (`cifar(depth:)`); every field can be changed afterwards.
public struct ResNetConfig {
    /// The residual block.
    public enum Block: String {
        /// Two k×k convolutions (ResNet-18/34, CIFAR ResNets); expansion 1.
        case basic
        /// 1×1 reduce, k×k, 1×1 expand to 4× the width (ResNet-50 and deeper); expansion 4.
        case bottleneck
    }

    /// How the shortcut matches the branch when the shape changes (He et al. 2015, section 4.1).
    public enum Shortcut: String {
        /// Parameter-free: subsample and zero-pad the channels.
        case a = "A"
        /// 1×1 projection (+ batch norm) only where the shape changes; identity elsewhere.
        case b = "B"
        /// 1×1 projection (+ batch norm) on every block.
        case c = "C"
    }

    /// How the shortcut and the branch are joined.
    public enum Merge: String {
        /// Elementwise sum (the standard ResNet).
        case add
        /// Channel concatenation followed by a 1×1 convolution back to the block's width.
        case concat
    }

    /// The first layers before the residual stages.
    public struct Stem {
        /// Output channels of the stem convolution.
        public var width: Int
        /// Kernel size of the stem convolution (odd).
        public var kernelSize: Int
        /// Stride of the stem convolution.
        public var stride: Int
        /// Whether a 3×3 stride-2 max-pool follows (ImageNet ResNets).
        public var maxPool: Bool

        /// A stem with the given convolution and optional max-pool.
        public init(width: Int, kernelSize: Int, stride: Int, maxPool: Bool) {
            self.width = width
            self.kernelSize = kernelSize
            self.stride = stride
            self.maxPool = maxPool
        }

        /// torchvision's: 7×7 stride-2 convolution to 64 channels, then 3×3 stride-2 max-pool.
        public static let imagenet = Stem(width: 64, kernelSize: 7, stride: 2, maxPool: true)
        /// He et al.'s CIFAR stem: one 3×3 convolution to 16 channels.
        public static let cifar = Stem(width: 16, kernelSize: 3, stride: 1, maxPool: false)
    }

    /// The model name shown by `summary()`.
    public var name: String
    /// Per-sample input shape `[C, H, W]`; any C, and H and W only set the shapes shown by `summary()`
    /// (global average pooling makes the network accept any size).
    public var inputShape: [Int]
    /// Number of output logits.
    public var classes: Int
    /// Basic or bottleneck blocks.
    public var block: Block
    /// Blocks in each stage, e.g. `[2, 2, 2, 2]` for ResNet-18.
    public var blocksPerStage: [Int]
    /// Base width of each stage (bottleneck stages output 4× this).
    public var widths: [Int]
    /// Stride of the first block of each stage.
    public var strides: [Int]
    /// Kernel size of the k×k convolutions of each stage (odd).
    public var kernelSizes: [Int]
    /// The stem.
    public var stem: Stem
    /// Pre-activation blocks (BN-ReLU-conv, He et al. 2016) instead of post-activation (conv-BN-ReLU).
    public var preActivation: Bool
    /// Sum or concatenation.
    public var merge: Merge
    /// Option A, B or C.
    public var shortcut: Shortcut
    /// Survival probability p_L of the last block for stochastic depth; block l of L survives with
    /// p_l = 1 − l/L·(1 − p_L). 1 turns stochastic depth off.
    public var finalSurvivalProbability: Float
    /// One stochastic-depth draw per batch (the paper) or per sample.
    public var stochasticDepthMode: StochasticDepth.Mode
    /// Dropout rate before the classifier (0 for none).
    public var dropout: Float
    /// Start the last batch norm of every branch at zero, so each block starts as the identity (Goyal et al.).
    public var zeroInitResidual: Bool
    /// Initialisation of every convolution (the classifier keeps PyTorch's default, as torchvision does).
    public var convolutionInitializer: Initializer
    /// Momentum of every batch norm (PyTorch's convention); nil keeps the cumulative average of the training batches.
    public var batchNormMomentum: Float? = 0.1

    /// A configuration; the presets below are the usual starting points.
    public init(
        name: String = "resnet", inputShape: [Int] = [3, 224, 224], classes: Int = 1000, block: Block = .basic,
        blocksPerStage: [Int] = [2, 2, 2, 2], widths: [Int] = [64, 128, 256, 512], strides: [Int] = [1, 2, 2, 2],
        kernelSizes: [Int] = [3, 3, 3, 3], stem: Stem = .imagenet, preActivation: Bool = false, merge: Merge = .add,
        shortcut: Shortcut = .b, finalSurvivalProbability: Float = 1, stochasticDepthMode: StochasticDepth.Mode = .batch,
        dropout: Float = 0, zeroInitResidual: Bool = false, convolutionInitializer: Initializer = .kaimingNormal(mode: .fanOut)
    ) {
        self.name = name
        self.inputShape = inputShape
        self.classes = classes
        self.block = block
        self.blocksPerStage = blocksPerStage
        self.widths = widths
        self.strides = strides
        self.kernelSizes = kernelSizes
        self.stem = stem
        self.preActivation = preActivation
        self.merge = merge
        self.shortcut = shortcut
        self.finalSurvivalProbability = finalSurvivalProbability
        self.stochasticDepthMode = stochasticDepthMode
        self.dropout = dropout
        self.zeroInitResidual = zeroInitResidual
        self.convolutionInitializer = convolutionInitializer
    }

    /// Output channels per input channel of a block's branch: 1 for basic, 4 for bottleneck blocks.
    public var expansion: Int { block == .bottleneck ? 4 : 1 }

    /// Total number of residual blocks.
    public var blockCount: Int { blocksPerStage.reduce(0, +) }

    /// torchvision's ResNet-`depth` for ImageNet: 18 and 34 (basic), 50, 101 and 152 (bottleneck).
    public static func imagenet(depth: Int, classes: Int = 1000, inputShape: [Int] = [3, 224, 224]) throws -> ResNetConfig {
        let layouts: [Int: (Block, [Int])] = [
            18: (.basic, [2, 2, 2, 2]), 34: (.basic, [3, 4, 6, 3]),
            50: (.bottleneck, [3, 4, 6, 3]), 101: (.bottleneck, [3, 4, 23, 3]), 152: (.bottleneck, [3, 8, 36, 3]),
        ]
        guard let (block, blocks) = layouts[depth] else {
            throw KernelError.invalidArgument(
                op: "resnet", message: "no ImageNet ResNet of depth \(depth); choose 18, 34, 50, 101 or 152, or give blocks per stage")
        }
        return ResNetConfig(name: "resnet\(depth)", inputShape: inputShape, classes: classes, block: block, blocksPerStage: blocks)
    }

    /// He et al.'s CIFAR ResNet-`depth` (depth = 6n + 2: 20, 32, 44, 56, 110, …): 3×3 stem, three stages of n basic
    /// blocks with widths 16-32-64, option A shortcuts, He-normal (fan-in) initialisation, 10 classes.
    public static func cifar(depth: Int, classes: Int = 10, inputShape: [Int] = [3, 32, 32]) throws -> ResNetConfig {
        guard depth >= 8, (depth - 2) % 6 == 0 else {
            throw KernelError.invalidArgument(op: "cifar_resnet", message: "depth must be 6n + 2 (20, 32, 44, 56, 110, …), found \(depth)")
        }
        let n = (depth - 2) / 6
        return ResNetConfig(
            name: "cifar_resnet\(depth)", inputShape: inputShape, classes: classes, block: .basic,
            blocksPerStage: [n, n, n], widths: [16, 32, 64], strides: [1, 2, 2], kernelSizes: [3, 3, 3],
            stem: .cifar, shortcut: .a, convolutionInitializer: .kaimingNormal(mode: .fanIn))
    }

    /// The most blocks a network may have in all stages together.
    public static let maximumBlocks = 10_000

    /// Throws, naming the field, when the configuration cannot describe a network.
    public func validate() throws {
        func fail(_ message: String) -> KernelError { KernelError.invalidArgument(op: "resnet", message: message) }
        guard !blocksPerStage.isEmpty else { throw fail("at least one stage is needed (blocks per stage is empty)") }
        let stages = blocksPerStage.count
        for (field, values) in [("widths", widths), ("strides", strides), ("kernel sizes", kernelSizes)] where values.count != stages {
            throw fail("\(field) lists \(values.count) stages but blocks per stage lists \(stages)")
        }
        guard blocksPerStage.allSatisfy({ $0 > 0 }) else { throw fail("every stage needs at least one block, found \(blocksPerStage)") }
        guard widths.allSatisfy({ $0 > 0 }) else { throw fail("widths must be positive, found \(widths)") }
        // Checked here so that building (which multiplies and sums these) never overflows.
        for width in widths { _ = try Shape.multiply(width, expansion, op: "resnet", what: "width times block expansion") }
        let totalBlocks = try blocksPerStage.reduce(0) { try Shape.add($0, $1, op: "resnet", what: "the total number of blocks") }
        // Each block allocates its own weights, which no single-tensor memory check sees: a typo such as
        // [10**9] would otherwise build until the machine runs out of memory.
        guard totalBlocks <= Self.maximumBlocks else {
            throw fail("at most \(Self.maximumBlocks) blocks in all are supported (ResNet-1202 has 600), found \(totalBlocks) in \(blocksPerStage)")
        }
        guard strides.allSatisfy({ $0 > 0 }) else { throw fail("strides must be positive, found \(strides)") }
        guard kernelSizes.allSatisfy({ $0 > 0 && $0 % 2 == 1 }) else { throw fail("kernel sizes must be odd and positive, found \(kernelSizes)") }
        guard stem.width > 0, stem.stride > 0, stem.kernelSize > 0, stem.kernelSize % 2 == 1 else {
            throw fail(
                "the stem needs a positive width and stride and an odd kernel size, found width \(stem.width), kernel \(stem.kernelSize), stride \(stem.stride)"
            )
        }
        guard classes > 0 else { throw fail("classes must be positive, found \(classes)") }
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw fail("input shape must be [C, H, W] with positive sizes, found \(shapeString(inputShape))")
        }
        guard finalSurvivalProbability > 0, finalSurvivalProbability <= 1 else {
            throw fail("the final survival probability must be in (0, 1], found \(finalSurvivalProbability)")
        }
        guard dropout >= 0, dropout < 1 else { throw fail("dropout must be in [0, 1), found \(dropout)") }
        if let batchNormMomentum, !(batchNormMomentum >= 0 && batchNormMomentum <= 1) {
            throw fail("the batch-norm momentum must be in [0, 1] or None, found \(batchNormMomentum)")
        }
        if shortcut == .a {
            var channels = stem.width
            for width in widths {
                guard width * expansion >= channels else {
                    throw fail("option A (zero-padding) shortcuts cannot shrink \(channels) channels to \(width * expansion); use option B or C")
                }
                channels = width * expansion
            }
        }
    }
}
