import XCTest
@testable import Kernel

/// `model`'s output for `x` in training mode with every layer called on its own, in definition order: the plain ops
/// the model's fused and blocked fast paths are compared with. Random layers draw from `generator`.
func layerByLayerOutput(
    of model: Model, _ x: Tensor, generator: RandomGenerator = .global,
    file: StaticString = #filePath, line: UInt = #line
) throws -> Tensor {
    var values: [ObjectIdentifier: Tensor] = [ObjectIdentifier(model.inputs[0]): x]
    for node in model.nodes {
        let arguments = node.inputs.compactMap { values[ObjectIdentifier($0)] }
        values[ObjectIdentifier(node)] = try node.layer.forward(arguments, context: ForwardContext(training: true, generator: generator))
    }
    return try XCTUnwrap(values[ObjectIdentifier(model.outputs[0])], file: file, line: line)
}
