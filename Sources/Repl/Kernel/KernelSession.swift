import Basics
import CZMQ
import DSL
import Foundation

/// The Jupyter kernel: one interpreter whose state persists between cells, serving the messaging protocol 5.3 on
/// the sockets of a connection file.
///
/// Threads: the request loop (this object's `run`) reads shell and control requests; a cell runs on its own thread
/// while the loop keeps answering control requests (interrupt, shutdown) and queues shell requests until the cell
/// ends (one execution at a time, as ipykernel). The heartbeat echoes on a third thread. SIGINT (interrupt_mode
/// "signal") reaches the running cell through the REPL's Ctrl-C mechanism: a `fit` stops between batches, a loop
/// with `KeyboardInterrupt`, and the interpreter keeps its state. `input()` in a cell sends an input_request on the
/// stdin channel (when the request allows stdin) and the cell's thread waits for the input_reply there, the only
/// thread that uses that socket. Malformed or badly signed messages are logged and dropped.
final class KernelSession: @unchecked Sendable {
    private let context: SocketContext
    private let shell: Socket
    private let control: Socket
    private let stdin: Socket
    private let iopub: IOPubChannel
    private let signer: MessageSigner
    private let session = UUID().uuidString.lowercased()
    private let interpreter: Interpreter
    private let display: KernelDisplay
    private let capture = ChartCapture()
    /// The request loop waits on this pipe's read end for a finished cell.
    private let wakeup: (read: Int32, write: Int32)
    /// The finished cell's request and reply, handed from the cell's thread to the loop.
    private let finished = Locked<(request: WireMessage, reply: WireMessage)?>(nil)
    private var executionCount = 0
    private var isExecuting = false
    /// The cells run with `store_history`, for history_request: (execution count, source).
    private var history: [(Int, String)] = []

    /// Binds every socket of `connection` and starts the heartbeat.
    init(connection: ConnectionFile) throws {
        signer = MessageSigner(key: connection.key)
        context = try SocketContext()
        shell = try Socket(context, type: ZMQ_ROUTER, endpoint: connection.endpoint(connection.shellPort))
        control = try Socket(context, type: ZMQ_ROUTER, endpoint: connection.endpoint(connection.controlPort))
        stdin = try Socket(context, type: ZMQ_ROUTER, endpoint: connection.endpoint(connection.stdinPort))
        iopub = IOPubChannel(
            socket: try Socket(context, type: ZMQ_PUB, endpoint: connection.endpoint(connection.iopubPort)), signer: signer, session: session)
        Heartbeat.start(try Socket(context, type: ZMQ_REP, endpoint: connection.endpoint(connection.heartbeatPort)))
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw ReplError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        wakeup = (ends[0], ends[1])

        display = KernelDisplay(iopub: iopub)
        interpreter = Interpreter()
        let display = self.display
        interpreter.output = { display.write($0) }
        // Notebooks draw carriage-return progress bars as tqdm's (StreamText makes the line erasing work there).
        interpreter.progressStyle = .bar
        capture.onChart = { display.show($0) }
        capture.onLiveFrame = { display.showLive($0, id: $1, isFirst: $2) }
        interpreter.chartCapture = capture
    }

    /// Serves requests until a shutdown request; then closes the sockets and exits.
    func run() -> Never {
        Self.exitWithParent()
        iopub.status("starting", parent: nil)
        while true {
            let sockets = isExecuting ? [control] : [control, shell]
            let ready: (sockets: [Bool], descriptor: Bool)
            do {
                ready = try Socket.waitReadable(sockets, descriptor: wakeup.read)
            } catch {
                KernelLog.write("\(error)")
                shutDown()
            }
            if ready.descriptor { finishExecution() }
            if ready.sockets[0] { serve(control) }
            if ready.sockets.count > 1, ready.sockets[1] { serve(shell) }
        }
    }

    // MARK: - Requests

    private func serve(_ socket: Socket) {
        let request: WireMessage
        do {
            request = try WireMessage(frames: try socket.receive(), signer: signer)
        } catch {
            KernelLog.write("dropped a message on \(socket.endpoint): \(error)")
            return
        }
        iopub.status("busy", parent: request)
        switch request.type {
        case "execute_request":
            if socket === shell {
                startExecution(request)
                return
            }
            reply(
                request, on: socket,
                ["status": "error", "ename": "RuntimeError", "evalue": "execute_request belongs on the shell channel", "traceback": []])
        case "kernel_info_request": reply(request, on: socket, kernelInfo)
        case "complete_request": reply(request, on: socket, complete(request.content))
        case "inspect_request": reply(request, on: socket, inspect(request.content))
        case "is_complete_request": reply(request, on: socket, isComplete(request.content))
        case "history_request": reply(request, on: socket, historyReply(request.content))
        case "comm_info_request": reply(request, on: socket, ["status": "ok", "comms": [:] as JSONObject])
        case "interrupt_request":
            if isExecuting { interpreter.interrupt.request() }
            reply(request, on: socket, ["status": "ok"])
        case "shutdown_request":
            reply(request, on: socket, ["status": "ok", "restart": request.content["restart"] as? Bool ?? false])
            iopub.status("idle", parent: request)
            shutDown()
        default:
            KernelLog.write("dropped a message of unknown type \(request.type)")
        }
        iopub.status("idle", parent: request)
    }

    private func reply(_ request: WireMessage, on socket: Socket, _ content: JSONObject) {
        let type = request.type.replacingOccurrences(of: "_request", with: "_reply")
        let message = WireMessage(type: type, session: session, content: content, parent: request)
        do {
            try socket.send(try message.frames(signer: signer))
        } catch {
            KernelLog.write("cannot send \(type): \(error)")
        }
    }

    private var kernelInfo: JSONObject {
        [
            "status": "ok", "protocol_version": WireMessage.protocolVersion, "implementation": "rnx",
            "implementation_version": rnxVersion,
            "language_info": [
                "name": "rnx", "version": rnxVersion, "mimetype": "text/x-rnx", "file_extension": ".rnx",
                "pygments_lexer": "python", "codemirror_mode": "python",
            ] as JSONObject,
            "banner": "rnx \(rnxVersion): define, train and chart ResNets in a Python-like language. help(name) explains a builtin.",
            "help_links": [] as [Any], "debugger": false,
        ]
    }

    // MARK: - Execution

    private func startExecution(_ request: WireMessage) {
        let code = request.content["code"] as? String ?? ""
        let silent = request.content["silent"] as? Bool ?? false
        let storeHistory = !silent && (request.content["store_history"] as? Bool ?? true)
        if storeHistory {
            executionCount += 1
            history.append((executionCount, code))
        }
        let count = executionCount
        // Anything but a string is no expression: "" gets the error of an empty one.
        let expressions = (request.content["user_expressions"] as? JSONObject ?? [:]).mapValues { $0 as? String ?? "" }
        let allowsInput = request.content["allow_stdin"] as? Bool ?? false
        if !silent { iopub.publish("execute_input", ["code": code, "execution_count": count], parent: request) }
        isExecuting = true
        display.begin(parent: request, silent: silent)
        interpreter.inputReader = { [unowned self] prompt in
            guard allowsInput else { throw DSLError(.runtime, "input() needs a frontend that sends input (allow_stdin)") }
            return try askForInput(prompt, request: request)
        }
        let thread = Thread { [self] in
            var content = execute(code, count: count, silent: silent)
            if content["status"] as? String == "ok" { content["user_expressions"] = evaluate(expressions) }
            finished.withLock { $0 = (request, WireMessage(type: "execute_reply", session: session, content: content, parent: request)) }
            var byte: UInt8 = 1
            _ = write(wakeup.write, &byte, 1)
        }
        thread.name = "rnx-kernel-cell"
        thread.start()
    }

    /// Runs one cell on the current thread and returns the execute_reply content.
    private func execute(_ code: String, count: Int, silent: Bool) -> JSONObject {
        let interpreter = self.interpreter
        let interrupt = interpreter.interrupt
        let error: (name: String, value: String, traceback: [String])
        do {
            let value = try InterruptController.shared.whileRunning(onInterrupt: { interrupt.request() }) {
                try interpreter.execute(source: code, file: "<cell-\(count)>")
            }
            if let value {
                display.publish(
                    "execute_result", ["execution_count": count, "data": ["text/plain": value.repr] as JSONObject, "metadata": [:] as JSONObject])
            }
            display.flush()
            _ = capture.takeImages()
            return ["status": "ok", "execution_count": count, "user_expressions": [:] as JSONObject, "payload": [] as [Any]]
        } catch let failure as DSLError {
            error = (failure.kind.rawValue, failure.message, failure.rendered.components(separatedBy: "\n"))
        } catch let failure {
            error = ("RuntimeError", "\(failure)", ["<cell-\(count)>: error: \(failure)"])
        }
        _ = capture.takeImages()
        display.publish("error", ["ename": error.name, "evalue": error.value, "traceback": error.traceback])
        return ["status": "error", "execution_count": count, "ename": error.name, "evalue": error.value, "traceback": error.traceback]
    }

    /// user_expressions: each expression's repr, or its error, as IPython's `user_expressions`. Nothing is shown:
    /// output and charts are dropped while they are evaluated.
    private func evaluate(_ expressions: [String: String]) -> JSONObject {
        guard !expressions.isEmpty else { return [:] }
        let output = interpreter.output
        let onChart = capture.onChart
        interpreter.output = { _ in }
        capture.onChart = nil
        defer {
            interpreter.output = output
            capture.onChart = onChart
            _ = capture.takeImages()
        }
        var results: JSONObject = [:]
        for (name, code) in expressions {
            do {
                let value = try interpreter.evaluate(expression: code, file: "<user_expression \(name)>")
                results[name] = ["status": "ok", "data": ["text/plain": value.repr] as JSONObject, "metadata": [:] as JSONObject] as JSONObject
            } catch let failure as DSLError {
                results[name] =
                    [
                        "status": "error", "ename": failure.kind.rawValue, "evalue": failure.message,
                        "traceback": failure.rendered.components(separatedBy: "\n"),
                    ]
                    as JSONObject
            } catch let failure {
                results[name] = ["status": "error", "ename": "RuntimeError", "evalue": "\(failure)", "traceback": ["\(failure)"]] as JSONObject
            }
        }
        return results
    }

    /// Asks the frontend of `request` for a line (input_request on the stdin channel) and waits for its input_reply,
    /// looking at the interrupt flag every 100 ms so an interrupt stops the cell instead of leaving it waiting.
    private func askForInput(_ prompt: String, request: WireMessage) throws -> String? {
        display.flush()
        let ask = WireMessage(type: "input_request", session: session, content: ["prompt": prompt, "password": false], parent: request)
        do {
            try stdin.send(try ask.frames(signer: signer))
        } catch {
            throw DSLError(.runtime, "input(): cannot ask the frontend: \(error)")
        }
        while true {
            try interpreter.interrupt.check()
            let ready: Bool
            do {
                ready = try Socket.waitReadable([stdin], descriptor: -1, timeoutMilliseconds: 100).sockets[0]
            } catch {
                throw DSLError(.runtime, "input(): cannot read the frontend's reply: \(error)")
            }
            guard ready else { continue }
            let reply: WireMessage
            do {
                reply = try WireMessage(frames: try stdin.receive(), signer: signer)
            } catch {
                KernelLog.write("dropped a message on \(stdin.endpoint): \(error)")
                continue
            }
            guard reply.type == "input_reply" else {
                KernelLog.write("dropped a message of type \(reply.type) on the stdin channel")
                continue
            }
            return reply.content["value"] as? String ?? ""
        }
    }

    /// Sends the finished cell's reply and returns to idle.
    private func finishExecution() {
        var buffer = [UInt8](repeating: 0, count: 16)
        _ = read(wakeup.read, &buffer, buffer.count)
        guard let done = finished.withLock({ $0.take() }) else { return }
        do {
            try shell.send(try done.reply.frames(signer: signer))
        } catch {
            KernelLog.write("cannot send execute_reply: \(error)")
        }
        isExecuting = false
        iopub.status("idle", parent: done.request)
    }

    // MARK: - Tooling

    /// complete_request: the REPL's completions for the word before the cursor (cursor positions count Unicode
    /// scalars, as the protocol does).
    private func complete(_ content: JSONObject) -> JSONObject {
        let code = content["code"] as? String ?? ""
        let scalars = Array(code.unicodeScalars)
        let cursor = min(max(content["cursor_pos"] as? Int ?? scalars.count, 0), scalars.count)
        let lineStart = scalars[..<cursor].lastIndex(of: "\n").map { $0 + 1 } ?? 0
        let lineEnd = scalars[cursor...].firstIndex(of: "\n") ?? scalars.count
        let line = String(String.UnicodeScalarView(scalars[lineStart..<lineEnd]))
        let before = String(String.UnicodeScalarView(scalars[lineStart..<cursor]))
        let offset = before.utf8.count
        let matches = interpreter.completions(for: line, cursor: offset)
        let wordStart = Interpreter.completionWordStart(in: line, cursor: offset)
        let start = lineStart + String(decoding: Array(before.utf8.prefix(wordStart)), as: UTF8.self).unicodeScalars.count
        return ["status": "ok", "matches": matches, "cursor_start": start, "cursor_end": cursor, "metadata": [:] as JSONObject]
    }

    /// inspect_request: `help` on the (dotted) name at the cursor.
    private func inspect(_ content: JSONObject) -> JSONObject {
        let code = content["code"] as? String ?? ""
        let scalars = Array(code.unicodeScalars)
        let cursor = min(max(content["cursor_pos"] as? Int ?? scalars.count, 0), scalars.count)
        let isNamePart: (Unicode.Scalar) -> Bool = { $0.properties.isXIDContinue || $0 == "." }
        var start = cursor
        while start > 0, isNamePart(scalars[start - 1]) { start -= 1 }
        var end = cursor
        while end < scalars.count, isNamePart(scalars[end]) { end += 1 }
        let name = String(String.UnicodeScalarView(scalars[start..<end])).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        var found: JSONObject = ["status": "ok", "found": false, "data": [:] as JSONObject, "metadata": [:] as JSONObject]
        guard !name.isEmpty, let help = interpreter.builtin("help") else { return found }
        let captured = Locked("")
        let output = interpreter.output
        interpreter.output = { text in captured.withLock { $0 += text } }
        defer { interpreter.output = output }
        guard (try? interpreter.call(help, [.string(name)])) != nil else { return found }
        found["found"] = true
        found["data"] = ["text/plain": captured.withLock { $0 }.trimmingCharacters(in: .newlines)] as JSONObject
        return found
    }

    /// is_complete_request: the REPL's multi-line rule; an incomplete entry gets the indent of its next line.
    private func isComplete(_ content: JSONObject) -> JSONObject {
        let code = content["code"] as? String ?? ""
        guard !Interpreter.isComplete(code) else {
            return ["status": Interpreter.syntaxError(in: code, file: "<cell>") == nil ? "complete" : "invalid"]
        }
        let lastLine = code.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        var indent = String(lastLine.prefix { $0 == " " || $0 == "\t" })
        if lastLine.trimmingCharacters(in: .whitespaces).hasSuffix(":") { indent += "    " }
        return ["status": "incomplete", "indent": indent]
    }

    /// history_request: the cells run in this kernel with store_history, as (session 0, line, source).
    private func historyReply(_ content: JSONObject) -> JSONObject {
        var entries = history
        switch content["hist_access_type"] as? String {
        case "range":
            let start = content["start"] as? Int ?? 0
            let stop = content["stop"] as? Int ?? Int.max
            entries = entries.filter { $0.0 >= start && $0.0 < stop }
        case "search":
            let pattern = content["pattern"] as? String ?? "*"
            entries = entries.filter { fnmatch(pattern, $0.1, 0) == 0 }
            fallthrough
        default:
            if let count = content["n"] as? Int, count >= 0 { entries = Array(entries.suffix(count)) }
        }
        return ["status": "ok", "history": entries.map { [0, $0.0, $0.1] as [Any] }]
    }

    // MARK: - Shutdown

    /// Ends the kernel when the client process that started it dies (it is then re-parented), as ipykernel's parent
    /// poller does: nobody could shut it down any more.
    private static func exitWithParent() {
        let parent = getppid()
        let thread = Thread {
            while getppid() == parent { sleep(1) }
            KernelLog.write("the client that started the kernel has gone; exiting")
            _exit(0)
        }
        thread.name = "rnx-kernel-parent"
        thread.start()
    }

    /// Closes every socket (replies already queued still go out) and ends the process.
    private func shutDown() -> Never {
        interpreter.interrupt.request()
        iopub.close()
        shell.close()
        control.close()
        stdin.close()
        context.terminate()
        // Not exit(): a cell may still be running on its thread while static destructors would run.
        fflush(StandardStream.output)
        fflush(StandardStream.error)
        _exit(0)
    }
}
