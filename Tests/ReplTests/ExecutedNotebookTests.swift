import Foundation
import XCTest

/// `rnx run --to out.ipynb|out.html` and `rnx convert`, checked with the real `nbformat` and a real headless Chromium.
final class ExecutedNotebookTests: XCTestCase {
    private let script = """
        # %% [markdown]
        # # Results
        # A *small* run with `code`, a [link](https://example.org) and a [bad link](javascript:alert(1)).
        #
        # - first
        # - second

        # %% setup
        print("hello <script>document.title='pwned'</script>")
        1 + 2 if True else 0

        # %%
        plot([1.0, 4.0, 2.0], title="loss <b>")

        # %%
        x = 1 / 0

        # %%
        print("never runs")

        """

    func testExecutedNotebookValidatesWithNbformatAndHoldsEveryOutput() throws {
        let directory = try TemporaryDirectory()
        try directory.write(script, to: "exp.rnx")
        let result = try RnxProcess.run(["run", "exp.rnx", "--to", "out.ipynb"], in: directory.url)
        // The error stops the run, as `jupyter nbconvert --execute` does, and the notebook is written up to it.
        XCTAssertEqual(result.status, 1, result.errors)
        XCTAssertTrue(result.errors.contains("ZeroDivisionError"), result.errors)
        XCTAssertTrue(result.errors.contains("stopped at cell 4"), result.errors)
        let check = try TestPython.run(
            """
            import base64, nbformat
            nb = nbformat.read("out.ipynb", as_version=4)
            nbformat.validate(nb)
            assert nb.nbformat == 4 and nb.nbformat_minor == 5, (nb.nbformat, nb.nbformat_minor)
            assert nb.metadata.kernelspec == {"name": "rnx", "display_name": "rnx", "language": "rnx"}, nb.metadata
            assert nb.metadata.language_info["file_extension"] == ".rnx"
            assert nb.metadata.language_info["codemirror_mode"] == "python"
            md, code, chart, error, later = nb.cells
            assert md.cell_type == "markdown" and md.source.startswith("# Results\\n"), md
            assert code.metadata["title"] == "setup"
            assert code.execution_count == 1
            assert [o.output_type for o in code.outputs] == ["stream", "execute_result"], code.outputs
            assert code.outputs[0].name == "stdout"
            assert code.outputs[0].text == "hello <script>document.title='pwned'</script>\\n", code.outputs[0].text
            assert code.outputs[1].data["text/plain"] == "3" and code.outputs[1].execution_count == 1
            timing = code.metadata["execution"]
            assert timing["iopub.execute_input"] <= timing["shell.execute_reply"], timing
            display = [o for o in chart.outputs if o.output_type == "display_data"]
            assert len(display) == 1, chart.outputs
            png = base64.b64decode(display[0].data["image/png"])
            assert png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", png[:8]
            assert "<svg" in display[0].data["image/svg+xml"]
            assert display[0].data["text/plain"] == "<line chart 'loss <b>'>", display[0].data["text/plain"]
            assert chart.execution_count == 2
            assert error.execution_count == 3
            assert [o.output_type for o in error.outputs] == ["error"], error.outputs
            assert error.outputs[0].ename == "ZeroDivisionError", error.outputs[0]
            assert any("exp.rnx:16" in line for line in error.outputs[0].traceback), error.outputs[0].traceback
            assert later.execution_count is None and later.outputs == []
            ids = [c.id for c in nb.cells]
            assert len(set(ids)) == len(ids)
            # Laid out byte for byte as Jupyter saves it, so opening and saving in JupyterLab changes nothing.
            text = open("out.ipynb", encoding="utf-8").read()
            assert text == nbformat.writes(nbformat.reads(text, as_version=nbformat.NO_CONVERT)) + "\\n", text[:300]
            print("OK")
            """, in: directory.url)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("OK"), check.output)
    }

    func testConvertRoundTripsBetweenRnxAndIpynb() throws {
        let directory = try TemporaryDirectory()
        let source = """
            # %% [markdown]
            # # Title
            #
            # Text with `code`.

            # %% training
            x = 1
            print(x)

            # %%
            s = \"\"\"
            # %% inside a string
            \"\"\"

            # %% [raw]
            raw text

            """
        try directory.write(source, to: "exp.rnx")
        let toIpynb = try RnxProcess.run(["convert", "exp.rnx", "nb.ipynb"], in: directory.url)
        XCTAssertEqual(toIpynb.status, 0, toIpynb.errors)
        let back = try RnxProcess.run(["convert", "nb.ipynb", "back.rnx"], in: directory.url)
        XCTAssertEqual(back.status, 0, back.errors)
        XCTAssertEqual(try String(contentsOf: directory.url.appendingPathComponent("back.rnx"), encoding: .utf8), source)

        // A notebook written by Jupyter itself (nbformat) converts to percent format with markdown commented.
        let written = try TestPython.run(
            """
            import nbformat
            nb = nbformat.read("nb.ipynb", as_version=4)
            nbformat.validate(nb)
            assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "raw"], nb.cells
            assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
            v4 = nbformat.v4
            new = v4.new_notebook(cells=[v4.new_markdown_cell("## Part 2\\n\\nMore."), v4.new_code_cell("y = 2\\ny")])
            new.cells[1].outputs = [v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
            nbformat.write(new, "jupyter.ipynb")
            print("OK")
            """, in: directory.url)
        XCTAssertEqual(written.status, 0, written.output)
        let fromJupyter = try RnxProcess.run(["convert", "jupyter.ipynb", "part2.rnx"], in: directory.url)
        XCTAssertEqual(fromJupyter.status, 0, fromJupyter.errors)
        XCTAssertEqual(
            try String(contentsOf: directory.url.appendingPathComponent("part2.rnx"), encoding: .utf8),
            "# %% [markdown]\n# ## Part 2\n#\n# More.\n\n# %%\ny = 2\ny\n")
    }

    func testBadNotebooksAndTargetsGiveOneClearError() throws {
        let directory = try TemporaryDirectory()
        try directory.write("{\"cells\": [", to: "broken.ipynb")
        try directory.write("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": 7}]}", to: "badcell.ipynb")
        try directory.write("[1, 2]", to: "list.ipynb")
        try directory.write(String(repeating: "[", count: 100_000), to: "deep.ipynb")
        try directory.write("print(1)\n", to: "exp.rnx")
        let cases: [([String], String)] = [
            (["convert", "broken.ipynb", "out.rnx"], "broken.ipynb: not a Jupyter notebook: the JSON is malformed"),
            (["convert", "badcell.ipynb", "out.rnx"], "badcell.ipynb: cell 1: expected the source as a string or a list of strings, found a number"),
            (["convert", "list.ipynb", "out.rnx"], "list.ipynb: not a Jupyter notebook: expected a JSON object, found a list"),
            (["convert", "deep.ipynb", "out.rnx"], "deep.ipynb: not a Jupyter notebook: the JSON is malformed"),
            (["convert", "missing.ipynb", "out.rnx"], "cannot open missing.ipynb: no such file"),
            (["convert", "exp.rnx", "out.txt"], "out.txt: expected a file ending in .rnx, .ipynb or .html"),
            (["run", "exp.rnx", "--to", "out.rnx"], "--to out.rnx: expected a file ending in .ipynb or .html"),
        ]
        for (arguments, message) in cases {
            let result = try RnxProcess.run(arguments, in: directory.url)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result.errors)")
            XCTAssertTrue(result.errors.contains(message), "\(arguments): \(result.errors)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("out.rnx").path))
        }
    }

    func testHTMLPageShowsChartsInAHeadlessBrowserAndRunsNoScript() throws {
        let directory = try TemporaryDirectory()
        try directory.write(script.components(separatedBy: "# %%\nx = 1 / 0")[0], to: "exp.rnx")
        let result = try RnxProcess.run(["run", "exp.rnx", "--to", "out.html"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        let page = directory.url.appendingPathComponent("out.html")
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        browser.arguments = [
            "--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(directory.url.appendingPathComponent("profile").path)",
            "--dump-dom", page.absoluteString,
        ]
        let output = Pipe()
        browser.standardOutput = output
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        let dom = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        browser.waitUntilExit()
        XCTAssertEqual(browser.terminationStatus, 0)
        XCTAssertTrue(dom.contains("<svg"), dom)
        XCTAssertTrue(dom.contains("<h1>Results</h1>"), dom)
        XCTAssertTrue(dom.contains("<em>small</em>") && dom.contains("<code>code</code>"), dom)
        XCTAssertTrue(dom.contains("<a href=\"https://example.org\">link</a>"), dom)
        XCTAssertFalse(dom.contains("href=\"javascript"), dom)
        XCTAssertTrue(dom.contains("<li>first</li>"), dom)
        XCTAssertTrue(dom.contains("<span class=\"kw\">"), dom)
        // The printed markup is text, and no script ran (it would have renamed the page).
        XCTAssertTrue(dom.contains("hello &lt;script&gt;document.title='pwned'&lt;/script&gt;"), dom)
        XCTAssertTrue(dom.contains("<title>exp.rnx</title>"), dom)
        XCTAssertFalse(dom.contains("<script"), dom)
    }
}
