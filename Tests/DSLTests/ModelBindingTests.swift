import XCTest
@testable import DSL

/// Defining models in the language: functional layer builders on symbolic tensors, layer objects, `sequential`,
/// `def` blocks, the model object's attributes, and definition-time shape errors.
final class ModelBindingTests: XCTestCase {
    /// The concat model of issue 4, typed as a student would.
    private let concatModel = """
        x   = input([3, 64, 64])
        y   = relu(batchnorm(conv2d(x, 128, 3, bias=False)))
        z   = concat([conv2d(y, 128, 3, bias=False), y])      # concat merge
        out = softmax(dense(global_avg_pool(z), 200))
        m   = model(x, out, name="concat_resnet")
        """

    func testConcatModelSummaryCountsEveryParameter() throws {
        let session = Session()
        try session.run(concatModel)
        // By hand: conv 3·128·3·3 = 3,456; batch norm 4·128 = 512 (weight and bias trainable, the running mean and
        // variance not); conv 128·128·3·3 = 147,456; dense 256·200 + 200 = 51,400 (256 channels after the concat).
        let trainable = 3_456 + 256 + 147_456 + 51_400
        XCTAssertEqual(trainable, 202_568)
        XCTAssertEqual(try session.run("m.params, m.non_trainable_params, m.count_params()"), .tuple([.int(trainable), 256, .int(trainable + 256)]))

        let summary = try session.output("m.summary()")
        let lines = summary.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(lines.first, "Model: \"concat_resnet\"")
        XCTAssertTrue(lines.contains("input_1 (InputLayer)           [(None, 3, 64, 64)]  0           []"), summary)
        XCTAssertTrue(lines.contains("conv2d (Conv2D)                (None, 128, 64, 64)  3456        ['input_1[0][0]']"), summary)
        XCTAssertTrue(lines.contains("conv2d_1 (Conv2D)              (None, 128, 64, 64)  147456      ['re_lu[0][0]']"), summary)
        XCTAssertTrue(lines.contains("concatenate (Concatenate)      (None, 256, 64, 64)  0           ['conv2d_1[0][0]',"), summary)
        XCTAssertTrue(lines.contains("dense (Dense)                  (None, 200)          51400       ['global_average_pooling2d[0][0]'"), summary)
        XCTAssertTrue(lines.contains("softmax (Softmax)              (None, 200)          0           ['dense[0][0]']"), summary)
        XCTAssertTrue(
            summary.hasSuffix(
                "Total params: 202,824\nTrainable params: 202,568\nNon-trainable params: 256\n" + String(repeating: "_", count: 98) + "\n"))
        XCTAssertNil(try session.run("m.summary()"), "summary() prints and returns None")

        // MACs per sample: 64·64 pixels × (128·27 + 128·1,152) for the convolutions, 256·200 for the dense layer.
        let macs = 64 * 64 * (128 * 27 + 128 * 1_152) + 256 * 200
        XCTAssertEqual(try session.run("m.flops()"), .int(2 * macs))
        XCTAssertTrue(try session.output("m.summary(flops=True)").contains("Total MACs: 618,186,752 (618 M)\nTotal FLOPs: 1,236,373,504 (1.24 G)\n"))
        XCTAssertEqual(try session.run("repr(m)"), "<Model concat_resnet: 8 layers, 202.6K params, input [3, 64, 64]>")
    }

    func testModelAttributesAndLayers() throws {
        let session = Session()
        try session.run(concatModel)
        XCTAssertEqual(
            try session.run("m.name, m.input_shape, m.output_shape, m.training, len(m.layers)"),
            .tuple(["concat_resnet", .tuple([3, 64, 64]), .tuple([200]), true, 9]))
        XCTAssertEqual(try session.run("[l.name for l in m.layers][:4]"), ["input_1", "conv2d", "batch_normalization", "re_lu"])
        XCTAssertEqual(
            try session.run("c = m.layer('conv2d_1')\nc.name, c.type, c.weight.shape, c.bias, c.output_shape, c.params"),
            .tuple(["conv2d_1", "Conv2D", .tuple([128, 128, 3, 3]), .none, .tuple([128, 64, 64]), 147_456]))
        XCTAssertEqual(try session.run("repr(m.conv2d_1)"), "<Conv2D conv2d_1: 128 filters, 3×3, padding same, no bias>")
        XCTAssertEqual(try session.run("sorted(m.batch_normalization.weights.keys())"), ["bias", "running_mean", "running_var", "weight"])
        XCTAssertEqual(try session.run("m.batch_normalization.params, m.batch_normalization.count_params()"), .tuple([256, 512]))
        XCTAssertEqual(try session.run("m.layer(-1).name, m.layer(1).name"), .tuple(["softmax", "conv2d"]))
        XCTAssertEqual(
            try session.run("[n for n, t in m.named_parameters()]"),
            ["conv2d.weight", "batch_normalization.weight", "batch_normalization.bias", "conv2d_1.weight", "dense.weight", "dense.bias"])
        XCTAssertEqual(try session.run("sum(p.numel() for p in m.parameters()) == m.params"), true)
        try session.run("m.eval()")
        XCTAssertEqual(try session.run("m.training"), false)
        try session.run("m.train()")
        XCTAssertEqual(try session.run("m.training"), true)
        XCTAssertEqual(
            session.error("m.layer('conv2d_9')")?.message, "model 'concat_resnet' has no layer named 'conv2d_9' (did you mean 'conv2d_1'?)")
        XCTAssertEqual(
            try session.run("isinstance(m, Model), isinstance(x, SymbolicTensor), isinstance(m.dense, Layer)"), .tuple([true, true, true]))
    }

    func testDefBlocksComposeLayersIntoAResidualNet() throws {
        let session = Session()
        try session.run(
            """
            seed(0)
            def block(x, filters, stride=1):
                y = relu(batchnorm(conv2d(x, filters, 3, stride=stride, bias=False)))
                y = batchnorm(conv2d(y, filters, 3, bias=False))
                shortcut = x if stride == 1 and filters == x.shape[0] else zero_pad_shortcut(x, filters, stride)
                return relu(add([y, shortcut]))

            x = input([1, 8, 8])
            h = relu(batchnorm(conv2d(x, 4, 3, bias=False)))
            h = block(h, 4)
            h = block(h, 8, stride=2)
            net = model(x, dense(flatten(global_avg_pool(h)), 3), name="tiny_resnet")
            """)
        XCTAssertEqual(
            try session.run("net.output_shape, net.layer('zero_pad_shortcut').output_shape, net.add_1.output_shape"),
            .tuple([.tuple([3]), .tuple([8, 4, 4]), .tuple([8, 4, 4])]))
        // Convolutions 1·4·9 + 2·(4·4·9) + 4·8·9 + 8·8·9 = 36 + 288 + 288 + 576; five batch norms with 4, 4, 4, 8, 8
        // channels (scale and shift trainable); dense 8·3 + 3.
        let expected = 36 + 288 + 288 + 576 + 2 * (4 + 4 + 4 + 8 + 8) + 27
        XCTAssertEqual(try session.run("net.params"), .int(expected))
        XCTAssertEqual(try session.run("net.eval()\nnet(randn(2, 1, 8, 8)).shape"), .tuple([2, 3]))
        XCTAssertEqual(try session.run("net(randn(1, 1, 6, 6)).shape"), .tuple([1, 3]), "global pooling accepts other image sizes")
    }

    func testShapeErrorsNameTheLayerAndBothShapesAtTheCall() throws {
        let session = Session()
        try session.run("x = input([3, 8, 8])\nwide = conv2d(x, 16, 3)")
        let mismatch = try XCTUnwrap(session.error("y = relu(x)\nz = add([wide, y])", file: "net.rnx"))
        XCTAssertEqual(mismatch.location?.description, "net.rnx:2:5")
        XCTAssertEqual(mismatch.message, "layer 'add' (Add): shape mismatch: expected inputs of equal shapes, cannot add [16, 8, 8], found [3, 8, 8]")

        let nested = try XCTUnwrap(
            session.error(
                """
                def head(features):
                    return dense(conv2d(features, 4, 9, padding="valid"), 10)
                out = head(x)
                """, file: "head.rnx"))
        XCTAssertEqual(
            nested.message,
            "layer 'conv2d_1' (Conv2D): shape mismatch: expected an image of at least 9×9 after padding valid (the window size), found 8×8")
        XCTAssertEqual(nested.location?.description, "head.rnx:2:18")
        XCTAssertTrue(nested.rendered.contains("head.rnx:3 in <module>"), nested.rendered)

        try session.run("fc = Dense(10)\nfc(flatten(x))")
        XCTAssertEqual(
            session.error("fc(global_avg_pool(x))")?.message,
            "layer 'dense' (Dense): shape mismatch: expected 192 input features (the layer was built for them), found [3] with 3")
        XCTAssertEqual(session.error("conv2d(x, 0, 3)")?.message, "Conv2D: filters must be positive, found 0")
        XCTAssertEqual(
            session.error("conv2d(x, 8, 3, padding='full')")?.message,
            "padding: unknown padding 'full'; use \"valid\", \"same\" or a number of pixels")
        XCTAssertEqual(session.error("model(x, wide, name='')")?.message, "Model: the model name must not be empty")
        XCTAssertEqual(
            session.error("model(wide, x)")?.message,
            "model() inputs must come from input(...); 'conv2d' is the output of a Conv2D layer")
        XCTAssertEqual(
            session.error("conv2d([1, 2], 8)")?.message,
            "conv2d() creates a layer with new weights, so it needs a SymbolicTensor from input(...), not a Tensor; to run a layer on real data, keep the layer object: layer = Conv2D(...), then layer(t)"
        )
        XCTAssertEqual(
            session.error("dense('features', 10)")?.message,
            "dense() argument 'x' must be a SymbolicTensor (from input() or a layer) or a Tensor, not str")
    }

    func testLayerObjectsAndSequential() throws {
        let session = Session()
        try session.run(
            """
            seed(1)
            net = sequential([Conv2D(4, 3, padding=1), BatchNorm(), ReLU(), MaxPooling2D(2), Flatten(), Dropout(0.25), Dense(10)],
                             input_shape=[1, 6, 6], name="small")
            """)
        XCTAssertEqual(
            try session.run("[l.type for l in net.layers]"),
            ["InputLayer", "Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D", "Flatten", "Dropout", "Dense"])
        // Conv 1·4·9 + 4 = 40, batch norm 2·4 = 8 (+ 8 statistics), dense 36·10 + 10 = 370.
        XCTAssertEqual(try session.run("net.params, net.count_params(), net.output_shape"), .tuple([418, 426, .tuple([10])]))
        let summary = try session.output("net.summary()")
        XCTAssertFalse(summary.contains("InputLayer"), "sequential models are summarised without the input row, as in Keras")
        XCTAssertFalse(summary.contains("Connected to"))

        // A layer object called twice shares its weights, like a Keras layer.
        try session.run(
            """
            shared = Conv2D(2, 1, bias=False)
            a = input([2, 3, 3])
            both = model(a, add([shared(a), shared(relu(a))]))
            """)
        XCTAssertEqual(try session.run("both.params, both.layer('conv2d').output_shape"), .tuple([4, .tuple([2, 3, 3])]))
        let shared = try session.output("both.summary()")
        XCTAssertTrue(
            shared.contains("['conv2d[0][0]',") && shared.contains("'conv2d[1][0]']"), "the add reads both calls of the shared layer:\n" + shared)

        XCTAssertEqual(
            session.error("sequential([Conv2D(4, 3), ReLU], input_shape=[1, 6, 6])")?.message,
            "sequential() argument 'layers' must be a list of layer objects such as Conv2D(16, 3) or ReLU(), not builtin")
        XCTAssertEqual(
            session.error("sequential([ReLU()])")?.message,
            "sequential() missing required argument 'input_shape'; expected sequential(layers, input_shape, name='sequential')")
    }

    func testBuildersOnRealTensorsRunTheOperation() throws {
        let session = Session()
        XCTAssertEqual(
            try session.run("relu(tensor([-1.0, 2.0])).tolist(), leaky_relu(tensor([-1.0, 2.0]), 0.5).tolist()"),
            .tuple([[0.0, 2.0], [-0.5, 2.0]]))
        XCTAssertEqual(
            try session.run("softmax(tensor([[0.0, 0.0]])).tolist(), sigmoid(tensor([0.0])).tolist(), tanh(tensor([0.0])).tolist()"),
            .tuple([[[0.5, 0.5]], [0.5], [0.0]]))
        try session.run("t = arange(16).reshape(1, 1, 4, 4)")
        XCTAssertEqual(
            try session.run("max_pool(t).tolist(), avg_pool(t, 4).tolist(), global_avg_pool(t).tolist()"),
            .tuple([[[[[5.0, 7.0], [13.0, 15.0]]]], [[[[7.5]]]], [[7.5]]]))
        XCTAssertEqual(
            try session.run("flatten(t).shape, concat([t, t]).shape, add([t, t]).sum().item(), zero_pad_shortcut(t, 3, 2).shape"),
            .tuple([.tuple([1, 16]), .tuple([1, 2, 4, 4]), 240.0, .tuple([1, 3, 2, 2])]))
        XCTAssertEqual(
            try session.run("d = Dense(2, bias=False)\nd(tensor([[2.0, 3.0]]))\nd.weight = [[1, 0], [1, 1]]\nd(tensor([[2.0, 3.0]])).tolist()"),
            [[2.0, 5.0]])
        XCTAssertEqual(session.error("relu([t, t])")?.message, "relu() argument 'x' must be one tensor, not list")
        XCTAssertEqual(
            session.error("d.weight = ones(3)")?.message, "layer 'dense' (Dense) weight has shape [2, 2], cannot assign a tensor of shape [3]")
        XCTAssertEqual(
            session.error("Dense(2).weight = ones(2, 2)")?.message,
            "layer 'dense' (Dense) has no weight yet (weights are created when the layer is first called)")
    }

    func testSymbolicTensorsBehaveLikeTensorsWhereTheyCan() throws {
        let session = Session()
        try session.run("x = input([4, 5, 5], name='image')\ny = conv2d(x, 4, 3) + x\nh = tanh(y.relu())")
        XCTAssertEqual(
            try session.run("x.shape, x.ndim, y.shape, y.layer.type, h.layer.type, repr(x)"),
            .tuple([.tuple([4, 5, 5]), 3, .tuple([4, 5, 5]), "Add", "Activation", "<SymbolicTensor [4, 5, 5] from layer 'image' (InputLayer)>"]))
        XCTAssertEqual(session.error("x * 2")?.message, "unsupported operand types for *: 'SymbolicTensor' and 'int'")
    }

    func testHelpDocumentsTheModelBuilders() throws {
        let session = Session()
        let conv = try session.output("help(conv2d)")
        XCTAssertTrue(
            conv.hasPrefix("conv2d(x, filters, kernel_size=3, stride=1, padding='same', dilation=1, bias=True, *, init='pytorch', name=None)\n"), conv
        )
        XCTAssertTrue(try session.output("help(batchnorm)").contains("momentum follows PyTorch: running = (1 − momentum)·running + momentum·batch"))
        XCTAssertTrue(
            try session.output("help(Conv2D)").hasPrefix(
                "Conv2D(filters, kernel_size=3, stride=1, padding='same', dilation=1, bias=True, *, init='pytorch', name=None)\n    Makes a Conv2D layer object"
            ))
        XCTAssertTrue(try session.output("help(resnet)").contains("stochastic_depth=p_L, the survival probability of the last block"))
        XCTAssertTrue(try session.output("help(Model)").hasPrefix("class Model\n"))
        XCTAssertTrue(try session.output("help('Model.summary')").hasPrefix("Model.summary(flops=False)\n"))
        let overview = try session.output("help()")
        for title in ["Models:", "Layers:", "Layer objects:", "ResNets:"] { XCTAssertTrue(overview.contains("\n\(title)\n"), title) }
    }
}
