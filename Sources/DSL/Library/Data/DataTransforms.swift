import Kernel

/// One augmentation or preprocessing step as a language value, e.g. `random_crop(28, padding=2)`.
///
/// A transform is a recipe: the Kernel transform is made when a loader is built, because `normalize()` without
/// numbers needs the training set's channel statistics. Each transform also says what the validation loader
/// uses in its place: random augmentations are left out (a random crop becomes a centre crop when the size
/// changes), deterministic steps such as `normalize` and `resize` are kept.
final class TransformObject: DSLObject {
    /// What the validation pipeline does with this transform.
    enum ValidationUse {
        /// The same transform.
        case same
        /// Nothing (a random augmentation that keeps the size).
        case drop
        /// A deterministic stand-in that gives the same output shape, e.g. a centre crop for a random crop.
        case standIn((_ inputShape: [Int]) throws -> (text: String, transform: any Transform)?)
    }

    /// How the call was written, for printing.
    let text: String
    let validationUse: ValidationUse
    /// Makes the Kernel transform; receives the training set's channel statistics on demand.
    private let make: (_ statistics: () -> (mean: [Float], std: [Float])) throws -> (text: String, transform: any Transform)

    init(
        _ text: String, validation: ValidationUse,
        make: @escaping (_ statistics: () -> (mean: [Float], std: [Float])) throws -> (text: String, transform: any Transform)
    ) {
        self.text = text
        self.validationUse = validation
        self.make = make
    }

    /// A transform that does not depend on the data.
    convenience init(_ text: String, validation: ValidationUse, _ transform: any Transform) {
        self.init(text, validation: validation) { _ in (text, transform) }
    }

    var dslType: DSLType { DataTransforms.type }
    var description: String { text }

    /// The Kernel transform and how it prints once resolved (`normalize(mean=[0.1307], std=[0.3081])`).
    func resolve(statistics: () -> (mean: [Float], std: [Float])) throws -> (text: String, transform: any Transform) {
        try make(statistics)
    }
}

/// A list of transforms turned into one Kernel transform for a loader.
struct TransformPipeline {
    /// The composed transform, nil when empty.
    let transform: (any Transform)?
    /// The steps as resolved, for printing.
    let texts: [String]

    /// The training pipeline (`forValidation` false) or its validation counterpart, built for images of
    /// `inputShape`; `normalize()` without numbers uses the statistics of `trainingSet`.
    init(_ objects: [TransformObject], trainingSet: Dataset, forValidation: Bool) throws {
        var cached: (mean: [Float], std: [Float])?
        let statistics = { () -> (mean: [Float], std: [Float]) in
            if let cached { return cached }
            let computed = trainingSet.channelStatistics()
            cached = computed
            return computed
        }
        var shape = trainingSet.sampleShape
        var steps: [any Transform] = []
        var texts: [String] = []
        for object in objects {
            let step: (text: String, transform: any Transform)?
            switch (forValidation, object.validationUse) {
            case (false, _), (true, .same):
                step = try object.resolve(statistics: statistics)
            case (true, .drop):
                step = nil
            case (true, .standIn(let makeStandIn)):
                step = try makeStandIn(shape)
            }
            guard let step else { continue }
            shape = try step.transform.outputShape(for: shape)
            steps.append(step.transform)
            texts.append(step.text)
        }
        transform = steps.isEmpty ? nil : (steps.count == 1 ? steps[0] : Compose(steps))
        self.texts = texts
    }
}

/// The transform builtins (torchvision's names where they exist) and progressive resizing.
enum DataTransforms {
    static let type = DSLType(
        name: "Transform",
        doc: "A per-image augmentation or preprocessing step for loader(transforms=[...]); random steps are left out of validation loaders.")

    static let group = BuiltinGroup(
        title: "Augmentation",
        functions: [
            BuiltinFunction(
                "flip", [.optional("p", 0.5), .optional("vertical", false)],
                doc:
                    "Mirror the image left to right with probability p (torchvision's RandomHorizontalFlip); vertical=True mirrors it top to bottom instead (RandomVerticalFlip)."
            ) { args in
                let p = try args.double("p")
                guard p >= 0, p <= 1 else { throw args.valueError("p", "must be between 0 and 1, got \(Value.formatFloat(p))") }
                if try args.bool("vertical") {
                    return .object(
                        TransformObject(
                            "flip(p=\(Value.formatFloat(p)), vertical=True)", validation: .drop, RandomFlip(.vertical, probability: Float(p))))
                }
                return .object(TransformObject("flip(p=\(Value.formatFloat(p)))", validation: .drop, RandomFlip(.horizontal, probability: Float(p))))
            },
            zoom,
            colorJitter,
            someOf,
            oneOf,
            BuiltinFunction(
                "random_crop", [.required("size"), .optional("padding", 0), .optional("mode", "zero")],
                doc:
                    "Pad by padding pixels (mode 'zero' or 'reflect'), then crop size (an int or (h, w)) at a random place; validation crops the centre."
            ) { args in
                let size = try imageSize(args, "size")
                let padding = try args.int("padding")
                guard padding >= 0 else { throw args.valueError("padding", "must not be negative, got \(padding)") }
                let modeName = try args.string("mode")
                guard let mode = PaddingMode(rawValue: modeName == "constant" ? "zero" : modeName) else {
                    throw args.valueError("mode", "must be 'zero' or 'reflect', got \(Value.quote(modeName))")
                }
                let text =
                    "random_crop(\(sizeText(size))" + (padding > 0 ? ", padding=\(padding)" : "") + (mode == .zero ? "" : ", mode='reflect'") + ")"
                return .object(
                    TransformObject(
                        text, validation: .standIn({ shape in try centre(size, of: shape) }),
                        RandomCrop(size: size, padding: padding, mode: mode)))
            },
            BuiltinFunction(
                "random_resized_crop",
                [.required("size"), .optional("scale", .tuple([0.08, 1.0])), .optional("ratio", .tuple([0.75, .float(4.0 / 3)]))],
                doc:
                    "Crop a random region (scale: its share of the area, ratio: width/height) and resize it to size; validation resizes the whole image."
            ) { args in
                let size = try imageSize(args, "size")
                let scale = try range(args, "scale")
                let ratio = try range(args, "ratio")
                let transform = RandomResizedCrop(size: size, scale: Float(scale.0)...Float(scale.1), ratio: Float(ratio.0)...Float(ratio.1))
                return .object(
                    TransformObject(
                        "random_resized_crop(\(sizeText(size)))", validation: .standIn({ _ in ("resize(\(sizeText(size)))", Resize(size)) }),
                        transform))
            },
            BuiltinFunction(
                "translate", [.required("fraction"), .optional("fill", 0.0)],
                doc: "Shift by up to fraction of the width and height in each direction (torchvision's RandomAffine translate)."
            ) { args in
                let fraction = try args.double("fraction")
                guard fraction >= 0, fraction <= 1 else {
                    throw args.valueError("fraction", "must be between 0 and 1, got \(Value.formatFloat(fraction))")
                }
                return .object(
                    TransformObject(
                        "translate(\(try args.value("fraction").repr))", validation: .drop,
                        RandomAffine.translation(Float(fraction), fill: Float(try args.double("fill")))))
            },
            BuiltinFunction(
                "rotate", [.required("degrees"), .optional("fill", 0.0)],
                doc: "Rotate by a random angle of up to degrees either way."
            ) { args in
                let degrees = try args.double("degrees")
                guard degrees.isFinite else { throw args.valueError("degrees", "must be a finite number") }
                return .object(
                    TransformObject(
                        "rotate(\(try args.value("degrees").repr))", validation: .drop,
                        RandomAffine.rotation(Float(degrees), fill: Float(try args.double("fill")))))
            },
            BuiltinFunction(
                "shear", [.required("degrees"), .optional("fill", 0.0)],
                doc: "Shear horizontally by a random angle of up to degrees either way (less than 90)."
            ) { args in
                let degrees = try args.double("degrees")
                guard abs(degrees) < 90 else { throw args.valueError("degrees", "must be less than 90, got \(Value.formatFloat(degrees))") }
                return .object(
                    TransformObject(
                        "shear(\(try args.value("degrees").repr))", validation: .drop,
                        RandomAffine.shear(Float(degrees), fill: Float(try args.double("fill")))))
            },
            BuiltinFunction(
                "cutout", [.required("size"), .optional("count", 1), .optional("fill", 0.0)],
                doc: "Erase count random squares of side size pixels (DeVries & Taylor's Cutout)."
            ) { args in
                let size = try args.int("size")
                let count = try args.int("count")
                guard size > 0, count > 0 else { throw args.valueError(size > 0 ? "count" : "size", "must be positive") }
                return .object(
                    TransformObject(
                        "cutout(\(size)" + (count == 1 ? "" : ", count=\(count)") + ")", validation: .drop,
                        Cutout(size: size, count: count, fill: Float(try args.double("fill")))))
            },
            BuiltinFunction(
                "normalize", [.optional("mean", .none), .optional("std", .none)],
                doc:
                    "Standardise each channel: (x - mean) / std; what is not given comes from the training set's channel "
                    + "statistics, so normalize() standardises and normalize(std=1) only subtracts the mean (mean subtraction)."
            ) { args in
                let mean = try optionalFloats(args, "mean")
                let std = try optionalFloats(args, "std")
                if let mean, let std {
                    let text = "normalize(mean=\(floatsText(mean)), std=\(floatsText(std)))"
                    return .object(TransformObject(text, validation: .same, Normalize(mean: mean, std: std)))
                }
                let given = [mean.map { "mean=\(floatsText($0))" }, std.map { "std=\(floatsText($0))" }].compactMap { $0 }
                return .object(
                    TransformObject("normalize(\(given.joined(separator: ", ")))", validation: .same) { statistics in
                        let (trainingMean, trainingStd) = statistics()
                        // One number stands for every channel, as torchvision's Normalize broadcasts it.
                        func perChannel(_ given: [Float]?, _ measured: [Float]) -> [Float] {
                            guard let given else { return measured }
                            return given.count == 1 ? Array(repeating: given[0], count: measured.count) : given
                        }
                        let chosenMean = perChannel(mean, trainingMean)
                        let chosenStd = perChannel(std, trainingStd)
                        guard chosenStd.allSatisfy({ $0 > 0 }) else {
                            throw KernelError.invalidArgument(
                                op: "normalize", message: "a channel of the training set is constant (std 0); pass mean= and std=")
                        }
                        return (
                            "normalize(mean=\(floatsText(chosenMean)), std=\(floatsText(chosenStd)))", Normalize(mean: chosenMean, std: chosenStd)
                        )
                    })
            },
            BuiltinFunction(
                "resize", [.required("size")],
                doc: "Resize to size (an int or (h, w)) by bilinear interpolation, in training and validation."
            ) { args in
                let size = try imageSize(args, "size")
                return .object(TransformObject("resize(\(sizeText(size)))", validation: .same, Resize(size)))
            },
            BuiltinFunction(
                "center_crop", [.required("size")],
                doc: "Cut the central size (an int or (h, w)) region out, in training and validation."
            ) { args in
                let size = try imageSize(args, "size")
                return .object(TransformObject("center_crop(\(sizeText(size)))", validation: .same, CenterCrop(size)))
            },
            BuiltinFunction(
                "resize_schedule", [.required("sizes")],
                doc: "Progressive resizing for loader(sizes=...): {epoch: size}, e.g. {0: 32, 5: 48, 10: 64}."
            ) { args in
                .object(ResizeScheduleObject(try resizeSchedule(from: try args.value("sizes"), args, "sizes")))
            },
        ])

    /// An image size given as an int or as (height, width).
    static func imageSize(_ args: Arguments, _ name: String) throws -> ImageSize {
        try imageSize(from: try args.value(name), args, name)
    }

    static func imageSize(from value: Value, _ args: Arguments, _ name: String) throws -> ImageSize {
        let size: ImageSize
        if let side = value.integerValue {
            size = ImageSize(side)
        } else if case .tuple(let parts) = value, parts.count == 2, let height = parts[0].integerValue, let width = parts[1].integerValue {
            size = ImageSize(height: height, width: width)
        } else if case .list(let list) = value, list.items.count == 2, let height = list.items[0].integerValue, let width = list.items[1].integerValue
        {
            size = ImageSize(height: height, width: width)
        } else {
            throw args.typeError(name, expected: "an int or a (height, width) pair", found: value)
        }
        guard size.height > 0, size.width > 0 else { throw args.valueError(name, "must be positive, got \(size)") }
        return size
    }

    /// `28` or `(24, 32)`.
    static func sizeText(_ size: ImageSize) -> String {
        size.height == size.width ? String(size.height) : "(\(size.height), \(size.width))"
    }

    /// `{0: 32, 5: 48}`, a `resize_schedule(...)` value, or one size for every epoch.
    static func resizeSchedule(from value: Value, _ args: Arguments, _ name: String) throws -> ResizeSchedule {
        if case .object(let object) = value, let wrapped = object as? ResizeScheduleObject { return wrapped.schedule }
        if case .dict(let dict) = value {
            var phases: [(startEpoch: Int, size: ImageSize)] = []
            for entry in dict.entries {
                guard let epoch = entry.key.integerValue, epoch >= 0 else {
                    throw args.valueError(name, "keys must be epoch numbers (ints ≥ 0), got \(entry.key.repr)")
                }
                phases.append((epoch, try imageSize(from: entry.value, args, name)))
            }
            guard !phases.isEmpty else { throw args.valueError(name, "needs at least one {epoch: size} entry") }
            return try ResizeSchedule(phases.sorted { $0.startEpoch < $1.startEpoch })
        }
        return try ResizeSchedule(constant: try imageSize(from: value, args, name))
    }

    /// The validation stand-in of a random crop to `size`: nothing when the size is unchanged, else a centre crop
    /// (or a resize when the crop only fitted thanks to padding).
    private static func centre(_ size: ImageSize, of shape: [Int]) throws -> (text: String, transform: any Transform)? {
        guard shape.count == 3 else { return nil }
        if shape[1] == size.height && shape[2] == size.width { return nil }
        if size.height <= shape[1] && size.width <= shape[2] { return ("center_crop(\(sizeText(size)))", CenterCrop(size)) }
        return ("resize(\(sizeText(size)))", Resize(size))
    }

    private static func range(_ args: Arguments, _ name: String) throws -> (Double, Double) {
        let items = try args.elements(name)
        guard items.count == 2, let low = items[0].numericValue, let high = items[1].numericValue, low <= high else {
            throw args.valueError(name, "must be a (low, high) pair of numbers with low ≤ high")
        }
        return (low, high)
    }

    private static func optionalFloats(_ args: Arguments, _ name: String) throws -> [Float]? {
        let value = try args.value(name)
        if case .none = value { return nil }
        if let number = value.numericValue { return [Float(number)] }
        return try args.elements(name).map { item in
            guard let number = item.numericValue else { throw args.typeError(name, expected: "a number or a list of numbers", found: item) }
            return Float(number)
        }
    }

    /// `[0.1307]`, four significant digits.
    static func floatsText(_ values: [Float]) -> String {
        "[" + values.map { String(format: "%.4g", Double($0)) }.joined(separator: ", ") + "]"
    }
}

/// Progressive resizing as a language value: the image size of each epoch, applied by loaders after the transforms.
final class ResizeScheduleObject: DSLObject {
    let schedule: ResizeSchedule

    init(_ schedule: ResizeSchedule) {
        self.schedule = schedule
    }

    static let type = DSLType(
        name: "ResizeSchedule",
        doc: "Image sizes by epoch for progressive resizing, from resize_schedule({epoch: size}).",
        properties: [
            DSLProperty("sizes", doc: "The phases as a dict {first epoch: (height, width)}.") { value in
                guard case .object(let object) = value, let wrapped = object as? ResizeScheduleObject else { return .none }
                let pairs = wrapped.schedule.phases.map { (Value.int($0.startEpoch), Value.tuple([.int($0.size.height), .int($0.size.width)])) }
                return .dict(try DictObject(pairs))
            }
        ],
        methods: [
            BuiltinFunction("size", [.required("epoch")], doc: "The (height, width) used in epoch (0-based), or None before the first phase.") {
                args in
                let schedule = try args.receiver(as: ResizeScheduleObject.self).schedule
                return schedule.size(forEpoch: try args.int("epoch")).map { .tuple([.int($0.height), .int($0.width)]) } ?? .none
            }
        ])

    var dslType: DSLType { ResizeScheduleObject.type }
    var description: String {
        "resize_schedule({" + schedule.phases.map { "\($0.startEpoch): \(DataTransforms.sizeText($0.size))" }.joined(separator: ", ") + "})"
    }
}
