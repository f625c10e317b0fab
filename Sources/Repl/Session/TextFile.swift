import Basics
import Foundation

/// Saves the REPL's text files (history, `:save`, the editor's scratch file) through Basics' `AtomicFile`, creating
/// missing parent directories first and reporting a failure as one `ReplError` line.
enum TextFile {
    /// Replaces the file at `url` with `text` (UTF-8), atomically; `newFileMode` is the permission of a file that
    /// does not exist yet, before the umask.
    static func save(_ text: String, to url: URL, newFileMode: mode_t = 0o666) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try AtomicFile.createDirectory(directory.path)
        } catch {
            throw ReplError(error.description)
        }
        do {
            try AtomicFile.write(Array(text.utf8), to: url.path, newFileMode: newFileMode)
        } catch let error as AtomicFileError {
            throw ReplError("cannot write \(error.path): \(error.message)")
        }
    }
}
