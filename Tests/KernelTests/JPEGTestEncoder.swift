// A libjpeg encoder for test fixtures (the product's own encoder, `ImageFile.write`, only writes baseline
// RGB/gray files; tests also need CMYK, progressive, arithmetic-coded and restart-marker files).
import CImageIO
import Foundation

enum JPEGTestEncoder {
    /// Encodes `pixels` (`height` rows of `width`·components bytes, interleaved) in `colorSpace`.
    /// `configure` sets extra compression options after the defaults. Test data only: libjpeg's default
    /// error handler would end the process, which the fixed, valid parameters of the fixtures never trigger.
    static func encode(
        _ pixels: [UInt8], width: Int, height: Int, components: Int, colorSpace: J_COLOR_SPACE,
        quality: Int32, configure: (UnsafeMutablePointer<jpeg_compress_struct>) -> Void = { _ in }
    ) -> [UInt8] {
        // libjpeg keeps these addresses between calls, so they live in allocated memory, not Swift variables.
        let errors = UnsafeMutablePointer<jpeg_error_mgr>.allocate(capacity: 1)
        let info = UnsafeMutablePointer<jpeg_compress_struct>.allocate(capacity: 1)
        let buffer = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: 1)
        let size = UnsafeMutablePointer<UInt>.allocate(capacity: 1)
        errors.initialize(to: jpeg_error_mgr())
        info.initialize(to: jpeg_compress_struct())
        buffer.initialize(to: nil)
        size.initialize(to: 0)
        defer {
            free(buffer.pointee)
            [
                UnsafeMutableRawPointer(errors), UnsafeMutableRawPointer(info), UnsafeMutableRawPointer(buffer),
                UnsafeMutableRawPointer(size),
            ].forEach { $0.deallocate() }
        }
        info.pointee.err = jpeg_std_error(errors)
        jpeg_CreateCompress(info, JPEG_LIB_VERSION, MemoryLayout<jpeg_compress_struct>.size)
        jpeg_mem_dest(info, buffer, size)
        info.pointee.image_width = JDIMENSION(width)
        info.pointee.image_height = JDIMENSION(height)
        info.pointee.input_components = Int32(components)
        info.pointee.in_color_space = colorSpace
        jpeg_set_defaults(info)
        jpeg_set_quality(info, quality, 1)
        configure(info)
        jpeg_start_compress(info, 1)
        pixels.withUnsafeBufferPointer { rows in
            guard let start = rows.baseAddress else { return }
            for row in 0..<height {
                var pointer: JSAMPROW? = UnsafeMutablePointer(mutating: start + row * width * components)
                _ = jpeg_write_scanlines(info, &pointer, 1)
            }
        }
        jpeg_finish_compress(info)
        jpeg_destroy_compress(info)
        guard let bytes = buffer.pointee else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(size.pointee)))
    }
}
