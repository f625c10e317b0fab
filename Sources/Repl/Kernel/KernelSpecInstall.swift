import Basics
import Foundation
import Plot

/// Writes rnx's kernelspec, the directory `kernels/rnx` Jupyter looks kernels up in: `kernel.json` (how to start
/// `rnx kernel`, with signal interrupts) and the launcher's logos.
enum KernelSpecInstall {
    /// Where the kernelspec goes, as `jupyter kernelspec install` names it.
    enum Location: Equatable {
        /// The user's Jupyter data directory (`$JUPYTER_DATA_DIR`, else `~/.local/share/jupyter`, or
        /// `~/Library/Jupyter` on macOS).
        case user
        /// `PREFIX/share/jupyter`.
        case prefix(String)
        /// The active Python environment (`$VIRTUAL_ENV`, else `$CONDA_PREFIX`).
        case sysPrefix
        /// The system-wide directory, `/usr/local/share/jupyter`.
        case system
    }

    /// The kernelspec directory for `location`, from `environment`.
    static func directory(for location: Location, environment: [String: String]) throws -> String {
        let data: String
        switch location {
        case .user:
            if let explicit = environment["JUPYTER_DATA_DIR"], !explicit.isEmpty {
                data = explicit
            } else {
                let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
                #if os(macOS)
                    data = home + "/Library/Jupyter"
                #else
                    data = (environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share") + "/jupyter"
                #endif
            }
        case .prefix(let prefix):
            data = prefix + "/share/jupyter"
        case .sysPrefix:
            guard let prefix = environment["VIRTUAL_ENV"] ?? environment["CONDA_PREFIX"], !prefix.isEmpty else {
                throw ReplError("--sys-prefix: no active Python environment (VIRTUAL_ENV and CONDA_PREFIX are unset); use --user or --prefix")
            }
            data = prefix + "/share/jupyter"
        case .system:
            data = "/usr/local/share/jupyter"
        }
        let absolute = data.hasPrefix("/") ? data : FileManager.default.currentDirectoryPath + "/" + data
        return absolute + "/kernels/rnx"
    }

    /// kernel.json for the `rnx` executable at `executable`.
    static func kernelJSON(executable: String) throws -> [UInt8] {
        let spec: [String: Any] = [
            "argv": [executable, "kernel", "--connection-file", "{connection_file}"],
            "display_name": "rnx", "language": "rnx", "interrupt_mode": "signal",
            "metadata": ["debugger": false],
        ]
        return Array(try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) + [0x0A]
    }

    /// Writes the kernelspec into `directory` (created if missing); returns it.
    static func install(into directory: String, executable: String) throws {
        do {
            try AtomicFile.createDirectory(directory)
        } catch {
            throw ReplError("kernelspec directory \(error)")
        }
        let session = GnuplotSession()
        defer { session.stop() }
        do {
            try AtomicFile.write(try kernelJSON(executable: executable), to: directory + "/kernel.json")
            for size in [32, 64] {
                try session.save(KernelLogo(size: size), toFile: directory + "/logo-\(size)x\(size).png", width: size, height: size)
            }
        } catch let error as AtomicFileError {
            throw ReplError("cannot write \(error.path): \(error.message)")
        } catch let error as PlotError {
            throw ReplError("cannot draw the kernel logo: \(error)")
        }
    }

    /// The absolute path of the running `rnx`.
    static func executablePath() -> String {
        let link = URL(fileURLWithPath: "/proc/self/exe")
        if FileManager.default.fileExists(atPath: link.path) { return link.resolvingSymlinksInPath().path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
