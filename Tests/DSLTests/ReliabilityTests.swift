import Kernel
import XCTest
@testable import DSL

/// Results that used to be silently wrong (range arithmetic, padded strings, `%c`, `round`), containers too large
/// to build, loops deaf to Ctrl-C and control characters reaching the terminal.
final class ReliabilityTests: XCTestCase {
    private var savedMemoryLimit = 0

    override func setUp() {
        savedMemoryLimit = MemoryLimit.bytes
    }

    override func tearDown() {
        MemoryLimit.bytes = savedMemoryLimit
    }

    private let minimum = "(-9223372036854775807 - 1)"
    private let maximum = "9223372036854775807"

    // MARK: - range

    func testRangesSpanningAllIntsIndexAndContainExactly() throws {
        let session = Session()
        try session.run("r = range(\(minimum), \(maximum))")
        XCTAssertEqual(try session.run("r[-1]"), .int(Int.max - 1), "Python: 9223372036854775806")
        XCTAssertEqual(try session.run("r[0], r[-2], r[2**62]"), .tuple([.int(Int.min), .int(Int.max - 2), .int(Int.min + (1 << 62))]))
        XCTAssertEqual(try session.run("9223372036854775806 in r, \(maximum) in r, \(minimum) in r"), .tuple([true, false, true]))
        XCTAssertEqual(try session.run("0 in range(\(minimum), \(maximum), 3), 1 in range(\(minimum), \(maximum), 3)"), .tuple([false, true]))
        XCTAssertEqual(session.error("len(r)")?.kind, .overflow, "2**64 - 1 elements: more than len() can return, as in Python")
        XCTAssertEqual(try session.run("r[\(minimum)]"), .int(-1), "Python: r[-2**63] is r[2**63 - 1]")
        XCTAssertEqual(session.error("range(3)[\(minimum)]")?.kind, .index)
        XCTAssertEqual(session.error("r[-1] - r[0]")?.kind, .overflow, "the elements are ints: their difference overflows")
    }

    func testSlicingARangeGivesARangeAtOnce() throws {
        let session = Session()
        XCTAssertEqual(try session.run("range(10**9)[10:]"), .range(RangeValue(start: 10, stop: 1_000_000_000, step: 1)))
        XCTAssertEqual(try session.run("repr(range(10**18)[::2])"), "range(0, 1000000000000000000, 2)")
        XCTAssertEqual(try session.run("len(range(10**18)[::2])"), .int(500_000_000_000_000_000))
        XCTAssertEqual(
            try session.run("repr(range(\(minimum), 0)[::-1])"), "range(-1, -9223372036854775809, -1)",
            "the stop lies one step past the ints, as in Python")
        XCTAssertEqual(
            try session.run("list(range(\(minimum), \(minimum) + 3)[::-1])"), .list([.int(Int.min + 2), .int(Int.min + 1), .int(Int.min)]))
        XCTAssertEqual(try session.run("range(\(minimum), \(maximum))[::2**62][-1]"), .int(1 << 62))
        // Every slice of a few small ranges selects what slicing the list of the range selects.
        let mismatches = try session.run(
            """
            bad = []
            for r in [range(10), range(3, 20, 4), range(10, -7, -3), range(5, 5), range(0, 1)]:
                for a in [None, -12, -3, -1, 0, 1, 2, 7, 15]:
                    for b in [None, -12, -2, 0, 3, 8, 20]:
                        for c in [None, -5, -2, -1, 1, 2, 3]:
                            if list(r[a:b:c]) != list(r)[a:b:c]:
                                bad.append((r, a, b, c))
            bad
            """)
        XCTAssertEqual(mismatches, .list([]))
        XCTAssertEqual(try session.run("range(0, 10, 3)[::2] == range(0, 12, 6), range(10)[2:8:2] == range(2, 8, 2)"), .tuple([true, true]))
    }

    // MARK: - padded strings

    func testPaddingBeyondTheMemoryLimitIsAMemoryErrorNeverAShorterString() throws {
        MemoryLimit.bytes = 1 << 20
        let session = Session()
        for source in [
            "'a'.ljust(10**12)", "'a'.rjust(10**12)", "'a'.center(10**12)", "'a'.zfill(10**12)", "'a'.ljust(2**62, '*')",
            "'a' * 10**12", "f'{1:{10**12}}'", "format('a', '>1000000000000')", "'{:^1000000000000}'.format(1)",
            "f'{1:099999999}'", "f'{1.5:=+20000000}'", "'a'.ljust(\(maximum))", "f'{1:\(maximum)}'",
        ] {
            XCTAssertEqual(session.error(source)?.kind, .memory, source)
        }
        XCTAssertEqual(session.error("f'{1:99999999999999999999}'")?.kind, .value, "a width with more digits than an int")
        // Widths past the old cap of 10000 now give the right length, as in Python.
        XCTAssertEqual(
            try session.run("len('a'.ljust(20000)), len('a'.center(20001, '*')), len(f'{1:>30000}'), len('-5'.zfill(25000))"),
            .tuple([20000, 20001, 30000, 25000]))
        XCTAssertEqual(try session.run("'-5'.zfill(5), 'ab'.center(6, '·'), 'x'.rjust(-5)"), .tuple(["-0005", "··ab··", "x"]))
    }

    func testCharacterFormatOutsideUnicodeIsAValueError() throws {
        let session = Session()
        for source in ["f'{-1:c}'", "f'{1114112:c}'", "format(2**40, 'c')", "'{:c}'.format(\(minimum))"] {
            let error = session.error(source)
            XCTAssertEqual(error?.kind, .value, source)
            XCTAssertEqual(error?.message, "%c arg not in range(0x110000)", source)
        }
        XCTAssertEqual(try session.run("f'{65:c}', f'{1114111:c}' == chr(1114111), f'{0x1F600:>3c}'"), .tuple(["A", true, "  😀"]))
    }

    // MARK: - round

    func testRoundWithExtremeDigitsMatchesPython() throws {
        let session = Session()
        XCTAssertEqual(try session.run("round(1e308, -400)"), .float(0))
        XCTAssertEqual(
            try session.run("str(round(-1e308, -400)), round(1e308, -308), round(4e307, -308)"), .tuple(["-0.0", .float(1e308), .float(0)]))
        XCTAssertEqual(
            try session.run("round(1.5, 400), round(5e-324, 400), round(0.1, 324), round(2.675, 2)"),
            .tuple([.float(1.5), .float(.leastNonzeroMagnitude), .float(0.1), .float(2.67)]))
        XCTAssertEqual(session.error("round(1.7e308, -308)")?.kind, .overflow)
        // Ints round exactly, halves to even.
        XCTAssertEqual(
            try session.run("round(2**62 + 1, -1), round(15, -1), round(25, -1), round(-15, -1), round(-25, -1), round(\(maximum), -18)"),
            .tuple([4_611_686_018_427_387_900, 20, 20, -20, -20, 9_000_000_000_000_000_000]))
        XCTAssertEqual(
            try session.run("round(4 * 10**18, -19), round(-5 * 10**18, -19), round(\(maximum), -20), round(\(minimum), -400)"),
            .tuple([0, 0, 0, 0]))
        XCTAssertEqual(session.error("round(9 * 10**18, -19)")?.kind, .overflow, "Python gives 10**19, past the ints")
        XCTAssertEqual(session.error("round(\(minimum), -1)")?.kind, .overflow)
    }

    // MARK: - huge containers

    func testTolistOfHugeTensorsIsAMemoryErrorBeforeBuildingIt() throws {
        MemoryLimit.bytes = 1 << 20
        let session = Session()
        XCTAssertEqual(session.error("zeros(200000).tolist()")?.kind, .memory)
        XCTAssertEqual(session.error("zeros(10**12, 0).tolist()")?.kind, .memory, "no values, but 10**12 empty lists")
        XCTAssertEqual(
            try session.run("zeros(2, 0).tolist(), ones(2, 1).tolist()"),
            .tuple([.list([.list([]), .list([])]), .list([.list([1.0]), .list([1.0])])]))
    }

    func testPrintingHugeTensorsStaysShort() throws {
        let session = Session()
        XCTAssertEqual(try session.run("repr(zeros(10**12, 0))"), "tensor([], shape=[1000000000000, 0])")
        let abbreviated = try session.output("print(arange(4000000).reshape(2000, 2000))")
        XCTAssertTrue(abbreviated.contains("..."), abbreviated)
        XCTAssertLessThan(abbreviated.count, 2000)
        // Dimensions of two are never abbreviated: 2**21 values would all be shown; one line says so instead.
        let manyShortAxes = try session.output("print(zeros(\(Array(repeating: "2", count: 21).joined(separator: ", "))))")
        XCTAssertTrue(manyShortAxes.hasPrefix("tensor(<2097152 values of shape [2, 2,"), manyShortAxes)
        XCTAssertLessThan(manyShortAxes.count, 300)
    }

    func testChartsOfHugeTensorsAreAMemoryErrorBeforeTheirData() throws {
        MemoryLimit.bytes = 8 << 20
        let session = Session()
        for source in [
            "plot(zeros(300000))", "hist(zeros(300000))", "confusion(zeros(1000, 1000))", "plot(zeros(10**6, 0))",
            "plot(range(10**18))", "plot(range(10), range(10**12))",
        ] {
            let error = session.error(source)
            XCTAssertEqual(error?.kind, .memory, "\(source): \(error?.message ?? "")")
        }
    }

    func testGridSearchOverTooManyCombinationsIsRefusedBeforeAnyTrial() throws {
        MemoryLimit.bytes = 8 << 20
        let session = Session()
        try session.run("calls = []\ndef trial(**kw):\n    calls.append(kw)\n    return 0")
        let billion = session.error("grid_search({'a': range(1000), 'b': range(1000), 'c': range(1000)}, trial)")
        XCTAssertEqual(billion?.kind, .memory)
        XCTAssertTrue(billion?.message.contains("1000000000 combinations (1000 × 1000 × 1000)") == true, billion?.message ?? "")
        let overflowing = (0..<10).map { "'p\($0)': range(100)" }.joined(separator: ", ")
        XCTAssertEqual(session.error("grid_search({\(overflowing)}, trial)")?.kind, .memory, "100**10 overflows an int")
        XCTAssertEqual(try session.run("len(calls)"), .int(0), "no trial ran")
    }

    // MARK: - Ctrl-C in builtins

    func testLoopsOverListsInBuiltinsLookAtTheInterruptFlag() throws {
        let interpreter = Interpreter()
        let items = (0..<10_000).map { Value.int($0) }
        let list = Value.list(items)
        let flag = Interrupt()
        func assertInterrupted(_ what: String, _ body: () throws -> Void) throws {
            flag.request()
            try Interrupt.$current.withValue(flag) {
                XCTAssertThrowsError(try body(), what) { XCTAssertEqual(($0 as? DSLError)?.kind, .keyboardInterrupt, what) }
            }
            flag.clear()
        }
        try assertInterrupted("iterating a list") {
            let iterator = try list.makeIterator()
            while try iterator.next() != nil {}
        }
        try assertInterrupted("iterating a tuple") {
            _ = try Value.tuple(items).elements().count
            let iterator = try Value.tuple(items).makeIterator()
            while try iterator.next() != nil {}
        }
        try assertInterrupted("iterating a string") {
            let iterator = try Value.string(String(repeating: "a", count: 10_000)).makeIterator()
            while try iterator.next() != nil {}
        }
        try assertInterrupted("in") { _ = try Operations.contains(list, .int(-1)) }
        try assertInterrupted("==") { _ = try Operations.equal(list, .list(items)) }
        interpreter.interrupt.request()
        XCTAssertThrowsError(try Sorting.sorted(items.reversed(), key: nil, reverse: false, interpreter: interpreter)) {
            XCTAssertEqual(($0 as? DSLError)?.kind, .keyboardInterrupt)
        }
    }

    // MARK: - terminal escapes

    func testControlCharactersAreEscapedForTheTerminal() {
        XCTAssertEqual(TerminalText.escaped("key \u{1b}[31mred\u{7}\r\u{0}\u{7f}\u{9b}2J"), "key \\x1b[31mred\\x07\\r\\x00\\x7f\\x9b2J")
        XCTAssertEqual(TerminalText.escaped("line 1\n\tline 2 — ünïcode ✓"), "line 1\n\tline 2 — ünïcode ✓", "newlines and tabs structure a message")
        XCTAssertEqual(TerminalText.escaped(TerminalText.escaped("\u{1b}")), "\\x1b", "escaping twice changes nothing more")
        XCTAssertEqual(Value.string("\u{1b}[31m\u{85}\n").repr, "'\\x1b[31m\\x85\\n'", "repr escapes C1 controls too, as Python does")
    }
}
