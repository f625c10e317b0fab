"""export_onnx checked by onnxruntime: every ResNet preset and flavour (and a model of the other exportable layers), with
non-trivial batch-norm parameters and statistics, is exported by `rnx run`, which also writes its eval-mode logits for
a fixed input; onnxruntime runs the exported file on the same input and must give the same logits (1e-4 relative)."""

import os
import subprocess

import numpy as np
import onnx
import onnxruntime as ort
from safetensors.numpy import load_file, save_file

# Name, rnx expression, per-sample input shape of the check (and export_onnx's input_shape when it differs from the
# model's own).
FLAVOURS = [
    ("resnet18", "resnet18()", [3, 224, 224]),
    ("resnet34", "resnet34()", [3, 224, 224]),
    ("resnet50", "resnet50()", [3, 224, 224]),
    ("cifar_resnet20", "cifar_resnet(20)", [3, 32, 32]),
    ("cifar_resnet20_at_40px", "cifar_resnet(20)", [3, 40, 40]),
    ("preact_option_a", "resnet(20, preact=True)", [3, 32, 32]),
    ("preact_resnet18", "resnet(18, preact=True, input_shape=[3, 64, 64])", [3, 64, 64]),
    ("concat_merge", "resnet(20, merge='concat')", [3, 32, 32]),
    ("concat_bottleneck_c", "resnet(blocks=[1, 1], strides=[1, 2], kernel_sizes=3, block='bottleneck', widths=[8, 16], stem='cifar', merge='concat', shortcut='C', classes=5)", [3, 224, 224]),
    ("mnist_7x7_stem", "resnet(blocks=[1, 1], strides=[1, 2], kernel_sizes=3, widths=[16, 32], stem=dict(width=16, kernel_size=7, stride=2, max_pool=True), input_shape=[1, 28, 28], dropout=0.2, classes=10)", [1, 28, 28]),
    ("stochastic_depth", "resnet(20, stochastic_depth=0.5)", [3, 32, 32]),
    ("stochastic_depth_per_sample", "resnet(20, stochastic_depth=0.5, stochastic_depth_mode='sample')", [3, 32, 32]),
    ("other_layers", "others", [3, 9, 9]),
]

# The layers ResNets do not use: odd "same" padding, both poolings, other activations, flatten, a dense layer on a
# [C, H, W] map, softmax.
OTHERS = """
x = input([3, 9, 9])
y = conv2d(x, 6, 4, stride=2, padding="same")
y = leaky_relu(y, slope=0.2)
y = max_pool(y, 3, stride=2, padding="same")
y = activation(sigmoid(batchnorm(y)), "tanh")
z = avg_pool(conv2d(x, 6, 3, padding=1), 3, stride=2, padding=1)
z = avg_pool(z, 2, padding="same")
y = concat([dense(y, 4), dense(z, 4)], dim=1)
y = dropout(flatten(y), 0.5)
others = model(x, softmax(dense(y, 7)), name="others")
"""


def rnx(script, name):
    with open(name, "w") as f:
        f.write(OTHERS + script)
    run = subprocess.run([os.environ["RNX"], "run", name], capture_output=True, text=True)
    assert run.returncode == 0, f"rnx run {name} failed with status {run.returncode}:\n{run.stdout}\n{run.stderr}"


# 1. rnx's freshly initialised weights, then batch norms given the statistics and affine parameters of a trained net.
rnx("".join(f"save({expr}, '{name}.init.safetensors')\n" for name, expr, _ in FLAVOURS), "init.rnx")
rng = np.random.default_rng(18)
for name, _, shape in FLAVOURS:
    state = load_file(f"{name}.init.safetensors")
    for key in [k for k in state if k.endswith(".running_mean")]:
        layer = key[: -len(".running_mean")]
        channels = state[key].shape
        state[layer + ".running_mean"] = rng.uniform(-0.2, 0.2, channels).astype(np.float32)
        state[layer + ".running_var"] = rng.uniform(0.5, 2.0, channels).astype(np.float32)
        if layer + ".weight" in state:
            state[layer + ".weight"] = rng.uniform(0.5, 1.5, channels).astype(np.float32)
            state[layer + ".bias"] = rng.uniform(-0.2, 0.2, channels).astype(np.float32)
    save_file(state, f"{name}.safetensors")
    np.save(f"{name}.input.npy", rng.standard_normal([2] + shape).astype(np.float32))

# 2. rnx loads them, exports, and writes its eval-mode logits.
script = ""
for name, expr, shape in FLAVOURS:
    script += (
        f"m = {expr}\n"
        f"load(m, '{name}.safetensors')\n"
        "m.eval()\n"
        f"export_onnx(m, '{name}.onnx', input_shape={shape})\n"
        f"save_npy(m(load_npy('{name}.input.npy')), '{name}.logits.npy')\n"
    )
rnx(script, "export.rnx")

# 3. onnxruntime on the same inputs.
worst = 0.0
for name, _, shape in FLAVOURS:
    onnx.checker.check_model(onnx.load(f"{name}.onnx"), full_check=True)
    session = ort.InferenceSession(f"{name}.onnx", providers=["CPUExecutionProvider"])
    x = np.load(f"{name}.input.npy")
    (got,) = session.run(["output"], {"input": x})
    expected = np.load(f"{name}.logits.npy")
    assert got.shape == expected.shape, (name, got.shape, expected.shape)
    relative = float(np.abs(got - expected).max() / np.abs(expected).max())
    assert relative <= 1e-4, f"{name}: onnxruntime's logits differ from rnx's by {relative:.3g} of the largest logit"
    print(f"{name}: {relative:.2e}")
    worst = max(worst, relative)
print(f"{len(FLAVOURS)} models: onnxruntime's logits equal rnx's, largest difference {worst:.2e} of the largest logit")
