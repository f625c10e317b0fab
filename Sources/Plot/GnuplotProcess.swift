import CGnuplotIostream

/// One running gnuplot, driven through the C shim over gnuplot-iostream. Not thread-safe:
/// `GnuplotSession` serialises access.
final class GnuplotProcess {
    private let handle: OpaquePointer

    /// Starts `executablePath` (already located; never user text).
    init(executablePath: String) throws {
        var handle: OpaquePointer?
        var message: UnsafeMutablePointer<CChar>?
        let status = rnx_gp_open(executablePath, &handle, &message)
        let text = Self.take(message)
        guard status == RNX_GP_OK, let handle else {
            throw PlotError.gnuplotCannotStart(reason: text.isEmpty ? "unknown reason" : text)
        }
        self.handle = handle
    }

    deinit {
        rnx_gp_close(handle)
    }

    /// The operating-system process id.
    var processID: Int32 { rnx_gp_process_id(handle) }

    /// Whether gnuplot is still running.
    var isRunning: Bool { rnx_gp_is_running(handle) != 0 }

    /// Sends one step of a script; `timeoutSeconds` only names the deadline in the error if it passed.
    func send(_ step: GnuplotScript.Step, timeoutSeconds: Double) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status: rnx_gp_status
        switch step {
        case .command(let line):
            status = rnx_gp_send_line(handle, line, &message)
        case .dataBlock(let name, let columns, let values):
            guard columns > 0, values.count % columns == 0 else {
                throw PlotError.invalidChart("datablock \(name) has \(values.count) values, not a multiple of \(columns) columns")
            }
            status = values.withUnsafeBufferPointer { buffer in
                rnx_gp_send_rows(handle, name, buffer.baseAddress, values.count / columns, columns, &message)
            }
        }
        try Self.check(status, Self.take(message), timeoutSeconds: timeoutSeconds)
    }

    /// Kills gnuplot if the current chart is not finished `seconds` from now; nil clears the deadline.
    func setDeadline(seconds: Double?) {
        let milliseconds = seconds.map { Int32(clamping: Int(($0 * 1000).rounded(.up))) } ?? -1
        rnx_gp_set_deadline(handle, milliseconds)
    }

    /// Waits until gnuplot prints `marker` on its own line; returns what it printed before it.
    /// `timeoutSeconds` only names the deadline in the error if it passed.
    func wait(for marker: String, timeoutSeconds: Double) throws -> String {
        var text: UnsafeMutablePointer<CChar>?
        let status = rnx_gp_wait_for_marker(handle, marker, &text)
        let said = Self.take(text)
        try Self.check(status, said, timeoutSeconds: timeoutSeconds)
        return said
    }

    private static func check(_ status: rnx_gp_status, _ message: String, timeoutSeconds: Double) throws {
        switch status {
        case RNX_GP_OK: return
        case RNX_GP_STOPPED: throw PlotError.gnuplotStopped(reason: oneLine(message))
        case RNX_GP_TIMED_OUT: throw PlotError.gnuplotTimedOut(seconds: timeoutSeconds)
        default: throw PlotError.invalidChart(oneLine(message))
        }
    }

    /// Copies and frees a string from the shim.
    private static func take(_ text: UnsafeMutablePointer<CChar>?) -> String {
        guard let text else { return "" }
        defer { rnx_gp_free_string(text) }
        return String(cString: text)
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
