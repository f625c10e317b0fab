// Training with feature maps in oneDNN's channel-blocked layout.
//
// oneDNN computes convolutions in the nChw16c layout with AVX-512 and nChw8c with AVX2 (`ChannelBlocks`,
// `DNNLConvolution.channelBlockWidth`); NCHW feature maps are reordered into it and
// back around every convolution, in forward and in both backward passes. In training, the model instead keeps a feature
// map blocked when every step reading it is `ChannelBlockedCapable`: convolutions, batch norms (with their fused ReLU),
// ReLUs, residual adds (elementwise, so any layout works when both sides share it) and option-A shortcuts. A blocked
// tensor says so (`TensorLayout.channelBlocked`), its gradient comes back in the same layout, and the plain ops refuse
// it. Reorders then happen only where the network enters and leaves such a region, e.g. once after a ResNet's last block.

extension ExecutionPlan.Graph {
    /// Slots (not model inputs or outputs) every reader of which can take a blocked feature map.
    func blockReadingSlots() -> Set<Int> {
        var slots = Set<Int>()
        for (s, r) in readers
        where s >= inputCount && !modelOutputs.contains(s)
            && r.allSatisfy({ (steps[$0].layer as? ChannelBlockedCapable)?.readsChannelBlocks ?? false })
        {
            slots.insert(s)
        }
        return slots
    }
}

extension ExecutionPlan {
    /// Step `index` of a training pass (with the ReLU fused after it, if any) on `arguments` in any layouts; nil when
    /// the step has no blocked form for these inputs (the caller then runs it on plain values). The output stays
    /// blocked only when every reader takes it so.
    func runChannelBlocked(_ index: Int, _ arguments: [Tensor], context: ForwardContext) throws -> FusedOutput? {
        guard let layer = steps[index].layer as? ChannelBlockedCapable else { return nil }
        let relu = fusedReLU(after: index)
        let lastStep = relu ?? index
        let keepBlocked = blockReadingSlots.contains(steps[lastStep].outputSlot)
        guard
            let output = try layer.forwardChannelBlocked(
                arguments, context: context, thenReLU: relu != nil,
                preferBlockedOutput: keepBlocked)
        else { return nil }
        return FusedOutput(output: keepBlocked ? output : try output.reordered(to: .plain), lastStep: lastStep, absorbed: relu.map { [$0] } ?? [])
    }
}
