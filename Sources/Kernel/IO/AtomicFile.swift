import Foundation

/// Writes files so that readers see either the old content or the complete new content, never a torn file:
/// the bytes go to a temporary file in the same directory, are flushed to disk, and the temporary file is
/// renamed over the destination (rename is atomic within one file system).
public enum AtomicFile {
    /// Streams bytes into the temporary file; handed to the body of `write(to:_:)`.
    public final class Sink {
        fileprivate let descriptor: Int32
        fileprivate let path: String

        fileprivate init(descriptor: Int32, path: String) {
            self.descriptor = descriptor
            self.path = path
        }

        /// Appends `bytes`, retrying short writes and interrupted calls.
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var address = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let written = Foundation.write(descriptor, address, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw KernelError.file(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
                }
                remaining -= written
                address += written
            }
        }

        /// Appends `bytes`.
        public func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// Replaces the file at `path` with what `body` writes, atomically.
    public static func write(to path: String, _ body: (Sink) throws -> Void) throws {
        guard !path.isEmpty else { throw KernelError.file(path: path, message: "empty file name") }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw KernelError.file(path: path, message: "directory \(directory) does not exist")
        }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw KernelError.file(path: path, message: "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        do {
            try body(Sink(descriptor: descriptor, path: path))
            guard fsync(descriptor) == 0 else {
                throw KernelError.file(path: path, message: "cannot flush to disk: \(String(cString: strerror(errno)))")
            }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else {
            throw KernelError.file(path: path, message: "cannot close: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            throw KernelError.file(path: path, message: "cannot replace: \(String(cString: strerror(errno)))")
        }
        committed = true
        // Make the rename itself durable; failure here leaves a complete file, so it is not an error.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Replaces the file at `path` with `bytes`, atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.write(bytes) }
    }
}
