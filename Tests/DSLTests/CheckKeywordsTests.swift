import XCTest

@testable import DSL

/// `rnx check`'s checks beyond names: keyword arguments of builtins and attributes of values whose type is known
/// from the builtin that made them, with "did you mean" as at run time.
final class CheckKeywordsTests: XCTestCase {
    private func problems(_ source: String) -> [String] {
        NameCheck().check([ScriptCell(source: source)], file: "exp.rnx").problems.map { "\($0.location?.line ?? 0): \($0.message)" }
    }

    func testUnknownBuiltinKeywordsAreReportedWithSuggestions() {
        let found = problems(
            """
            data = mnist5k(batchsize=3)
            m = resnet18(classes=10)
            fit(m, data, epochz=3)
            """)
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertTrue(found[0].hasPrefix("1: mnist5k() got an unexpected keyword argument 'batchsize' (did you mean 'batch_size'?)"), found[0])
        XCTAssertTrue(found[1].hasPrefix("3: fit() got an unexpected keyword argument 'epochz' (did you mean 'epochs'?)"), found[1])
    }

    func testValidKeywordsAndShadowedBuiltinsAreNotReported() {
        XCTAssertEqual(problems("data = mnist5k(batch_size=3)\nprint(1, sep=', ')"), [])
        // The user's own fit takes any keyword it declares; so does a local one inside a function.
        XCTAssertEqual(problems("def fit(model, data, epochz=1):\n    return epochz\nfit(1, 2, epochz=3)"), [])
        XCTAssertEqual(problems("def f(fit):\n    return fit(epochz=3)"), [])
    }

    func testAttributesOfKnownTypesAreChecked() {
        let found = problems(
            """
            m = resnet18(classes=10)
            data = mnist5k()
            r = lr_find(m, data)
            print(r.valey, r.valley)
            i = interpret(m, data)
            i.per_class()
            """)
        XCTAssertEqual(
            found,
            [
                "4: 'LRFinderResult' object has no attribute 'valey' (did you mean 'valley'?)",
                "6: 'per_class' is a property of Interpretation, not a method, so it cannot be called: write .per_class without ()",
            ])
    }

    func testNamesBoundMoreThanOnceOrInsideFunctionsAreNotGuessed() {
        // r may hold something else by the time it is read: no attribute check.
        XCTAssertEqual(problems("m = resnet18()\ndata = mnist5k()\nr = lr_find(m, data)\nr = {}\nr.valey"), [])
        XCTAssertEqual(problems("m = resnet18()\ndata = mnist5k()\nr = lr_find(m, data)\ndef f():\n    return r.valey"), [])
    }

    func testSuggestionsPreferTheUsersOwnNames() {
        XCTAssertEqual(problems("data = 1\nm = 2\nfit(m, dat, 1)"), ["3: name 'dat' is not defined (did you mean 'data'?)"])
        XCTAssertEqual(problems("data = 1\nprint(dtat)"), ["2: name 'dtat' is not defined (did you mean 'data'?)"])
        // Without a user name that close, builtins are still found.
        XCTAssertEqual(problems("prnt(1)"), ["1: name 'prnt' is not defined (did you mean 'print'?)"])
    }
}
