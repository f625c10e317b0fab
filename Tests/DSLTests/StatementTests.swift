import XCTest
@testable import DSL

final class StatementTests: XCTestCase {
    func testAssignmentForms() throws {
        let session = Session()
        try session.run(
            """
            a = b = 0
            x, y = 1, 2
            x, y = y, x
            (p, q), r = [1, 2], 3
            first, *rest = [1, 2, 3, 4]
            *init, last = 'abc'
            count: int = 5
            """)
        XCTAssertEqual(try session.run("a, b"), .tuple([0, 0]))
        XCTAssertEqual(try session.run("x, y"), .tuple([2, 1]))
        XCTAssertEqual(try session.run("p + q + r"), 6)
        XCTAssertEqual(try session.run("first, rest"), .tuple([1, [2, 3, 4]]))
        XCTAssertEqual(try session.run("init, last"), .tuple([["a", "b"], "c"]))
        XCTAssertEqual(try session.run("count"), 5)
    }

    func testAugmentedAndIndexAssignment() throws {
        let session = Session()
        try session.run(
            """
            n = 10
            n += 5; n -= 1; n *= 2; n //= 3; n **= 2; n %= 50
            xs = [1, 2, 3]
            xs[0] = 100
            xs[-1] += 1
            xs[1:2] = [7, 8, 9]
            d = {}
            d["k"] = 1
            d["k"] += 1
            alias = xs
            alias += [0]
            s = 'ab'
            s *= 2
            """)
        XCTAssertEqual(try session.run("n"), 31)
        XCTAssertEqual(try session.run("xs"), [100, 7, 8, 9, 4, 0], "+= extends the list in place, as in Python")
        XCTAssertEqual(try session.run("d"), .dict(try DictObject([("k", 2)])))
        XCTAssertEqual(try session.run("s"), "abab")
    }

    func testUnpackingErrors() throws {
        let session = Session()
        XCTAssertEqual(session.error("a, b = [1, 2, 3]")?.message, "too many values to unpack (expected 2, got 3)")
        XCTAssertEqual(session.error("a, b = [1]")?.message, "not enough values to unpack (expected 2, got 1)")
        XCTAssertEqual(session.error("a, b = 5")?.message, "cannot unpack a non-iterable int into 2 targets")
    }

    func testIfElifElse() throws {
        let session = Session()
        try session.run(
            """
            def grade(score):
                if score >= 90:
                    return 'A'
                elif score >= 80:
                    return 'B'
                else:
                    return 'C'
            """)
        XCTAssertEqual(try session.run("[grade(95), grade(85), grade(10)]"), ["A", "B", "C"])
        XCTAssertEqual(try session.output("if True: print('one line')"), "one line\n")
    }

    func testLoops() throws {
        let session = Session()
        XCTAssertEqual(
            try session.output(
                """
                for i, x in enumerate(['a', 'b', 'c']):
                    if i == 1:
                        continue
                    print(i, x)
                n = 0
                while True:
                    n += 1
                    if n >= 3:
                        break
                print(n)
                for k in {'x': 1, 'y': 2}:
                    print(k)
                for (a, b), c in [((1, 2), 3)]:
                    print(a + b + c)
                """), "0 a\n2 c\n3\nx\ny\n6\n")
    }

    func testBreakOnlyLeavesTheInnermostLoop() throws {
        XCTAssertEqual(
            try Session().output(
                """
                for i in range(3):
                    for j in range(3):
                        if j == 1:
                            break
                        print(i, j)
                """), "0 0\n1 0\n2 0\n")
    }

    func testPassAssertAndDel() throws {
        let session = Session()
        try session.run(
            """
            def nothing():
                pass
            d = {'a': 1, 'b': 2}
            del d['a']
            xs = [1, 2, 3]
            del xs[0]
            tmp = 1
            del tmp
            assert len(d) == 1
            """)
        XCTAssertEqual(try session.run("d, xs"), .tuple([.dict(try DictObject([("b", 2)])), [2, 3]]))
        XCTAssertEqual(session.error("tmp")?.kind, .name)
        let failed = session.error("assert 1 + 1 == 3, f'math is broken: {1 + 1}'")
        XCTAssertEqual(failed?.kind, .assertion)
        XCTAssertEqual(failed?.message, "math is broken: 2")
        XCTAssertEqual(session.error("assert False")?.message, "assertion failed")
    }

    func testPrint() throws {
        let session = Session()
        XCTAssertEqual(try session.output("print('a', 1, 2.5, None, [1], sep='-', end='!\\n')"), "a-1-2.5-None-[1]!\n")
        XCTAssertEqual(try session.output("print()"), "\n")
        XCTAssertEqual(try session.output("print('x', end='')"), "x")
    }

    func testSemicolonsAndComments() throws {
        let session = Session()
        XCTAssertEqual(try session.run("a = 1; b = 2  # comment\n# only a comment\na + b"), 3)
        XCTAssertNil(try session.run("a + b;"), "a trailing ';' suppresses the result")
        XCTAssertEqual(try session.run("total = (1 +\n         2)\ntotal"), 3)
        XCTAssertEqual(try session.run("x = 1 + \\\n    2\nx"), 3)
    }
}
