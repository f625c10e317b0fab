/// 8-bit pixels straight from a codec: `channels` (1 gray or 3 RGB) values per pixel, row by row.
struct DecodedImage {
    let width: Int
    let height: Int
    let channels: Int
    let pixels: [UInt8]

    /// The pixels as [channels, H, W] Float32 planes in [0, 1], converted to `channels` 1 or 3:
    /// gray becomes three equal planes; RGB becomes luma 0.299 R + 0.587 G + 0.114 B (ITU-R 601, the
    /// formula of PIL's `convert("L")` and of a JPEG's own Y channel).
    func planes(channels wanted: Int) -> [Float] {
        let plane = width * height
        var result = [Float](repeating: 0, count: wanted * plane)
        PixelScale.unitTable.withUnsafeBufferPointer { table in
            for pixel in 0..<plane {
                if channels == wanted {
                    for c in 0..<channels { result[c * plane + pixel] = table[Int(pixels[pixel * channels + c])] }
                } else if channels == 1 {
                    let gray = table[Int(pixels[pixel])]
                    for c in 0..<wanted { result[c * plane + pixel] = gray }
                } else {
                    let r = table[Int(pixels[pixel * 3])]
                    let g = table[Int(pixels[pixel * 3 + 1])]
                    let b = table[Int(pixels[pixel * 3 + 2])]
                    result[pixel] = 0.299 * r + 0.587 * g + 0.114 * b
                }
            }
        }
        return result
    }

    /// Rounds [C, H, W] planes in [0, 1] (clamped; NaN becomes 0) to interleaved 8-bit pixels.
    init(planes: [Float], channels: Int, height: Int, width: Int) {
        let plane = width * height
        var pixels = [UInt8](repeating: 0, count: channels * plane)
        for pixel in 0..<plane {
            for c in 0..<channels {
                let value = planes[c * plane + pixel]
                pixels[pixel * channels + c] = value.isNaN ? 0 : UInt8((Swift.min(Swift.max(value, 0), 1) * 255).rounded())
            }
        }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }

    init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}
