import DSL
import Foundation
import XCTest

/// The README's tour is what rnx prints when the tour is typed as written (issue #20): its numbers never go stale.
/// The test types each `rnx> ` line of the README's block into the real `rnx` in a terminal and compares the session
/// with the block; `RNX_WRITE_DOCS=1` writes the session into the README instead. Charts appear as one line,
/// `(chart: loss and accuracy)`: the block shows the text a reader can follow. Only wall times (the epoch table's time column, the `(10.2 s)` lines of
/// slow entries) may differ from run to run.
final class ReadmeTourTests: XCTestCase {
    private static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md").path
    private static let document = GeneratedDocument(
        path: readme, between: "<!-- The tour below is what rnx prints: ReadmeTourTests checks it, RNX_WRITE_DOCS=1 rewrites it. -->",
        and: "<!-- end of the tour -->")
    private static let prompt = "rnx> "

    func testTheReadmeTourIsWhatRnxPrints() throws {
        let committed = try Self.document.committed()
        let inputs = committed.split(separator: "\n").filter { $0.hasPrefix(Self.prompt) }.map { String($0.dropFirst(Self.prompt.count)) }
        XCTAssertGreaterThanOrEqual(inputs.count, 5, "the tour's input lines:\n\(committed)")

        // Training amplifies the last bit of a sum into other losses and counts, and oneDNN's kernels (so the order of
        // their sums) differ between AVX2 and AVX-512 CPUs: the tour runs on AVX2 kernels and two threads, which every
        // machine rnx supports has, so the README's numbers are the same on all of them.
        let terminal = try TmuxTerminal(columns: 100, rows: 30, environment: ["ONEDNN_MAX_CPU_ISA": "AVX2", "RNX_THREADS": "2"])
        for (index, input) in inputs.enumerated() {
            terminal.type(input)
            try terminal.waitForPrompt(number: index + 2)
        }
        let produced = Self.block(of: terminal.transcript())
        let written = try Self.document.committed(updatingTo: produced)
        XCTAssertEqual(
            Self.withoutWallTimes(written), Self.withoutWallTimes(produced),
            "README.md's tour differs from what rnx printed; rewrite it with RNX_WRITE_DOCS=1 (and check the diff)")
    }

    /// The README block of a session transcript: `$ rnx`, then everything from the first prompt on, each chart
    /// replaced by one line, without the last (empty) prompt.
    static func block(of transcript: String) -> String {
        var lines = transcript.components(separatedBy: "\n").map { $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression) }
        lines = Array(lines.drop { !$0.hasPrefix(prompt) })
        while let last = lines.last, last.isEmpty || last == prompt.trimmingCharacters(in: .whitespaces) { lines.removeLast() }
        return (["```", "$ rnx"] + withoutCharts(lines) + ["```"]).joined(separator: "\n")
    }

    /// `lines` with each chart drawn as text replaced by one line naming its plots, `(chart: loss and accuracy)`. A
    /// chart has a border (`+-----…+`) around each plot, the plot's title just above it; its legend above and its
    /// tick labels and x label below are indented, while the text around it (the prompt, table rows, notices)
    /// starts in the first column.
    static func withoutCharts(_ lines: [String]) -> [String] {
        let isBorder = { (line: String) in line.range(of: #"\+-{10,}\+$"#, options: .regularExpression) != nil }
        let isChartText = { (line: String) in line.isEmpty || line.hasPrefix(" ") }
        var result: [String] = []
        var index = 0
        while index < lines.count {
            guard isBorder(lines[index]) else {
                result.append(lines[index])
                index += 1
                continue
            }
            while let last = result.last, isChartText(last) { result.removeLast() }
            // Every plot of the chart (stacked panels), then the tick labels and the x label below the last one.
            var end = index
            while end + 1 < lines.count, isBorder(lines[end + 1]) || isChartText(lines[end + 1]) || lines[end + 1].contains("|") { end += 1 }
            // Borders come in pairs, top and bottom: each top one has its plot's title above it.
            let tops = (index...end).filter { isBorder(lines[$0]) }.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            let titles = tops.filter { $0 > 0 }.map { lines[$0 - 1].trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !isBorder($0) }
            result.append(titles.isEmpty ? "(chart)" : "(chart: \(titles.joined(separator: " and ")))")
            index = end + 1
        }
        return result
    }

    /// `block` without what depends on the machine's speed: the `(12.3 s)` lines of slow entries (shown only when an
    /// entry takes a second or more) and the epoch table's time column.
    static func withoutWallTimes(_ block: String) -> String {
        block.components(separatedBy: "\n")
            .filter { $0.range(of: #"^\([0-9][0-9.]* (ms|s|min [0-9]+ s|h [0-9]+ min)\)$"#, options: .regularExpression) == nil }
            .map { $0.replacingOccurrences(of: #"^([0-9]+  .*  )[0-9]{2}:[0-9]{2}$"#, with: "$1mm:ss", options: .regularExpression) }
            .joined(separator: "\n")
    }

    func testChartsBecomeOneLineAndTheTextAroundThemStays() {
        let session = [
            "rnx> r = lr_find(m, data, live=True)",
            "                     valley 1.6e-02    B",
            "",
            "              learning rate finder",
            "  2.5 +----------------------------+",
            "      |   +++  B                   |",
            "loss  |         ++++               |",
            "  2.2 +----------------------------+",
            "    1e-07       0.001            10",
            "              learning rate",
            "method  lr",
            "rnx> h = fit(m, data, 1)",
            "epoch  train_loss  time",
            "1      0.594517    00:07",
            "                   loss",
            "  2 +------------------+",
            "    |  +++             |",
            "  0 +------------------+",
            "    0    20     40",
            "",
            "",
            "                 accuracy",
            "  1 +------------------+",
            "    |  ---             |",
            "  0 +------------------+",
            "    0    20     40",
            "(11.89 s)",
        ]
        XCTAssertEqual(
            Self.withoutCharts(session),
            [
                "rnx> r = lr_find(m, data, live=True)", "(chart: learning rate finder)", "method  lr", "rnx> h = fit(m, data, 1)",
                "epoch  train_loss  time", "1      0.594517    00:07", "(chart: loss and accuracy)", "(11.89 s)",
            ])
        XCTAssertEqual(
            Self.withoutWallTimes("1      0.594517    00:07\n(11.89 s)\n(2 min 05 s)\n(340 ms)\nrnx> r.valley"),
            "1      0.594517    mm:ss\nrnx> r.valley")
    }
}
