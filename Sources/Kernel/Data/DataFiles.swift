#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File-system queries the loaders share, with errors that name the path.
enum DataFiles {
    /// What a path points to (after following symbolic links).
    enum Kind { case missing, file, directory, other }

    /// The kind of `path`.
    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// What tells two paths to the same file or folder apart from different ones (after following symbolic links).
    struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// The identity of what `path` points to.
    static func identity(_ path: String) throws -> Identity {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw KernelError.file(path: path, message: "cannot examine: \(lastSystemError())")
        }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The size in bytes of the file at `path` (0 when it cannot be examined).
    static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Throws a clear message unless `path` is an existing directory.
    static func requireDirectory(_ path: String) throws {
        switch kind(path) {
        case .directory: return
        case .missing: throw KernelError.file(path: path, message: "no such directory")
        case .file, .other: throw KernelError.file(path: path, message: "is not a directory")
        }
    }

    /// Throws a clear message unless `path` is an existing regular file.
    static func requireFile(_ path: String) throws {
        switch kind(path) {
        case .file: return
        case .missing: throw KernelError.file(path: path, message: "no such file")
        case .directory: throw KernelError.file(path: path, message: "is a directory, expected a file")
        case .other: throw KernelError.file(path: path, message: "is not a regular file")
        }
    }

    /// The names in directory `path` (without `.` and `..`), sorted by their UTF-8 bytes — the order
    /// Python's `sorted()` gives, so class indices match torchvision's for the same folders.
    static func entries(of path: String) throws -> [String] {
        try requireDirectory(path)
        guard let directory = opendir(path) else {
            throw KernelError.file(path: path, message: "cannot list directory: \(lastSystemError())")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The whole content of the regular file at `path`. The size is checked against the memory limit
    /// before anything is allocated.
    static func readAll(_ path: String) throws -> [UInt8] {
        try requireFile(path)
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw KernelError.file(path: path, message: "cannot open: \(lastSystemError())")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw KernelError.file(path: path, message: "cannot read its size: \(lastSystemError())")
        }
        let size = Int(info.st_size)
        guard size <= MemoryLimit.bytes else {
            throw KernelError.file(path: path, message: "is \(size) bytes, more than the memory limit of \(MemoryLimit.bytes) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return read(descriptor, base + filled, size - filled)
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw KernelError.file(path: path, message: got < 0 ? "cannot read: \(lastSystemError())" : "file shrank while being read")
            }
            filled += got
        }
        return bytes
    }

    /// The content of `path`, decompressed when it is gzip data (told by its magic bytes 1F 8B, not by its name).
    /// The decompressed size is held to the memory limit too, so a small archive cannot expand without bound.
    static func readAllDecompressing(_ path: String) throws -> [UInt8] {
        let bytes = try readAll(path)
        guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
        let input = try GzipInput(path: path)
        let content = try input.read(upTo: MemoryLimit.bytes)
        if content.count == MemoryLimit.bytes, try input.hasMoreData() {
            throw KernelError.file(path: path, message: "decompresses to more than the memory limit of \(MemoryLimit.bytes) bytes")
        }
        return content
    }

    /// `dir/name`, without doubling a trailing slash.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The text of the last C library error (`errno`).
    static func lastSystemError() -> String {
        String(cString: strerror(errno))
    }
}
