import XCTest
@testable import DSL

final class ExpressionTests: XCTestCase {
    func testArithmeticFollowsPythonRules() throws {
        XCTAssertEqual(try eval("7 / 2"), 3.5)
        XCTAssertEqual(try eval("7 // 2"), 3)
        XCTAssertEqual(try eval("-7 // 2"), -4)
        XCTAssertEqual(try eval("-7 % 3"), 2)
        XCTAssertEqual(try eval("7 % -3"), -2)
        XCTAssertEqual(try eval("7.5 // 2"), 3.0)
        XCTAssertEqual(try eval("-7.5 % 2"), 0.5)
        XCTAssertEqual(try eval("2 ** 10"), 1024)
        XCTAssertEqual(try eval("2 ** -1"), 0.5)
        XCTAssertEqual(try eval("2 ** 0.5 ** 2"), .float(pow(2, 0.25)))
        XCTAssertEqual(try eval("-2 ** 2"), -4)
        XCTAssertEqual(try eval("1 + 2 * 3 - 4 / 2"), 5.0)
        XCTAssertEqual(try eval("(1 + 2) * 3"), 9)
        XCTAssertEqual(try eval("True + True"), 2)
        XCTAssertEqual(try eval("1 + 0.5"), 1.5)
        XCTAssertEqual(try eval("-(3)"), -3)
        XCTAssertEqual(try eval("--3"), 3)
    }

    func testSequenceOperators() throws {
        XCTAssertEqual(try eval("'ab' + 'cd'"), "abcd")
        XCTAssertEqual(try eval("'ab' * 3"), "ababab")
        XCTAssertEqual(try eval("[1] * 3"), [1, 1, 1])
        XCTAssertEqual(try eval("[1, 2] + [3]"), [1, 2, 3])
        XCTAssertEqual(try eval("(1,) + (2,)"), .tuple([1, 2]))
    }

    func testComparisonsChain() throws {
        XCTAssertEqual(try eval("1 < 2 < 3"), true)
        XCTAssertEqual(try eval("1 < 3 < 2"), false)
        XCTAssertEqual(try eval("0 <= 5 < 10 != 11"), true)
        XCTAssertEqual(try eval("1 == 1.0"), true)
        XCTAssertEqual(try eval("'a' < 'b'"), true)
        XCTAssertEqual(try eval("[1, 2] < [1, 3]"), true)
        XCTAssertEqual(try eval("(1, 2) == (1, 2)"), true)
        XCTAssertEqual(try eval("[1, [2]] == [1, [2]]"), true)
        XCTAssertEqual(try eval("{'a': 1} == {'a': 1}"), true)
        XCTAssertEqual(try eval("1 == 'a'"), false)
    }

    func testBooleanLogicShortCircuitsAndReturnsOperands() throws {
        XCTAssertEqual(try eval("0 or 'default'"), "default")
        XCTAssertEqual(try eval("'x' and 5"), 5)
        XCTAssertEqual(try eval("not []"), true)
        XCTAssertEqual(try eval("False and 1 / 0"), false)
        XCTAssertEqual(try eval("True or 1 / 0"), true)
        XCTAssertEqual(try eval("not 1 == 2"), true)
    }

    func testMembershipAndIdentity() throws {
        XCTAssertEqual(try eval("2 in [1, 2, 3]"), true)
        XCTAssertEqual(try eval("4 not in (1, 2)"), true)
        XCTAssertEqual(try eval("'ell' in 'hello'"), true)
        XCTAssertEqual(try eval("'k' in {'k': 1}"), true)
        XCTAssertEqual(try eval("5 in range(0, 10, 5)"), true)
        XCTAssertEqual(try eval("6 in range(0, 10, 5)"), false)
        XCTAssertEqual(try eval("None is None"), true)
        XCTAssertEqual(try eval("x = []; y = x; y is x"), true)
        XCTAssertEqual(try eval("[] is not []"), true)
    }

    func testIndexingAndSlicing() throws {
        let session = Session()
        try session.run("xs = [10, 20, 30, 40, 50]; s = 'hello'")
        XCTAssertEqual(try session.run("xs[0]"), 10)
        XCTAssertEqual(try session.run("xs[-1]"), 50)
        XCTAssertEqual(try session.run("xs[1:3]"), [20, 30])
        XCTAssertEqual(try session.run("xs[:2]"), [10, 20])
        XCTAssertEqual(try session.run("xs[3:]"), [40, 50])
        XCTAssertEqual(try session.run("xs[::2]"), [10, 30, 50])
        XCTAssertEqual(try session.run("xs[::-1]"), [50, 40, 30, 20, 10])
        XCTAssertEqual(try session.run("xs[-2:]"), [40, 50])
        XCTAssertEqual(try session.run("xs[10:20]"), [])
        XCTAssertEqual(try session.run("s[1]"), "e")
        XCTAssertEqual(try session.run("s[::-1]"), "olleh")
        XCTAssertEqual(try session.run("(1, 2, 3)[1:]"), .tuple([2, 3]))
        XCTAssertEqual(try session.run("{'a': 1}['a']"), 1)
        XCTAssertEqual(try session.run("range(10)[2:8:2]"), .range(RangeValue(start: 2, stop: 8, step: 2)))
        XCTAssertEqual(try session.run("list(range(10)[::-3])"), [9, 6, 3, 0])
    }

    func testConditionalExpressionAndLambda() throws {
        XCTAssertEqual(try eval("'big' if 10 > 5 else 'small'"), "big")
        XCTAssertEqual(try eval("(lambda x, y=2: x * y)(4)"), 8)
        XCTAssertEqual(try eval("sorted([3, 1, 2], key=lambda v: -v)"), [3, 2, 1])
    }

    func testComprehensions() throws {
        XCTAssertEqual(try eval("[x * x for x in range(5) if x % 2 == 0]"), [0, 4, 16])
        XCTAssertEqual(
            try eval("[(i, c) for i in range(2) for c in 'ab']"),
            [.tuple([0, "a"]), .tuple([0, "b"]), .tuple([1, "a"]), .tuple([1, "b"])])
        XCTAssertEqual(try eval("{k: v * 2 for k, v in [('a', 1), ('b', 2)]}['b']"), 4)
        XCTAssertEqual(try eval("sum(x for x in range(4))"), 6)
        XCTAssertEqual(try eval("x = 'outer'; [x for x in range(2)]; x"), "outer", "comprehension variables stay inside")
    }

    func testStarredExpressions() throws {
        XCTAssertEqual(try eval("[*range(3), *'ab']"), [0, 1, 2, "a", "b"])
        XCTAssertEqual(try eval("max(*[4, 9, 2])"), 9)
        XCTAssertEqual(try eval("dict(**{'a': 1}, b=2)"), .dict(try DictObject([("a", 1), ("b", 2)])))
        XCTAssertEqual(try eval("{**{'a': 1}, 'b': 2}"), .dict(try DictObject([("a", 1), ("b", 2)])))
    }

    func testAttributesAndMethodCalls() throws {
        XCTAssertEqual(try eval("'a,b'.split(',')"), ["a", "b"])
        XCTAssertEqual(try eval("' x '.strip().upper()"), "X")
        XCTAssertEqual(try eval("d = {'a': 1}; d.get('b', 0)"), 0)
    }
}
