import CImageIO
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// JPEG decoding and encoding through libjpeg(-turbo).
///
/// libjpeg reports a fatal error by calling `error_exit`, which must never return; C code answers with
/// `longjmp`, which must never cross Swift frames. So each whole libjpeg run happens in one C helper of
/// `CImageIO/shim.h` (`rnx_jpeg_decode`, `rnx_jpeg_encode`) that sets and lands its own jump, and Swift
/// only reads the status, the message and the malloc'ed bytes it then frees.
enum JPEGCodec {
    /// The JPEG image in `bytes` as 8-bit pixels: one gray channel when `gray`, otherwise RGB. libjpeg's
    /// working memory counts against `MemoryLimit`, so a small corrupt file cannot make it take gigabytes.
    static func decode(_ bytes: [UInt8], gray: Bool, path: String) throws -> DecodedImage {
        var result = rnx_jpeg_result()
        let status = bytes.withUnsafeBufferPointer { buffer in
            rnx_jpeg_decode(buffer.baseAddress, buffer.count, gray ? 1 : 0, ImageFile.maxPixels, MemoryLimit.bytes, &result)
        }
        defer { free(result.data) }
        try check(status, &result, path: path, action: "decode JPEG")
        let (width, height, channels) = (Int(result.width), Int(result.height), Int(result.channels))
        guard let output = result.data, result.size == width * height * channels else {
            throw KernelError.file(path: path, message: "corrupt JPEG: the decoder produced no pixels")
        }
        let pixels = UnsafeBufferPointer(start: output, count: result.size)
        if channels == 4 {
            return DecodedImage(width: width, height: height, channels: 3, pixels: rgb(fromCMYK: pixels, inverted: result.adobe_inverted != 0))
        }
        return DecodedImage(width: width, height: height, channels: channels, pixels: Array(pixels))
    }

    /// RGB from CMYK pixels the way PIL converts them: R = (255 − C)(255 − K) / 255. Photoshop (files with
    /// an Adobe marker) stores the inks inverted, so there R = C·K / 255.
    private static func rgb(fromCMYK cmyk: UnsafeBufferPointer<UInt8>, inverted: Bool) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: cmyk.count / 4 * 3)
        for pixel in 0..<(cmyk.count / 4) {
            let ink = (0..<4).map { Int(inverted ? cmyk[4 * pixel + $0] : 255 - cmyk[4 * pixel + $0]) }
            for c in 0..<3 { rgb[3 * pixel + c] = UInt8((ink[c] * ink[3] + 127) / 255) }
        }
        return rgb
    }

    /// A JPEG file's bytes for an image of 1 (gray) or 3 (RGB) interleaved channels; `quality` 1…100.
    static func encode(_ image: DecodedImage, quality: Int, path: String) throws -> [UInt8] {
        guard image.channels == 1 || image.channels == 3, image.pixels.count == image.width * image.height * image.channels,
            let width = Int32(exactly: image.width), let height = Int32(exactly: image.height)
        else {
            throw KernelError.invalidArgument(
                op: "JPEG encoding",
                message:
                    "expected \(image.width)x\(image.height) pixels of 1 or 3 channels, found \(image.pixels.count) values of \(image.channels) channels"
            )
        }
        var result = rnx_jpeg_result()
        let status = image.pixels.withUnsafeBufferPointer { buffer in
            rnx_jpeg_encode(buffer.baseAddress, width, height, Int32(image.channels), Int32(quality), &result)
        }
        defer { free(result.data) }
        try check(status, &result, path: path, action: "encode JPEG")
        guard let output = result.data else {
            throw KernelError.file(path: path, message: "JPEG encoding produced no data")
        }
        return Array(UnsafeBufferPointer(start: output, count: result.size))
    }

    /// Throws the error a helper reported ("cannot `action`: …", "corrupt JPEG data: …", size or memory limits).
    private static func check(_ status: Int32, _ result: inout rnx_jpeg_result, path: String, action: String) throws {
        let message = withUnsafeBytes(of: &result.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch Int(status) {
        case RNX_JPEG_OK:
            return
        case RNX_JPEG_DAMAGED:
            throw KernelError.file(path: path, message: "corrupt JPEG data: \(message)")
        case RNX_JPEG_TOO_LARGE:
            throw KernelError.file(
                path: path, message: "JPEG of \(result.width)x\(result.height) pixels is larger than the \(ImageFile.maxPixels)-pixel limit")
        case RNX_JPEG_OUT_OF_MEMORY:
            throw KernelError.file(path: path, message: "cannot \(action): \(message.isEmpty ? "out of memory" : message)")
        default:
            throw KernelError.file(path: path, message: "cannot \(action): \(message)")
        }
    }
}
