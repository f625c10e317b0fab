import XCTest
@testable import DSL

final class FunctionTests: XCTestCase {
    func testDefaultsAndKeywords() throws {
        let session = Session()
        try session.run(
            """
            def describe(name, size=1, *, unit='cm'):
                return f'{name}: {size}{unit}'
            """)
        XCTAssertEqual(try session.run("describe('box')"), "box: 1cm")
        XCTAssertEqual(try session.run("describe('box', 3)"), "box: 3cm")
        XCTAssertEqual(try session.run("describe(size=2, name='lid', unit='mm')"), "lid: 2mm")
    }

    func testVariadicParameters() throws {
        let session = Session()
        try session.run(
            """
            def collect(first, *rest, **options):
                return first, rest, options
            """)
        XCTAssertEqual(
            try session.run("collect(1, 2, 3, a=4)"),
            .tuple([1, .tuple([2, 3]), .dict(try DictObject([("a", 4)]))]))
        XCTAssertEqual(
            try session.run("collect(*[7, 8], **{'b': 9})"),
            .tuple([7, .tuple([8]), .dict(try DictObject([("b", 9)]))]))
    }

    func testArgumentErrorsNameTheFunctionAndItsSignature() throws {
        let session = Session()
        try session.run("def f(a, b=1):\n    return a")
        XCTAssertEqual(session.error("f()")?.message, "f() missing required argument 'a'; expected f(a, b=1)")
        XCTAssertEqual(session.error("f(1, 2, 3)")?.message, "f() takes from 1 to 2 positional arguments but 3 were given; expected f(a, b=1)")
        XCTAssertEqual(session.error("f(1, c=2)")?.message, "f() got an unexpected keyword argument 'c'; expected f(a, b=1)")
        XCTAssertEqual(session.error("f(1, a=2)")?.message, "f() got multiple values for argument 'a'")
        XCTAssertEqual(
            session.error("range(1, 2, stpe=1)")?.message,
            "range() got an unexpected keyword argument 'stpe' (did you mean 'step'?); expected range(start, stop=None, step=1)")
        XCTAssertEqual(session.error("len()")?.message, "len() missing required argument 'x'; expected len(x)")
        XCTAssertEqual(
            session.error("[].append(1, 2)")?.message, "list.append() takes 1 positional argument but 2 were given; expected list.append(x)")
        XCTAssertEqual(session.error("range('a')")?.message, "range() argument 'start' must be int, not str")
    }

    func testDefaultsAreEvaluatedOnceAtDefinition() throws {
        let session = Session()
        try session.run(
            """
            n = 1
            def f(x=n):
                return x
            n = 2
            """)
        XCTAssertEqual(try session.run("f()"), 1)
    }

    func testClosuresAndScopes() throws {
        let session = Session()
        try session.run(
            """
            def make_counter():
                count = 0
                def increment(step=1):
                    nonlocal count
                    count += step
                    return count
                return increment
            counter = make_counter()
            counter(); counter()
            total = 0
            def add(x):
                global total
                total += x
            add(5); add(6)
            shadow = 'global'
            def local_only():
                shadow = 'local'
                return shadow
            """)
        XCTAssertEqual(try session.run("counter(10)"), 12)
        XCTAssertEqual(try session.run("total"), 11)
        XCTAssertEqual(try session.run("local_only(), shadow"), .tuple(["local", "global"]))
    }

    func testReadingALocalBeforeAssigningItIsAnError() throws {
        let session = Session()
        try session.run("x = 5\ndef bump():\n    x = x + 1\n    return x")
        XCTAssertEqual(
            session.error("bump()")?.message,
            "local variable 'x' is used before it is assigned in bump() (declare it 'global x' to use the global)")
        try session.run("def bump_global():\n    global x\n    x = x + 1\n    return x")
        XCTAssertEqual(try session.run("bump_global()"), 6)
    }

    func testRecursionAndDocstrings() throws {
        let session = Session()
        try session.run(
            """
            def factorial(n):
                "n! for n >= 0."
                return 1 if n <= 1 else n * factorial(n - 1)
            """)
        XCTAssertEqual(try session.run("factorial(20)"), 2432902008176640000)
        XCTAssertEqual(try session.output("help(factorial)"), "factorial(n)\n    n! for n >= 0.\n")
        XCTAssertEqual(try session.run("repr(factorial)"), "<function factorial(n)>")
    }

    func testFunctionsWithoutReturnGiveNone() throws {
        let session = Session()
        try session.run("def noop():\n    pass\nresult = noop()")
        XCTAssertEqual(session.interpreter.global("result"), Value.none)
    }

    func testHostCanCallLanguageFunctions() throws {
        let session = Session()
        try session.run("def scale(x, factor=2):\n    return x * factor")
        let scale = try XCTUnwrap(session.interpreter.global("scale"))
        XCTAssertEqual(try session.interpreter.call(scale, [21]), 42)
        XCTAssertEqual(try session.interpreter.call(scale, [1], keywords: [("factor", 5)]), 5)
    }
}
