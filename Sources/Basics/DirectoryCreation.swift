import Foundation

extension AtomicFile {
    /// Creates the directory at `path` and any missing parents (as `mkdir -p`), new ones with mode 0777 minus the
    /// umask. An existing directory, or a symbolic link to one, is fine. The error names the part of the path that
    /// is in the way and why, in words a user can act on:
    ///
    /// ```swift
    /// try AtomicFile.createDirectory("out/charts")
    /// // AtomicFileError: "out/charts: cannot create the directory: out is a file"
    /// ```
    public static func createDirectory(_ path: String) throws(AtomicFileError) {
        guard !path.isEmpty else { throw AtomicFileError(path: path, message: "cannot create a directory with an empty name") }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var status = stat()
            if stat(prefix, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw AtomicFileError(path: path, message: "cannot create the directory: \(prefix) is a file")
                }
                continue
            }
            // Another process may create it between the check and mkdir: EEXIST on a directory is success.
            if mkdir(prefix, 0o777) != 0 {
                let message = systemMessage()
                if stat(prefix, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { continue }
                throw AtomicFileError(path: path, message: "cannot create the directory \(prefix): \(message)")
            }
        }
    }
}
