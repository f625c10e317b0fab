/// The forward pass of a `Model` as a flat list of steps over numbered slots, releasing each intermediate tensor after its
/// last use so inference on large images does not keep every feature map alive.
///
/// Some chains of steps run as one op when nothing else reads the tensors between them, with the same values and
/// gradients (`FusionRules.swift`): a layer that `FusesFollowingReLU` absorbs its ReLU always, and in inference without
/// gradients a layer that `FoldsFollowingBatchNorm` absorbs its batch norm (and that one's ReLU), two such in a row passing
/// their feature map in oneDNN's layout. In training, feature maps that flow only between `ChannelBlockedCapable` layers
/// stay in oneDNN's channel-blocked layout (`ChannelBlockedExecution.swift`); the tensors carry their layout, so the
/// plan reorders a blocked value before a step that cannot read it.
struct ExecutionPlan {
    struct Step {
        let layer: Layer
        let inputSlots: [Int]
        let outputSlot: Int
        /// Slots no later step reads.
        let release: [Int]
    }

    let inputCount: Int
    let steps: [Step]
    let outputSlots: [Int]
    /// One entry per step.
    let fusions: [Fusion]
    /// Folded steps (key) whose batch norm (and ReLU) output feeds only another folded step (value): in inference the
    /// two run as one chain (`forwardFoldedChain`).
    let chains: [Int: Int]
    /// Slots every reader of which can take a feature map in oneDNN's channel-blocked layout (and which are not model
    /// outputs): in training their values stay in that layout when the step producing them can write it.
    let blockReadingSlots: Set<Int>
    /// Slots whose values no backward pass reads (`BackwardValueUse`): once released, their storage is dropped even though
    /// the tape still links them, so training holds fewer feature maps at its peak.
    let storageFreeSlots: Set<Int>
    /// Stochastic-depth branches a dropped draw skips (`BranchSkipping.swift`).
    let skippable: SkippableBranches

    init(inputs: [SymbolicTensor], nodes: [SymbolicTensor], outputs: [SymbolicTensor]) {
        var slot: [ObjectIdentifier: Int] = [:]
        for (i, input) in inputs.enumerated() { slot[ObjectIdentifier(input)] = i }
        for (i, node) in nodes.enumerated() { slot[ObjectIdentifier(node)] = inputs.count + i }
        let outputSlots = outputs.compactMap { slot[ObjectIdentifier($0)] }
        let kept = Set(outputSlots)
        var readers: [Int: [Int]] = [:]
        for (stepIndex, node) in nodes.enumerated() {
            for input in node.inputs {
                if let s = slot[ObjectIdentifier(input)] { readers[s, default: []].append(stepIndex) }
            }
        }
        var releases = [[Int]](repeating: [], count: nodes.count)
        for (s, r) in readers where !kept.contains(s) {
            if let last = r.last { releases[last].append(s) }
        }
        let steps = nodes.enumerated().map { i, node in
            Step(
                layer: node.layer, inputSlots: node.inputs.compactMap { slot[ObjectIdentifier($0)] }, outputSlot: inputs.count + i,
                release: releases[i])
        }
        let graph = Graph(steps: steps, readers: readers, modelOutputs: kept, inputCount: inputs.count)
        let (fusions, chains) = graph.fusions()
        inputCount = inputs.count
        self.steps = steps
        self.outputSlots = outputSlots
        self.fusions = fusions
        self.chains = chains
        blockReadingSlots = graph.blockReadingSlots()
        storageFreeSlots = graph.storageFreeSlots()
        skippable = graph.skippableBranches()
    }

    /// The steps with who reads what, while the plan is being made.
    struct Graph {
        let steps: [Step]
        /// The steps reading each slot, in order.
        let readers: [Int: [Int]]
        let modelOutputs: Set<Int>
        let inputCount: Int

        /// The step that alone reads step `i`'s output, taking no other input, when that output is not also a model output.
        func soleReader(of i: Int) -> Int? {
            let s = steps[i].outputSlot
            guard !modelOutputs.contains(s), let r = readers[s], r.count == 1, steps[r[0]].inputSlots.count == 1 else { return nil }
            return r[0]
        }

        /// Slots whose storage no backward pass needs: produced by a layer whose backward keeps nothing of its output, and
        /// read only by layers whose backward reads nothing of their inputs.
        func storageFreeSlots() -> Set<Int> {
            var free = Set<Int>()
            for step in steps {
                let s = step.outputSlot
                guard let producer = step.layer as? BackwardValueUse, !producer.backwardKeepsOutputValues,
                    !modelOutputs.contains(s), let r = readers[s],
                    r.allSatisfy({ (steps[$0].layer as? BackwardValueUse)?.backwardReadsInputValues == false })
                else { continue }
                free.insert(s)
            }
            return free
        }
    }

    /// The outputs for one batch per input; `context.training` and `GradMode` choose the path (see the type's comment).
    func run(_ batch: [Tensor], context: ForwardContext) throws -> [Tensor] {
        var values = [Tensor?](repeating: nil, count: inputCount + steps.count)
        for (i, tensor) in batch.enumerated() { values[i] = tensor }
        // Batch norm can be folded into the layer before it only with fixed statistics and nothing to differentiate.
        let folding = !context.training && !GradMode.isEnabled
        let channelBlocked = context.training && GradMode.isEnabled && DNNLConvolution.isEnabled
        // Steps already computed as part of an earlier fused step.
        var fusedAway = Set<Int>()
        var draws = BranchDraws()
        // Tensors passed on unchanged as another step's output: two slots hold them, so neither may drop their storage.
        var passedOn = Set<ObjectIdentifier>()
        for (index, step) in steps.enumerated() {
            defer {
                for s in step.release {
                    if storageFreeSlots.contains(s), let value = values[s], !passedOn.contains(ObjectIdentifier(value)) { value.releaseStorage() }
                    values[s] = nil
                }
            }
            draws.draw(before: index, in: self, context: context)
            if fusedAway.contains(index) || draws.skipped.contains(index) { continue }
            if let output = try outputAroundDroppedBranches(index, values: values, draws: draws, context: context) {
                if step.inputSlots.contains(where: { values[$0] === output }) { passedOn.insert(ObjectIdentifier(output)) }
                values[step.outputSlot] = output
                continue
            }
            var arguments = step.inputSlots.compactMap { values[$0] }
            guard arguments.count == step.inputSlots.count else {
                throw KernelError.invalidArgument(
                    op: "layer '\(step.layer.name)' (\(step.layer.typeName))", message: "an input was released before use (internal ordering error)")
            }
            let fused: FusedOutput?
            if channelBlocked, let done = try step.layer.annotated({ try runChannelBlocked(index, arguments, context: context) }) {
                fused = done
            } else {
                // Only the blocked path produces blocked values; any other step reads them plain.
                arguments = try arguments.map { try $0.reordered(to: .plain) }
                fused = try step.layer.annotated { try runFused(index, arguments, context: context, folding: folding) }
            }
            if let fused {
                values[steps[fused.lastStep].outputSlot] = fused.output
                fusedAway.formUnion(fused.absorbed)
            } else {
                values[step.outputSlot] = try step.layer.annotated { try step.layer.forward(arguments, context: context) }
            }
        }
        return outputSlots.compactMap { values[$0] }
    }

    /// What a step run together with later steps produced.
    struct FusedOutput {
        let output: Tensor
        /// The step whose output slot receives `output`: the step itself or the last one it absorbed.
        let lastStep: Int
        /// The later steps computed with it, which the plan skips.
        let absorbed: [Int]
    }
}
