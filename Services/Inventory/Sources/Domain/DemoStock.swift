/// Starting quantities for the local demo (`INVENTORY_DEMO_STOCK=true`, set by the launcher):
/// every SKU the demo catalog announces gets one, the same on every machine and every run —
/// mostly plenty, a few low, a very few at zero so "out of stock" can be seen.
/// Elsewhere a newly learned SKU starts at zero until someone counts the shelf.
enum DemoStock {
    static func quantity(for sku: String) -> Int {
        let hash = fnv1a(sku)
        switch hash % 100 {
        case 0..<2: return 0
        case 2..<9: return Int(1 + (hash / 100) % 9)          // 1–9: at or below the default threshold
        default: return Int(20 + (hash / 100) % 181)          // 20–200
        }
    }

    /// 64-bit FNV-1a: stable across processes and platforms, unlike `Hasher`.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
