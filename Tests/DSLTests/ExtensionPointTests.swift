import XCTest
@testable import DSL

/// A minimal binding, written the way the files of Sources/DSL/Library wrap Kernel objects: a 2-D vector with properties,
/// methods, operators (also with numbers on either side), indexing, iteration, len, call and format hooks.
final class Vector2: DSLObject {
    var x: Double
    var y: Double

    init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    static let type = DSLType(
        name: "Vector2", doc: "A 2-D vector (test binding).",
        constructor: BuiltinFunction("Vector2", [.optional("x", 0.0), .optional("y", 0.0)], doc: "A vector (x, y).") { args in
            .object(Vector2(try args.double("x"), try args.double("y")))
        },
        properties: [
            DSLProperty(
                "x", doc: "First component.", get: { .float(try vector($0).x) },
                set: { owner, value in
                    guard let number = value.numericValue else { throw DSLError(.type, "Vector2.x must be a number, not \(value.typeName)") }
                    try vector(owner).x = number
                }),
            DSLProperty("y", doc: "Second component.", get: { .float(try vector($0).y) }),
        ],
        methods: [
            BuiltinFunction("norm", [.optional("p", 2)], doc: "The p-norm.") { args in
                let v = try args.receiver(as: Vector2.self)
                let p = try args.double("p")
                return .float(pow(pow(abs(v.x), p) + pow(abs(v.y), p), 1 / p))
            },
            BuiltinFunction("item", doc: "The x component (so float(v) works).") { args in
                .float(try args.receiver(as: Vector2.self).x)
            },
        ])

    private static func vector(_ value: Value) throws -> Vector2 {
        guard case .object(let object) = value, let vector = object as? Vector2 else {
            throw DSLError(.type, "expected a Vector2, not \(value.typeName)")
        }
        return vector
    }

    var dslType: DSLType { Vector2.type }
    var description: String { "Vector2(\(Value.formatFloat(x)), \(Value.formatFloat(y)))" }

    func binaryOperation(_ op: BinaryOperator, _ other: Value, objectOnLeft: Bool) throws -> Value? {
        if case .object(let object) = other, let vector = object as? Vector2, op == .add {
            return .object(Vector2(x + vector.x, y + vector.y))
        }
        if let factor = other.numericValue, op == .multiply {
            return .object(Vector2(x * factor, y * factor))
        }
        if let scalar = other.numericValue, op == .subtract {
            return objectOnLeft ? .object(Vector2(x - scalar, y - scalar)) : .object(Vector2(scalar - x, scalar - y))
        }
        if case .object(let object) = other, let vector = object as? Vector2, op == .equal {
            return .bool(x == vector.x && y == vector.y)
        }
        return nil
    }

    func unaryOperation(_ op: UnaryOperator) throws -> Value? {
        op == .negate ? .object(Vector2(-x, -y)) : nil
    }

    func length() throws -> Int? { 2 }

    func item(at index: Value) throws -> Value? {
        let position = try Operations.position(index, count: 2, typeName: "Vector2")
        return .float(position == 0 ? x : y)
    }

    func makeIterator() throws -> ValueIterator? {
        var remaining = [Value.float(y), .float(x)]
        return ValueIterator { remaining.popLast() }
    }

    var callable: BuiltinFunction? {
        BuiltinFunction("__call__", [.required("scale")], doc: "The vector scaled.") { args in
            let v = try args.receiver(as: Vector2.self)
            let scale = try args.double("scale")
            return .object(Vector2(v.x * scale, v.y * scale))
        }
    }

    func formatted(spec: String) throws -> String? {
        "(\(try Formatting.format(.float(x), spec: spec)), \(try Formatting.format(.float(y), spec: spec)))"
    }
}

final class ExtensionPointTests: XCTestCase {
    private func session() -> Session {
        let session = Session()
        session.interpreter.setGlobal("Vector2", .type(Vector2.type))
        return session
    }

    func testWrappedObjectsBehaveLikeLanguageValues() throws {
        let session = session()
        try session.run("v = Vector2(3, 4)\nw = Vector2(1, 1)")
        XCTAssertEqual(try session.run("repr(v + w)"), "Vector2(4.0, 5.0)")
        XCTAssertEqual(
            try session.run("repr(2 * v), repr(v * 2), repr(10 - v), repr(-v)"),
            .tuple(["Vector2(6.0, 8.0)", "Vector2(6.0, 8.0)", "Vector2(7.0, 6.0)", "Vector2(-3.0, -4.0)"]))
        XCTAssertEqual(
            try session.run("v.norm(), v.norm(p=1), v.x, v[1], len(v), list(v), float(v)"),
            .tuple([5.0, 7.0, 3.0, 4.0, 2, [3.0, 4.0], 3.0]))
        XCTAssertEqual(try session.run("v == Vector2(3, 4), type(v) == Vector2, isinstance(v, Vector2)"), .tuple([true, true, true]))
        XCTAssertEqual(try session.run("repr(v(2)), f'{v:.1f}'"), .tuple(["Vector2(6.0, 8.0)", "(3.0, 4.0)"]))
        try session.run("v.x = 10")
        XCTAssertEqual(try session.run("v.x"), 10.0)
    }

    func testWrappedObjectErrorsAreLanguageErrors() throws {
        let session = session()
        try session.run("v = Vector2(3, 4)")
        XCTAssertEqual(session.error("v + 'a'")?.message, "unsupported operand types for +: 'Vector2' and 'str'")
        XCTAssertEqual(session.error("v.y = 1")?.message, "attribute 'y' of 'Vector2' object is read-only")
        XCTAssertEqual(session.error("v.nrom()")?.message, "'Vector2' object has no attribute 'nrom' (did you mean 'norm'?)")
        XCTAssertEqual(
            session.error("v.norm(q=1)")?.message,
            "Vector2.norm() got an unexpected keyword argument 'q'; expected Vector2.norm(p=2)")
        XCTAssertEqual(session.error("v[2]")?.message, "Vector2 index 2 out of range (length 2)")
        XCTAssertEqual(session.error("v.x = 'a'")?.location?.column, 3, "the caret points at the attribute")
    }

    func testWrappedObjectsAreCompletedAndDocumented() throws {
        let session = session()
        try session.run("v = Vector2(3, 4)")
        XCTAssertEqual(session.interpreter.completions(for: "v.", cursor: 2), ["item", "norm", "x", "y"])
        XCTAssertEqual(session.interpreter.completions(for: "v.norm(", cursor: 7).first, "p=")
        XCTAssertEqual(session.interpreter.completions(for: "v(", cursor: 2).first, "scale=")
        XCTAssertEqual(
            try session.output("help(v)"),
            """
            class Vector2
                A 2-D vector (test binding).

            Vector2(x=0.0, y=0.0)
                A vector (x, y).

            Attributes:
              .x  First component.
              .y  Second component.

            Methods:
              .norm(p=2)  The p-norm.
              .item()  The x component (so float(v) works).

            """)
        XCTAssertEqual(session.interpreter.globalsSummary().first { $0.name == "v" }?.description, "Vector2(3.0, 4.0)")
    }
}
