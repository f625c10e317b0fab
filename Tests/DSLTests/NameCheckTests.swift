import Foundation
import Kernel
import XCTest
@testable import DSL

/// `NameCheck` (behind `rnx check`): names used but never defined, found without running, and never a false alarm.
final class NameCheckTests: XCTestCase {
    private func problems(_ cells: [ScriptCell], file: String = "exp.rnx") -> [String] {
        NameCheck().check(cells, file: file).problems.map { "\($0.location?.description ?? "?"): \($0.message)" }
    }

    private func problems(_ source: String) -> [String] {
        problems([ScriptCell(source: source)])
    }

    func testAMisspeltNameIsReportedWithItsCellsFileLineAndASuggestion() {
        let cells = [
            ScriptCell(source: "learning_rate = 0.1\nepochs = 3", firstLine: 2),
            ScriptCell(source: "print(epochs)\nprint(learning_rte * 2)", firstLine: 6),
        ]
        XCTAssertEqual(problems(cells), ["exp.rnx:7:7: name 'learning_rte' is not defined (did you mean 'learning_rate'?)"])
        let rendered = NameCheck().check(cells, file: "exp.rnx").problems.first?.rendered ?? ""
        XCTAssertTrue(rendered.hasPrefix("exp.rnx:7:7: error: NameError: name 'learning_rte'"), rendered)
        XCTAssertTrue(rendered.contains("    print(learning_rte * 2)\n          ^"), rendered)
    }

    func testEveryProblemIsListedInSourceOrder() {
        XCTAssertEqual(
            problems("print(alpha)\nbeta = gamma + 1\nprint(beta, delta)"),
            [
                "exp.rnx:1:7: name 'alpha' is not defined",
                "exp.rnx:2:8: name 'gamma' is not defined",
                "exp.rnx:3:13: name 'delta' is not defined",
            ])
    }

    func testTopLevelCodeMustDefineANameBeforeUsingItButFunctionsMayUseLaterGlobals() {
        XCTAssertEqual(
            problems("print(later)\nlater = 1"),
            ["exp.rnx:1:7: name 'later' is used before it is defined (it is first assigned at line 2)"])
        XCTAssertEqual(problems("def report():\n    return scale * 2\nscale = 3\nreport()"), [])
        XCTAssertEqual(problems("def fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\nfact(5)"), [], "recursion")
        XCTAssertEqual(problems("def f():\n    return nowhere\n"), ["exp.rnx:2:12: name 'nowhere' is not defined"])
    }

    func testBuiltinsParametersLocalsLoopAndComprehensionVariablesAreDefined() {
        let program = """
            def scaled(values, factor=2, *rest, **options):
                out = []
                for v in values:
                    out.append(v * factor)
                return out, rest, options
            pairs = [(a, b) for a in range(3) for b in range(a) if a != b]
            table = {k: v for k, v in enumerate(pairs)}
            f = lambda q, r=1: q + r
            total = sum([x for x in scaled([1, 2])[0]]) + len(table) + f(1)
            print(f"{total:>{len(pairs)}} {pi}", abs(-1), tensor([1.0]).shape)
            """
        XCTAssertEqual(problems(program), [])
        XCTAssertEqual(
            problems("ys = [v for v in range(3)]\nprint(v)"), ["exp.rnx:2:7: name 'v' is not defined"],
            "comprehension variables do not leak")
        XCTAssertEqual(problems("f = lambda q: q + offset\n"), ["exp.rnx:1:19: name 'offset' is not defined"])
    }

    func testLoopBodiesSeeLaterIterationsAndBranchesCountAsDefined() {
        XCTAssertEqual(problems("for i in range(3):\n    if i > 0:\n        print(previous)\n    previous = i\nprint(previous, i)"), [])
        XCTAssertEqual(problems("n = 0\nwhile n < 3:\n    if n:\n        print(last)\n    last = n\n    n += 1"), [])
        XCTAssertEqual(
            problems("while not done:\n    done = True"),
            ["exp.rnx:1:11: name 'done' is used before it is defined (it is first assigned at line 2)"],
            "a while condition is tested before the body first runs")
        XCTAssertEqual(problems("if True:\n    mode = 'a'\nelse:\n    other = 1\nprint(mode, other)"), [])
        XCTAssertEqual(
            problems("counter += 1"),
            ["exp.rnx:1:1: name 'counter' is used before it is defined (it is first assigned at line 1)"])
    }

    func testGlobalAndNonlocalDeclarationsAreFollowed() {
        let program = """
            def setup():
                global model_name
                model_name = 'resnet'
            setup()
            print(model_name)
            def counter():
                count = 0
                def step():
                    nonlocal count
                    count += 1
                    return count
                return step
            print(counter()())
            """
        XCTAssertEqual(problems(program), [])
        XCTAssertEqual(
            problems("def f():\n    global missing\n    return missing\n"), [],
            "a name some function declares global may be bound whenever that function runs")
    }

    func testDefaultsAreCheckedWhereTheFunctionIsDefined() {
        XCTAssertEqual(
            problems("def f(x=base):\n    return x\nbase = 1"),
            ["exp.rnx:1:9: name 'base' is used before it is defined (it is first assigned at line 3)"])
    }

    func testSyntaxErrorsAreReportedInsteadOfNames() {
        let cells = [
            ScriptCell(source: "print(undefined_a)", firstLine: 2), ScriptCell(source: "x = (1,", firstLine: 5),
            ScriptCell(source: "y = ]", firstLine: 8),
        ]
        let found = NameCheck().check(cells, file: "bad.rnx").problems
        XCTAssertEqual(found.map(\.kind), [.syntax, .syntax])
        XCTAssertEqual(found.map { $0.location?.description ?? "" }, ["bad.rnx:5:5", "bad.rnx:8:5"])
    }

    func testMentionedNamesSuggestTheSettingATypoMeant() {
        let report = NameCheck().check(
            [ScriptCell(source: "epochs = 8\ndef f(batch_size):\n    return batch_size\nprint(lr)")],
            file: "exp.rnx")
        XCTAssertTrue(report.mentionedNames.isSuperset(of: ["epochs", "f", "batch_size", "print", "lr"]))
        XCTAssertFalse(report.mentionedNames.contains("epoch"))
        XCTAssertEqual(report.suggestion(for: "epoch"), "epochs")
        XCTAssertNil(report.suggestion(for: "momentum"))
    }

    /// The seed corpus (valid programs in which every line runs) gets no diagnostic at all.
    func testTheSeedCorpusIsNeverFlagged() {
        for program in SeedCorpus.programs {
            let found = NameCheck().check([ScriptCell(source: program)], file: "seed.rnx").problems
            XCTAssertEqual(found.count, 0, "\(program)\n\(found.map(\.rendered).joined(separator: "\n"))")
        }
    }

    /// Generated programs (every statement kind, dead code included) that run without error: a name reported as
    /// never defined must really be neither a builtin nor a global the run left behind. This catches binding
    /// forms the check does not know. (Dead code may rightly be flagged, so a clean run alone proves nothing.)
    func testNamesReportedAsNeverDefinedAreNotDefinedAfterACleanRun() {
        let savedMemoryLimit = MemoryLimit.bytes
        // Generated tensors stay small and quick to fill in debug builds (as in FuzzInterpreterTests).
        MemoryLimit.bytes = 8 << 20
        defer { MemoryLimit.bytes = savedMemoryLimit }
        var generator = ProgramGenerator(seed: 0x4E41_4D45, builtins: Interpreter().builtinNames.filter { $0 != "help" })
        var cleanRuns = 0
        var flagged = 0
        for _ in 0..<300 {
            let program = generator.program()
            let interpreter = Interpreter()
            interpreter.output = { _ in }
            let watchdog = DispatchWorkItem { interpreter.interrupt.request() }
            DispatchQueue.global().asyncAfter(deadline: .now() + 2, execute: watchdog)
            defer { watchdog.cancel() }
            do {
                _ = try interpreter.execute(source: program, file: "gen.rnx")
            } catch {
                continue
            }
            cleanRuns += 1
            for problem in NameCheck().check([ScriptCell(source: program)], file: "gen.rnx").problems {
                // Besides names, a keyword a builtin does not take is reported, also in code the run never reached.
                if problem.kind == .type, problem.message.contains("got an unexpected keyword argument") { continue }
                XCTAssertEqual(problem.kind, .name, problem.rendered)
                guard problem.message.contains("is not defined"), let name = problem.message.split(separator: "'").dropFirst().first else {
                    continue
                }
                flagged += 1
                XCTAssertNil(interpreter.global(String(name)), "\(program)\n\(problem.rendered)")
                XCTAssertNil(interpreter.builtin(String(name)), "\(program)\n\(problem.rendered)")
            }
        }
        XCTAssertGreaterThan(cleanRuns, 20, "too few generated programs ran cleanly to test anything")
        XCTAssertGreaterThan(flagged, 0, "the generator's dead code should give some diagnostics to check")
    }
}
