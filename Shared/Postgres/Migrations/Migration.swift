public import Foundation
import BazaarCore

/// One schema change: an SQL file named `NNNN_description.sql`, applied once, in version order.
public struct Migration: Sendable, Equatable {
    /// The number the file name starts with; migrations apply in increasing order.
    public let version: Int
    /// The rest of the file name, e.g. `create_orders`.
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// `0001_create_orders`: how logs and errors name the migration.
    public var label: String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + name
    }

    /// Fingerprint of the SQL, recorded when applied. A different fingerprint later means an
    /// applied migration was edited, which start-up refuses: write a new migration instead.
    public var checksum: String {
        // FNV-1a, 64 bit: detects edits; it is not a security measure.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Every `NNNN_name.sql` file in `directory`, sorted by version.
    /// - Throws: ``MigrationError`` for a misnamed file or two files with one version.
    public static func load(from directory: URL) throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(migration: directory.lastPathComponent, reason: "migrations folder cannot be read: \(error)")
        }
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let separator = stem.firstIndex(of: "_"), let version = Int(stem[..<separator]), version > 0 else {
                throw MigrationError(migration: file, reason: "file name must look like 0001_description.sql")
            }
            let sql: String
            do {
                sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            } catch {
                throw MigrationError(migration: file, reason: "cannot be read: \(error)")
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: separator)...]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError(migration: "\(next.version)", reason: "two migrations share version \(next.version): \(previous.name) and \(next.name)")
        }
        return migrations
    }
}

/// A migration that could not be loaded or applied; start-up stops with it.
public struct MigrationError: Error, CustomStringConvertible {
    /// The migration's file name or version.
    public let migration: String
    public let reason: String

    public var description: String { "migration \(migration) failed: \(reason)" }
}

extension Migration {
    /// The migrations in the `Migrations` folder a service bundles as a resource
    /// (`resources: [.copy("Store/Migrations")]`), e.g. `try Migration.bundled(in: .module)`.
    public static func bundled(in bundle: Bundle) throws -> [Migration] {
        guard let folder = bundle.url(forResource: "Migrations", withExtension: nil) else {
            throw ConfigurationError(variable: "migrations", problem: "the bundled Migrations folder is missing from \(bundle.bundlePath)")
        }
        return try load(from: folder)
    }
}
