import Foundation

/// Writes files so that readers see either the old content or the complete new content, never a torn file:
/// the bytes go to a temporary file in the same directory, are flushed to disk, and the temporary file is
/// renamed over the destination (rename is atomic within one file system).
///
/// A process killed mid-write (SIGKILL, power loss) leaves its temporary file behind, never a torn destination.
/// The next write to the same destination removes such leftovers: temporary files of that destination whose
/// writing process no longer exists (`.<name>.tmp-<pid>-<random>`), so repeated crashes cannot pile them up.
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
        let prefix = "." + url.lastPathComponent + ".tmp-"
        removeLeftovers(in: directory, prefix: prefix)
        let temporary = directory + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
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

    /// Deletes the temporary files named `<prefix><pid>-<random>` in `directory` whose process `pid` is gone: they
    /// are what writers killed mid-write left. Files of live processes (another writer, right now) stay, and a
    /// leftover that cannot be removed is no reason to fail the write.
    private static func removeLeftovers(in directory: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            let suffix = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
            guard suffix.count == 2, let pid = pid_t(suffix[0]), pid > 0, UInt32(suffix[1]) != nil else { continue }
            // kill with signal 0 only asks whether the process exists; EPERM means it does (another user's).
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(directory + "/" + name)
        }
    }

    /// Replaces the file at `path` with `bytes`, atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.write(bytes) }
    }
}
