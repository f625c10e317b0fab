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
        Tap(x: x, y: y, height: height, width: width).value(input, base: base, fill: fill)
    }

    /// Where and how one output pixel samples a `height`×`width` plane: computed once per pixel and applied to every
    /// channel (each plane of an image has the same size), so the rounding and bounds tests are not repeated.
    struct Tap {
        /// The upper-left neighbour's column and row; meaningless when `outside`.
        let x0: Int, y0: Int
        /// The weights of the right and the lower neighbours.
        let wx: Float, wy: Float
        let height: Int, width: Int
        /// Every neighbour is outside the plane: the value is the fill.
        let outside: Bool
        /// All four neighbours are inside: no bounds tests needed.
        let inside: Bool

        @inline(__always)
        init(x: Float, y: Float, height: Int, width: Int) {
            self.height = height
            self.width = width
            // Far outside (floor below −1 or at the size), or NaN: every neighbour is fill. Also keeps the Int
            // conversions below in range.
            guard x >= -1, y >= -1, x < Float(width), y < Float(height) else {
                (x0, y0, wx, wy, outside, inside) = (0, 0, 0, 0, true, false)
                return
            }
            // Floor by truncation and a step down for negative fractions: exact, and without a call to floorf
            // (the baseline x86-64 target has no rounding instruction).
            let tx = Int(x), ty = Int(y)
            x0 = Float(tx) > x ? tx - 1 : tx
            y0 = Float(ty) > y ? ty - 1 : ty
            wx = x - Float(x0)
            wy = y - Float(y0)
            outside = false
            inside = x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height
        }

        /// The blended value in the plane starting at `base`.
        @inline(__always)
        func value(_ input: UnsafeBufferPointer<Float>, base: Int, fill: Float) -> Float {
            if outside { return fill }
            let p00: Float, p10: Float, p01: Float, p11: Float
            if inside {
                let row = base + y0 * width + x0
                (p00, p10, p01, p11) = (input[row], input[row + 1], input[row + width], input[row + width + 1])
            } else {
                func pixel(_ px: Int, _ py: Int) -> Float {
                    px >= 0 && px < width && py >= 0 && py < height ? input[base + py * width + px] : fill
                }
                (p00, p10, p01, p11) = (pixel(x0, y0), pixel(x0 + 1, y0), pixel(x0, y0 + 1), pixel(x0 + 1, y0 + 1))
            }
            let top = p00 * (1 - wx) + p10 * wx
            let bottom = p01 * (1 - wx) + p11 * wx
            return top * (1 - wy) + bottom * wy
        }
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
