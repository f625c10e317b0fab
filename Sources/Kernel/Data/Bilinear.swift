/// Bilinear resampling of image planes with PyTorch's `align_corners=False` rule: output pixel `i` samples
/// the input at `(i + 0.5) · in/out − 0.5`, clamped at 0, between its two neighbours.
enum Bilinear {
    /// A rectangle of an image, in pixels.
    struct Region {
        let top: Int
        let left: Int
        let height: Int
        let width: Int
    }

    /// Resizes `region` of each of the `planes` planes (each `height`×`width`, one after another in `source`)
    /// to `output`; returns the output planes in the same order.
    static func resize(_ source: [Float], planes: Int, height: Int, width: Int, region: Region, to output: ImageSize) -> [Float] {
        let rows = BilinearAxis(input: region.height, output: output.height, offset: region.top)
        let columns = BilinearAxis(input: region.width, output: output.width, offset: region.left)
        let outPlane = output.height * output.width
        var result = [Float](repeating: 0, count: planes * outPlane)
        source.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { out in
                Parallel.forEach(planes) { p in
                    let base = p * height * width
                    for y in 0..<output.height {
                        let upper = base + rows.low[y] * width
                        let lower = base + rows.high[y] * width
                        let wy = rows.weight[y]
                        let target = p * outPlane + y * output.width
                        for x in 0..<output.width {
                            let x0 = columns.low[x], x1 = columns.high[x], wx = columns.weight[x]
                            let top = input[upper + x0] + (input[upper + x1] - input[upper + x0]) * wx
                            let bottom = input[lower + x0] + (input[lower + x1] - input[lower + x0]) * wx
                            out[target + x] = top + (bottom - top) * wy
                        }
                    }
                }
            }
        }
        return result
    }

    /// The value at real-valued position (`x`, `y`) of a `height`×`width` plane starting at `base`, blending the
    /// four neighbours; neighbours outside the plane count as `fill`.
    @inline(__always)
    static func sample(_ input: UnsafeBufferPointer<Float>, base: Int, height: Int, width: Int, x: Float, y: Float, fill: Float) -> Float {
        let fx = x.rounded(.down)
        let fy = y.rounded(.down)
        // Far outside: every neighbour is fill (also keeps Int conversion in range).
        guard fx > -2, fy > -2, fx < Float(width), fy < Float(height) else { return fill }
        let x0 = Int(fx)
        let y0 = Int(fy)
        let wx = x - fx
        let wy = y - fy
        func pixel(_ px: Int, _ py: Int) -> Float {
            px >= 0 && px < width && py >= 0 && py < height ? input[base + py * width + px] : fill
        }
        let top = pixel(x0, y0) * (1 - wx) + pixel(x0 + 1, y0) * wx
        let bottom = pixel(x0, y0 + 1) * (1 - wx) + pixel(x0 + 1, y0 + 1) * wx
        return top * (1 - wy) + bottom * wy
    }
}

/// Where each output pixel samples along one axis: two neighbouring input indices and the weight of the second.
struct BilinearAxis {
    let low: [Int], high: [Int], weight: [Float]

    /// PyTorch's source index for align_corners=False: (dst + 0.5)·in/out − 0.5, clamped below at 0;
    /// `offset` is added to both indices (the first row or column of a cropped region).
    init(input: Int, output: Int, offset: Int = 0) {
        let scale = Float(input) / Float(output)
        var low = [Int](), high = [Int](), weight = [Float]()
        for o in 0..<output {
            let source = Swift.max((Float(o) + 0.5) * scale - 0.5, 0)
            let i0 = Swift.min(Int(source), input - 1)
            low.append(offset + i0)
            high.append(offset + Swift.min(i0 + 1, input - 1))
            weight.append(source - Float(i0))
        }
        self.low = low
        self.high = high
        self.weight = weight
    }
}
