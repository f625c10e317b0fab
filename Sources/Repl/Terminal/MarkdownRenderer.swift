import DSL
import Foundation

/// Renders the markdown of a notebook's markdown cell for the terminal (`rnx walk`).
///
/// With styling on: headings bold and underlined, `*emphasis*` in italics, `**strong**` in bold, `code` in colour,
/// fenced code syntax-coloured, bullets as `•`. With styling off the text stays readable as plain text:
/// headings are underlined with `=`/`-`, emphasis markers are dropped and inline code keeps its backticks.
struct MarkdownRenderer {
    /// Whether escape codes are written.
    let style: TextStyle

    /// The rendered text of `markdown`, line for line (no reflowing), without a trailing newline. Control
    /// characters in the markdown are shown escaped: only the renderer's own styling reaches the terminal.
    func render(_ markdown: String) -> String {
        var output: [String] = []
        var inFence = false
        let highlighter = SyntaxHighlighter(style: style)
        for line in TerminalText.escaped(markdown).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inFence.toggle()
                if !style.enabled { output.append(line) }
                continue
            }
            if inFence {
                output.append("    " + highlighter.highlight(line))
            } else if let (level, text) = heading(trimmed) {
                output.append(contentsOf: renderHeading(level: level, text: text))
            } else if let item = bulletItem(line) {
                output.append(item.indent + (style.enabled ? "• " : "- ") + renderInline(item.text))
            } else if trimmed.hasPrefix(">") {
                let quoted = String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces)
                output.append((style.enabled ? style.apply(.dim, "│ ") : "> ") + renderInline(quoted))
            } else {
                output.append(renderInline(line))
            }
        }
        return output.joined(separator: "\n")
    }

    /// `# Title` → (1, "Title"); nil when the line is not an ATX heading.
    private func heading(_ line: String) -> (Int, String)? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " else { return nil }
        return (hashes, rest.trimmingCharacters(in: .whitespaces))
    }

    private func renderHeading(level: Int, text: String) -> [String] {
        if style.enabled { return [style.apply(.boldUnderline, plainInline(text))] }
        let plain = plainInline(text)
        switch level {
        case 1: return [plain, String(repeating: "=", count: plain.count)]
        case 2: return [plain, String(repeating: "-", count: plain.count)]
        default: return [plain]
        }
    }

    /// `  - item` → ("  ", "item") for `-`, `*` and `+` bullets.
    private func bulletItem(_ line: String) -> (indent: String, text: String)? {
        let indent = String(line.prefix(while: { $0 == " " }))
        let rest = line.dropFirst(indent.count)
        guard rest.count >= 2, let marker = rest.first, "-*+".contains(marker),
            rest.dropFirst().first == " "
        else { return nil }
        return (indent, String(rest.dropFirst(2)))
    }

    /// Inline spans of a line styled (or reduced to plain text when styling is off).
    func renderInline(_ text: String) -> String {
        InlineSpan.parse(text).map { span -> String in
            switch span {
            case .text(let value): return value
            case .code(let value): return style.enabled ? style.apply(.cyan, value) : "`\(value)`"
            case .strong(let value): return style.apply(.bold, value)
            case .emphasis(let value): return style.apply(.italic, value)
            }
        }.joined()
    }

    /// Inline text without any markup (headings carry their own style, nested styles would cancel it).
    private func plainInline(_ text: String) -> String {
        InlineSpan.parse(text).map { span -> String in
            switch span {
            case .text(let value), .strong(let value), .emphasis(let value): return value
            case .code(let value): return style.enabled ? value : "`\(value)`"
            }
        }.joined()
    }
}
