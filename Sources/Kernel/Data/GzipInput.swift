import CZlib

/// Sequential reader of a file that may be gzip-compressed: zlib decompresses gzip data and passes any
/// other file through unchanged, so `x.gz` and its decompressed copy read the same.
final class GzipInput {
    /// The file, for messages.
    let path: String
    private let handle: gzFile

    /// Opens `path` for reading.
    init(path: String) throws {
        try DataFiles.requireFile(path)
        guard let handle = gzopen(path, "rb") else {
            throw KernelError.file(path: path, message: "cannot open: \(DataFiles.lastSystemError())")
        }
        self.path = path
        self.handle = handle
        gzbuffer(handle, 1 << 17)
    }

    deinit {
        gzclose(handle)
    }

    /// Up to `count` more bytes; fewer only at the end of the data.
    ///
    /// The buffer grows with the bytes actually decoded (1 MiB at a time), so a header that declares a
    /// huge size makes us allocate no more than the file really holds. `cancellation` is asked before each
    /// MiB (decompressing one takes milliseconds); when it says stop, reading throws `LoadingInterrupted`.
    func read(upTo count: Int, cancellation: LoadingCancellation? = nil) throws -> [UInt8] {
        let chunk = 1 << 20
        var bytes: [UInt8] = []
        while bytes.count < count {
            if cancellation?.shouldStop() == true {
                throw LoadingInterrupted(path: path, progress: "\(bytes.count >> 20) of \(count >> 20) MiB read")
            }
            let want = Swift.min(chunk, count - bytes.count)
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: want))
            let got = bytes.withUnsafeMutableBytes { buffer -> Int32 in
                guard let base = buffer.baseAddress else { return 0 }
                return gzread(handle, base + start, UInt32(want))
            }
            guard got >= 0 else { throw zlibError() }
            if Int(got) < want {
                bytes.removeLast(want - Int(got))
                try checkStream()
                break
            }
        }
        return bytes
    }

    /// Whether any byte is left to read.
    func hasMoreData() throws -> Bool {
        let byte = gzgetc(handle)
        if byte < 0 { try checkStream() }
        return byte >= 0
    }

    /// Throws if zlib met corrupt or cut-off compressed data.
    private func checkStream() throws {
        var code: Int32 = Z_OK
        _ = gzerror(handle, &code)
        if code != Z_OK { throw zlibError() }
    }

    private func zlibError() -> KernelError {
        var code: Int32 = Z_OK
        let text = gzerror(handle, &code).map { String(cString: $0) } ?? "unknown error"
        if code == Z_ERRNO { return KernelError.file(path: path, message: "cannot read: \(DataFiles.lastSystemError())") }
        return KernelError.file(path: path, message: "corrupt or truncated gzip data (zlib: \(text))")
    }
}
