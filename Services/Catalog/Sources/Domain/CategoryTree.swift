/// The category tree, built from the flat list the store keeps.
struct CategoryTree: Sendable {
    let categories: [Category]
    private let byID: [String: Category]
    private let children: [String: [Category]]

    init(_ categories: [Category]) {
        self.categories = categories
        byID = Dictionary(categories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var children: [String: [Category]] = [:]
        for category in categories {
            if let parent = category.parentId { children[parent, default: []].append(category) }
        }
        self.children = children.mapValues { $0.sorted { ($0.position, $0.id) < ($1.position, $1.id) } }
    }

    func category(idOrSlug: String) -> Category? {
        byID[idOrSlug] ?? categories.first { $0.slug == idOrSlug }
    }

    /// The ids of `id` and every category below it.
    func subtree(of id: String) -> [String] {
        var result = [id]
        var index = 0
        while index < result.count {
            result += (children[result[index]] ?? []).map(\.id).filter { !result.contains($0) }
            index += 1
        }
        return result
    }

    /// From the root down to `id` (empty for an unknown id; stops at a cycle).
    func path(to id: String) -> [Category] {
        var path: [Category] = []
        var current = byID[id]
        while let category = current, !path.contains(where: { $0.id == category.id }) {
            path.insert(category, at: 0)
            current = category.parentId.flatMap { byID[$0] }
        }
        return path
    }

    var roots: [Category] {
        categories.filter { $0.parentId == nil || byID[$0.parentId!] == nil }.sorted { ($0.position, $0.id) < ($1.position, $1.id) }
    }

    func children(of id: String) -> [Category] {
        children[id] ?? []
    }

    /// Whether making `parent` the parent of `id` would create a cycle.
    func wouldCycle(id: String, parent: String) -> Bool {
        subtree(of: id).contains(parent)
    }
}
