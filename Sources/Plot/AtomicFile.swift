#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a whole file so readers see either the old file or the complete new one, never a torn
/// one: the bytes go to a fresh temporary file in the same directory, are synced, then renamed.
public enum AtomicFile {
    /// Replaces (or creates) the file at `path` with `bytes`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw PlotError.fileWriteFailed(path: path, reason: "the name ends in '/'") }
        let temporary = directory + "/." + name + ".rnx-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"

        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw PlotError.fileWriteFailed(path: path, reason: lastError()) }
        var failure: String?
        var written = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count, failure == nil {
                let count = systemWrite(descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
                if count > 0 {
                    written += count
                } else if count < 0 && errno != EINTR {
                    failure = lastError()
                }
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = lastError() }
        if close(descriptor) != 0 && failure == nil { failure = lastError() }
        if failure == nil && rename(temporary, path) != 0 { failure = lastError() }
        if let failure {
            unlink(temporary)
            throw PlotError.fileWriteFailed(path: path, reason: failure)
        }
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

/// The C `write`, reachable under another name because `AtomicFile.write` hides it inside the type.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
