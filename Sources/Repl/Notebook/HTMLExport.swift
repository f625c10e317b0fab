import Foundation

/// An executed notebook as one self-contained HTML page (`rnx run exp.rnx --to out.html`): markdown rendered, code
/// highlighted with the REPL's tokenizer, outputs below each cell, SVG charts inline, errors styled.
///
/// Everything from the notebook is escaped, and the page's Content-Security-Policy allows no script at all, so a
/// cell printing `<script>` shows it as text and nothing in the page runs.
enum HTMLExport {
    /// The page for `notebook`, titled `title`.
    static func page(_ notebook: JupyterNotebook, title: String) -> String {
        var body = ""
        for cell in notebook.cells {
            switch cell.kind {
            case .markdown:
                body += "<section class=\"markdown\">\n" + MarkdownHTML.render(cell.source) + "</section>\n"
            case .raw:
                body += "<pre class=\"raw\">" + escaped(cell.source) + "</pre>\n"
            case .code:
                let prompt = cell.executionCount.map { "[\($0)]" } ?? "[ ]"
                body += "<section class=\"code\">\n<div class=\"input\"><span class=\"prompt\">In \(prompt):</span>"
                body += "<pre class=\"source\">" + highlighted(cell.source) + "</pre></div>\n"
                for output in cell.outputs { body += html(of: output) }
                body += "</section>\n"
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escaped(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            <main>
            \(body)</main>
            </body>
            </html>

            """
    }

    private static let style = """
        body { font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2328; background: #fff; margin: 0; }
        main { max-width: 960px; margin: 2rem auto; padding: 0 1rem; }
        pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.875rem; white-space: pre-wrap; margin: 0; }
        section { margin: 1rem 0; }
        .input { display: flex; gap: 0.5rem; }
        .prompt { color: #6e7781; font-family: monospace; font-size: 0.8rem; min-width: 4rem; padding-top: 0.5rem; }
        .source { flex: 1; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.5rem; }
        .output { margin: 0.25rem 0 0 4.5rem; }
        .output pre { padding: 0.25rem 0.5rem; }
        .error pre { background: #ffebe9; border-left: 4px solid #cf222e; color: #82071e; }
        .chart svg, .chart img { max-width: 100%; height: auto; }
        .kw { color: #8250df; font-weight: 600; } .str { color: #0a3069; } .num { color: #0550ae; } .com { color: #6e7781; font-style: italic; }
        .markdown code, .source code { background: #eff1f3; padding: 0 0.2em; border-radius: 4px; }
        """

    private static func html(of output: JupyterNotebook.Output) -> String {
        switch output {
        case .stream(let name, let text):
            return "<div class=\"output stream \(name == "stderr" ? "stderr" : "stdout")\"><pre>" + escaped(text) + "</pre></div>\n"
        case .executeResult(_, let text):
            return "<div class=\"output result\"><pre>" + escaped(text) + "</pre></div>\n"
        case .chart(let png, let svg, let text):
            if let inline = inlineSVG(svg) {
                return "<div class=\"output chart\" role=\"img\" aria-label=\"\(escaped(text))\">" + inline + "</div>\n"
            }
            return "<div class=\"output chart\"><img alt=\"\(escaped(text))\" src=\"data:image/png;base64,"
                + Data(png).base64EncodedString() + "\"></div>\n"
        case .error(_, _, let traceback):
            return "<div class=\"output error\"><pre>" + escaped(traceback.joined(separator: "\n")) + "</pre></div>\n"
        }
    }

    /// gnuplot's SVG document as an inline `<svg>` element: its XML prolog and doctype dropped. Nil (the PNG is shown
    /// instead) when it is not a plain `<svg>` document or holds anything active, which gnuplot's SVG never does.
    private static func inlineSVG(_ svg: String) -> String? {
        guard let start = svg.range(of: "<svg") else { return nil }
        let element = String(svg[start.lowerBound...])
        let lowered = element.lowercased()
        let active = ["<script", "javascript:", "<foreignobject", "<iframe"]
        guard !active.contains(where: lowered.contains), lowered.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil
        else { return nil }
        return element
    }

    /// DSL source coloured with the REPL's tokenizer: keywords, strings, numbers and comments in spans with CSS classes.
    static func highlighted(_ source: String) -> String {
        SourceToken.tokenize(source).map { token -> String in
            let text = escaped(token.text)
            switch token.kind {
            case .word: return SyntaxHighlighter.keywords.contains(token.text) ? "<span class=\"kw\">\(text)</span>" : text
            case .number: return "<span class=\"num\">\(text)</span>"
            case .string: return "<span class=\"str\">\(text)</span>"
            case .comment: return "<span class=\"com\">\(text)</span>"
            case .whitespace, .symbol: return text
            }
        }.joined()
    }

    /// `text` safe inside HTML elements and quoted attributes.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// The markdown of notebook cells as HTML: ATX headings, paragraphs, `-`/`*`/`+` and numbered lists, block quotes,
/// fenced code (highlighted), and the inline spans the terminal renderer knows (`InlineSpan`) plus `[links](url)`.
enum MarkdownHTML {
    /// The HTML of `markdown`, every piece of text escaped.
    static func render(_ markdown: String) -> String {
        var html = ""
        var paragraph: [String] = []
        var list: (ordered: Bool, items: [String])?
        var fence: [String]?

        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            html += "<p>" + paragraph.map(inline).joined(separator: "\n") + "</p>\n"
            paragraph = []
        }
        func flushList() {
            guard let current = list else { return }
            let tag = current.ordered ? "ol" : "ul"
            html += "<\(tag)>\n" + current.items.map { "<li>" + inline($0) + "</li>\n" }.joined() + "</\(tag)>\n"
            list = nil
        }

        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var lines = fence {
                if trimmed.hasPrefix("```") {
                    html += "<pre class=\"source\">" + HTMLExport.highlighted(lines.joined(separator: "\n")) + "</pre>\n"
                    fence = nil
                } else {
                    lines.append(line)
                    fence = lines
                }
                continue
            }
            if trimmed.hasPrefix("```") {
                flushParagraph()
                flushList()
                fence = []
            } else if trimmed.isEmpty {
                flushParagraph()
                flushList()
            } else if let (level, text) = heading(trimmed) {
                flushParagraph()
                flushList()
                html += "<h\(level)>" + inline(text) + "</h\(level)>\n"
            } else if let item = listItem(trimmed) {
                flushParagraph()
                if let current = list, current.ordered != item.ordered { flushList() }
                list = (item.ordered, (list?.items ?? []) + [item.text])
            } else if trimmed.hasPrefix(">") {
                flushParagraph()
                flushList()
                html += "<blockquote>" + inline(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces)) + "</blockquote>\n"
            } else if var current = list, line.hasPrefix(" ") {
                // An indented line continues the list item above it.
                current.items[current.items.count - 1] += " " + trimmed
                list = current
            } else {
                flushList()
                paragraph.append(trimmed)
            }
        }
        if let lines = fence { html += "<pre class=\"source\">" + HTMLExport.highlighted(lines.joined(separator: "\n")) + "</pre>\n" }
        flushParagraph()
        flushList()
        return html
    }

    /// `## Title` → (2, "Title"); nil when the line is not an ATX heading.
    private static func heading(_ line: String) -> (Int, String)? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " else { return nil }
        return (
            hashes,
            rest.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "#")).trimmingCharacters(in: .whitespaces)
        )
    }

    /// `- item`, `* item`, `+ item` or `1. item` / `1) item`.
    private static func listItem(_ line: String) -> (ordered: Bool, text: String)? {
        if let marker = line.first, "-*+".contains(marker), line.dropFirst().first == " " {
            return (false, String(line.dropFirst(2)))
        }
        let digits = line.prefix(while: \.isNumber)
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        let rest = line.dropFirst(digits.count)
        guard let dot = rest.first, dot == "." || dot == ")", rest.dropFirst().first == " " else { return nil }
        return (true, String(rest.dropFirst(2)))
    }

    /// Inline markup of one line or item.
    static func inline(_ text: String) -> String {
        InlineSpan.parse(text).map { span -> String in
            switch span {
            case .text(let value): return links(value)
            case .code(let value): return "<code>" + HTMLExport.escaped(value) + "</code>"
            case .strong(let value): return "<strong>" + links(value) + "</strong>"
            case .emphasis(let value): return "<em>" + links(value) + "</em>"
            }
        }.joined()
    }

    /// Escaped text with `[label](url)` turned into links; only web, mail and relative addresses become links.
    private static func links(_ text: String) -> String {
        var html = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "["),
            let close = rest[open...].range(of: "]("),
            let end = rest[close.upperBound...].firstIndex(of: ")")
        {
            let label = rest[rest.index(after: open)..<close.lowerBound]
            let target = rest[close.upperBound..<end].trimmingCharacters(in: .whitespaces)
            html += HTMLExport.escaped(String(rest[..<open]))
            if isSafeLink(target) {
                html += "<a href=\"\(HTMLExport.escaped(target))\">" + HTMLExport.escaped(String(label)) + "</a>"
            } else {
                html += HTMLExport.escaped(String(rest[open...end]))
            }
            rest = rest[rest.index(after: end)...]
        }
        return html + HTMLExport.escaped(String(rest))
    }

    private static func isSafeLink(_ target: String) -> Bool {
        let lowered = target.lowercased()
        if ["http://", "https://", "mailto:", "#"].contains(where: lowered.hasPrefix) { return true }
        // A relative address has no scheme before its first '/', '?' or '#'.
        let head = lowered.prefix(while: { !"/?#".contains($0) })
        return !target.isEmpty && !head.contains(":")
    }
}
