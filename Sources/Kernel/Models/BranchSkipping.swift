// Stochastic depth that saves work. A gate (`DropsWholeInput`) at the end of a residual branch draws, for the whole
// batch, whether the branch survives this pass. The plan draws before the branch's first step; when the branch is
// dropped none of its steps runs, so nothing of it is computed or recorded for backward, and the sum reading the gate
// (`OmitsZeroInputs`) is formed without it: the block's output is its shortcut. A kept gate passes its input on.

extension ExecutionPlan {
    /// The branches gates may skip, found once from the graph.
    struct SkippableBranches {
        /// For each gate whose every reader `OmitsZeroInputs` (with an input of its own beside any gate's): the steps
        /// whose outputs reach nothing but the gate, through each other, in order.
        let branches: [Int: [Int]]
        /// The gates to draw before each step: those whose branch starts there (or that are themselves the step, when
        /// the branch is empty).
        let drawsBefore: [Int: [Int]]
    }

    /// The draws of one pass.
    struct BranchDraws {
        /// Steps not run: the steps of dropped branches and their gates.
        private(set) var skipped = Set<Int>()
        /// Gates whose input survives this pass.
        private(set) var kept = Set<Int>()

        /// Draws the gates whose branch starts at step `index` (in training; `drawKeep` says nil otherwise), unless an
        /// enclosing branch already dropped them.
        mutating func draw(before index: Int, in plan: ExecutionPlan, context: ForwardContext) {
            for gate in plan.skippable.drawsBefore[index] ?? [] where !skipped.contains(gate) {
                guard let layer = plan.steps[gate].layer as? DropsWholeInput, let keep = layer.drawKeep(context: context) else { continue }
                if keep {
                    kept.insert(gate)
                } else {
                    skipped.insert(gate)
                    skipped.formUnion(plan.skippable.branches[gate] ?? [])
                }
            }
        }
    }

    /// Step `index`'s output when this pass's draws decide it: a kept gate's input, or the sum of the inputs left
    /// after dropped branches; nil when no draw touches the step. In the layout its readers take.
    func outputAroundDroppedBranches(_ index: Int, values: [Tensor?], draws: BranchDraws, context: ForwardContext) throws -> Tensor? {
        let step = steps[index]
        let remainingSlots: [Int]
        if draws.kept.contains(index) {
            remainingSlots = step.inputSlots
        } else {
            remainingSlots = step.inputSlots.filter { $0 < inputCount || !draws.skipped.contains($0 - inputCount) }
            guard remainingSlots.count < step.inputSlots.count else { return nil }
        }
        let remaining = remainingSlots.compactMap { values[$0] }
        guard remaining.count == remainingSlots.count, let first = remaining.first else {
            throw KernelError.invalidArgument(
                op: "layer '\(step.layer.name)' (\(step.layer.typeName))", message: "an input was released before use (internal ordering error)")
        }
        guard remaining.count == 1 else {
            let plain = try remaining.map { try $0.reordered(to: .plain) }
            return try step.layer.annotated { try step.layer.forward(plain, context: context) }
        }
        return blockReadingSlots.contains(step.outputSlot) ? first : try first.reordered(to: .plain)
    }
}

extension ExecutionPlan.Graph {
    /// Each gate's skippable branch, and where to draw it.
    func skippableBranches() -> ExecutionPlan.SkippableBranches {
        let gates = Set(steps.indices.filter { steps[$0].layer is DropsWholeInput })
        func isGateOutput(_ slot: Int) -> Bool { slot >= inputCount && gates.contains(slot - inputCount) }
        var branches: [Int: [Int]] = [:]
        var drawsBefore: [Int: [Int]] = [:]
        for gate in gates.sorted() {
            let output = steps[gate].outputSlot
            guard !modelOutputs.contains(output), let gateReaders = readers[output],
                gateReaders.allSatisfy({ steps[$0].layer is OmitsZeroInputs && steps[$0].inputSlots.contains { !isGateOutput($0) } })
            else { continue }
            // Readers come after their producers, so walking back decides each step after all its readers.
            var branch: Set<Int> = [gate]
            for i in stride(from: gate - 1, through: 0, by: -1) {
                let slot = steps[i].outputSlot
                if !modelOutputs.contains(slot), let r = readers[slot], r.allSatisfy(branch.contains) { branch.insert(i) }
            }
            branch.remove(gate)
            let ordered = branch.sorted()
            branches[gate] = ordered
            drawsBefore[ordered.first ?? gate, default: []].append(gate)
        }
        return ExecutionPlan.SkippableBranches(branches: branches, drawsBefore: drawsBefore)
    }
}
