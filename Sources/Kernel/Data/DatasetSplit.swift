import Basics

extension Dataset {
    /// Splits the samples into a training part and a validation part holding about `validFraction` of them,
    /// chosen by a generator seeded with `seed` (the same seed gives the same split).
    ///
    /// `stratified` takes the fraction from every class separately (rounded per class), so both parts keep
    /// the class proportions. Each part keeps the original sample order; the batch loader shuffles.
    public func split(validFraction: Double, seed: UInt64 = 0, stratified: Bool = false) throws -> (train: Dataset, valid: Dataset) {
        guard validFraction > 0, validFraction < 1 else {
            throw KernelError.invalidArgument(op: "split", message: "validFraction must be between 0 and 1 (exclusive), found \(validFraction)")
        }
        let generator = RandomGenerator(seed: seed)
        var validIndices: [Int] = []
        if stratified {
            var members = [[Int]](repeating: [], count: classCount)
            for (index, label) in labels.enumerated() { members[label].append(index) }
            for group in members where !group.isEmpty {
                let take = Int((Double(group.count) * validFraction).rounded())
                validIndices += generator.permutation(group.count).prefix(take).map { group[$0] }
            }
        } else {
            let take = Int((Double(count) * validFraction).rounded())
            validIndices = Array(generator.permutation(count).prefix(take))
        }
        guard !validIndices.isEmpty, validIndices.count < count else {
            throw KernelError.invalidArgument(
                op: "split", message: "validFraction \(validFraction) of \(Plural.count(count, "sample")) leaves one part empty")
        }
        var isValid = [Bool](repeating: false, count: count)
        for index in validIndices { isValid[index] = true }
        let trainIndices = (0..<count).filter { !isValid[$0] }
        return (try subset(trainIndices, name: name + "-train"), try subset(validIndices.sorted(), name: name + "-valid"))
    }
}
