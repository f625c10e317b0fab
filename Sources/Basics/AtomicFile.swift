import Foundation

/// A file that `AtomicFile` could not write: `path` is the name the caller gave, `message` what went wrong there
/// (a complete clause, e.g. `directory runs does not exist`), so callers can put both into their own error type.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
    /// The path as the caller gave it (before following symbolic links).
    public let path: String
    /// What went wrong, without the path.
    public let message: String

    /// An error about `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

/// Writes files so that readers see either the old content or the complete new content, never a torn file:
/// the bytes go to a temporary file in the same directory, are flushed to disk, and the temporary file is
/// renamed over the destination (rename is atomic within one file system).
///
/// What is at the path is respected, as careful editors do: a symbolic link stays a link and the file it points to
/// (following chains; a dangling link names the file to create) is the one replaced; an existing file keeps its
/// permission bits and, where the process may set them, its owner and group; a new file gets `newFileMode` minus the
/// umask. A path naming something other than a regular file (a device such as /dev/null, a FIFO, a socket, a
/// directory) is refused rather than replaced by a regular file.
///
/// A process killed mid-write (SIGKILL, power loss) leaves its temporary file behind, never a torn destination.
/// The next write to the same destination removes such leftovers: temporary files of that destination whose
/// writing process no longer exists (`.<name>.tmp-<pid>-<random>`), so repeated crashes cannot pile them up.
public enum AtomicFile {
    /// Streams bytes into the temporary file; handed to the body of `write(to:newFileMode:_:)`.
    public final class Sink {
        private let descriptor: Int32
        private let path: String

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
                    throw AtomicFileError(path: path, message: "cannot write: \(AtomicFile.systemMessage())")
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

    /// Where a save to some path lands: the regular file a chain of symbolic links ends at (or the path itself),
    /// and that file's status when it exists.
    public struct Destination {
        /// The file that is replaced or created.
        public let path: String
        /// The status of the existing file; nil when the file does not exist yet.
        let existing: stat?
    }

    /// The most symbolic links followed in a chain, as the Linux kernel allows, so a loop ends with an error.
    static let maximumLinkHops = 40

    /// Replaces the file at `path` (see the type's notes on links and permissions) with what `body` writes, atomically.
    /// `newFileMode` is the permission of a file that does not exist yet, before the umask (0o600 for private files).
    public static func write(to path: String, newFileMode: mode_t = 0o666, _ body: (Sink) throws -> Void) throws {
        let destination = try self.destination(of: path)
        let (directory, name) = split(destination.path)
        let prefix = "." + name + ".tmp-"
        removeLeftovers(in: directory, prefix: prefix)
        let temporary = directory + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // A file that exists is replaced by one that is private until its own permissions are copied onto it.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, destination.existing == nil ? newFileMode : 0o600)
        guard descriptor >= 0 else {
            throw AtomicFileError(path: path, message: "cannot create a temporary file in \(directory): \(systemMessage())")
        }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        do {
            if let existing = destination.existing { try keepOwnerAndPermissions(of: existing, on: descriptor, path: path) }
            try body(Sink(descriptor: descriptor, path: path))
            guard fsync(descriptor) == 0 else {
                throw AtomicFileError(path: path, message: "cannot flush to disk: \(systemMessage())")
            }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else {
            throw AtomicFileError(path: path, message: "cannot close: \(systemMessage())")
        }
        guard rename(temporary, destination.path) == 0 else {
            throw AtomicFileError(path: path, message: "cannot replace \(destination.path): \(systemMessage())")
        }
        committed = true
        // Make the rename itself durable; failure here leaves a complete file, so it is not an error.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Replaces the file at `path` with `bytes`, atomically (see `write(to:newFileMode:_:)`).
    public static func write(_ bytes: [UInt8], to path: String, newFileMode: mode_t = 0o666) throws {
        try write(to: path, newFileMode: newFileMode) { try $0.write(bytes) }
    }

    /// The regular file a save to `path` replaces or creates: symbolic links followed (relative targets against the
    /// link's directory), its directory checked. Throws when the path is empty, names something other than a
    /// regular file, ends in a link loop, or its directory does not exist.
    public static func destination(of path: String) throws -> Destination {
        guard !path.isEmpty else { throw AtomicFileError(path: path, message: "empty file name") }
        var current = path
        for _ in 0...maximumLinkHops {
            var status = stat()
            guard lstat(current, &status) == 0 else {
                guard errno == ENOENT else {
                    throw AtomicFileError(path: path, message: "cannot look at \(current): \(systemMessage())")
                }
                try checkDirectory(of: current, requestedPath: path)
                return Destination(path: current, existing: nil)
            }
            let kind = status.st_mode & S_IFMT
            if kind == S_IFLNK {
                current = try linkTarget(of: current, requestedPath: path)
                continue
            }
            guard kind == S_IFREG else {
                let what = current == path ? "it is" : "it links to \(current), which is"
                throw AtomicFileError(path: path, message: "\(what) \(kindName(kind)), not a regular file; choose a file path")
            }
            return Destination(path: current, existing: status)
        }
        throw AtomicFileError(path: path, message: "more than \(maximumLinkHops) symbolic links in a row (a loop?)")
    }

    /// Where the symbolic link `link` points, a relative target taken from the link's own directory.
    private static func linkTarget(of link: String, requestedPath: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(link, &buffer, buffer.count - 1)
        guard length >= 0 else {
            throw AtomicFileError(path: requestedPath, message: "cannot read the symbolic link \(link): \(systemMessage())")
        }
        let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard !target.hasPrefix("/") else { return target }
        return split(link).directory + "/" + target
    }

    /// Throws unless the directory a new file `path` would go into exists.
    private static func checkDirectory(of path: String, requestedPath: String) throws {
        let (directory, name) = split(path)
        guard !name.isEmpty else {
            throw AtomicFileError(path: requestedPath, message: "not a file name: it ends in '/'")
        }
        var status = stat()
        let exists = stat(directory, &status) == 0
        if exists, status.st_mode & S_IFMT == S_IFDIR { return }
        let problem = exists ? "\(directory) is not a directory" : "directory \(directory) does not exist"
        throw AtomicFileError(path: requestedPath, message: path == requestedPath ? problem : "it links to \(path), but \(problem)")
    }

    /// Gives the temporary file `descriptor` the permission bits of the file it replaces and, where allowed, its owner.
    private static func keepOwnerAndPermissions(of existing: stat, on descriptor: Int32, path: String) throws {
        var created = stat()
        if fstat(descriptor, &created) == 0, created.st_uid != existing.st_uid || created.st_gid != existing.st_gid {
            // Only root (or a member of the file's group) may do this; otherwise the new file is the writer's, as with any editor.
            _ = fchown(descriptor, existing.st_uid, existing.st_gid)
        }
        // After fchown, which clears set-user-ID and set-group-ID bits.
        guard fchmod(descriptor, existing.st_mode & 0o7777) == 0 else {
            throw AtomicFileError(path: path, message: "cannot keep its permissions: \(systemMessage())")
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

    /// `path` split at its last slash: the directory (`.` for a bare name, `/` at the root) and the name.
    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = path[..<slash]
        return (directory.isEmpty ? "/" : String(directory), String(path[path.index(after: slash)...]))
    }

    /// How a user would call a file of type `kind` (the `S_IFMT` bits of a mode).
    private static func kindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    static func systemMessage() -> String {
        String(cString: strerror(errno))
    }
}
