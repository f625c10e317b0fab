import Kernel
import XCTest

@testable import DSL

/// load(model, path, strict, rename) and m.load_weights: one implementation, a report that prints as a table,
/// every problem listed at once.
final class LoadReportTests: XCTestCase {
    private func session(_ directory: String) throws -> Session {
        let session = Session()
        try session.run(
            """
            seed(0)
            x = input([4])
            source = model(x, dense(relu(dense(x, 3, name='linear')), 2, name='head'))
            save(source, '\(directory)/w.safetensors')
            y = input([4])
            renamed = model(y, dense(relu(dense(y, 3, name='fc')), 2, name='head'))
            z = input([4])
            other = model(z, dense(relu(dense(z, 3, name='linear')), 5, name='head2'))
            """)
        return session
    }

    func testStrictFailureListsEveryProblemAndChangesNothing() throws {
        let directory = try temporaryDirectory(self)
        let session = try session(directory)
        try session.run(
            "z2 = input([4])\nwide = model(z2, dense(relu(dense(z2, 7, name='linear')), 2, name='extra'))\nbefore = wide.extra.weight.tolist()")
        let error = try XCTUnwrap(session.error("load(wide, '\(directory)/w.safetensors')"))
        for part in [
            "weights do not fit model 'model'", "shape mismatch for linear.weight: model [7, 4], file [3, 4], linear.bias: model [7], file [3]",
            "missing keys (in the model, not in the file): extra.weight, extra.bias",
            "unexpected keys (in the file, not in the model): head.weight, head.bias", "strict=False loads what fits",
        ] {
            XCTAssertTrue(error.message.contains(part), "\(part) in \(error.message)")
        }
        XCTAssertEqual(try session.run("wide.extra.weight.tolist() == before"), true)
    }

    func testNonStrictLoadReturnsAReportThatPrintsAsATable() throws {
        let directory = try temporaryDirectory(self)
        let session = try session(directory)
        try session.run("r = other.load_weights('\(directory)/w.safetensors', strict=False)")
        XCTAssertEqual(
            try session.run("r.loaded, r.missing, r.unexpected, r.mismatched"),
            try eval("['linear.weight', 'linear.bias'], ['head2.weight', 'head2.bias'], ['head.weight', 'head.bias'], []"))
        XCTAssertEqual(try session.run("other.linear.weight.tolist() == source.linear.weight.tolist()"), true)
        XCTAssertEqual(
            try session.output("print(r)"),
            """
            LoadReport: 2 of 4 model tensors loaded from \(directory)/w.safetensors
                        count  names
            ----------  -----  --------------------------
            loaded          2  linear.weight, linear.bias
            missing         2  head2.weight, head2.bias
            unexpected      2  head.weight, head.bias
            mismatched      0

            """)
        try session.run("z3 = input([4])\nnarrow = model(z3, dense(relu(dense(z3, 3, name='linear')), 6, name='head'))")
        XCTAssertEqual(
            try session.run("load(narrow, '\(directory)/w.safetensors', strict=False).mismatched"),
            try eval("[('head.weight', (6, 3), (2, 3)), ('head.bias', (6,), (2,))]"))
    }

    func testRenameByPrefixDictOrFunction() throws {
        let directory = try temporaryDirectory(self)
        let session = try session(directory)
        XCTAssertEqual(try session.run("len(load(renamed, '\(directory)/w.safetensors', rename={'linear.': 'fc.'}).loaded)"), .int(4))
        XCTAssertEqual(try session.run("renamed.fc.weight.tolist() == source.linear.weight.tolist()"), true)
        try session.run(
            """
            def to_fc(name):
                return 'fc' + name[6:] if name.startswith('linear') else name
            report = renamed.load_weights('\(directory)/w.safetensors', rename=to_fc)
            """)
        XCTAssertEqual(try session.run("report.missing + report.unexpected"), try eval("[]"))
        XCTAssertEqual(session.error("load(renamed, '\(directory)/w.safetensors', rename=lambda n: 3)")?.kind, .type)
        XCTAssertTrue(
            session.error("load(renamed, '\(directory)/w.safetensors', rename=lambda n: 'fc.weight')")?.message.contains(
                "file keys 'linear.weight' and 'linear.bias' both become 'fc.weight'") ?? false)
        XCTAssertEqual(session.error("load(renamed, '\(directory)/w.safetensors', rename=5)")?.kind, .type)
    }

    func testBatchCountersLoadIntoBatchNormAndAreSkippedOtherwise() throws {
        let directory = try temporaryDirectory(self)
        let path = directory + "/bn.safetensors"
        let session = Session()
        try session.run("x = input([3])\nm = model(x, batchnorm(x, name='bn'))\nsave(m, '\(path)')\nnobn = model(x, relu(x))")
        let saved = try Safetensors.load(path).tensors.filter { $0.name != "bn.num_batches_tracked" }
        try Safetensors.save(saved + [NamedTensor(name: "bn.num_batches_tracked", tensor: try Tensor(shape: [], integers: [12]))], to: path)
        XCTAssertEqual(try session.run("'bn.num_batches_tracked' in load(m, '\(path)').loaded"), true)
        guard case .object(let object) = try session.run("m"), let wrapped = object as? ModelObject else { return XCTFail("m is not a model") }
        let layer = try XCTUnwrap(wrapped.model.layer(named: "bn") as? BatchNormalization)
        XCTAssertEqual(layer.batchesTracked, 12)
        XCTAssertEqual(
            try session.run("r = load(nobn, '\(path)', strict=False)\nr.unexpected"),
            try eval("['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var']"))
    }
}
