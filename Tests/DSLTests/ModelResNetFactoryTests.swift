import XCTest
@testable import DSL

/// The ResNet factory and presets from the language. Building a preset creates all its weights, so each preset is built
/// once and only counted, never run (debug builds are slow).
final class ModelResNetFactoryTests: XCTestCase {
    func testPresetsHaveTheReferenceParameterCounts() throws {
        let session = Session()
        XCTAssertEqual(
            try session.run("m = resnet18()\nm.params, m.input_shape, m.output_shape, m.layer('layer4.1.bn2').type"),
            .tuple([11_689_512, .tuple([3, 224, 224]), .tuple([1000]), "BatchNormalization"]))
        XCTAssertEqual(try session.run("m = resnet50()\nm.params, m.name"), .tuple([25_557_032, "resnet50"]))
        XCTAssertEqual(try session.run("m = cifar_resnet(20)\nm.params, m.name, m.output_shape"), .tuple([269_722, "cifar_resnet20", .tuple([10])]))
        XCTAssertEqual(
            try session.run("m = cifar_resnet(20, classes=100, in_channels=1)\nm.input_shape, m.output_shape"),
            .tuple([.tuple([1, 32, 32]), .tuple([100])]))
    }

    func testResNetOptionsReachTheConfiguration() throws {
        let session = Session()
        try session.run(
            """
            m = resnet(blocks=[1, 1], widths=[4, 8], strides=[1, 2], kernel_sizes=3,
                       stem={"width": 4, "kernel_size": 3, "stride": 1, "max_pool": False},
                       preact=True, merge="concat", shortcut="c", stochastic_depth=0.5, stochastic_depth_mode="sample",
                       dropout=0.2, zero_init_residual=True, conv_init="he_normal", classes=5, input_shape=[1, 8, 8], name="custom")
            types = [l.type for l in m.layers]
            """)
        XCTAssertEqual(
            try session.run("m.name, m.input_shape, m.output_shape, m.layer('layer1.0.conv1').output_shape"),
            .tuple(["custom", .tuple([1, 8, 8]), .tuple([5]), .tuple([4, 8, 8])]))
        XCTAssertEqual(
            try session.run("'Concatenate' in types, 'StochasticDepth' in types, 'Dropout' in types, 'MaxPooling2D' in types"),
            .tuple([true, true, true, false]))
        XCTAssertEqual(
            try session.run("repr(m.layer('layer2.0.stochastic_depth'))"), "<StochasticDepth layer2.0.stochastic_depth: survival 0.5, per sample>")
        XCTAssertEqual(
            try session.run("m.layer('layer1.0.downsample.0').type, m.layer('final_bn').type"), .tuple(["Conv2D", "BatchNormalization"]),
            "option C projects every shortcut; pre-activation ends with a batch norm")
        XCTAssertEqual(try session.run("m.eval()\nm(randn(2, 1, 8, 8)).shape"), .tuple([2, 5]))

        XCTAssertEqual(
            try session.run("m = resnet(20, in_channels=1, classes=7)\nm.name, m.input_shape, m.output_shape"),
            .tuple(["cifar_resnet20", .tuple([1, 32, 32]), .tuple([7])]))
    }

    func testBadResNetOptionsAreExplained() throws {
        let session = Session()
        XCTAssertEqual(
            session.error("resnet(21)")?.message,
            "resnet() argument 'depth' must be 18, 34, 50, 101 or 152 (ImageNet ResNets) or 6n + 2 such as 20, 32, 44, 56 or 110 (CIFAR ResNets), found 21; or give blocks=[...] instead"
        )
        XCTAssertEqual(
            session.error("resnet()")?.message,
            "resnet() needs depth (e.g. resnet(18) or resnet(20)) or blocks per stage (e.g. resnet(blocks=[2, 2, 2, 2]))")
        XCTAssertEqual(session.error("resnet(blocks=[1, 1])")?.message, "resnet: widths lists 4 stages but blocks per stage lists 2")
        XCTAssertEqual(
            session.error("resnet(18, shortcut='D')")?.message,
            "resnet() argument 'shortcut' must be \"A\" (zero-padding), \"B\" or \"C\" (projections), found 'D'")
        XCTAssertEqual(
            session.error("resnet(18, stem={'widht': 3})")?.message,
            "resnet() argument 'stem' has an unknown key 'widht'; known: width, kernel_size, stride, max_pool (did you mean 'width'?)")
        XCTAssertEqual(
            session.error("resnet(18, stochastic_depth=0)")?.message, "resnet: the final survival probability must be in (0, 1], found 0.0")
        XCTAssertEqual(
            session.error("cifar_resnet(20, in_channels=1, input_shape=[3, 32, 32])")?.message,
            "cifar_resnet() argument 'in_channels' is 1 but input_shape [3, 32, 32] has 3 channels; give one of them")
        XCTAssertEqual(session.error("cifar_resnet(21)")?.message, "cifar_resnet: depth must be 6n + 2 (20, 32, 44, 56, 110, …), found 21")
    }
}
