import Basics
import Foundation

/// One persistent gnuplot process that draws charts on demand, so each chart costs no start-up.
///
/// gnuplot writes every chart to a file in a private temporary directory that rnx makes for that
/// chart (and removes right after, so nothing is left behind even if the session is never freed);
/// the session then asks gnuplot to `print` a numbered marker on its stderr and returns the file's
/// bytes once that marker arrives. User text never becomes a file name or a command: charts quote
/// it, and `save` moves finished bytes to the user's path in Swift. If gnuplot is missing the
/// session throws one clear message; if it dies, the current chart fails and the next one starts
/// a fresh process.
///
/// ```swift
/// let session = GnuplotSession()
/// let text = try session.renderText(LineChart(series: [Series(name: "loss", y: losses)]), width: 80, height: 24)
/// try session.save(chart, toFile: "loss.png", width: 800, height: 600)
/// ```
public final class GnuplotSession {
    private let explicitPath: String?
    private let environment: [String: String]
    private let timeoutSeconds: Double
    private let scratchBase: String
    private let lock = NSLock()
    private var process: GnuplotProcess?
    private var renderCount = 0

    /// A session that starts gnuplot at the first chart.
    /// - Parameters:
    ///   - executablePath: gnuplot to run; nil: `$RNX_GNUPLOT`, else `gnuplot` on `$PATH`.
    ///   - environment: where `RNX_GNUPLOT` and `PATH` are looked up.
    ///   - timeoutSeconds: longest a single chart may take before gnuplot is stopped.
    ///   - temporaryDirectory: where each chart's private scratch directory is made; nil: the
    ///     system's temporary directory. A path that cannot be passed to gnuplot unchanged
    ///     (control characters or `'`) is replaced by /tmp.
    public init(
        executablePath: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        timeoutSeconds: Double = 30,
        temporaryDirectory: String? = nil
    ) {
        self.explicitPath = executablePath
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
        let base = temporaryDirectory ?? FileManager.default.temporaryDirectory.path
        self.scratchBase = GnuplotText.sanitized(base) != base || base.contains("'") ? "/tmp" : base
    }

    /// The running gnuplot's process id, or nil when none is running.
    public var processID: Int32? {
        lock.lock()
        defer { lock.unlock() }
        guard let process, process.isRunning else { return nil }
        return process.processID
    }

    /// Draws `chart` for `target` and returns the bytes gnuplot wrote (text, sixel, PNG or SVG); a text target of a
    /// `TextDrawnChart` is drawn without gnuplot.
    public func render(_ chart: Chart, to target: RenderTarget) throws -> [UInt8] {
        let terminal = try target.terminalCommand()
        if case .text(let width, let height, let color) = target, let drawn = chart as? TextDrawnChart,
            let text = try drawn.textDrawing(width: width, height: height, color: color)
        {
            return Array(text.utf8)
        }
        let body: GnuplotScript
        if case .text(let width, _, _) = target { body = try chart.textScript(columns: width) } else { body = try chart.script() }
        lock.lock()
        defer { lock.unlock() }
        let running = try runningProcess()
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        renderCount += 1
        let outputPath = "\(directory)/chart.\(target.fileExtension)"
        let marker = "RNX-DONE-\(renderCount)"

        var steps: [GnuplotScript.Step] = [
            .command("reset session"),
            .command("set encoding utf8"),
            .command(terminal),
            .command("set output \(GnuplotText.quoted(outputPath))"),
        ]
        steps += body.steps
        steps += [.command("unset output"), .command("print \(GnuplotText.quoted(marker))")]

        // After any failure gnuplot may be mid-command or mid-multiplot: the next chart gets a fresh one.
        let messages: String
        running.setDeadline(seconds: timeoutSeconds)
        defer { running.setDeadline(seconds: nil) }
        do {
            for step in steps { try running.send(step, timeoutSeconds: timeoutSeconds) }
            messages = try running.wait(for: marker, timeoutSeconds: timeoutSeconds)
        } catch {
            process = nil
            throw error
        }
        let errors = GnuplotMessages.errors(in: messages)
        guard errors.isEmpty else {
            process = nil
            throw PlotError.gnuplotRejected(messages: errors.joined(separator: "; "))
        }
        guard let data = FileManager.default.contents(atPath: outputPath), !data.isEmpty else {
            let said = messages.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            throw PlotError.noOutput(target: target.fileExtension, messages: said.joined(separator: "; "))
        }
        return [UInt8](data)
    }

    /// Draws `chart` as characters, `width` columns by `height` lines, with ANSI colours if `color` allows.
    public func renderText(_ chart: Chart, width: Int, height: Int, color: RenderTarget.TextColor = .plain) throws -> String {
        let bytes = try render(chart, to: .text(width: width, height: height, color: color))
        // gnuplot's dumb terminal starts every page with a form feed.
        return String(decoding: bytes.first == 0x0C ? Array(bytes.dropFirst()) : bytes, as: UTF8.self)
    }

    /// Saves `chart` as PNG or SVG, chosen by `path`'s extension; the file appears atomically.
    public func save(_ chart: Chart, toFile path: String, width: Int = 800, height: Int = 600) throws {
        let format = try ChartFileFormat(path: path)
        let bytes = try render(chart, to: format.target(width: width, height: height))
        do {
            try AtomicFile.write(bytes, to: path)
        } catch let error as AtomicFileError {
            throw PlotError.fileWriteFailed(path: error.path, reason: error.message)
        }
    }

    /// Stops gnuplot now; the next chart starts it again.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        process = nil
    }

    private func runningProcess() throws -> GnuplotProcess {
        if let process, process.isRunning { return process }
        process = nil
        let path = try GnuplotLocator.executablePath(explicitPath: explicitPath, environment: environment)
        let started = try GnuplotProcess(executablePath: path)
        process = started
        return started
    }

    /// A fresh directory only this user can enter (mkdtemp makes it mode 0700), for one chart's output.
    private func makeScratchDirectory() throws -> String {
        var template = Array((scratchBase + "/rnx-plot-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let path = made else {
            throw PlotError.fileWriteFailed(path: scratchBase, reason: "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return path
    }
}
