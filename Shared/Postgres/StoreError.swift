/// Data a store cannot interpret: a bug or a hand edit, reported as a 500 with this detail logged.
public enum StoreError: Error, CustomStringConvertible {
    case corrupt(String)

    public var description: String {
        switch self {
        case .corrupt(let detail): "corrupt row: \(detail)"
        }
    }
}
