import Synchronization

/// Request ids, trace ids and span ids for every request, made without a system call.
///
/// These ids name things; they guard nothing (tokens and secrets come from the system's secure
/// generator, see `OpaqueToken`). Asking the kernel for randomness once per id byte cost a
/// `getrandom` call per byte, about 6% of a service's CPU under load. Instead each process draws
/// one random seed at start and numbers its ids with a counter, scrambled by SplitMix64 (a
/// bijection, so no two ids of a process repeat before 2^64 of them; the seed keeps processes
/// apart and ids unguessable enough that nobody relies on guessing them).
enum FastIdentifiers {
    private static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let counter = Atomic<UInt64>(0)

    /// The next 64 scrambled bits.
    static func next() -> UInt64 {
        let count = counter.add(1, ordering: .relaxed).newValue
        var z = seed &+ count &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 32 lower-case hex digits (128 bits): request ids and W3C trace ids.
    static func hex128() -> String {
        hex(next(), next())
    }

    /// 16 lower-case hex digits (64 bits): W3C span ids.
    static func hex64() -> String {
        hex(next(), nil)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func hex(_ first: UInt64, _ second: UInt64?) -> String {
        let count = second == nil ? 16 : 32
        return String(unsafeUninitializedCapacity: count) { buffer in
            func write(_ value: UInt64, at offset: Int) {
                for position in 0..<16 {
                    buffer[offset + position] = digits[Int((value >> UInt64(60 - 4 * position)) & 0xF)]
                }
            }
            write(first, at: 0)
            if let second { write(second, at: 16) }
            return count
        }
    }
}
