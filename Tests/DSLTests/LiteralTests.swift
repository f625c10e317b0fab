import XCTest
@testable import DSL

final class LiteralTests: XCTestCase {
    func testIntegers() throws {
        XCTAssertEqual(try eval("42"), 42)
        XCTAssertEqual(try eval("1_000_000"), 1_000_000)
        XCTAssertEqual(try eval("0xff + 0o17 + 0b101"), .int(255 + 15 + 5))
        XCTAssertEqual(try eval("-9223372036854775807"), .int(-9223372036854775807))
    }

    func testFloats() throws {
        XCTAssertEqual(try eval("1e-3"), 0.001)
        XCTAssertEqual(try eval("2.5"), 2.5)
        XCTAssertEqual(try eval(".5"), 0.5)
        XCTAssertEqual(try eval("1."), 1.0)
        XCTAssertEqual(try eval("1_000.5"), 1000.5)
        XCTAssertEqual(try eval("3E2"), 300.0)
    }

    func testFloatsPrintLikePython() throws {
        let session = Session()
        XCTAssertEqual(
            try session.output("print(0.1, 1.0, 1e-05, 1e16, 1234.5, 1e15, 0.0001, -2.5, 1/3)"),
            "0.1 1.0 1e-05 1e+16 1234.5 1000000000000000.0 0.0001 -2.5 0.3333333333333333\n")
        XCTAssertEqual(try session.output("print(inf, -inf, nan, -0.0)"), "inf -inf nan -0.0\n")
    }

    func testStringsAndEscapes() throws {
        XCTAssertEqual(try eval(#"'it\'s' + "say \"hi\"""#), .string("it's" + "say \"hi\""))
        XCTAssertEqual(try eval(#""tab\there\nnew \x41\u00e9 \\""#), .string("tab\there\nnew A\u{e9} \\"))
        XCTAssertEqual(try eval(#"r"raw\n""#), .string("raw\\n"))
        XCTAssertEqual(try eval("'''one\ntwo'''"), .string("one\ntwo"))
        XCTAssertEqual(try eval("'ab' 'cd'"), "abcd")
    }

    func testStringRepr() throws {
        XCTAssertEqual(try eval("repr('a')"), "'a'")
        XCTAssertEqual(try eval(#"repr("it's")"#), .string(#""it's""#))
        XCTAssertEqual(try eval(#"repr('line\n')"#), .string(#"'line\n'"#))
    }

    func testConstants() throws {
        XCTAssertEqual(try eval("True"), true)
        XCTAssertEqual(try eval("False"), false)
        XCTAssertNil(try eval("None"), "None is not shown by the REPL")
        XCTAssertEqual(try eval("[None]"), .list([.none]))
    }

    func testContainers() throws {
        XCTAssertEqual(try eval("[1, 2, 3]"), [1, 2, 3])
        XCTAssertEqual(try eval("(1, 'a')"), .tuple([1, "a"]))
        XCTAssertEqual(try eval("1, 2"), .tuple([1, 2]))
        XCTAssertEqual(try eval("()"), .tuple([]))
        XCTAssertEqual(try eval("(5,)"), .tuple([5]))
        XCTAssertEqual(try eval("repr({'a': 1, 'b': [2, (3,)]})"), "{'a': 1, 'b': [2, (3,)]}")
        XCTAssertEqual(try eval("repr({})"), "{}")
        XCTAssertEqual(try eval("[1, 2,]"), [1, 2])
    }
}

final class FormatStringTests: XCTestCase {
    func testFields() throws {
        let session = Session()
        try session.run("name = 'rnx'; x = 3.14159; n = 1234567")
        XCTAssertEqual(try session.run(#"f"{name} {x:.3f} {n:,}""#), "rnx 3.142 1,234,567")
        XCTAssertEqual(try session.run(#"f"{x:.2e}|{x:g}|{0.256:.1%}""#), "3.14e+00|3.14159|25.6%")
        XCTAssertEqual(try session.run(#"f"[{name:>6}][{name:<6}][{name:^7}][{7:03d}]""#), "[   rnx][rnx   ][  rnx  ][007]")
        XCTAssertEqual(try session.run(#"f"{255:x} {255:#X} {5:b} {-3:+d} {3:+d}""#), "ff 0XFF 101 -3 +3")
        XCTAssertEqual(try session.run(#"f"{name!r} {x=:.1f} {n=}""#), "'rnx' x=3.1 n=1234567")
        XCTAssertEqual(try session.run(#"f"{{literal}} {1 + 2} {[1, 2][-1]} {'a' if n > 0 else 'b'}""#), "{literal} 3 2 a")
        XCTAssertEqual(try session.run(#"f"{x:{8}.{2}f}""#), "    3.14")
        XCTAssertEqual(try session.run(#"f"{1234.5:,.2f} {1e6:.0f} {2.0:.3}""#), "1,234.50 1000000 2.0")
        XCTAssertEqual(try session.run(#"f"{True} {None} {[1, 'a']}""#), "True None [1, 'a']")
    }

    func testFormatMethodAndBuiltin() throws {
        XCTAssertEqual(try eval(#""{} + {} = {total:.1f}".format(1, 2, total=3)"#), "1 + 2 = 3.0")
        XCTAssertEqual(try eval(#""{1}{0}{1}".format('a', 'b')"#), "bab")
        XCTAssertEqual(try eval("format(0.5, '.1%')"), "50.0%")
        XCTAssertEqual(try eval("format(42)"), "42")
    }

    func testBadFormatSpecsAreErrors() throws {
        let session = Session()
        XCTAssertEqual(session.error(#"f"{3.5:d}""#)?.message, "unknown format code 'd' for a float value")
        XCTAssertEqual(session.error(#"f"{'a':.2f}""#)?.message, "unknown format code 'f' for a str value")
        XCTAssertEqual(session.error(#"f"{1:zz}""#)?.message, "invalid format specifier 'zz'")
        XCTAssertEqual(session.error(#"f"{}""#)?.message, "f-string: empty expression not allowed")
        XCTAssertEqual(session.error(#"f"{x""#)?.message, "f-string: expecting '}'")
    }

    func testErrorsInsideFieldsPointIntoTheString() throws {
        let error = Session().error(#"s = f"value: {1 / 0}""#)
        XCTAssertEqual(error?.location?.line, 1)
        XCTAssertEqual(error?.location?.column, 17)
        XCTAssertEqual(error?.kind, .zeroDivision)
    }
}
