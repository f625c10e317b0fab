import CImageIO

/// PNG decoding and encoding through libpng's simplified API, which catches libpng's errors itself
/// and returns them as a message (no `longjmp` reaches Swift).
enum PNGCodec {
    /// The 8-byte signature every PNG file starts with.
    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// An RGB image (any PNG colour type and bit depth is converted to 8-bit RGB; alpha is dropped
    /// without compositing, as PIL's `convert("RGB")` does).
    static func decode(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let began = bytes.withUnsafeBytes { buffer in
            png_image_begin_read_from_memory(&image, buffer.baseAddress, buffer.count)
        }
        defer { png_image_free(&image) }
        guard began != 0 else {
            throw KernelError.file(path: path, message: "cannot decode PNG: \(message(of: &image))")
        }
        let width = Int(image.width)
        let height = Int(image.height)
        guard width * height <= ImageFile.maxPixels else {
            throw KernelError.file(path: path, message: "PNG of \(width)x\(height) pixels is larger than the \(ImageFile.maxPixels)-pixel limit")
        }
        // Deflate expands at most 1032-fold and a pixel takes at least one bit, so a small damaged file that
        // declares a huge image is refused before its pixel buffer is allocated.
        guard width * height / 8 <= 1032 * bytes.count + 1024 else {
            throw KernelError.file(path: path, message: "corrupt PNG: \(width)x\(height) pixels cannot be stored in \(bytes.count) bytes")
        }
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let finished = rgba.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
        }
        guard finished != 0 else {
            throw KernelError.file(path: path, message: "cannot decode PNG: \(message(of: &image))")
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for pixel in 0..<(width * height) {
            rgb[3 * pixel] = rgba[4 * pixel]
            rgb[3 * pixel + 1] = rgba[4 * pixel + 1]
            rgb[3 * pixel + 2] = rgba[4 * pixel + 2]
        }
        return DecodedImage(width: width, height: height, channels: 3, pixels: rgb)
    }

    /// A PNG file's bytes for an 8-bit gray (1 channel) or RGB (3 channels) image.
    static func encode(_ decoded: DecodedImage, path: String) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(decoded.width)
        image.height = UInt32(decoded.height)
        image.format = decoded.channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        var size = 0
        let measured = decoded.pixels.withUnsafeBytes { pixels in
            png_image_write_to_memory(&image, nil, &size, 0, pixels.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else {
            throw KernelError.file(path: path, message: "PNG encoding failed: \(message(of: &image))")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        let written = bytes.withUnsafeMutableBytes { output in
            decoded.pixels.withUnsafeBytes { pixels in
                png_image_write_to_memory(&image, output.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
        }
        guard written != 0 else {
            throw KernelError.file(path: path, message: "PNG encoding failed: \(message(of: &image))")
        }
        return Array(bytes.prefix(size))
    }

    /// libpng's message for the last failure.
    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
