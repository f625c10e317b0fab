extension Datasets {
    /// Images stored as CSV rows, like Kaggle's MNIST: the label (a non-negative integer) in the first column,
    /// then the `C×H×W` pixel values of one image in CHW order.
    ///
    /// - `shape`: the image shape [C, H, W] (e.g. [1, 28, 28]); every row must have exactly 1 + C·H·W columns.
    /// - `header`: whether the first line is a header; `nil` decides from the line itself (a header has a
    ///   field that is not a number).
    /// - `scale`: multiplies every value; the default maps 0…255 pixels to [0, 1].
    /// - `classNames`: defaults to `"0"` … the largest label.
    /// - `label`: the column holding the label (default the first); every other column is a pixel value, in order.
    ///   Labels must be non-negative integers and, unless `classNames` says otherwise, rows that all share one label
    ///   are refused: a single class almost always means the wrong column.
    /// - The file may be gzip-compressed (recognised by its first bytes, whatever its name): `train.csv.gz` reads as
    ///   `train.csv`.
    ///
    /// Fields may be quoted as RFC 4180 says (`"5"`, `"a ""b"""`), and a leading UTF-8 byte order mark is ignored.
    /// Empty lines are skipped. A malformed row throws `KernelError.file` naming the line (and column).
    /// `interrupt` is asked every 256 lines; when it returns true, loading throws `LoadingInterrupted`.
    public static func csv(
        path: String, shape: [Int], header: Bool? = nil, scale: Float = 1.0 / 255.0, classNames: [String]? = nil,
        label: CSVLabelColumn = .index(0), interrupt: InterruptCheck? = nil
    ) throws -> Dataset {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw KernelError.invalidArgument(op: "csv", message: "shape must be [C, H, W] with positive sizes, found \(shapeString(shape))")
        }
        let bytes = try DataFiles.readAllDecompressing(path)
        let perImage = Shape.count(shape)
        let cancellation = LoadingCancellation(interrupt, every: 256)
        var values: [Float] = []
        var labels: [Int] = []
        // Each value takes at least two bytes (a digit and a separator), so the file size bounds this.
        values.reserveCapacity(Swift.min(bytes.count / 2, MemoryLimit.bytes / MemoryLayout<Float>.stride))
        try bytes.withUnsafeBufferPointer { text in
            var lineNumber = 0
            // A UTF-8 byte order mark (Excel writes one) is not part of the first field.
            var lineStart = CSVLine.byteOrderMarkLength(text)
            var headerPending = header
            var labelColumn: Int?
            while lineStart < text.count {
                if cancellation.shouldStop() {
                    throw LoadingInterrupted(path: path, progress: "\(labels.count) rows read (\(lineStart * 100 / text.count)% of the file)")
                }
                lineNumber += 1
                guard let record = CSVLine.record(text, from: lineStart) else {
                    throw KernelError.file(
                        path: path, message: "line \(lineNumber): a quoted field is not closed (a '\"' is missing before the end of the file)")
                }
                defer {
                    lineStart = record.next
                    lineNumber += record.innerNewlines
                }
                let fields = CSVLine.fields(text, from: lineStart, to: record.end)
                if fields.count == 1 && fields[0].isEmpty { continue }
                if headerPending == nil {
                    headerPending = fields.contains { CSVLine.number(text, $0) == nil }
                }
                if headerPending == true {
                    headerPending = false
                    labelColumn = try label.resolve(header: fields.map { CSVLine.fullString(text, $0) }, path: path)
                    continue
                }
                headerPending = false
                guard fields.count == perImage + 1 else {
                    throw KernelError.file(
                        path: path,
                        message:
                            "line \(lineNumber): expected \(perImage + 1) columns (a label and \(perImage) values for shape \(shapeString(shape))), found \(fields.count)"
                    )
                }
                let labelAt = try labelColumn ?? label.resolve(columns: fields.count, path: path)
                guard labelAt < fields.count else {
                    throw KernelError.file(
                        path: path,
                        message:
                            "line \(lineNumber): the label \(label) is column \(labelAt + 1) of the header, but this row has only \(fields.count) columns"
                    )
                }
                guard let value = CSVLine.label(text, fields[labelAt]) else {
                    throw KernelError.file(
                        path: path,
                        message:
                            "line \(lineNumber), column \(labelAt + 1): label '\(CSVLine.string(text, fields[labelAt]))' is not a non-negative integer (label= chooses the label column)"
                    )
                }
                labels.append(value)
                for column in 0...perImage where column != labelAt {
                    guard let value = CSVLine.number(text, fields[column]), Float(value).isFinite else {
                        throw KernelError.file(
                            path: path,
                            message: "line \(lineNumber), column \(column + 1): '\(CSVLine.string(text, fields[column]))' is not a finite number")
                    }
                    values.append(Float(value) * scale)
                }
            }
        }
        guard !labels.isEmpty else {
            throw KernelError.file(path: path, message: "holds no data rows")
        }
        if let names = classNames, let bad = labels.firstIndex(where: { $0 >= names.count }) {
            throw KernelError.file(path: path, message: "the label \(labels[bad]) of data row \(bad + 1) is not one of the \(names.count) classes")
        }
        if let names = classNames, names.count < 2 {
            throw KernelError.invalidArgument(
                op: "csv", message: "a classifier needs at least two classes, found \(names.count) class name\(names.count == 1 ? "" : "s")")
        }
        // One row proves nothing; many rows that all share a label almost always mean the wrong column was read.
        if classNames == nil, labels.count > 1, let only = labels.first, labels.allSatisfy({ $0 == only }) {
            throw KernelError.file(
                path: path,
                message:
                    "every one of the \(labels.count) data rows has the label \(only), which makes a single class; check that label= names the label column (\(label)), or pass the class names"
            )
        }
        return try Dataset(values: values, sampleShape: shape, labels: labels, classNames: classNames, name: path)
    }
}

/// Splitting and number parsing for one CSV line, straight from the file's bytes (no String per field).
/// Fields may be quoted as RFC 4180 says: `"5"`, `"a, b"`, `"say ""hi"""`, and a quoted field may span lines.
enum CSVLine {
    private static let quote = UInt8(ascii: "\"")

    /// 3 when the text starts with a UTF-8 byte order mark, else 0.
    static func byteOrderMarkLength(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        text.count >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF ? 3 : 0
    }

    /// The record starting at `from`: where it ends (before its `\n` or `\r\n`), where the next one starts and how
    /// many line breaks quoted fields inside it hold; nil when a quote opened in it is never closed. A doubled
    /// quote inside a quoted field closes and reopens it, which leaves the quoting as it was.
    static func record(_ text: UnsafeBufferPointer<UInt8>, from: Int) -> (end: Int, next: Int, innerNewlines: Int)? {
        var end = from
        var quoted = false
        var innerNewlines = 0
        while end < text.count {
            let byte = text[end]
            if byte == quote {
                quoted.toggle()
            } else if byte == UInt8(ascii: "\n") {
                if !quoted { break }
                innerNewlines += 1
            }
            end += 1
        }
        if quoted { return nil }
        let next = end + 1
        if end > from && text[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return (end, next, innerNewlines)
    }

    /// The byte ranges of the comma-separated fields in `from..<to`, with surrounding spaces removed; a quoted
    /// field gives the range between its quotes (commas inside it do not separate).
    static func fields(_ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = from
        var quoted = false
        for i in from...to {
            if i < to && text[i] == quote { quoted.toggle() }
            guard i == to || (!quoted && text[i] == UInt8(ascii: ",")) else { continue }
            var low = start
            var high = i
            while low < high && isSpace(text[low]) { low += 1 }
            while high > low && isSpace(text[high - 1]) { high -= 1 }
            if high - low >= 2 && text[low] == quote && text[high - 1] == quote {
                low += 1
                high -= 1
            }
            ranges.append(low..<high)
            start = i + 1
        }
        return ranges
    }

    /// The field as a non-negative integer, or nil.
    static func label(_ text: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> Int? {
        guard !field.isEmpty, field.count <= 9 else { return nil }
        var value = 0
        for i in field {
            let digit = Int(text[i]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// The field as a decimal number (`12`, `-0.5`, `3e-2`), or nil.
    static func number(_ text: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> Double? {
        var i = field.lowerBound
        let end = field.upperBound
        var negative = false
        if i < end && (text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+")) {
            negative = text[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var exponent = 0
        var digits = 0
        // Digits past the 18th no longer change a Float; they only shift the exponent.
        func take(_ digit: UInt64, fractional: Bool) {
            if mantissa < 100_000_000_000_000_000 {
                mantissa = mantissa * 10 + digit
                if fractional { exponent -= 1 }
            } else if !fractional {
                exponent += 1
            }
            digits += 1
        }
        while i < end, let digit = decimalDigit(text[i]) {
            take(digit, fractional: false)
            i += 1
        }
        if i < end && text[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, let digit = decimalDigit(text[i]) {
                take(digit, fractional: true)
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < end && (text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < end && (text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+")) {
                exponentNegative = text[i] == UInt8(ascii: "-")
                i += 1
            }
            var written = 0
            var exponentDigits = 0
            while i < end, let digit = decimalDigit(text[i]) {
                written = Swift.min(written * 10 + Int(digit), 10_000)
                exponentDigits += 1
                i += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard i == end else { return nil }
        // Powers of ten up to 1e22 are exact doubles, so common values (0.5, 0.25, 255) come out exact.
        let magnitude = exponent >= 0 ? Double(mantissa) * power10(exponent) : Double(mantissa) / power10(-exponent)
        return negative ? -magnitude : magnitude
    }

    /// The field's whole text (a header's column name).
    static func fullString(_ text: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: text[field]), as: UTF8.self)
    }

    /// The field's text, for messages (cut short when long).
    static func string(_ text: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> String {
        let shown = field.lowerBound..<Swift.min(field.upperBound, field.lowerBound + 40)
        return String(decoding: UnsafeBufferPointer(rebasing: text[shown]), as: UTF8.self) + (shown == field ? "" : "…")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    private static func decimalDigit(_ byte: UInt8) -> UInt64? {
        byte >= 48 && byte <= 57 ? UInt64(byte - 48) : nil
    }

    private static func power10(_ n: Int) -> Double {
        var result = 1.0
        var base = 10.0
        var remaining = Swift.min(n, 400)
        while remaining > 0 {
            if remaining & 1 == 1 { result *= base }
            base *= base
            remaining >>= 1
        }
        return result
    }
}
