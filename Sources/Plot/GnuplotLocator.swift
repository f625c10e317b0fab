#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the gnuplot executable rnx runs. The command is never built from user text: it is an
/// explicit path given by the program, the `RNX_GNUPLOT` environment variable, or `gnuplot` on `PATH`.
public enum GnuplotLocator {
    /// Environment variable naming the gnuplot executable to use instead of the one on `PATH`.
    public static let environmentVariable = "RNX_GNUPLOT"

    /// The executable to run: `explicitPath` if given, else `$RNX_GNUPLOT` if set, else the first
    /// `gnuplot` on `$PATH`; throws `PlotError.gnuplotNotFound` when that is not an executable file.
    public static func executablePath(explicitPath: String?, environment: [String: String]) throws -> String {
        if let explicitPath {
            return try checked(explicitPath, source: "'\(explicitPath)'")
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return try checked(fromEnvironment, source: "'\(fromEnvironment)' from \(environmentVariable)")
        }
        let searchPath = environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/gnuplot"
            if isExecutableFile(candidate) { return candidate }
        }
        throw PlotError.gnuplotNotFound(lookedFor: "gnuplot on PATH")
    }

    private static func checked(_ path: String, source: String) throws -> String {
        guard isExecutableFile(path) else { throw PlotError.gnuplotNotFound(lookedFor: source) }
        return path
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
