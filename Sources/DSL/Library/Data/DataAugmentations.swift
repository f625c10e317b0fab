import Kernel

/// The augmentations the experiment recipes name beyond torchvision's basic ones: zoom both ways, colour jitter, and
/// random subsets of other transforms. All are random, so validation loaders leave them out.
extension DataTransforms {
    static let zoom = BuiltinFunction(
        "zoom", [.required("min_scale"), .required("max_scale"), .optional("fill", 0.0)],
        doc:
            "Zoom by a random factor in [min_scale, max_scale], keeping the size: above 1 enlarges a random region (zoom in, crops), below 1 shrinks the image onto a fill-coloured canvas at a random place (zoom out, pads). E.g. zoom(0.9, 1.2)."
    ) { args in
        let low = try args.double("min_scale")
        let high = try args.double("max_scale")
        guard low > 0, low.isFinite else { throw args.valueError("min_scale", "must be a positive number, got \(Value.formatFloat(low))") }
        guard high >= low, high.isFinite else {
            throw args.valueError("max_scale", "must be a finite number ≥ min_scale (\(Value.formatFloat(low))), got \(Value.formatFloat(high))")
        }
        let fill = try args.double("fill")
        let text = "zoom(\(Value.formatFloat(low)), \(Value.formatFloat(high))" + (fill == 0 ? "" : ", fill=\(Value.formatFloat(fill))") + ")"
        return .object(TransformObject(text, validation: .drop, RandomZoom(scale: Float(low)...Float(high), fill: Float(fill))))
    }

    static let colorJitter = BuiltinFunction(
        "color_jitter", [.optional("brightness", 0.0), .optional("contrast", 0.0), .optional("saturation", 0.0)],
        doc:
            "Random brightness, contrast and saturation as torchvision's ColorJitter, for images in [0, 1] (put it before normalize): each strength s draws a factor f in [max(0, 1-s), 1+s]; brightness scales by f, contrast blends with the image's mean gray level, saturation with its gray version (f·x + (1-f)·ref), in random order, clamped to [0, 1]."
    ) { args in
        var parts: [String] = []
        var strengths: [Float] = []
        for name in ["brightness", "contrast", "saturation"] {
            let strength = try args.double(name)
            guard strength >= 0, strength.isFinite else {
                throw args.valueError(name, "must be a finite number ≥ 0, got \(Value.formatFloat(strength))")
            }
            if strength > 0 { parts.append("\(name)=\(Value.formatFloat(strength))") }
            strengths.append(Float(strength))
        }
        return .object(
            TransformObject(
                "color_jitter(\(parts.joined(separator: ", ")))", validation: .drop,
                ColorJitter(brightness: strengths[0], contrast: strengths[1], saturation: strengths[2])))
    }

    static let someOf = BuiltinFunction(
        "some_of", [.required("n"), .required("transforms")],
        doc:
            "Apply n of transforms (a list), chosen at random for each image and applied in list order (imgaug's SomeOf); each must keep the image size. Left out of validation."
    ) { args in
        let n = try args.int("n")
        return .object(try subset(args, count: n, name: "some_of(\(n), "))
    }

    static let oneOf = BuiltinFunction(
        "one_of", [.required("transforms")],
        doc:
            "Apply one of transforms (a list), chosen at random for each image (torchvision's RandomChoice); each must keep the image size. Left out of validation."
    ) { args in
        .object(try subset(args, count: 1, name: "one_of("))
    }

    /// A transform applying `count` of the `transforms` argument's transforms per image.
    private static func subset(_ args: Arguments, count: Int, name: String) throws -> TransformObject {
        guard let children = try DataBindings.transforms(args, "transforms"), !children.isEmpty else {
            throw args.valueError("transforms", "must be a non-empty list of transforms such as [flip(), zoom(0.9, 1.1)]")
        }
        guard count >= 0, count <= children.count else {
            throw args.valueError("n", "must be between 0 and the \(children.count) transforms given, got \(count)")
        }
        let text = name + "[" + children.map(\.text).joined(separator: ", ") + "])"
        return TransformObject(text, validation: .drop) { statistics in
            let resolved = try children.map { try $0.resolve(statistics: statistics) }
            return ("\(name)[\(resolved.map(\.text).joined(separator: ", "))])", RandomSubset(resolved.map(\.transform), count: count))
        }
    }
}
