import Foundation

/// Runs a program in the REPL's own process group with the terminal handed over (an editor must be in the
/// foreground process group to read the terminal; Foundation's `Process` puts children in a group of their own).
enum ForegroundProcess {
    /// Runs `arguments` (the first is the executable's path) and waits; returns its exit status
    /// (128 + signal number when a signal ended it).
    static func run(_ arguments: [String]) throws -> Int32 {
        guard let executable = arguments.first else { throw ReplError("no program to run") }
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var processID: pid_t = 0
        let spawnError = posix_spawn(&processID, executable, nil, nil, &cArguments, environ)
        guard spawnError == 0 else {
            throw ReplError("cannot start \(executable): \(String(cString: strerror(spawnError)))")
        }
        var status: Int32 = 0
        while waitpid(processID, &status, 0) < 0 {
            guard errno == EINTR else { throw ReplError("lost track of \(executable): \(String(cString: strerror(errno)))") }
        }
        let signalNumber = status & 0x7f
        return signalNumber == 0 ? (status >> 8) & 0xff : 128 + signalNumber
    }
}
