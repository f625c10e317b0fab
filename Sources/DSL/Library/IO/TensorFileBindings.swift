import Kernel

/// Reading and writing tensors in the files PyTorch and NumPy use: safetensors, `.npy` and `.npz`.
enum TensorFileBindings {
    static let group = BuiltinGroup(
        title: "Tensor files",
        functions: [
            BuiltinFunction(
                "load_tensors", [.required("path")],
                doc:
                    "Every tensor of a safetensors file as a dict of name → Tensor, whatever the names (safetensors.torch.save_file writes these).\nF32, F64, F16 and BF16 become float32; I64, I32, I16, I8, U8 and BOOL become int64 (values beyond ±2^24 are refused). Example: logits = load_tensors('out.safetensors')['logits']"
            ) { args in
                let file = try Safetensors.load(try ModelMethods.path(args))
                return try dict(file.tensors)
            },
            BuiltinFunction(
                "save_tensors", [.required("tensors"), .required("path")],
                doc:
                    "Write a dict of name → Tensor to a safetensors file (replaced atomically): float32 as F32, int64 as I64; safetensors.torch.load_file reads it. Example: save_tensors({'logits': m(x)}, 'out.safetensors')"
            ) { args in
                try Safetensors.save(try namedTensors(args), to: try ModelMethods.path(args))
                return .none
            },
            BuiltinFunction(
                "load_npy", [.required("path")],
                doc:
                    "The array of a NumPy .npy file as a Tensor: float32, float64 and float16 become float32; int64, int32, uint8 and bool become int64. C order and little-endian only (np.ascontiguousarray fixes Fortran order). Example: x = load_npy('x.npy')"
            ) { args in
                .object(TensorObject(try Npy.load(try ModelMethods.path(args))))
            },
            BuiltinFunction(
                "save_npy", [.required("tensor"), .required("path")],
                doc:
                    "Write a Tensor to a NumPy .npy file (float32, or int64 for an int64 tensor; replaced atomically). Example: save_npy(m(x), 'logits.npy')"
            ) { args in
                try Npy.save(try args.tensor("tensor"), to: try ModelMethods.path(args))
                return .none
            },
            BuiltinFunction(
                "load_npz", [.required("path")],
                doc:
                    "Every array of a NumPy .npz archive (np.savez or np.savez_compressed) as a dict of name → Tensor, with load_npy's types. Example: arrays = load_npz('data.npz'); x = arrays['x']"
            ) { args in
                try dict(try Npz.load(try ModelMethods.path(args)))
            },
            BuiltinFunction(
                "save_npz", [.required("tensors"), .required("path")],
                doc:
                    "Write a dict of name → Tensor to an uncompressed NumPy .npz archive (replaced atomically); np.load reads it. Example: save_npz({'x': x, 'y': y}, 'xy.npz')"
            ) { args in
                try Npz.save(try namedTensors(args), to: try ModelMethods.path(args))
                return .none
            },
        ])

    /// A dict of name → Tensor in the given order.
    private static func dict(_ tensors: [NamedTensor]) throws -> Value {
        .dict(try DictObject(tensors.map { (.string($0.name), .object(TensorObject($0.tensor))) }))
    }

    /// The `tensors` argument, a dict of string → Tensor (or numbers and lists, converted like tensor()).
    private static func namedTensors(_ args: Arguments) throws -> [NamedTensor] {
        let value = try args.value("tensors")
        guard case .dict(let dict) = value else { throw args.typeError("tensors", expected: "a dict of name → Tensor", found: value) }
        return try dict.entries.map { key, item in
            guard case .string(let name) = key else { throw args.typeError("tensors", expected: "string keys (tensor names)", found: key) }
            do {
                return NamedTensor(name: name, tensor: try TensorBindings.tensor(from: item))
            } catch let error as DSLError where error.kind == .type {
                throw args.typeError("tensors", expected: "a Tensor for \(Value.quote(name))", found: item)
            }
        }
    }
}
