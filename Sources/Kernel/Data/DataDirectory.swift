#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the project's `data/` directory, where bundled data sets such as `mnist5k` live.
///
/// The search order:
/// 1. the environment variable `RNX_DATA`, when set (it must name a directory; no other check);
/// 2. a `data` directory holding `mnist5k`, in the directory of the running executable or any parent
///    (a build under `.build/debug/rnx` finds the checkout's `data/`), or `share/rnx/data` there (where
///    `make install` puts it: `/usr/local/bin/rnx` finds `/usr/local/share/rnx/data`);
/// 3. the same, from the current directory upwards.
public enum DataDirectory {
    /// The marker that tells the project's `data/` apart from other directories named `data`.
    static let marker = "mnist5k"

    /// The data directory, or an error listing where it looked.
    public static func locate() throws -> String {
        if let variable = getenv("RNX_DATA") {
            let path = String(cString: variable)
            guard DataFiles.kind(path) == .directory else {
                throw KernelError.file(path: path, message: "RNX_DATA names this path, which is not a directory")
            }
            return path
        }
        let starts = [executableDirectory(), currentDirectory()].compactMap { $0 }
        if let found = search(from: starts) { return found }
        throw KernelError.file(
            path: "data",
            message:
                "cannot find rnx's data directory (a `data` folder holding `\(marker)`) above \(starts.joined(separator: " or ")); set RNX_DATA to its path"
        )
    }

    /// The first `data` directory holding the marker, walking up from each of `starts` in turn.
    static func search(from starts: [String]) -> String? {
        for start in starts {
            var directory = start
            while true {
                for candidate in [DataFiles.join(directory, "data"), DataFiles.join(directory, "share/rnx/data")]
                where DataFiles.kind(DataFiles.join(candidate, marker)) == .directory {
                    return candidate
                }
                guard let parent = parent(of: directory) else { break }
                directory = parent
            }
        }
        return nil
    }

    private static func parent(of path: String) -> String? {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/"), trimmed != "/" else { return nil }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    private static func currentDirectory() -> String? {
        guard let pointer = getcwd(nil, 0) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    private static func executableDirectory() -> String? {
        #if os(Linux)
            var buffer = [CChar](repeating: 0, count: 4096)
            let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            guard length > 0 else { return nil }
            let path = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
            guard let first = CommandLine.arguments.first, let resolved = realpath(first, nil) else { return nil }
            defer { free(resolved) }
            let path = String(cString: resolved)
        #endif
        return parent(of: path)
    }
}
