import Foundation
import XCTest

/// Ctrl-C in the middle of long work — reading batches from a data loader, collecting a huge range inside a
/// builtin, drawing charts — returns to a working prompt with the session's state intact, and further Ctrl-Cs
/// at the empty prompt never end the session. Driven through a real terminal, as a user would.
final class InterruptTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    private func startRepl() throws -> PseudoTerminal {
        let terminal = try PseudoTerminal([], in: directory.url)
        try terminal.expect("rnx> ")
        return terminal
    }

    /// Two Ctrl-Cs at the empty prompt, then a statement: the session is still there and answers.
    private func assertPromptSurvivesCtrlC(_ terminal: PseudoTerminal, file: StaticString = #filePath, line: UInt = #line) throws {
        terminal.type("\u{3}")
        try terminal.expect("rnx> ", file: file, line: line)
        terminal.type("\u{3}")
        try terminal.expect("rnx> ", file: file, line: line)
        terminal.type("40 + 2\r")
        try terminal.expect("42", file: file, line: line)
        try terminal.expect("rnx> ", file: file, line: line)
    }

    func testCtrlCWhileIteratingADataLoaderKeepsTheDataUsable() throws {
        let terminal = try startRepl()
        terminal.type("data = mnist5k(batch_size=16, valid=0.1, transforms=[random_crop(28, padding=2)])\r")
        try terminal.expect("rnx> ")
        terminal.type("batches = 0\r")
        try terminal.expect("rnx> ")
        // Endless passes over the shuffled, augmented, prefetching loader; 'loading' (not the echoed 'load' + 'ing')
        // shows that batches are flowing.
        terminal.type(
            "while True:\r    for xb, yb in data.train:\r        batches += 1\r        if batches == 3:\r            print('load' + 'ing')\r\r")
        try terminal.expect("loading")
        terminal.type("\u{3}")
        try terminal.expect("KeyboardInterrupt")
        try terminal.expect("rnx> ")
        // The loop's progress is kept, and the interrupted loader (its prefetching stopped midway) serves whole passes again.
        terminal.type("batches >= 3, len([1 for xb, yb in data.valid]), data.train.one_batch()[0].shape\r")
        try terminal.expect("(True, 25, (16, 1, 28, 28))")
        try terminal.expect("rnx> ")
        try assertPromptSurvivesCtrlC(terminal)
    }

    func testCtrlCInsideBuiltinsConsumingHugeRanges() throws {
        let terminal = try startRepl()
        terminal.type("kept = [1, 2, 3]\r")
        try terminal.expect("rnx> ")
        // Each of these would run for centuries; each must stop on Ctrl-C with the state untouched.
        for (index, source) in [
            "sum(range(10**18))", "all(range(1, 10**18))", "max(range(10**18))",
            "list(enumerate(range(10**17)))", "dict(zip(range(10**18), range(10**18)))",
        ].enumerated() {
            terminal.type("print('work' + 'ing \(index)'); \(source)\r")
            try terminal.expect("working \(index)")
            usleep(200_000)
            terminal.type("\u{3}")
            try terminal.expect("KeyboardInterrupt")
            try terminal.expect("rnx> ")
        }
        terminal.type("kept\r")
        try terminal.expect("[1, 2, 3]")
        try terminal.expect("rnx> ")
        try assertPromptSurvivesCtrlC(terminal)
    }

    func testCtrlCWhileLoadingAnImageFolderReturnsToThePrompt() throws {
        let terminal = try startRepl()
        // A chart saved by gnuplot is a real PNG: copies of it in two class folders make folders of images.
        terminal.type("savefig('chart.png', plot([1, 3, 2]), width=160, height=120)\r")
        try terminal.expect("rnx> ")
        let chart = directory.url.appendingPathComponent("chart.png").path
        for (folder, copies) in [("pictures", 150), ("many", 2500)] {
            for name in ["ants", "bees"] {
                let path = directory.url.appendingPathComponent("\(folder)/\(name)").path
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                for index in 0..<copies { try FileManager.default.copyItem(atPath: chart, toPath: "\(path)/\(index).png") }
            }
        }
        terminal.type("data = image_folder('pictures', size=16)\r")
        try terminal.expect("rnx> ")
        // Reading 5,000 files takes about a second; Ctrl-C lands while they are being read.
        terminal.type("print('load' + 'ing'); big = image_folder('many', size=16)\r")
        try terminal.expect("loading")
        usleep(100_000)
        terminal.type("\u{3}")
        try terminal.expect("KeyboardInterrupt: interrupted while loading many: ")
        try terminal.expect("rnx> ")
        // The earlier data set is intact; the interrupted load left nothing behind.
        terminal.type("len(data), data.classes\r")
        try terminal.expect("(300, ['ants', 'bees'])")
        terminal.type("big\r")
        try terminal.expect("NameError")
        try terminal.expect("rnx> ")
        try assertPromptSurvivesCtrlC(terminal)
    }

    func testCtrlCWhileDrawingChartsLeavesChartsWorking() throws {
        let terminal = try startRepl()
        terminal.type("ys = [v * v % 97 for v in range(5000)]\r")
        try terminal.expect("rnx> ")
        terminal.type("drawn = 0\r")
        try terminal.expect("rnx> ")
        // Chart after chart, each of 5,000 points rendered by gnuplot in the terminal.
        terminal.type("while True:\r    show(plot(ys, title='chart ' + str(drawn)))\r    drawn += 1\r\r")
        try terminal.expect("chart 1")
        terminal.type("\u{3}")
        try terminal.expect("KeyboardInterrupt")
        try terminal.expect("rnx> ")
        // The gnuplot session behind the charts is in step: the next chart is drawn whole, with its own title.
        terminal.type("plot([3, 1, 2], title='after' + 'wards')\r")
        try terminal.expect("afterwards")
        try terminal.expect("rnx> ")
        terminal.type("drawn >= 1\r")
        try terminal.expect("True")
        try terminal.expect("rnx> ")
        try assertPromptSurvivesCtrlC(terminal)
    }
}
