// Unfolding image patches into columns (and folding them back), so a convolution becomes one matrix product.

/// The sizes of one 2-D convolution, checked once and shared by the forward and backward passes.
struct ConvGeometry: Sendable {
    let batch: Int, channels: Int, height: Int, width: Int
    let outChannels: Int, kernelH: Int, kernelW: Int
    let strideH: Int, strideW: Int, padH: Int, padW: Int, dilationH: Int, dilationW: Int
    let outH: Int, outW: Int

    /// Rows of the column matrix: one per (channel, kernel row, kernel column).
    var patchSize: Int { channels * kernelH * kernelW }
    /// Columns of the column matrix: one per output pixel.
    var outPlane: Int { outH * outW }
    /// Elements of one input sample.
    var inSample: Int { channels * height * width }
    /// Elements of one output sample.
    var outSample: Int { outChannels * outH * outW }
    /// True when the column matrix is the input itself (1×1 kernel, stride 1, no padding).
    var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
    }

    /// The output positions `lo..<hi` along one axis whose input index `o * stride + offset` lies in `0..<length`.
    @inline(__always)
    static func validRange(offset: Int, stride: Int, length: Int, count: Int) -> (Int, Int) {
        // ⌈−offset / stride⌉ without adding the stride, which may be as large as Int.max.
        let lo = offset >= 0 ? 0 : (-offset - 1) / stride + 1
        let last = length - 1 - offset
        let hi = last < 0 ? 0 : Swift.min(count, last / stride + 1)
        return (Swift.min(lo, hi), hi)
    }
}

enum Im2col {
    /// Writes the `[patchSize, outPlane]` column matrix of one sample `x` (`[C, H, W]`) into `col`.
    static func unfold(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into col: UnsafeMutablePointer<Float>) {
        forEachPatchRow(g) { patchRow, imageOffset, oh, ow in
            let dst = col + patchRow * g.outPlane
            if oh.lowerBound > 0 { dst.update(repeating: 0, count: oh.lowerBound * g.outW) }
            if oh.upperBound < g.outH { (dst + oh.upperBound * g.outW).update(repeating: 0, count: (g.outH - oh.upperBound) * g.outW) }
            for row in oh {
                let out = dst + row * g.outW
                let src = x + (imageOffset + row * g.strideH * g.width)
                if ow.lowerBound > 0 { out.update(repeating: 0, count: ow.lowerBound) }
                if ow.upperBound < g.outW { (out + ow.upperBound).update(repeating: 0, count: g.outW - ow.upperBound) }
                if g.strideW == 1 {
                    (out + ow.lowerBound).update(from: src + ow.lowerBound, count: ow.count)
                } else {
                    let s = g.strideW
                    for column in ow { out[column] = src[column * s] }
                }
            }
        }
    }

    /// Adds the column matrix `col` back onto the image gradient `dx` (`[C, H, W]`): the adjoint of `unfold`.
    static func fold(_ col: UnsafePointer<Float>, _ g: ConvGeometry, into dx: UnsafeMutablePointer<Float>) {
        forEachPatchRow(g) { patchRow, imageOffset, oh, ow in
            let src = col + patchRow * g.outPlane
            for row in oh {
                let values = src + row * g.outW
                let dst = dx + (imageOffset + row * g.strideH * g.width)
                if g.strideW == 1 {
                    VectorKernels.add(values + ow.lowerBound, into: dst + ow.lowerBound, ow.count)
                } else {
                    let s = g.strideW
                    for column in ow { dst[column * s] += values[column] }
                }
            }
        }
    }

    /// Calls `body(patchRow, imageOffset, oh, ow)` for every row of the column matrix, one per (channel, kernel row,
    /// kernel column): output pixel (r, c) with r in `oh` and c in `ow` reads image element
    /// `imageOffset + r·strideH·width + c·strideW`; the output pixels outside those ranges fall in the padding.
    @inline(__always)
    private static func forEachPatchRow(_ g: ConvGeometry, _ body: (Int, Int, Range<Int>, Range<Int>) -> Void) {
        for c in 0..<g.channels {
            for ki in 0..<g.kernelH {
                let rowOffset = ki * g.dilationH - g.padH
                let (ohLo, ohHi) = ConvGeometry.validRange(offset: rowOffset, stride: g.strideH, length: g.height, count: g.outH)
                for kj in 0..<g.kernelW {
                    let colOffset = kj * g.dilationW - g.padW
                    let (owLo, owHi) = ConvGeometry.validRange(offset: colOffset, stride: g.strideW, length: g.width, count: g.outW)
                    body((c * g.kernelH + ki) * g.kernelW + kj, (c * g.height + rowOffset) * g.width + colOffset, ohLo..<ohHi, owLo..<owHi)
                }
            }
        }
    }
}
