import Foundation
import Kernel
import XCTest

@testable import DSL

/// The ResNet presets have torchvision's state_dict names and shapes (Tests/KernelTests/Reference/torchvision, written
/// from torchvision 0.28's own models), so a torchvision checkpoint loads with strict=True.
final class TorchvisionNamesTests: XCTestCase {
    /// One row of a reference file: name, shape, dtype.
    private struct Entry: Equatable {
        let name: String
        let shape: [Int]
        let dtype: String
    }

    private struct UnexpectedValue: Error, CustomStringConvertible {
        let description: String
    }

    private static let referenceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("KernelTests/Reference/torchvision")

    private func reference(_ depth: Int) throws -> [Entry] {
        let text = try String(contentsOf: Self.referenceDirectory.appendingPathComponent("resnet\(depth)_state_dict.tsv"), encoding: .utf8)
        return try text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t").map(String.init)
            let sizes = fields[1].dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return Entry(name: fields[0], shape: try sizes.map { try XCTUnwrap(Int($0)) }, dtype: fields[2])
        }
    }

    private func preset(_ depth: Int, in session: Session) throws -> Model {
        guard case .object(let object) = try session.run("m = resnet\(depth)()\nm"), let wrapped = object as? ModelObject else {
            throw UnexpectedValue(description: "resnet\(depth)() did not return a model")
        }
        return wrapped.model
    }

    func testPresetsHaveTorchvisionsNamesShapesAndTypes() throws {
        for depth in [18, 34, 50] {
            let expected = try reference(depth)
            let model = try preset(depth, in: Session())
            let counters = expected.filter { $0.name.hasSuffix(".num_batches_tracked") }
            // rnx keeps each batch norm's counter in the layer (it loads there), every other entry is a saved tensor.
            XCTAssertEqual(
                Set(model.stateTensors.map { Entry(name: $0.name, shape: $0.tensor.shape, dtype: $0.tensor.dtype) }.map { "\($0)" }),
                Set(expected.filter { !counters.contains($0) }.map { "\($0)" }), "resnet\(depth)")
            XCTAssertTrue(counters.allSatisfy { $0.shape == [] && $0.dtype == "int64" })
            for counter in counters {
                XCTAssertTrue(model.layer(named: String(counter.name.dropLast(".num_batches_tracked".count))) is BatchNormalization, counter.name)
            }
            XCTAssertEqual(model.trainableParameterCount, [18: 11_689_512, 34: 21_797_672, 50: 25_557_032][depth])
        }
    }

    func testATorchvisionNamedCheckpointLoadsStrictlyAndSavesBackUnderTheSameNames() throws {
        let directory = try temporaryDirectory(self)
        for depth in [18, 50] {
            let expected = try reference(depth)
            let path = directory + "/torchvision\(depth).safetensors"
            let tensors = try expected.map { entry in
                NamedTensor(
                    name: entry.name, tensor: entry.dtype == "int64" ? try Tensor(shape: entry.shape, integers: [7]) : try Tensor.randn(entry.shape))
            }
            try Safetensors.save(tensors, to: path)
            let session = Session()
            let model = try preset(depth, in: session)
            XCTAssertEqual(try session.run("r = load(m, '\(path)')\nlen(r.loaded), r.missing, r.unexpected"), try eval("\(expected.count), [], []"))
            XCTAssertEqual(model.layer(named: "fc")?.weights.first?.tensor.data, tensors.first { $0.name == "fc.weight" }?.tensor.data)
            XCTAssertEqual((model.layer(named: "layer1.0.bn1") as? BatchNormalization)?.batchesTracked, 7)

            try session.run("save(m, '\(directory)/rnx\(depth).safetensors')\nback = load_tensors('\(directory)/rnx\(depth).safetensors')")
            let names = try XCTUnwrap(
                try session.run("list(back.keys())")?.elements().map { value -> String in
                    guard case .string(let name) = value else { throw UnexpectedValue(description: "\(value) is not a name") }
                    return name
                })
            XCTAssertEqual(Set(names), Set(expected.map(\.name)), "torchvision's state_dict keys, counters included")
            XCTAssertEqual(try session.run("back['layer1.0.bn1.num_batches_tracked'].dtype"), .string("int64"))
        }
    }
}
