import ArgumentParser
import Foundation

/// `rnx kernel --connection-file F`: the Jupyter kernel, started by a Jupyter client from the kernelspec.
struct KernelCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Run as a Jupyter kernel (JupyterLab, Notebook, VS Code, jupyter console); `rnx kernel install` registers it.",
        discussion: """
            Jupyter starts the kernel itself with a connection file; install the kernelspec once with \
            `rnx kernel install --user`, then pick "rnx" in JupyterLab or run `jupyter console --kernel rnx`. \
            Charts appear as images, live training charts update in place, and interrupting a cell stops a \
            running fit between batches with the session's variables kept.
            """,
        subcommands: [KernelInstallCommandLine.self])

    @Option(help: ArgumentHelp("The connection file the Jupyter client wrote.", valueName: "file.json"))
    var connectionFile: String?

    func run() throws {
        guard let connectionFile else {
            throw ValidationError("expected --connection-file FILE (Jupyter passes it), or `rnx kernel install` to register the kernel")
        }
        do {
            let connection = try ConnectionFile(contentsOf: connectionFile)
            try InterruptController.shared.install()
            let kernel = try KernelSession(connection: connection)
            kernel.run()
        } catch {
            fputs("error: \(error)\n", StandardStream.error)
            throw ExitCode.failure
        }
    }
}

/// `rnx kernel install [--user | --prefix P | --sys-prefix]`: writes the kernelspec.
struct KernelInstallCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the rnx kernelspec for Jupyter (kernel.json and logos), system-wide unless told otherwise.")

    @Flag(help: "Install for the current user (~/.local/share/jupyter/kernels/rnx).")
    var user = false

    @Option(help: ArgumentHelp("Install under PREFIX/share/jupyter/kernels/rnx.", valueName: "PREFIX"))
    var prefix: String?

    @Flag(help: "Install into the active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX).")
    var sysPrefix = false

    func validate() throws {
        guard [user, prefix != nil, sysPrefix].filter({ $0 }).count <= 1 else {
            throw ValidationError("choose one of --user, --prefix and --sys-prefix")
        }
    }

    func run() throws {
        let location: KernelSpecInstall.Location =
            user ? .user : prefix.map { .prefix($0) } ?? (sysPrefix ? .sysPrefix : .system)
        do {
            let directory = try KernelSpecInstall.directory(for: location, environment: ProcessInfo.processInfo.environment)
            try KernelSpecInstall.install(into: directory, executable: KernelSpecInstall.executablePath())
            print("installed the rnx kernelspec in \(directory)")
        } catch let error as ReplError {
            fputs("error: \(error.message)\n", StandardStream.error)
            throw ExitCode.failure
        }
    }
}
