import Foundation

/// Which cells to run, as written by the user: `3`, `2-4`, `1,3,5-7` or `all` (cells are numbered from 1).
struct CellSelection: Equatable {
    /// The chosen 1-based cell numbers, in the order given, without duplicates.
    let numbers: [Int]

    /// Parses `text` against a notebook of `count` cells; throws a message naming the bad part and the valid range.
    init(_ text: String, cellCount count: Int) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard count > 0 else { throw ReplError("no cells are loaded") }
        if trimmed.lowercased() == "all" {
            numbers = Array(1...count)
            return
        }
        guard !trimmed.isEmpty else { throw ReplError("expected cell numbers such as 3, 2-4, 1,3 or all; found nothing") }
        var chosen: [Int] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let piece = part.trimmingCharacters(in: .whitespaces)
            let bounds = piece.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let low = bounds.first ?? nil, let high = bounds.last ?? nil else {
                throw ReplError("expected cell numbers such as 3, 2-4, 1,3 or all; found '\(piece)'")
            }
            guard low <= high else { throw ReplError("cell range '\(piece)' runs backwards; write \(high)-\(low)") }
            guard low >= 1, high <= count else {
                throw ReplError("cell '\(piece)' is out of range: the cells are numbered 1-\(count)")
            }
            for number in low...high where !chosen.contains(number) { chosen.append(number) }
        }
        numbers = chosen
    }
}
