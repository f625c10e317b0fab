import Basics

/// Reading and writing single image files (JPEG and PNG) as [C, H, W] tensors with values in [0, 1].
public enum ImageFile {
    /// The largest image, in pixels, that rnx decodes: PIL's limit, which stops a small, malicious file
    /// from declaring a gigantic image ("decompression bomb").
    public static let maxPixels = 178_956_970

    /// The image at `path` as a [channels, H, W] tensor in [0, 1]; `channels` is 3 (RGB) or 1 (gray).
    /// The format is recognised from the content, not the name.
    public static func read(_ path: String, channels: Int = 3) throws -> Tensor {
        try checkChannels(channels, op: "ImageFile.read")
        let (planes, size) = try decode(DataFiles.readAll(path), channels: channels, path: path)
        return Tensor(unchecked: [channels, size.height, size.width], data: planes)
    }

    /// Writes a [C, H, W] image (C = 1 or 3, values in [0, 1], clamped) to `path` as PNG or JPEG, chosen
    /// by the extension (`.png`, `.jpg`, `.jpeg`); `quality` 1…100 applies to JPEG. The file is replaced atomically.
    public static func write(_ image: Tensor, to path: String, quality: Int = 95) throws {
        guard image.rank == 3 else {
            throw KernelError.shapeMismatch(op: "ImageFile.write", expected: "an image of shape [C, H, W]", found: shapeString(image.shape))
        }
        let (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2])
        try checkChannels(channels, op: "ImageFile.write")
        guard height > 0, width > 0 else {
            throw KernelError.invalidArgument(op: "ImageFile.write", message: "cannot write an empty image of shape \(shapeString(image.shape))")
        }
        guard (1...100).contains(quality) else {
            throw KernelError.invalidArgument(op: "ImageFile.write", message: "JPEG quality must be between 1 and 100, found \(quality)")
        }
        let pixels = DecodedImage(planes: image.data, channels: channels, height: height, width: width)
        let bytes: [UInt8]
        switch Self.extensionOf(path) {
        case "png": bytes = try PNGCodec.encode(pixels, path: path)
        case "jpg", "jpeg": bytes = try JPEGCodec.encode(pixels, quality: quality, path: path)
        default: throw KernelError.file(path: path, message: "cannot tell the image format from the name: use .png, .jpg or .jpeg")
        }
        try KernelError.reportingFileErrors { try AtomicFile.write(bytes, to: path) }
    }

    /// Decodes JPEG or PNG `bytes` into [channels, H, W] planes in [0, 1].
    static func decode(_ bytes: [UInt8], channels: Int, path: String) throws -> (planes: [Float], size: ImageSize) {
        let image: DecodedImage
        if bytes.starts(with: PNGCodec.signature) {
            image = try PNGCodec.decode(bytes, path: path)
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            image = try JPEGCodec.decode(bytes, gray: channels == 1, path: path)
        } else if bytes.isEmpty {
            throw KernelError.file(path: path, message: "empty file, expected a JPEG or PNG image")
        } else {
            let start = bytes.prefix(4).map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            throw KernelError.file(path: path, message: "not a JPEG or PNG image (it starts with \(start))")
        }
        return (image.planes(channels: channels), ImageSize(height: image.height, width: image.width))
    }

    /// The lower-cased extension of a file name, without the dot.
    static func extensionOf(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    private static func checkChannels(_ channels: Int, op: String) throws {
        guard channels == 1 || channels == 3 else {
            throw KernelError.invalidArgument(op: op, message: "images have 1 (gray) or 3 (RGB) channels, found \(channels)")
        }
    }
}
