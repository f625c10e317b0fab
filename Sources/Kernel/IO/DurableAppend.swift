import Foundation

/// Appends to a log file that must survive a crash mid-run (the metrics log, TensorBoard event files): each call
/// writes all its bytes at the end of the file and syncs them to disk before returning.
enum DurableAppend {
    /// Appends `bytes` to the file at `path` (created when missing); `what` names the file in errors.
    static func append(_ bytes: [UInt8], to path: String, what: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw KernelError.file(path: path, message: "cannot open \(what): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw KernelError.file(path: path, message: "cannot write \(what): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            throw KernelError.file(path: path, message: "cannot flush \(what): \(String(cString: strerror(errno)))")
        }
    }
}
