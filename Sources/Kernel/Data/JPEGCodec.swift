import CImageIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JPEG decoding and encoding through libjpeg(-turbo).
///
/// libjpeg reports a fatal error by calling `error_exit`, which must never return; C code answers with
/// `longjmp`, which Swift cannot use. So every libjpeg run happens on its own short-lived thread, and
/// `error_exit` records the message and ends that thread (`pthread_exit`). The run's state lives in
/// manually allocated memory, never in Swift objects, so ending the thread mid-call leaks nothing:
/// the calling thread reads the message and frees libjpeg's memory with `jpeg_destroy_*`.
enum JPEGCodec {
    /// The JPEG image in `bytes` as 8-bit pixels: one gray channel when `gray`, otherwise RGB.
    static func decode(_ bytes: [UInt8], gray: Bool, path: String) throws -> DecodedImage {
        let run = LibjpegRun()
        defer { run.release() }
        let info = UnsafeMutablePointer<jpeg_decompress_struct>.allocate(capacity: 1)
        info.initialize(to: jpeg_decompress_struct())
        defer { info.deallocate() }
        info.pointee.err = run.errorManager
        info.pointee.client_data = UnsafeMutableRawPointer(run.report)
        let job = UnsafeMutablePointer<JPEGDecodeJob>.allocate(capacity: 1)
        job.initialize(to: JPEGDecodeJob(info: info, gray: gray))
        defer {
            job.pointee.output?.deallocate()
            job.deallocate()
        }
        try bytes.withUnsafeBufferPointer { buffer in
            job.pointee.input = buffer.baseAddress
            job.pointee.inputCount = buffer.count
            try NativeThread(entry: jpegDecodeEntry, context: UnsafeMutableRawPointer(job)).join()
        }
        jpeg_destroy_decompress(info)
        try run.check(path: path, action: "decode JPEG", what: "JPEG")
        let (width, height, channels) = (job.pointee.width, job.pointee.height, job.pointee.channels)
        guard width * height <= ImageFile.maxPixels else {
            throw KernelError.file(path: path, message: "JPEG of \(width)x\(height) pixels is larger than the \(ImageFile.maxPixels)-pixel limit")
        }
        guard let output = job.pointee.output else {
            throw KernelError.file(path: path, message: "corrupt JPEG: the decoder produced no pixels")
        }
        let pixels = UnsafeBufferPointer(start: output, count: width * height * channels)
        if channels == 4 {
            return DecodedImage(width: width, height: height, channels: 3, pixels: rgb(fromCMYK: pixels, inverted: job.pointee.adobeInverted))
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
        let run = LibjpegRun()
        defer { run.release() }
        let info = UnsafeMutablePointer<jpeg_compress_struct>.allocate(capacity: 1)
        info.initialize(to: jpeg_compress_struct())
        defer { info.deallocate() }
        info.pointee.err = run.errorManager
        info.pointee.client_data = UnsafeMutableRawPointer(run.report)
        let job = UnsafeMutablePointer<JPEGEncodeJob>.allocate(capacity: 1)
        job.initialize(to: JPEGEncodeJob(info: info, width: image.width, height: image.height, channels: image.channels, quality: quality))
        defer {
            free(job.pointee.output.pointee)
            job.pointee.output.deallocate()
            job.pointee.outputSize.deallocate()
            job.deallocate()
        }
        try image.pixels.withUnsafeBufferPointer { buffer in
            job.pointee.input = buffer.baseAddress
            try NativeThread(entry: jpegEncodeEntry, context: UnsafeMutableRawPointer(job)).join()
        }
        jpeg_destroy_compress(info)
        try run.check(path: path, action: "encode JPEG", what: "JPEG")
        guard let output = job.pointee.output.pointee else {
            throw KernelError.file(path: path, message: "JPEG encoding produced no data")
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(job.pointee.outputSize.pointee)))
    }
}

/// What one libjpeg run reported; libjpeg's `client_data` points here.
struct LibjpegReport {
    /// The fatal error's text (JMSG_LENGTH_MAX bytes), valid when `failed`.
    var error: UnsafeMutablePointer<CChar>
    /// The first warning that means damaged image data, valid when `damaged`.
    var warning: UnsafeMutablePointer<CChar>
    var failed = false
    var damaged = false
}

/// The error manager and report of one libjpeg run, in manually managed memory.
final class LibjpegRun {
    static let messageLength = 200
    let errorManager: UnsafeMutablePointer<jpeg_error_mgr>
    let report: UnsafeMutablePointer<LibjpegReport>

    init() {
        errorManager = UnsafeMutablePointer<jpeg_error_mgr>.allocate(capacity: 1)
        errorManager.initialize(to: jpeg_error_mgr())
        let error = UnsafeMutablePointer<CChar>.allocate(capacity: Self.messageLength)
        let warning = UnsafeMutablePointer<CChar>.allocate(capacity: Self.messageLength)
        error.initialize(repeating: 0, count: Self.messageLength)
        warning.initialize(repeating: 0, count: Self.messageLength)
        report = UnsafeMutablePointer<LibjpegReport>.allocate(capacity: 1)
        report.initialize(to: LibjpegReport(error: error, warning: warning))
        // libjpeg's defaults first, then the handlers that turn its errors and warnings into the report.
        _ = jpeg_std_error(errorManager)
        errorManager.pointee.error_exit = libjpegErrorExit
        errorManager.pointee.emit_message = libjpegEmitMessage
        errorManager.pointee.output_message = libjpegIgnoreMessage
    }

    /// Throws the recorded fatal error ("cannot `action`: …") or data-damage warning, naming `path`.
    func check(path: String, action: String, what: String) throws {
        if report.pointee.failed {
            throw KernelError.file(path: path, message: "cannot \(action): \(String(cString: report.pointee.error))")
        }
        if report.pointee.damaged {
            throw KernelError.file(path: path, message: "corrupt \(what) data: \(String(cString: report.pointee.warning))")
        }
    }

    /// Frees everything (call once, after the run's thread has ended).
    func release() {
        report.pointee.error.deallocate()
        report.pointee.warning.deallocate()
        report.deallocate()
        errorManager.deallocate()
    }
}

/// Everything the decoding thread reads and writes.
struct JPEGDecodeJob {
    let info: UnsafeMutablePointer<jpeg_decompress_struct>
    let gray: Bool
    var input: UnsafePointer<UInt8>?
    var inputCount = 0
    var output: UnsafeMutablePointer<UInt8>?
    var width = 0
    var height = 0
    /// 1 (gray), 3 (RGB) or 4 (CMYK, which libjpeg cannot turn into RGB itself).
    var channels = 0
    /// Whether CMYK values are stored inverted (files with an Adobe marker).
    var adobeInverted = false

    init(info: UnsafeMutablePointer<jpeg_decompress_struct>, gray: Bool) {
        self.info = info
        self.gray = gray
    }
}

/// Everything the encoding thread reads and writes. `output` and `outputSize` are separate allocations
/// because libjpeg keeps their addresses and fills them in when it finishes.
struct JPEGEncodeJob {
    let info: UnsafeMutablePointer<jpeg_compress_struct>
    let width: Int
    let height: Int
    let channels: Int
    let quality: Int
    var input: UnsafePointer<UInt8>?
    let output: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    let outputSize: UnsafeMutablePointer<UInt>

    init(info: UnsafeMutablePointer<jpeg_compress_struct>, width: Int, height: Int, channels: Int, quality: Int) {
        self.info = info
        self.width = width
        self.height = height
        self.channels = channels
        self.quality = quality
        output = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: 1)
        output.initialize(to: nil)
        outputSize = UnsafeMutablePointer<UInt>.allocate(capacity: 1)
        outputSize.initialize(to: 0)
    }
}

/// libjpeg's fatal-error handler: record the message, then end the libjpeg thread (it must not return).
private func libjpegErrorExit(_ common: j_common_ptr?) {
    if let common, let report = common.pointee.client_data?.assumingMemoryBound(to: LibjpegReport.self) {
        common.pointee.err.pointee.format_message?(common, report.pointee.error)
        report.pointee.failed = true
    }
    pthread_exit(nil)
}

/// libjpeg's message hook: keeps the first warning that means the pixels are damaged (a truncated file,
/// bad entropy-coded data). Stray bytes between markers, common in camera files, decode fine and are ignored.
private func libjpegEmitMessage(_ common: j_common_ptr?, _ level: Int32) {
    guard level < 0, let common, let report = common.pointee.client_data?.assumingMemoryBound(to: LibjpegReport.self),
          !report.pointee.damaged else { return }
    common.pointee.err.pointee.format_message?(common, report.pointee.warning)
    let text = String(cString: report.pointee.warning)
    let damaged = (text.hasPrefix("Corrupt JPEG data") || text.hasPrefix("Premature end of JPEG file")) && !text.contains("extraneous bytes")
    report.pointee.damaged = damaged
}

/// Keeps libjpeg from printing to stderr.
private func libjpegIgnoreMessage(_ common: j_common_ptr?) {}

/// The decoding thread: header, size check, scanlines. Errors end the thread inside libjpeg.
/// CMYK files come out as CMYK (libjpeg converts them to nothing else); the caller makes them RGB.
private let jpegDecodeEntry: NativeThread.Entry = { context in
    let pointer: UnsafeMutableRawPointer? = context
    guard let job = pointer?.assumingMemoryBound(to: JPEGDecodeJob.self) else { return nil }
    let info = job.pointee.info
    jpeg_CreateDecompress(info, JPEG_LIB_VERSION, MemoryLayout<jpeg_decompress_struct>.size)
    jpeg_mem_src(info, job.pointee.input, UInt(job.pointee.inputCount))
    _ = jpeg_read_header(info, 1)
    let cmyk = info.pointee.jpeg_color_space == JCS_CMYK || info.pointee.jpeg_color_space == JCS_YCCK
    info.pointee.out_color_space = cmyk ? JCS_CMYK : (job.pointee.gray ? JCS_GRAYSCALE : JCS_RGB)
    job.pointee.adobeInverted = info.pointee.saw_Adobe_marker != 0
    jpeg_calc_output_dimensions(info)
    let width = Int(info.pointee.output_width)
    let height = Int(info.pointee.output_height)
    let channels = Int(info.pointee.out_color_components)
    job.pointee.width = width
    job.pointee.height = height
    job.pointee.channels = channels
    guard width * height <= ImageFile.maxPixels else { return nil }
    _ = jpeg_start_decompress(info)
    let output = UnsafeMutablePointer<UInt8>.allocate(capacity: width * height * channels)
    job.pointee.output = output
    while info.pointee.output_scanline < info.pointee.output_height {
        var row: JSAMPROW? = output + Int(info.pointee.output_scanline) * width * channels
        _ = jpeg_read_scanlines(info, &row, 1)
    }
    _ = jpeg_finish_decompress(info)
    return nil
}

/// The encoding thread: parameters, scanlines, finish.
private let jpegEncodeEntry: NativeThread.Entry = { context in
    let pointer: UnsafeMutableRawPointer? = context
    guard let job = pointer?.assumingMemoryBound(to: JPEGEncodeJob.self), let input = job.pointee.input else { return nil }
    let info = job.pointee.info
    jpeg_CreateCompress(info, JPEG_LIB_VERSION, MemoryLayout<jpeg_compress_struct>.size)
    jpeg_mem_dest(info, job.pointee.output, job.pointee.outputSize)
    info.pointee.image_width = JDIMENSION(job.pointee.width)
    info.pointee.image_height = JDIMENSION(job.pointee.height)
    info.pointee.input_components = Int32(job.pointee.channels)
    info.pointee.in_color_space = job.pointee.channels == 1 ? JCS_GRAYSCALE : JCS_RGB
    jpeg_set_defaults(info)
    jpeg_set_quality(info, Int32(job.pointee.quality), 1)
    jpeg_start_compress(info, 1)
    let stride = job.pointee.width * job.pointee.channels
    while info.pointee.next_scanline < info.pointee.image_height {
        var row: JSAMPROW? = UnsafeMutablePointer(mutating: input + Int(info.pointee.next_scanline) * stride)
        _ = jpeg_write_scanlines(info, &row, 1)
    }
    jpeg_finish_compress(info)
    return nil
}
