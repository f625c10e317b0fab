"""torchvision's ResNet-18, built in plain torch with torchvision's module names, saved by PyTorch as safetensors,
loaded strictly into rnx's resnet18() by `rnx run`: the logits must equal torch's (1e-4 relative). And back: the
weights rnx saves load into the torch model with load_state_dict(strict=True), counters included."""

import csv
import os
import subprocess

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """torchvision.models.resnet.ResNet with BasicBlock, as in torchvision 0.28."""

    def __init__(self, layers=(2, 2, 2, 2), num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


torch.manual_seed(0)
model = ResNet()
# Batch norm with non-trivial statistics and affine parameters, so the check covers every buffer, as a trained net has.
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.num_batches_tracked.fill_(100)
model.eval()

reference = os.path.join(os.environ["RNX_INTEROP_REFERENCE"], "torchvision", "resnet18_state_dict.tsv")
with open(reference) as f:
    names = [row["name"] for row in csv.DictReader(f, delimiter="\t")]
assert list(model.state_dict().keys()) == names, "the torch model's names are not torchvision's"

save_file({k: v.contiguous() for k, v in model.state_dict().items()}, "resnet18.safetensors")
x = torch.randn(2, 3, 224, 224)
np.save("input.npy", x.numpy())
with torch.no_grad():
    expected = model(x)

with open("check.rnx", "w") as f:
    f.write(
        "m = resnet18()\n"
        "report = load(m, 'resnet18.safetensors')\n"
        "print(report)\n"
        "m.eval()\n"
        "save_tensors({'logits': m(load_npy('input.npy'))}, 'logits.safetensors')\n"
        "save(m, 'from-rnx.safetensors')\n"
    )
run = subprocess.run([os.environ["RNX"], "run", "check.rnx"], capture_output=True, text=True)
print(run.stdout, run.stderr)
assert run.returncode == 0, f"rnx run failed with status {run.returncode}"

logits = load_file("logits.safetensors")["logits"]
assert logits.shape == expected.shape, (logits.shape, expected.shape)
relative = ((logits - expected).abs().max() / expected.abs().max()).item()
assert relative <= 1e-4, f"logits differ: largest difference {relative:.3g} of the largest logit"

back = ResNet()
back.load_state_dict(load_file("from-rnx.safetensors"), strict=True)
assert all(m.num_batches_tracked.item() == 100 for m in back.modules() if isinstance(m, nn.BatchNorm2d)), "counters lost"
assert all(torch.equal(a, b) for a, b in zip(back.state_dict().values(), model.state_dict().values())), "weights differ"
print(f"ResNet-18 logits equal torch's: largest difference {relative:.2e} of the largest logit; rnx's file loads strictly")
