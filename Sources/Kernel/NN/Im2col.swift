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
        let plane = g.outPlane
        for c in 0..<g.channels {
            let xc = x + c * g.height * g.width
            for ki in 0..<g.kernelH {
                let rowOffset = ki * g.dilationH - g.padH
                let (ohLo, ohHi) = ConvGeometry.validRange(offset: rowOffset, stride: g.strideH, length: g.height, count: g.outH)
                for kj in 0..<g.kernelW {
                    let colOffset = kj * g.dilationW - g.padW
                    let (owLo, owHi) = ConvGeometry.validRange(offset: colOffset, stride: g.strideW, length: g.width, count: g.outW)
                    let dst = col + ((c * g.kernelH + ki) * g.kernelW + kj) * plane
                    if ohLo > 0 { dst.update(repeating: 0, count: ohLo * g.outW) }
                    if ohHi < g.outH { (dst + ohHi * g.outW).update(repeating: 0, count: (g.outH - ohHi) * g.outW) }
                    for oh in ohLo..<ohHi {
                        let out = dst + oh * g.outW
                        let src = xc + (oh * g.strideH + rowOffset) * g.width + colOffset
                        if owLo > 0 { out.update(repeating: 0, count: owLo) }
                        if owHi < g.outW { (out + owHi).update(repeating: 0, count: g.outW - owHi) }
                        if g.strideW == 1 {
                            (out + owLo).update(from: src + owLo, count: owHi - owLo)
                        } else {
                            let s = g.strideW
                            for ow in owLo..<owHi { out[ow] = src[ow * s] }
                        }
                    }
                }
            }
        }
    }

    /// Adds the column matrix `col` back onto the image gradient `dx` (`[C, H, W]`): the adjoint of `unfold`.
    static func fold(_ col: UnsafePointer<Float>, _ g: ConvGeometry, into dx: UnsafeMutablePointer<Float>) {
        let plane = g.outPlane
        for c in 0..<g.channels {
            let dxc = dx + c * g.height * g.width
            for ki in 0..<g.kernelH {
                let rowOffset = ki * g.dilationH - g.padH
                let (ohLo, ohHi) = ConvGeometry.validRange(offset: rowOffset, stride: g.strideH, length: g.height, count: g.outH)
                for kj in 0..<g.kernelW {
                    let colOffset = kj * g.dilationW - g.padW
                    let (owLo, owHi) = ConvGeometry.validRange(offset: colOffset, stride: g.strideW, length: g.width, count: g.outW)
                    let src = col + ((c * g.kernelH + ki) * g.kernelW + kj) * plane
                    let s = g.strideW
                    for oh in ohLo..<ohHi {
                        let row = src + oh * g.outW
                        let dst = dxc + (oh * g.strideH + rowOffset) * g.width + colOffset
                        if s == 1 {
                            VectorKernels.add(row + owLo, into: dst + owLo, owHi - owLo)
                        } else {
                            for ow in owLo..<owHi { dst[ow * s] += row[ow] }
                        }
                    }
                }
            }
        }
    }
}
