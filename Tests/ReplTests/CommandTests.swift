import XCTest
@testable import Repl

final class CommandTests: XCTestCase {
    func testCommandsAndArguments() throws {
        XCTAssertEqual(try ReplCommand(parsing: ":help"), .help(nil))
        XCTAssertEqual(try ReplCommand(parsing: ":help Conv2d"), .help("Conv2d"))
        XCTAssertEqual(try ReplCommand(parsing: ":load my lesson.rnx"), .load("my lesson.rnx"))
        XCTAssertEqual(try ReplCommand(parsing: "  :run 2-4 "), .run("2-4"))
        XCTAssertEqual(try ReplCommand(parsing: ":edit 3"), .edit(3))
        XCTAssertEqual(try ReplCommand(parsing: ":time on"), .time(true))
        XCTAssertEqual(try ReplCommand(parsing: ":time"), .time(nil))
        XCTAssertEqual(try ReplCommand(parsing: ":plot sixel auto"), .plot(.sixel(.auto)))
        XCTAssertEqual(try ReplCommand(parsing: ":plot colour off"), .plot(.color(.off)))
        XCTAssertEqual(try ReplCommand(parsing: ":plot live on"), .plot(.live(.on)))
        XCTAssertEqual(try ReplCommand(parsing: ":plot size 100x30"), .plot(.size(width: 100, height: 30)))
        XCTAssertEqual(try ReplCommand(parsing: ":plot"), .plot(nil))
        XCTAssertEqual(try ReplCommand(parsing: ":exit"), .quit)
    }

    func testUniquePrefixesAreEnough() throws {
        XCTAssertEqual(try ReplCommand(parsing: ":q"), .quit)
        XCTAssertEqual(try ReplCommand(parsing: ":v"), .vars)
        XCTAssertEqual(try ReplCommand(parsing: ":ce"), .cells)
        XCTAssertThrowsError(try ReplCommand(parsing: ":r")) { error in
            XCTAssertEqual("\(error)", "':r' is ambiguous: it could be :reset, :run")
        }
    }

    func testMistakesAreExplained() {
        let cases: [(String, String)] = [
            (":", "expected a command after ':'; type :help for the list"),
            (":frobnicate", "unknown command ':frobnicate'; type :help for the list"),
            (":load", ":load needs a file name, e.g. :load lesson.rnx"),
            (":edit two", "expected a cell number after :edit, found 'two'"),
            (":time maybe", "expected on or off after :time, found 'maybe'"),
            (":vars x", ":vars takes no argument, found 'x'"),
            (":plot sixel yes", "expected on, off or auto after ':plot sixel', found 'yes'"),
            (":plot size 100", "expected WIDTHxHEIGHT after ':plot size' (e.g. 100x30), found '100'"),
            (":plot shade red", "unknown plot setting 'shade': :plot sixel|color|live on|off|auto, :plot size WxH, :plot dir PATH"),
        ]
        for (line, message) in cases {
            XCTAssertThrowsError(try ReplCommand(parsing: line), line) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    func testCompletionOfCommandsArgumentsAndCode() throws {
        let completer = CommandCompleter(
            codeCompletions: { line, _ in line.hasSuffix("model.fo") ? ["model.forward", "model.forward_hooks"] : ["learning_rate", "len"] },
            helpTopics: { ["Conv2d", "Linear"] })
        func complete(_ line: String, word: String, insideString: Bool = false) -> [String] {
            completer.complete(CompletionRequest(line: line, cursor: line.count, word: word, insideString: insideString)).candidates
        }
        XCTAssertEqual(complete(":lo", word: ":lo"), [":load"])
        XCTAssertEqual(complete(":help Co", word: "Co"), ["Conv2d"])
        XCTAssertEqual(complete(":plot sixel ", word: ""), ["auto", "off", "on"])
        XCTAssertEqual(complete("lea", word: "lea"), ["learning_rate"])
        XCTAssertEqual(complete("y = model.fo", word: "fo"), ["forward", "forward_hooks"])
    }

    func testPathCompletion() throws {
        let directory = try TemporaryDirectory()
        try "".write(to: directory.url.appendingPathComponent("lesson1.rnx"), atomically: true, encoding: .utf8)
        try "".write(to: directory.url.appendingPathComponent(".hidden"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("data"), withIntermediateDirectories: true)
        try "".write(to: directory.url.appendingPathComponent("data/train.csv"), atomically: true, encoding: .utf8)
        XCTAssertEqual(PathCompleter.candidates(for: "", in: directory.url), ["data", "lesson1.rnx"])
        XCTAssertEqual(PathCompleter.candidates(for: "data/t", in: directory.url), ["data/train.csv"])
        XCTAssertEqual(PathCompleter.candidates(for: ".h", in: directory.url), [".hidden"])
        XCTAssertEqual(PathCompleter.candidates(for: directory.url.path + "/l"), [directory.url.path + "/lesson1.rnx"])
        XCTAssertEqual(PathCompleter.candidates(for: "missing/x", in: directory.url), [])
    }
}
