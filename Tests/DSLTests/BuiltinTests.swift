import XCTest
@testable import DSL

final class BuiltinTests: XCTestCase {
    func testLengthRangeAndIteration() throws {
        XCTAssertEqual(try eval("len([1, 2]), len('héllo'), len({'a': 1}), len(range(0, 10, 3))"), .tuple([2, 5, 1, 4]))
        XCTAssertEqual(try eval("list(range(3)), list(range(2, 5)), list(range(5, 0, -2))"), .tuple([[0, 1, 2], [2, 3, 4], [5, 3, 1]]))
        XCTAssertEqual(try eval("list(enumerate('ab', start=1))"), [.tuple([1, "a"]), .tuple([2, "b"])])
        XCTAssertEqual(try eval("list(zip([1, 2, 3], 'ab'))"), [.tuple([1, "a"]), .tuple([2, "b"])])
        XCTAssertEqual(Session().error("list(zip([1, 2], 'a', strict=True))")?.message, "zip(strict=True): the iterables have different lengths")
        XCTAssertEqual(try eval("list(map(lambda x: x * 10, [1, 2]))"), [10, 20])
        XCTAssertEqual(try eval("list(filter(lambda x: x > 1, [1, 2, 3])), list(filter(None, [0, 1, '', 'a']))"), .tuple([[2, 3], [1, "a"]]))
        XCTAssertEqual(try eval("list(reversed([1, 2, 3]))"), [3, 2, 1])
        XCTAssertEqual(try eval("repr(enumerate([]))"), "<enumerate iterator>")
        XCTAssertEqual(Session().error("range(1, 5, 0)")?.message, "range() argument 'step' must not be zero")
        XCTAssertEqual(
            try eval("len(range(0, -5, -9223372036854775807 - 1)), len(range(-9223372036854775807, 0))"),
            .tuple([1, 9223372036854775807]), "extreme ranges count without overflow")
    }

    func testIteratorsAreLazy() throws {
        let session = Session()
        XCTAssertEqual(try session.run("pairs = enumerate(range(10 ** 15))\nfor i, x in pairs:\n    if i == 3:\n        break\ni"), 3)
    }

    func testSortingAndExtremes() throws {
        XCTAssertEqual(try eval("sorted([3, 1, 2])"), [1, 2, 3])
        XCTAssertEqual(try eval("sorted(['bb', 'a', 'ccc'], key=len, reverse=True)"), ["ccc", "bb", "a"])
        XCTAssertEqual(try eval("sorted([(1, 'b'), (0, 'z'), (1, 'a')])"), [.tuple([0, "z"]), .tuple([1, "a"]), .tuple([1, "b"])])
        XCTAssertEqual(try eval("sorted(['b1', 'a1', 'b2', 'a2'], key=lambda s: s[0])"), ["a1", "a2", "b1", "b2"], "stable")
        XCTAssertEqual(try eval("xs = [3, 1, 2]; xs.sort(reverse=True); xs"), [3, 2, 1])
        XCTAssertEqual(try eval("min(4, 2, 8), max([4, 2, 8]), max('abc'), min([], default=0)"), .tuple([2, 8, "c", 0]))
        XCTAssertEqual(try eval("max(['a', 'bbb', 'cc'], key=len)"), "bbb")
        XCTAssertEqual(Session().error("max([])")?.message, "max() of an empty sequence (pass default= to allow it)")
        XCTAssertEqual(Session().error("sorted([1, 'a'])")?.message, "'<' is not supported between 'str' and 'int'")
    }

    func testAggregates() throws {
        XCTAssertEqual(try eval("sum([1, 2, 3]), sum([0.5, 0.25], 1), sum([[1], [2]], [])"), .tuple([6, 1.75, [1, 2]]))
        XCTAssertEqual(try eval("any([0, '', 3]), all([1, 'a']), all([]), any([])"), .tuple([true, true, true, false]))
    }

    func testNumbers() throws {
        XCTAssertEqual(
            try eval("abs(-3), abs(-2.5), round(2.5), round(3.5), round(2.675, 2), round(1234, -2)"),
            .tuple([3, 2.5, 2, 4, 2.67, 1200]))
        XCTAssertEqual(
            try eval("int(3.9), int(-3.9), int('42'), int(' -7 '), int('ff', 16), int(True), int('1_000')"),
            .tuple([3, -3, 42, -7, 255, 1, 1000]))
        XCTAssertEqual(try eval("float('1e-3'), float(2), float('inf'), float(' 2.5 ')"), .tuple([0.001, 2.0, .float(.infinity), 2.5]))
        XCTAssertEqual(try eval("str(1.5), str([1, 'a']), bool(''), bool([0]), bool()"), .tuple(["1.5", "[1, 'a']", false, true, false]))
        XCTAssertEqual(Session().error("float('abc')")?.message, "could not convert string to float: 'abc'")
        XCTAssertEqual(Session().error("int(nan)")?.message, "cannot convert float nan to integer")
    }

    func testMath() throws {
        XCTAssertEqual(try eval("sqrt(16), exp(0), log(e), log(8, 2), log10(1000), log2(8)"), .tuple([4.0, 1.0, 1.0, 3.0, 3.0, 3.0]))
        XCTAssertEqual(try eval("floor(-2.5), ceil(2.1), floor(3)"), .tuple([-3, 3, 3]))
        XCTAssertEqual(try eval("round(sin(pi / 2), 6), cos(0), tanh(0), isnan(nan), isinf(-inf)"), .tuple([1.0, 1.0, 0.0, true, true]))
        XCTAssertEqual(Session().error("sqrt(-1)")?.message, "math domain error: sqrt() is not defined for -1.0")
        XCTAssertEqual(Session().error("log(0)")?.message, "math domain error: log() needs a positive number, got 0.0")
        XCTAssertEqual(Session().error("exp(1000)")?.kind, .overflow)
    }

    func testTypes() throws {
        XCTAssertEqual(
            try eval("type(1) == int, type(1.0) == float, type('a') == str, type([]) == list, type(None)"),
            .tuple([true, true, true, true, .type(CoreTypes.none)]))
        XCTAssertEqual(try eval("repr(type(()))"), "<class 'tuple'>")
        XCTAssertEqual(
            try eval("isinstance(1, int), isinstance(True, int), isinstance('a', (int, str)), isinstance(1.0, int)"),
            .tuple([true, true, true, false]))
        XCTAssertEqual(try eval("callable(len), callable(int), callable(3)"), .tuple([true, true, false]))
        XCTAssertEqual(try eval("chr(65) + str(ord('a'))"), "A97")
        XCTAssertEqual(
            try eval("dict([('a', 1)], b=2), dict(), tuple([1, 2]), list('ab')"),
            .tuple([.dict(try DictObject([("a", 1), ("b", 2)])), .dict(DictObject()), .tuple([1, 2]), ["a", "b"]]))
    }

    func testStringMethods() throws {
        XCTAssertEqual(
            try eval("'  a b  '.split(), 'a,b,,c'.split(','), 'a b c'.split(maxsplit=1)"),
            .tuple([["a", "b"], ["a", "b", "", "c"], ["a", "b c"]]))
        XCTAssertEqual(try eval("'-'.join(['a', 'b']), 'xxhixx'.strip('x'), ' a '.lstrip(), ' a '.rstrip()"), .tuple(["a-b", "hi", "a ", " a"]))
        XCTAssertEqual(
            try eval("'Hello'.upper(), 'Hello'.lower(), 'hello world'.title(), 'hELLO'.capitalize()"),
            .tuple(["HELLO", "hello", "Hello World", "Hello"]))
        XCTAssertEqual(try eval("'aaa'.replace('a', 'b', 2), 'abc'.startswith('ab'), 'abc'.endswith(('x', 'c'))"), .tuple(["bba", true, true]))
        XCTAssertEqual(try eval("'hello'.find('l'), 'hello'.find('z'), 'hello'.index('o'), 'banana'.count('an')"), .tuple([2, -1, 4, 2]))
        XCTAssertEqual(try eval("'12'.isdigit(), 'ab'.isalpha(), 'a1'.isalnum(), ' '.isspace()"), .tuple([true, true, true, true]))
        XCTAssertEqual(try eval("'ab'.ljust(4, '.'), 'ab'.rjust(4), 'ab'.center(6, '*'), '-5'.zfill(4)"), .tuple(["ab..", "  ab", "**ab**", "-005"]))
        XCTAssertEqual(try eval("'a\\nb\\n'.splitlines()"), ["a", "b"])
        XCTAssertEqual(Session().error("','.join([1])")?.message, "str.join() item 0 must be str, not int")
    }

    func testListMethods() throws {
        let session = Session()
        try session.run(
            """
            xs = [3, 1]
            xs.append(4); xs.extend([1, 5]); xs.insert(0, 9)
            popped = xs.pop(); first = xs.pop(0)
            xs.remove(1)
            position = xs.index(4); ones = xs.count(1)
            ys = xs.copy(); ys.reverse()
            zs = [1]; zs.clear()
            """)
        XCTAssertEqual(
            try session.run("xs, popped, first, position, ones, ys, zs"),
            .tuple([[3, 4, 1], 5, 9, 1, 1, [1, 4, 3], []]))
        XCTAssertEqual(session.error("[].pop()")?.message, "pop from an empty list")
        XCTAssertEqual(session.error("[1].remove(2)")?.message, "list.remove(x): 2 is not in the list")
        XCTAssertEqual(try session.run("(1, 2, 1).count(1), (1, 2).index(2)"), .tuple([2, 1]))
    }

    func testDictMethods() throws {
        let session = Session()
        try session.run(
            """
            d = {'a': 1}
            d.update({'b': 2}, c=3)
            d.setdefault('a', 100); d.setdefault('z', 0)
            removed = d.pop('z')
            missing = d.pop('nope', 'fallback')
            """)
        XCTAssertEqual(
            try session.run("d.keys(), d.values(), d.items()[0], removed, missing, d.get('q')"),
            .tuple([["a", "b", "c"], [1, 2, 3], .tuple(["a", 1]), 0, "fallback", .none]))
        XCTAssertEqual(try session.run("e = d.copy(); e.clear(); len(d), len(e)"), .tuple([3, 0]))
        XCTAssertEqual(session.error("d.pop('nope')")?.kind, .key)
        XCTAssertEqual(try session.run("{1: 'int', 1.0: 'float'}"), .dict(try DictObject([(1, "float")])), "equal numbers are one key")
    }
}
