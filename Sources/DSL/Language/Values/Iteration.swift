import Foundation
import Kernel

extension Value {
    /// An iterator over the value: list and tuple elements, string characters, dict keys, range numbers,
    /// or whatever an iterable object produces. Lists are read live, so appending while looping is seen.
    /// Every iterator looks at the running program's interrupt flag as it goes, so any builtin consuming one
    /// (`sum(range(10**18))`, `max(huge_list)`) stops on Ctrl-C.
    public func makeIterator() throws -> ValueIterator {
        switch self {
        case .list(let list):
            var index = 0
            var poll = InterruptPoll()
            return ValueIterator {
                guard index < list.items.count else { return nil }
                try poll.tick()
                defer { index += 1 }
                return list.items[index]
            }
        case .tuple(let items):
            return Value.iterate(items)
        case .string(let text):
            var iterator = text.makeIterator()
            var poll = InterruptPoll()
            return ValueIterator {
                guard let character = iterator.next() else { return nil }
                try poll.tick()
                return .string(String(character))
            }
        case .dict(let dict):
            return Value.iterate(dict.keys)
        case .range(let range):
            var index: Int128 = 0
            let count = range.count
            var poll = InterruptPoll()
            return ValueIterator {
                guard index < count else { return nil }
                try poll.tick()
                defer { index += 1 }
                return .int(try range.element(at: index))
            }
        case .object(let object):
            if let iterator = try object.makeIterator() { return iterator }
        default:
            break
        }
        throw DSLError(.type, "'\(typeName)' object is not iterable")
    }

    /// All elements of an iterable value, collected into an array. Ranges and iterators that would not fit in
    /// the memory limit are refused (as soon as that is known), and collecting stops on Ctrl-C.
    public func elements() throws -> [Value] {
        switch self {
        case .list(let list): return list.items
        case .tuple(let items): return items
        case .dict(let dict): return dict.keys
        case .range(let range):
            let count = Int(clamping: range.count)
            try ContainerLimit.check(elements: count, of: "a list of \(repr)")
            var result: [Value] = []
            // Reserved in part only: the whole list may be refused later by a Ctrl-C, or by a system that does
            // not overcommit memory.
            result.reserveCapacity(Swift.min(count, 1 << 20))
            var poll = InterruptPoll()
            for index in 0..<count {
                try poll.tick()
                result.append(.int(try range.element(at: Int128(index))))
            }
            return result
        default:
            let iterator = try makeIterator()
            var result: [Value] = []
            // An object's elements (batches, samples) can each take a while: look at the flag after every one.
            var poll = InterruptPoll(every: isObject ? 1 : InterruptPoll.interval)
            while let element = try iterator.next() {
                try poll.tick()
                result.append(element)
                if result.count > ContainerLimit.maximumElements {
                    try ContainerLimit.check(elements: result.count, of: "a list of the elements of \(typeName)")
                }
            }
            return result
        }
    }

    private var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    private static func iterate(_ items: [Value]) -> ValueIterator {
        var index = 0
        var poll = InterruptPoll()
        return ValueIterator {
            guard index < items.count else { return nil }
            try poll.tick()
            defer { index += 1 }
            return items[index]
        }
    }
}

/// The memory a list, tuple or string built by the language may take: the budget `MemoryLimit` gives a tensor,
/// so `list(range(10**18))`, `[0] * 10**12` and `"a" * 10**12` are refused with a `MemoryError` (as Python raises)
/// instead of taking memory until the operating system kills the process. Tensors refused by the Kernel's
/// `MemoryLimit` stay `RuntimeError`, as PyTorch reports a failed CPU allocation.
enum ContainerLimit {
    /// Bytes one element of a list or tuple takes (the value itself; what it refers to is shared, not copied).
    static let bytesPerElement = MemoryLayout<Value>.stride

    /// Most elements one list or tuple may hold.
    static var maximumElements: Int { MemoryLimit.bytes / bytesPerElement }

    /// Throws when `count` elements exceed the limit; `what` names the result in the message.
    static func check(elements count: Int, of what: String) throws {
        guard count > maximumElements else { return }
        throw tooLarge(what, bytes: Double(count) * Double(bytesPerElement), detail: "\(count) elements")
    }

    /// Throws when a string of `bytes` UTF-8 bytes exceeds the limit; `what` names the result in the message.
    static func check(stringBytes bytes: Int, of what: String) throws {
        guard bytes > MemoryLimit.bytes else { return }
        throw tooLarge(what, bytes: Double(bytes), detail: "\(bytes) bytes")
    }

    /// Throws when `copies` repetitions of `length` elements (or UTF-8 bytes, when `text`) plus `extra` more would
    /// exceed the limit: repetition (`"a" * n`, `[0] * n`) and padding (`ljust`, format widths) size their result
    /// here, without overflow, before building it. A negative count of copies builds nothing.
    static func check(copies: Int, of length: Int, plus extra: Int = 0, text: Bool, of what: String) throws {
        let copies = Swift.max(copies, 0)
        let (product, productOverflow) = copies.multipliedReportingOverflow(by: length)
        let (total, sumOverflow) = product.addingReportingOverflow(extra)
        guard productOverflow || sumOverflow else {
            if text { try check(stringBytes: total, of: what) } else { try check(elements: total, of: what) }
            return
        }
        let amount = Double(copies) * Double(length) + Double(extra)
        throw tooLarge(
            what, bytes: text ? amount : amount * Double(bytesPerElement),
            detail: String(format: "%.3g %@", amount, text ? "bytes" : "elements"))
    }

    private static func tooLarge(_ what: String, bytes: Double, detail: String) -> DSLError {
        DSLError(.memory, "\(what) would take \(size(bytes)) (\(detail)), more than the memory limit of \(size(Double(MemoryLimit.bytes)))")
    }

    /// `bytes` in MiB or GiB, one decimal.
    private static func size(_ bytes: Double) -> String {
        let mebibytes = bytes / 1_048_576
        return mebibytes < 1024 ? String(format: "%.1f MiB", mebibytes) : String(format: "%.1f GiB", mebibytes / 1024)
    }
}
