// Moving feature maps into and out of oneDNN's 16-channel blocked layout (`ChannelBlocks`), and the option-A residual
// shortcut computed without leaving it.

extension Tensor {
    /// This `[N, C, H, W]` tensor's values reordered into `layout` (this tensor itself when already there), as a
    /// recorded op whose gradient is reordered the other way. The shape stays `[N, C, H, W]`; C must be a multiple of 16.
    func reordered(to layout: TensorLayout) throws -> Tensor {
        guard layout != self.layout else { return self }
        let toBlocked = layout == .channelBlocked16
        let op = toBlocked ? "to_nChw16c" : "from_nChw16c"
        try NNChecks.requireRank(self, [4], op: op, layout: "[N, C, H, W]")
        guard shape[1] % ChannelBlocks.width == 0 else {
            throw KernelError.shapeMismatch(op: op, expected: "channels in blocks of \(ChannelBlocks.width)", found: "input \(shapeString(shape))")
        }
        let blocks = ChannelBlocks(batch: shape[0], channels: shape[1], plane: shape[2] * shape[3])
        let input = self
        return Tensor(unchecked: shape, data: blocks.converted(data, toBlocked: toBlocked), layout: layout).record(op, inputs: [input]) { g in
            input.accumulateGrad(blocks.converted(g, toBlocked: !toBlocked))
        }
    }

    /// The option-A shortcut (`subsample(stride:)`, then `padChannels(before:after:)` up to `outChannels`) of this blocked
    /// `[N, C, H, W]` input, the output blocked too. Nil unless the input is blocked and 4-D and both channel counts are
    /// multiples of 16 (the caller then runs the plain ops on plain values).
    func channelBlockedZeroPadShortcut(stride: Int, outChannels: Int) -> Tensor? {
        let w = ChannelBlocks.width
        guard layout == .channelBlocked16, rank == 4, count > 0, stride >= 1, shape[1] % w == 0, outChannels % w == 0, outChannels >= shape[1],
            let (outH, outW) = try? NNChecks.subsampledSize(shape, stride: stride, op: "zero_pad_shortcut")
        else { return nil }
        let batch = shape[0], channels = shape[1], height = shape[2], width = shape[3]
        let before = (outChannels - channels) / 2
        let source = ChannelBlocks(batch: batch, channels: channels, plane: height * width)
        let target = ChannelBlocks(batch: batch, channels: outChannels, plane: outH * outW)
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
        let result = Tensor(unchecked: [batch, outChannels, outH, outW], data: out, layout: .channelBlocked16)
        guard GradMode.isEnabled else { return result }
        return result.record("zero_pad_shortcut_nChw16c", inputs: [input]) { g in
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
                if toBlocked { self.toBlocked(sp, target) } else { toPlain(sp, target) }
            }
        }
    }
}
