import Foundation
import XCTest

@testable import Repl

/// `rnx kernel` driven by the real Jupyter clients from the test environment: `jupyter_client`'s KernelManager
/// starts it from a kernelspec `rnx kernel install --prefix` wrote, and `nbclient` executes a whole notebook.
final class JupyterKernelTests: XCTestCase {
    private var directory: TemporaryDirectory!
    /// The `share/jupyter` directory holding the installed kernelspec (JUPYTER_PATH for the clients).
    private var jupyterPath: URL!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        let prefix = directory.url.appendingPathComponent("prefix")
        let result = try RnxProcess.run(["kernel", "install", "--prefix", prefix.path], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        jupyterPath = prefix.appendingPathComponent("share/jupyter")
    }

    /// Python run with the kernelspec visible and the clients' own files in the test directory; with `kernel`, a kernel
    /// is started first and shut down at the end.
    private func python(_ script: String, kernel: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try TestPython.run(
            Self.checks + (kernel ? Self.preamble + script + "\nfinish()\n" : script + "\nprint('PASSED')\n"), in: directory.url,
            environment: [
                "JUPYTER_PATH": jupyterPath.path, "JUPYTER_RUNTIME_DIR": directory.url.appendingPathComponent("runtime").path,
                "JUPYTER_DATA_DIR": directory.url.appendingPathComponent("data").path, "RNX_SIXEL": "0",
                "JUPYTER_PLATFORM_DIRS": "1",
            ])
        XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
        XCTAssertTrue(result.output.contains("PASSED"), result.output, file: file, line: line)
        return result.output
    }

    private static let checks = """
        import base64, json, sys, time

        def check(condition, what):
            if not condition:
                print("FAILED:", what)
                sys.exit(1)

        """

    /// Starts the kernel and defines `run(code)` → (reply content, [(msg_type, content)]) and `finish()`.
    private static let preamble = """
        from jupyter_client.manager import KernelManager
        km = KernelManager(kernel_name="rnx")
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)

        def outputs_of(msg_id, timeout=60):
            outputs = []
            while True:
                msg = kc.get_iopub_msg(timeout=timeout)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return outputs
                if msg["msg_type"] != "status":
                    outputs.append((msg["msg_type"], msg["content"]))

        def reply_of(msg_id, timeout=60):
            while True:
                reply = kc.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]

        def run(code, **options):
            msg_id = kc.execute(code, **options)
            reply = reply_of(msg_id)
            return reply, outputs_of(msg_id)

        def check(condition, what):
            if not condition:
                print("FAILED:", what)
                km.shutdown_kernel(now=True)
                sys.exit(1)

        def finish():
            kc.stop_channels()
            km.shutdown_kernel()
            print("PASSED")

        """

    func testKernelInfoExecuteStreamResultAndError() throws {
        _ = try python(
            """
            info = kc.kernel_info(reply=True, timeout=30)["content"]
            check(info["protocol_version"] == "5.3", info)
            language = info["language_info"]
            check(language["name"] == "rnx" and language["file_extension"] == ".rnx", language)
            check(language["codemirror_mode"] == "python" and language["mimetype"] == "text/x-rnx", language)

            reply, outputs = run("1+1")
            check(reply["status"] == "ok" and reply["execution_count"] == 1, reply)
            results = [c for t, c in outputs if t == "execute_result"]
            check(len(results) == 1 and results[0]["data"]["text/plain"] == "2" and results[0]["execution_count"] == 1, outputs)
            check(("execute_input", {"code": "1+1", "execution_count": 1}) in outputs, outputs)

            reply, outputs = run("x = 40\\nprint('hi', x)")
            check([c for t, c in outputs if t == "stream"] == [{"name": "stdout", "text": "hi 40\\n"}], outputs)
            check(not any(t == "execute_result" for t, c in outputs), outputs)

            reply, outputs = run("y = x + 2\\n1 / 0")
            check(reply["status"] == "error" and reply["ename"] == "ZeroDivisionError", reply)
            errors = [c for t, c in outputs if t == "error"]
            check(len(errors) == 1 and errors[0]["ename"] == "ZeroDivisionError", outputs)
            check(any("<cell-3>:2" in line for line in errors[0]["traceback"]), errors[0]["traceback"])

            reply, outputs = run("y")
            check([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"] == ["42"], "state kept after an error")

            reply, outputs = run("print('quiet')", silent=True)
            check(reply["status"] == "ok" and outputs == [], outputs)
            reply, outputs = run("z")
            check(reply["execution_count"] == 5 and reply["ename"] == "NameError", reply)
            """)
    }

    func testChartsAreDisplayDataWithPNGAndSVG() throws {
        _ = try python(
            """
            reply, outputs = run("c = plot([1, 4, 9], title='squares')\\nc")
            check(reply["status"] == "ok", reply)
            shown = [c for t, c in outputs if t == "display_data"]
            check(len(shown) == 1, outputs)
            data = shown[0]["data"]
            check(base64.b64decode(data["image/png"])[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "a PNG")
            check("<svg" in data["image/svg+xml"] and "squares" in data["text/plain"], data["text/plain"])
            reply, outputs = run("c.show()")
            check([t for t, c in outputs if t != "execute_input"] == ["display_data"], outputs)
            """)
    }

    /// A tiny model and data set, as Python defining `setup`.
    private static let tinyRun = """
        setup = '''seed(3)
        x = input([1, 4, 4])
        net = model(x, dense(flatten(x), 3), name="tiny")
        samples = tensor_dataset(randn(24, 1, 4, 4), [i % 3 for i in range(24)])
        train, valid = split(samples, 0.25, seed=1)
        data = databunch(train, valid, batch_size=3, seed=1)'''

        """

    func testLiveChartsUpdateInPlaceAndProgressBarsUseCarriageReturns() throws {
        _ = try python(
            Self.tinyRun + """
                reply, outputs = run(setup)
                check(reply["status"] == "ok", reply)
                reply, outputs = run("h = fit(net, data, 2, lr=0.1, live=True, every=1)")
                check(reply["status"] == "ok", reply)
                first = [c for t, c in outputs if t == "display_data"]
                updates = [c for t, c in outputs if t == "update_display_data"]
                check(len(first) == 1 and len(updates) >= 2, [t for t, c in outputs])
                display_id = first[0]["transient"]["display_id"]
                check(all(u["transient"]["display_id"] == display_id for u in updates), "one display replaced in place")
                check(base64.b64decode(updates[-1]["data"]["image/png"])[:4] == b"\\x89PNG", "the final frame is a PNG")
                text = "".join(c["text"] for t, c in outputs if t == "stream")
                check("\\r" in text and "epoch 1/2 |" in text and "\\x1b" not in text, repr(text))
                check("train_loss" in text, repr(text))
                """)
    }

    func testCompleteInspectIsCompleteAndHistory() throws {
        _ = try python(
            """
            run("total = 3")
            reply = kc.complete("pri", 3, reply=True, timeout=30)["content"]
            check("print" in reply["matches"] and reply["cursor_start"] == 0 and reply["cursor_end"] == 3, reply)
            reply = kc.complete("a = 1\\nb = tot", 13, reply=True, timeout=30)["content"]
            check(reply["matches"] == ["total"] and reply["cursor_start"] == 10, reply)
            reply = kc.inspect("fit", 3, reply=True, timeout=30)["content"]
            check(reply["found"] and "fit(" in reply["data"]["text/plain"], reply)
            reply = kc.inspect("no_such_name", 5, reply=True, timeout=30)["content"]
            check(reply["status"] == "ok" and not reply["found"], reply)
            reply = reply_of(kc.is_complete("for i in range(3):"))
            check(reply == {"status": "incomplete", "indent": "    "}, reply)
            check(reply_of(kc.is_complete("x = (1,"))["status"] == "incomplete", "open bracket")
            check(reply_of(kc.is_complete("x = 1"))["status"] == "complete", "complete")
            check(reply_of(kc.is_complete("x = = 1"))["status"] == "invalid", "invalid")
            reply = kc.history(hist_access_type="tail", n=10, reply=True, timeout=30)["content"]
            check(reply["history"] == [[0, 1, "total = 3"]], reply)
            reply = kc.comm_info(reply=True, timeout=30)["content"]
            check(reply == {"status": "ok", "comms": {}}, reply)
            """)
    }

    func testInterruptStopsALoopAndAFitWithStateKept() throws {
        _ = try python(
            Self.tinyRun + """
                def interrupted(code, started="execute_input"):
                    # Wait until the cell is under way: its execute_input, or a stream holding `started`.
                    msg_id = kc.execute(code)
                    while True:
                        msg = kc.get_iopub_msg(timeout=60)
                        if msg["parent_header"].get("msg_id") != msg_id:
                            continue
                        if started == "execute_input" and msg["msg_type"] == "execute_input":
                            break
                        if msg["msg_type"] == "stream" and started in msg["content"]["text"]:
                            break
                    # The signal may come before the cell is under way: repeat it until the cell answers.
                    while True:
                        km.interrupt_kernel()
                        try:
                            reply = kc.get_shell_msg(timeout=0.5)
                        except Exception:
                            continue
                        if reply["parent_header"].get("msg_id") == msg_id:
                            return reply["content"], outputs_of(msg_id)

                run("n = 0")
                reply, outputs = interrupted("while True:\\n    n = n + 1\\n    if n == 1:\\n        print('counting')", "counting")
                check(reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply)
                check(any(t == "error" and c["ename"] == "KeyboardInterrupt" for t, c in outputs), outputs)
                reply, outputs = run("n > 0")
                check([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"] == ["True"], outputs)

                check(run(setup)[0]["status"] == "ok", "setup")
                reply, outputs = interrupted("h = fit(net, data, 100000, lr=0.1, progress=False)")
                check(reply["status"] == "ok", reply)
                reply, outputs = run("len(h) < 100000")
                check([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"] == ["True"], outputs)
                check(run("fit(net, data, 1, lr=0.1, progress=False)")[0]["status"] == "ok", "the model still trains")

                interrupt = kc.session.msg("interrupt_request", {})
                kc.control_channel.send(interrupt)
                check(kc.control_channel.get_msg(timeout=30)["content"]["status"] == "ok", "interrupt_request when idle")
                """)
    }

    func testRestartForgetsStateAndShutdownEndsTheProcess() throws {
        _ = try python(
            """
            run("kept = 1")
            km.restart_kernel()
            kc.wait_for_ready(timeout=60)
            reply, outputs = run("kept")
            check(reply["status"] == "error" and reply["ename"] == "NameError", reply)
            reply, outputs = run("2 * 21")
            check([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"] == ["42"], outputs)
            process = km.provisioner.process
            kc.shutdown()
            check(process.wait(timeout=30) == 0, "the kernel exits by itself, status 0")
            km.cleanup_resources()
            kc.stop_channels()
            print("PASSED")
            sys.exit(0)
            """)
    }

    func testUserExpressionsAreEvaluatedAfterTheCellWithoutOutputOrNewState() throws {
        _ = try python(
            """
            expressions = {"double": "y * 2", "bad": "1 / 0", "statement": "z = 1", "printing": "print('hidden')", "text": "'a' + 'b'"}
            msg = kc.execute("x = 40\\ny = x + 2", user_expressions=expressions, reply=True, timeout=60)
            reply = msg["content"]
            check(reply["status"] == "ok", reply)
            found = reply["user_expressions"]
            check(sorted(found) == sorted(expressions), found)
            check(found["double"] == {"status": "ok", "data": {"text/plain": "84"}, "metadata": {}}, found["double"])
            check(found["text"]["data"]["text/plain"] == "'ab'", found["text"])
            check(found["printing"] == {"status": "ok", "data": {"text/plain": "None"}, "metadata": {}}, found["printing"])
            bad = found["bad"]
            check(bad["status"] == "error" and bad["ename"] == "ZeroDivisionError" and bad["evalue"] and bad["traceback"], bad)
            check(found["statement"]["status"] == "error" and found["statement"]["ename"] == "SyntaxError", found["statement"])
            outputs = outputs_of(msg["parent_header"]["msg_id"])
            check([t for t, c in outputs] == ["execute_input"], outputs)

            reply, outputs = run("z")
            check(reply["status"] == "error" and reply["ename"] == "NameError", "a statement among user_expressions changed state")
            reply, outputs = run("1 / 0", user_expressions={"y": "y"})
            check(reply["status"] == "error" and reply.get("user_expressions", {}) == {}, reply)
            """)
    }

    func testInputAsksTheFrontendOnTheStdinChannel() throws {
        _ = try python(
            """
            msg_id = kc.execute("print('before')\\nname = input('name? ')\\nprint('hello', name)", allow_stdin=True)
            request = kc.get_stdin_msg(timeout=60)
            check(request["msg_type"] == "input_request", request)
            check(request["content"] == {"prompt": "name? ", "password": False}, request["content"])
            check(request["parent_header"]["msg_id"] == msg_id, request["parent_header"])
            kc.input("Ada")
            reply = reply_of(msg_id)
            check(reply["status"] == "ok", reply)
            text = "".join(c["text"] for t, c in outputs_of(msg_id) if t == "stream")
            check(text == "before\\nhello Ada\\n", text)
            reply, outputs = run("name")
            check([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"] == ["'Ada'"], outputs)

            reply, outputs = run("input('name? ')", allow_stdin=False)
            check(reply["status"] == "error" and reply["ename"] == "RuntimeError", reply)
            check("needs a frontend that sends input (allow_stdin)" in reply["evalue"], reply["evalue"])

            # Interrupting a cell that waits for input stops it; the kernel goes on serving.
            msg_id = kc.execute("answer = input('wait? ')", allow_stdin=True)
            check(kc.get_stdin_msg(timeout=60)["content"]["prompt"] == "wait? ", "second input_request")
            km.interrupt_kernel()
            reply = reply_of(msg_id)
            check(reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", reply)
            outputs_of(msg_id)
            reply, outputs = run("answer")
            check(reply["ename"] == "NameError", reply)
            reply, outputs = run("1 + 1")
            check([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"] == ["2"], outputs)
            """)
    }

    func testBadMessagesAreDroppedAndTheHeartbeatEchoes() throws {
        _ = try python(
            """
            import zmq
            context = zmq.Context()
            shell = context.socket(zmq.DEALER)
            shell.connect("%s://%s:%d" % (km.transport, km.ip, km.shell_port))
            shell.send_multipart([b"garbage"])
            shell.send_multipart([b"<IDS|MSG>", b"0" * 64, b"{}", b"{}", b"{}", b"{}"])
            good = kc.session.serialize(kc.session.msg("kernel_info_request", {}))
            good[1] = b"f" * 64
            shell.send_multipart(good)
            shell.send_multipart([b"<IDS|MSG>", b"sig", b"not json"])
            shell.close()

            heartbeat = context.socket(zmq.REQ)
            heartbeat.connect("%s://%s:%d" % (km.transport, km.ip, km.hb_port))
            heartbeat.send(b"ping")
            check(heartbeat.poll(10000) and heartbeat.recv() == b"ping", "heartbeat echo")
            heartbeat.close()

            reply, outputs = run("1 + 2")
            check([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"] == ["3"], "the kernel still answers")
            """)
    }

    func testNbclientExecutesANotebookWithAChart() throws {
        _ = try python(
            """
            import nbformat
            from nbclient import NotebookClient
            nb = nbformat.v4.new_notebook()
            nb.metadata["kernelspec"] = {"name": "rnx", "display_name": "rnx", "language": "rnx"}
            nb.cells = [
                nbformat.v4.new_markdown_cell("# squares"),
                nbformat.v4.new_code_cell("xs = [1, 2, 3]\\nprint(sum(xs))"),
                nbformat.v4.new_code_cell("plot([v * v for v in xs], title='squares')"),
            ]
            NotebookClient(nb, timeout=120, kernel_name="rnx").execute()
            nbformat.validate(nb)
            check(nb.cells[1].outputs[0]["text"] == "6\\n", nb.cells[1].outputs)
            pictures = [o for o in nb.cells[2].outputs if o["output_type"] == "display_data"]
            check(len(pictures) == 1 and base64.b64decode(pictures[0]["data"]["image/png"])[:4] == b"\\x89PNG", nb.cells[2].outputs)
            check(nb.cells[2].execution_count == 2, nb.cells[2])
            """, kernel: false)
    }

    // MARK: - Pieces

    /// HMAC-SHA256 of the concatenated parts, against the RFC 4231-style vector Python's hmac gives.
    func testSignatureIsHMACSHA256OfTheConcatenatedParts() {
        let signer = MessageSigner(key: "key")
        let parts = ["The quick brown ", "fox jumps over ", "the lazy dog"].map { Array($0.utf8) }
        let expected = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        XCTAssertEqual(signer.signature(parts), expected)
        XCTAssertTrue(signer.verify(Array(expected.utf8), of: parts))
        XCTAssertFalse(signer.verify(Array(expected.replacingOccurrences(of: "f7", with: "f8").utf8), of: parts))
        XCTAssertFalse(signer.verify([], of: parts))
        XCTAssertEqual(MessageSigner(key: "").signature(parts), "", "no key: unsigned")
    }

    func testWireMessageRoundTripsAndRejectsMalformedFrames() throws {
        let signer = MessageSigner(key: "secret")
        let request = WireMessage(type: "execute_request", session: "s", content: ["code": "1+1"], parent: nil, identities: [[1, 2, 3]])
        let parsed = try WireMessage(frames: try request.frames(signer: signer), signer: signer)
        XCTAssertEqual(parsed.identities, [[1, 2, 3]])
        XCTAssertEqual(parsed.type, "execute_request")
        XCTAssertEqual(parsed.content["code"] as? String, "1+1")
        XCTAssertEqual(parsed.header["version"] as? String, "5.3")
        let reply = WireMessage(type: "execute_reply", session: "s", content: [:], parent: parsed)
        XCTAssertEqual(reply.identities, [[1, 2, 3]], "replies are routed back to the client")
        XCTAssertEqual(reply.parentHeader["msg_id"] as? String, parsed.header["msg_id"] as? String)

        var tampered = try request.frames(signer: signer)
        tampered[tampered.count - 1] = Array("{\"code\": \"2+2\"}".utf8)
        XCTAssertThrowsError(try WireMessage(frames: tampered, signer: signer)) { XCTAssertEqual("\($0)", "invalid signature") }
        XCTAssertThrowsError(try WireMessage(frames: [[1]], signer: signer))
        XCTAssertThrowsError(try WireMessage(frames: [WireMessage.delimiter, []], signer: signer))
        let unsigned = MessageSigner(key: "")
        XCTAssertThrowsError(try WireMessage(frames: [WireMessage.delimiter, [], [0x7B], [0x7B], [0x7B], [0x7B]], signer: unsigned)) {
            XCTAssertEqual("\($0)", "the header is not a JSON object")
        }
    }

    func testStreamTextTurnsLineErasingIntoOverwriting() {
        var text = StreamText()
        XCTAssertEqual(text.translate("\repoch |███| 3/9\u{1B}[K"), "\repoch |███| 3/9")
        XCTAssertEqual(text.translate("\r\u{1B}[K"), "\r" + String(repeating: " ", count: 15) + "\r")
        XCTAssertEqual(text.translate("0  1.0\n"), "0  1.0\n")
        XCTAssertEqual(text.translate("\u{1B}[31mred\u{1B}[0m"), "\u{1B}[31mred\u{1B}[0m", "colours pass")
        var split = StreamText()
        XCTAssertEqual(split.translate("abc\r\u{1B}"), "abc\r")
        XCTAssertEqual(split.translate("[K"), "   \r", "a sequence split between writes")
    }

    func testConnectionFileIsCheckedAndInstallWritesTheKernelspec() throws {
        let file = try directory.write(
            #"{"transport": "tcp", "ip": "127.0.0.1", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "k", "signature_scheme": "hmac-sha256"}"#,
            to: "ok.json")
        let connection = try ConnectionFile(contentsOf: file.path)
        XCTAssertEqual(connection.endpoint(connection.shellPort), "tcp://127.0.0.1:1")
        let bad = try directory.write(#"{"transport": "tcp", "ip": "127.0.0.1"}"#, to: "bad.json")
        XCTAssertThrowsError(try ConnectionFile(contentsOf: bad.path)) { XCTAssertTrue("\($0)".contains("missing"), "\($0)") }
        let scheme = try directory.write(
            String(decoding: try Data(contentsOf: file), as: UTF8.self).replacingOccurrences(of: "hmac-sha256", with: "hmac-md5"), to: "md5.json")
        XCTAssertThrowsError(try ConnectionFile(contentsOf: scheme.path)) { XCTAssertTrue("\($0)".contains("hmac-md5"), "\($0)") }

        let result = try RnxProcess.run(["kernel", "--connection-file", bad.path], in: directory.url)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.errors.contains("missing"), result.errors)

        let spec = jupyterPath.appendingPathComponent("kernels/rnx")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: spec.appendingPathComponent("kernel.json"))) as? [String: Any]
        let argv = json?["argv"] as? [String] ?? []
        XCTAssertEqual(Array(argv.dropFirst()), ["kernel", "--connection-file", "{connection_file}"])
        XCTAssertTrue(argv.first?.hasPrefix("/") ?? false, "\(argv)")
        XCTAssertEqual(json?["language"] as? String, "rnx")
        XCTAssertEqual(json?["interrupt_mode"] as? String, "signal")
        for size in [32, 64] {
            let logo = try Data(contentsOf: spec.appendingPathComponent("logo-\(size)x\(size).png"))
            XCTAssertEqual(Array(logo.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            // The PNG header's width and height (big-endian, at bytes 16 and 20).
            XCTAssertEqual(logo.count > 24 ? Int(logo[19]) : 0, size)
            XCTAssertEqual(logo.count > 24 ? Int(logo[23]) : 0, size)
        }
        let both = try RnxProcess.run(["kernel", "install", "--user", "--prefix", "/x"], in: directory.url)
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.errors.contains("choose one"), both.errors)
    }
}
