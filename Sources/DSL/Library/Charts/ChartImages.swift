import Basics
import Kernel
import Plot

/// Pictures for `images()`: tensors in PyTorch's layout ([N, C, H, W] batches, [C, H, W] or [H, W] images)
/// with captions from labels.
enum ChartImages {
    /// Most pictures one grid shows (Plot's limit).
    static let maximumCount = 400

    /// One picture from an image tensor of shape [C, H, W] (C = 1 or 3) or [H, W].
    static func picture(_ image: Tensor, caption: String) throws -> GridImage {
        let shape = image.shape
        switch shape.count {
        case 2:
            return GridImage(width: shape[1], height: shape[0], channels: .gray, pixels: image.data, caption: caption)
        case 3 where shape[0] == 1:
            return GridImage(width: shape[2], height: shape[1], channels: .gray, pixels: image.data, caption: caption)
        case 3 where shape[0] == 3:
            // Channel planes (CHW) become interleaved pixels (HWC), as GridImage wants them.
            let plane = shape[1] * shape[2]
            var pixels = [Float](repeating: 0, count: 3 * plane)
            for position in 0..<plane {
                for channel in 0..<3 { pixels[3 * position + channel] = image.data[channel * plane + position] }
            }
            return GridImage(width: shape[2], height: shape[1], channels: .rgb, pixels: pixels, caption: caption)
        default:
            throw DSLError(
                .value, "images(): an image must have shape [C, H, W] with 1 or 3 channels, or [H, W]; got \(ChartValues.shapeText(shape))")
        }
    }

    /// The first `count` pictures of `images` ([N, C, H, W], or one [C, H, W] / [H, W] image), captioned by `captions`
    /// (one per picture, or none).
    static func pictures(_ images: Tensor, captions: [String]?, count: Int) throws -> [GridImage] {
        let single = images.rank == 2 || (images.rank == 3 && [1, 3].contains(images.shape[0]))
        guard single || images.rank == 4 else {
            throw DSLError(
                .value,
                "images(): expected a batch [N, C, H, W] or one image [C, H, W] or [H, W]; got a tensor of shape \(ChartValues.shapeText(images.shape))"
            )
        }
        let available = single ? 1 : images.shape[0]
        if let captions, captions.count != available {
            throw DSLError(
                .value, "images(): \(Plural.count(available, "image")) but \(Plural.count(captions.count, "label"))")
        }
        guard available > 0 else { throw DSLError(.value, "images(): the batch holds no images") }
        if single { return [try picture(images, caption: captions?.first ?? "")] }
        return try (0..<min(count, available)).map { index in
            try picture(try images.select(axis: 0, index: index), caption: captions?[index] ?? "")
        }
    }
}
