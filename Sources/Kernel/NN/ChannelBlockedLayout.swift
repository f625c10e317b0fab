// Moving feature maps into and out of oneDNN's channel-blocked layouts (`ChannelBlocks`), and the option-A residual
// shortcut computed without leaving them.

extension Tensor {
    /// This `[N, C, H, W]` tensor's values reordered into `layout` (this tensor itself when already there), as a
    /// recorded op whose gradient is reordered the other way. The shape stays `[N, C, H, W]`; C must be a multiple of
    /// the block width. Between two blocked layouts the values pass through plain.
    func reordered(to layout: TensorLayout) throws -> Tensor {
        let width: ChannelBlockWidth, toBlocked: Bool
        switch (self.layout, layout) {
        case (.plain, .plain): return self
        case let (.plain, .channelBlocked(to)): (width, toBlocked) = (to, true)
        case let (.channelBlocked(from), .plain): (width, toBlocked) = (from, false)
        case let (.channelBlocked(from), .channelBlocked(to)):
            return from == to ? self : try reordered(to: .plain).reordered(to: layout)
        }
        let name = "nChw\(width.rawValue)c"
        let op = toBlocked ? "to_\(name)" : "from_\(name)"
        try NNChecks.requireRank(self, [4], op: op, layout: "[N, C, H, W]")
        guard shape[1] % width.rawValue == 0 else {
            throw KernelError.shapeMismatch(op: op, expected: "channels in blocks of \(width.rawValue)", found: "input \(shapeString(shape))")
        }
        let blocks = ChannelBlocks(batch: shape[0], channels: shape[1], plane: shape[2] * shape[3], width: width)
        let input = self
        return Tensor(unchecked: shape, data: blocks.converted(data, toBlocked: toBlocked), layout: layout).record(op, inputs: [input]) { g in
            input.accumulateGrad(blocks.converted(g, toBlocked: !toBlocked))
        }
    }

    /// The option-A shortcut (`subsample(stride:)`, then `padChannels(before:after:)` up to `outChannels`) of this blocked
    /// `[N, C, H, W]` input, the output blocked too (same width). Nil unless the input is blocked and 4-D and both channel
    /// counts are multiples of the block width (the caller then runs the plain ops on plain values).
    func channelBlockedZeroPadShortcut(stride: Int, outChannels: Int) -> Tensor? {
        guard let blockWidth = layout.blockWidth else { return nil }
        let w = blockWidth.rawValue
        guard rank == 4, count > 0, stride >= 1, shape[1] % w == 0, outChannels % w == 0, outChannels >= shape[1],
            let (outH, outW) = try? NNChecks.subsampledSize(shape, stride: stride, op: "zero_pad_shortcut")
        else { return nil }
        let batch = shape[0], channels = shape[1], height = shape[2], width = shape[3]
        let before = (outChannels - channels) / 2
        let source = ChannelBlocks(batch: batch, channels: channels, plane: height * width, width: blockWidth)
        let target = ChannelBlocks(batch: batch, channels: outChannels, plane: outH * outW, width: blockWidth)
        guard data.count == source.count, (try? Shape.validate([batch, outChannels, outH, outW], op: "zero_pad_shortcut")) != nil else { return nil }

        /// Calls `body(targetIndex, sourceIndex)` for every output value that comes from the input (the rest are zeros).
        func forEachCopied(_ body: (Int, Int) -> Void) {
            for n in 0..<batch {
                for outBlock in 0..<target.blocks {
                    for lane in 0..<w {
                        let c = outBlock * w + lane - before
                        guard c >= 0, c < channels else { continue }
                        let sourceBase = (n * source.blocks + c / w) * source.plane * w + c % w
                        let targetBase = (n * target.blocks + outBlock) * target.plane * w + lane
                        for oh in 0..<outH {
                            for ow in 0..<outW {
                                body(targetBase + (oh * outW + ow) * w, sourceBase + (oh * stride * width + ow * stride) * w)
                            }
                        }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: target.count)
        data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in forEachCopied { y[$0] = x[$1] } }
        }
        let input = self
        let result = Tensor(unchecked: [batch, outChannels, outH, outW], data: out, layout: layout)
        guard GradMode.isEnabled else { return result }
        return result.record("zero_pad_shortcut_\(layout)", inputs: [input]) { g in
            var dx = [Float](repeating: 0, count: source.count)
            g.withUnsafeBufferPointer { gb in
                dx.withUnsafeMutableBufferPointer { d in forEachCopied { d[$1] = gb[$0] } }
            }
            input.accumulateGrad(dx)
        }
    }
}

extension ChannelBlocks {
    /// `values` converted from NCHW to the blocked layout (`toBlocked`) or back.
    func converted(_ values: [Float], toBlocked: Bool) -> [Float] {
        values.withUnsafeBufferPointer { source in
            Tensor.storage(count: count) { target in
                guard let sp = source.baseAddress else { return }
                convert(sp, target, toBlocked: toBlocked)
            }
        }
    }
}
