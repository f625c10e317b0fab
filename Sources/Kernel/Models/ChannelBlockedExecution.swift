// Training with feature maps in oneDNN's 16-channel blocked layout.
//
// oneDNN computes convolutions in the nChw16c layout (`ChannelBlocks`); NCHW feature maps are reordered into it and
// back around every convolution, in forward and in both backward passes. In training, the model instead keeps a feature
// map blocked when every step reading it can take it that way: convolutions, batch norms (with their fused ReLU), ReLUs,
// residual adds (elementwise, so any layout works when both sides share it) and option-A shortcuts. The tape is
// unaffected: a blocked tensor keeps its `[N, C, H, W]` shape, its gradient comes back in the same layout, and gradient
// accumulation is elementwise. Reorders then happen only where the network enters and leaves such a region, e.g. once
// after a ResNet's last block.

extension ExecutionPlan {
    /// Whether `layer` can read a blocked feature map (whether it does depends on sizes, see `runChannelBlocked`).
    static func readsChannelBlocks(_ layer: Layer) -> Bool {
        layer is Conv2D || layer is BatchNormalization || layer is Add || layer is ZeroPadShortcut || isReLU(layer)
    }

    /// One result of `runChannelBlocked`.
    struct ChannelBlockedOutput {
        let output: Tensor
        /// Whether `output` is in the blocked layout.
        let blocked: Bool
        /// The step whose output slot receives `output`: the step itself, or the ReLU fused after it.
        let lastStep: Int
    }

    /// Runs step `index` of a training pass on `arguments`, `blocked[i]` telling which are in the blocked layout; nil
    /// when the step has no blocked form for these inputs (the caller then runs it on NCHW values).
    func runChannelBlocked(_ index: Int, _ arguments: [Tensor], blocked: [Bool], context: ForwardContext) throws -> ChannelBlockedOutput? {
        let step = steps[index]
        switch step.layer {
        case let convolution as Conv2D:
            guard let (output, isBlocked) = try convolution.forwardChannelBlocked(
                arguments[0], inputBlocked: blocked[0], preferBlockedOutput: blockReadingSlots.contains(step.outputSlot)) else { return nil }
            return ChannelBlockedOutput(output: output, blocked: isBlocked, lastStep: index)
        case let batchNorm as BatchNormalization:
            var relu: Int?
            if case let .batchNormReLU(r) = fusions[index] { relu = r }
            guard blocked[0], let output = batchNorm.forwardChannelBlocked(arguments[0], context: context, thenReLU: relu != nil) else { return nil }
            return ChannelBlockedOutput(output: output, blocked: true, lastStep: relu ?? index)
        case let shortcut as ZeroPadShortcut:
            guard blocked[0], let output = shortcut.forwardChannelBlocked(arguments[0]) else { return nil }
            return ChannelBlockedOutput(output: output, blocked: true, lastStep: index)
        case is Add:
            var relu: Int?
            if case let .addReLU(r) = fusions[index] { relu = r }
            let lastStep = relu ?? index
            guard blocked.contains(true), arguments.allSatisfy({ $0.shape == arguments[0].shape }) else { return nil }
            var operands = arguments
            if blocked.contains(false) {
                // Mixed layouts: the plain operands join the blocked ones when the sum stays blocked, else the caller
                // reorders the blocked ones out.
                guard blockReadingSlots.contains(steps[lastStep].outputSlot), arguments[0].rank == 4,
                      arguments[0].shape[1] % ChannelBlocks.width == 0 else { return nil }
                for i in operands.indices where !blocked[i] { operands[i] = try operands[i].reorderedChannelBlocks(toBlocked: true) }
            }
            // Only a two-input add has a fused ReLU.
            let output = relu != nil ? try Tensor.addReLU(operands[0], operands[1]) : try step.layer.forward(operands, context: context)
            return ChannelBlockedOutput(output: output, blocked: true, lastStep: lastStep)
        case let layer where ExecutionPlan.isReLU(layer):
            guard blocked[0] else { return nil }
            return ChannelBlockedOutput(output: arguments[0].relu(), blocked: true, lastStep: index)
        default:
            return nil
        }
    }
}
