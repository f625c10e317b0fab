import Foundation

/// Opens text in the user's editor (`$VISUAL`, else `$EDITOR`, else `vi`) and returns what was saved (`:edit`, walk `e`).
struct ExternalEditor {
    /// The editor command line; the file path is appended as its last argument (via `sh`, so `code --wait` works).
    let command: String

    /// The editor chosen by the environment.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ExternalEditor {
        for key in ["VISUAL", "EDITOR"] {
            if let value = environment[key], !value.allSatisfy(\.isWhitespace) { return ExternalEditor(command: value) }
        }
        return ExternalEditor(command: "vi")
    }

    /// Writes `text` to a temporary `fileName`, waits for the editor, and returns the saved text without
    /// trailing newlines; throws when the editor cannot start or exits with an error.
    func edit(_ text: String, fileName: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-edit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(fileName)
        try TextFile.save(text + "\n", to: file)

        let status = try ForegroundProcess.run(["/bin/sh", "-c", command + " \"$1\"", "sh", file.path])
        guard status == 0 else {
            throw ReplError("the editor '\(command)' exited with status \(status); the cell is unchanged")
        }
        guard let data = try? Data(contentsOf: file) else { throw ReplError("cannot read back \(file.path); the cell is unchanged") }
        var edited = String(decoding: data, as: UTF8.self)
        while edited.hasSuffix("\n") { edited.removeLast() }
        return edited
    }
}
