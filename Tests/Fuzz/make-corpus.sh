#!/usr/bin/env bash
# Regenerates the committed seed corpora (corpus/<target>/) and dictionaries (dict/<target>.dict) of the fuzz
# targets. Needs python3, ImageMagick's `convert` (JPEG seeds) and a built `rnx` (checkpoint and weight seeds;
# RNX=path/to/rnx, default ../../.build/release/rnx). Seeds are small on purpose: libFuzzer mutates them
# thousands of times a second, and a few valid files of each shape reach every branch a large one does.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rnx=${RNX:-$root/.build/release/rnx}
cd "$here"
rm -rf corpus dict
mkdir -p corpus/{dsl,safetensors,idx,csv,image,checkpoint} dict

# Checkpoints and weights as rnx writes them.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$rnx" run "$here/seeds.rnx" >/dev/null)
cp "$work/fresh.checkpoint" "$work/trained.checkpoint" corpus/checkpoint/
cp "$work/weights.safetensors" corpus/safetensors/rnx-weights.safetensors

# JPEG seeds: colour, gray, progressive, CMYK and 4:2:0 subsampled, 8x6 pixels each.
convert -size 8x6 gradient:red-blue -quality 90 "$work/rgb.jpg"
cp "$work/rgb.jpg" corpus/image/rgb.jpg
convert "$work/rgb.jpg" -colorspace Gray corpus/image/gray.jpg
convert "$work/rgb.jpg" -interlace JPEG corpus/image/progressive.jpg
convert "$work/rgb.jpg" -colorspace CMYK corpus/image/cmyk.jpg
convert "$work/rgb.jpg" -sampling-factor 2x2 corpus/image/subsampled.jpg

python3 - "$root" <<'PY'
import gzip, json, os, re, struct, sys, zlib
root = sys.argv[1]

def write(path, data):
    with open(path, "wb") as f:
        f.write(data)

# Safetensors: every dtype the reader knows, metadata, an empty tensor, a scalar.
def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + blob

f32 = struct.pack("<6f", 0, 1, -2.5, 3.25, float("inf"), 1e-3)
write("corpus/safetensors/f32.safetensors", safetensors([("w", "F32", [2, 3], f32)], {"format": "pt"}))
write("corpus/safetensors/dtypes.safetensors", safetensors([
    ("half", "F16", [2], struct.pack("<2e", 1.5, -2)),
    ("bf16", "BF16", [2], b"\x80\x3f\x00\xc0"),
    ("double", "F64", [1], struct.pack("<d", 0.5)),
    ("long", "I64", [2], struct.pack("<2q", 7, -7)),
    ("int", "I32", [1], struct.pack("<i", 3)),
    ("byte", "U8", [3], b"\x00\x7f\xff"),
    ("flag", "BOOL", [1], b"\x01"),
]))
write("corpus/safetensors/empty-and-scalar.safetensors", safetensors([("empty", "F32", [0, 4], b""), ("scalar", "F32", [], struct.pack("<f", 2))]))

# IDX (first byte: 0 = the rest is an image file, 1 = a label file; see fuzz-idx), plain and gzipped.
images = struct.pack(">4B3I", 0, 0, 8, 3, 2, 2, 2) + bytes([0, 64, 128, 255, 255, 128, 64, 0])
labels = struct.pack(">4BI", 0, 0, 8, 1, 2) + bytes([3, 7])
write("corpus/idx/images", b"\x00" + images)
write("corpus/idx/labels", b"\x01" + labels)
write("corpus/idx/images.gz", b"\x00" + gzip.compress(images, mtime=0))
write("corpus/idx/labels.gz", b"\x01" + gzip.compress(labels, mtime=0))
with open(os.path.join(root, "data/mnist5k/t10k-labels-idx1-ubyte.gz"), "rb") as f:
    head = gzip.decompress(f.read())[:8 + 40]
write("corpus/idx/mnist-labels-head", b"\x01" + struct.pack(">4BI", 0, 0, 8, 1, 40) + head[8:])

# CSV (first byte picks the shape and header mode; see fuzz-csv).
write("corpus/csv/plain", b"\x00" + b"0,0,64,128,255\n1,255,128,64,0\n")
write("corpus/csv/header", b"\x04" + b"label,p0,p1,p2,p3\r\n2,1,2,3,4\r\n\r\n0,4.5,-1,1e2,0\r\n")
write("corpus/csv/quoted", b"\x09" + b'"label","a","b"\n"1","2","3"\n')
write("corpus/csv/one-pixel", b"\x01" + b"0,1\n3,2\n")

# PNG: gray, RGB, RGBA, palette, 16-bit, interlaced.
def png(width, height, color_type, bit_depth, raw_rows, extra=b"", interlace=0):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw_rows)) + chunk(b"IEND", b"")

def rows(width, height, channels, depth=1):
    return b"".join(b"\x00" + bytes((x * 37 + y * 11 + c) % 256 for x in range(width) for c in range(channels * depth)) for y in range(height))

write("corpus/image/gray.png", png(4, 3, 0, 8, rows(4, 3, 1)))
write("corpus/image/rgb.png", png(4, 3, 2, 8, rows(4, 3, 3)))
write("corpus/image/rgba.png", png(3, 3, 6, 8, rows(3, 3, 4)))
write("corpus/image/rgb16.png", png(2, 2, 2, 16, rows(2, 2, 3, 2)))
plte = struct.pack(">I", 6) + b"PLTE" + bytes([255, 0, 0, 0, 0, 255]) + struct.pack(">I", zlib.crc32(b"PLTE" + bytes([255, 0, 0, 0, 0, 255])))
write("corpus/image/palette.png", png(4, 2, 3, 8, b"".join(b"\x00" + bytes([0, 1, 1, 0]) for _ in range(2)), extra=plte))
write("corpus/image/interlaced.png", png(1, 1, 2, 8, b"\x00\x10\x20\x30", interlace=1))

# DSL: the code cells of the examples and the code blocks of the language reference, one file each.
def dsl_seed(name, text):
    text = text.strip() + "\n"
    if text.strip() and len(text) <= 4096:
        write(os.path.join("corpus/dsl", name), text.encode())

examples = os.path.join(root, "examples")
for directory, _, files in os.walk(examples):
    for file in sorted(files):
        if not file.endswith(".rnx"):
            continue
        with open(os.path.join(directory, file)) as f:
            cells = re.split(r"^# %%.*$", f.read(), flags=re.M)
        stem = os.path.relpath(os.path.join(directory, file), examples).replace("/", "-")[:-4]
        for index, cell in enumerate(cells):
            if not all(line.startswith("#") or not line.strip() for line in cell.splitlines()):
                dsl_seed(f"{stem}-{index:02d}.rnx", cell)
with open(os.path.join(root, "docs/language.md")) as f:
    for index, block in enumerate(re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)):
        dsl_seed(f"language-{index:02d}.rnx", block)
PY

# Small programs for the language itself (the examples above are mostly about models).
cat > corpus/dsl/values.rnx <<'RNX'
a, *rest = [1_000_000, 0xff, 0b101, -7, 3.14, 1e-3, .5, inf, nan, True, None]
s = 'single' + "double" + '''triple''' + r'raw \n' + "\t\\\x41\u00e9"
print(f"{a}: {rest[3]:.4f} ({rest[4]:.1%}) {a:>12,d} {s!r} {a=} {a:#x} {3.5:e}")
d = {'lr': 0.1, 'epochs': 3}
d["key"] = [x * x for x in range(10) if x % 2]
print({k: v for k, v in d.items()}, d.get("none", ()), (1,), sorted(d.keys()), s[::-1][1:5], -2 ** 2, 7 // -2, 7 % -3)
del d["key"]
RNX
cat > corpus/dsl/functions.rnx <<'RNX'
def train(model, epochs=1, *callbacks, lr=0.1, **options):
    "Documents the function."
    total = 0
    for epoch in range(epochs):
        total += epoch * lr
    return total, callbacks, options
def counter():
    n = 0
    def step():
        nonlocal n
        n += 1
        return n
    return step
c = counter()
c(); c()
fib = lambda n: n if n < 2 else fib(n - 1) + fib(n - 2)
x = 10
while x > 0:
    x -= 1
    if x == 5: break
assert fib(10) == 55, "fib"
train(None, 3, print, lr=0.01, extra=True), list(zip(map(str, range(3)), filter(None, [0, 1, 2]))), help(train)
RNX
cat > corpus/dsl/tensors.rnx <<'RNX'
seed(0)
t = randn(2, 3)
u = (t @ t.transpose(0, 1)).sum() + zeros([2, 3]).reshape(3, 2)[1:, ::-1].mean()
w = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
loss = (w * w).sum()
loss.backward()
print(w.grad, t.shape, cat([t, t], 0).shape, stack([t, t]).shape, t.max(), t.argmax(1), u.item())
RNX

# Dictionaries (libFuzzer format: one quoted token a line, bytes outside printable ASCII as \xNN).
dsl_words() {
    sed -n 's/^ *case kw[A-Za-z]* = "\(.*\)"$/\1/p' "$root/Sources/DSL/Language/Syntax/Token.swift"
    grep -rhoE 'BuiltinFunction\("[a-z_0-9]+"' "$root/Sources/DSL" | sed 's/.*("//;s/"//'
    grep -hoE '\b[a-z_][a-z_0-9]*\(' "$root/docs/language.md" | tr -d '('
}
dsl_words | sort -u | python3 "$here/dictionary.py" > dict/dsl.dict
python3 "$here/dictionary.py" --tokens >> dict/dsl.dict '(' ')' '[' ']' '{' '}' ',' ':' '.' '->' '=' '+' '-' '*' '**' '/' '//' \
    '%' '@' '+=' '**=' '@=' '==' '!=' '<=' '>=' '"' "'" '"""' 'f"' '{x}' '\n' '\n    ' '\\' '#' '1e308' '-1' '2**63' \
    '10**18' '1.5' 'nan' 'inf'
python3 "$here/dictionary.py" --tokens > dict/safetensors.dict '__metadata__' 'dtype' 'shape' 'data_offsets' 'F32' 'F16' 'BF16' \
    'F64' 'I64' 'I32' 'I16' 'I8' 'U8' 'BOOL' 'F8_E4M3' '{' '}' '[' ']' ':' ',' '"' '-1' '18446744073709551615' '1e400' \
    '\x00\x00\x00\x00\x00\x00\x00\x00' '\xff\xff\xff\xff\xff\xff\xff\x7f'
cp dict/safetensors.dict dict/checkpoint.dict
python3 "$here/dictionary.py" --tokens >> dict/checkpoint.dict 'rnx.format' 'rnx-checkpoint-1' 'rnx.position' 'rnx.rng' \
    'rnx.optimizer' 'rnx.history' 'model/' 'optimizer/' 'epoch' 'step' 'kind' 'groups' 'steps' 'learningRate' 'weightDecay' \
    'momentum' 'name' 'nan' 'inf' '-inf'
python3 "$here/dictionary.py" --tokens > dict/idx.dict '\x00\x00\x08\x03' '\x00\x00\x08\x01' '\x00\x00\x0d\x03' \
    '\x00\x00\x08\x02' '\xff\xff\xff\xff' '\x7f\xff\xff\xff' '\x1f\x8b\x08\x00'
python3 "$here/dictionary.py" --tokens > dict/csv.dict ',' '\n' '\r\n' '"' 'label' '-1' '1e39' 'nan' 'inf' '255' '0.5' \
    '18446744073709551616'
python3 "$here/dictionary.py" --tokens > dict/image.dict '\x89PNG\r\n\x1a\n' 'IHDR' 'IDAT' 'IEND' 'PLTE' 'tRNS' 'gAMA' 'iCCP' \
    'sBIT' 'acTL' 'fcTL' '\xff\xd8' '\xff\xd9' '\xff\xc0' '\xff\xc2' '\xff\xc4' '\xff\xdb' '\xff\xda' '\xff\xdd' \
    '\xff\xee' '\xff\xe0' 'Adobe' 'JFIF\x00' '\xff\xff' '\x00\x00\xff\xff'

du -sh corpus/* | sed 's/^/  /'
