import BazaarContracts
import Foundation

/// The demo catalog of a fictional electrical and hardware supplier: invented brands, a two-level
/// category tree and a few hundred products generated from compact family × variant tables.
///
/// Everything is deterministic (no random numbers, no `Date()`), so every seed run produces the
/// same documents, ids, prices and timestamps.
enum DemoCatalog {
    /// The fictional brands (ids `b-<slug>`); every brand has several products.
    static let brands: [Brand] = {
        let names: [(id: String, name: String)] = [
            (BrandID.ampelio, "Ampelio"),
            (BrandID.brennholt, "Brennholt"),
            (BrandID.ferroxTools, "Ferrox Tools"),
            (BrandID.fixaro, "Fixaro"),
            (BrandID.kabelwerkNord, "Kabelwerk Nord"),
            (BrandID.klemmfix, "Klemmfix"),
            (BrandID.lichtkern, "Lichtkern"),
            (BrandID.lumaris, "Lumaris"),
            (BrandID.ohmira, "Ohmira"),
            (BrandID.quellux, "Quellux"),
            (BrandID.sicherion, "Sicherion"),
            (BrandID.signaro, "Signaro"),
            (BrandID.stahlmark, "Stahlmark"),
            (BrandID.strandvolt, "Strandvolt"),
            (BrandID.tessaline, "Tessaline"),
            (BrandID.voltaro, "Voltaro"),
            (BrandID.wendmark, "Wendmark"),
        ]
        return names.map { Brand(id: $0.id, slug: String($0.id.dropFirst(2)), name: $0.name) }
    }()

    /// The category tree in exactly two levels: top-level categories (no `parentId`), each followed
    /// by its sub-categories; ids `c-<slug>`, `position` counts from 0 among siblings.
    /// Products belong to sub-categories only.
    static let categories: [Category] = {
        let tree: [(id: String, name: String, children: [(id: String, name: String)])] = [
            (CategoryID.cablesWires, "Cables & Wires", [
                (CategoryID.installationCables, "Installation Cables"),
                (CategoryID.flexibleCables, "Flexible Cables"),
                (CategoryID.dataCables, "Data & Coaxial Cables"),
                (CategoryID.cableManagement, "Cable Management"),
            ]),
            (CategoryID.switchesSockets, "Switches & Sockets", [
                (CategoryID.wallSwitches, "Wall Switches & Dimmers"),
                (CategoryID.wallSockets, "Wall Sockets"),
                (CategoryID.extensionLeads, "Extension Leads & Cable Reels"),
                (CategoryID.boxesConnectors, "Boxes & Connectors"),
            ]),
            (CategoryID.lighting, "Lighting", [
                (CategoryID.ledBulbs, "LED Bulbs"),
                (CategoryID.panelsBattens, "Panels & Battens"),
                (CategoryID.outdoorLighting, "Outdoor Lighting"),
                (CategoryID.ledStrips, "LED Strips & Drivers"),
            ]),
            (CategoryID.circuitProtection, "Circuit Protection", [
                (CategoryID.circuitBreakers, "Circuit Breakers"),
                (CategoryID.residualCurrent, "RCDs & RCBOs"),
                (CategoryID.distributionBoards, "Distribution Boards"),
                (CategoryID.surgeProtection, "Surge Protection"),
            ]),
            (CategoryID.tools, "Tools", [
                (CategoryID.powerTools, "Power Tools"),
                (CategoryID.handTools, "Hand Tools"),
                (CategoryID.testersMeters, "Testers & Meters"),
            ]),
            (CategoryID.fixingsHardware, "Fixings & Hardware", [
                (CategoryID.screwsNuts, "Screws & Nuts"),
                (CategoryID.wallPlugs, "Wall Plugs & Anchors"),
                (CategoryID.bracketsFasteners, "Brackets & Fasteners"),
            ]),
        ]
        var result: [Category] = []
        for (topIndex, top) in tree.enumerated() {
            result.append(Category(id: top.id, slug: String(top.id.dropFirst(2)), name: top.name, parentId: nil, position: topIndex))
            for (childIndex, child) in top.children.enumerated() {
                result.append(Category(id: child.id, slug: String(child.id.dropFirst(2)), name: child.name,
                                       parentId: top.id, position: childIndex))
            }
        }
        return result
    }()

    /// Every product (ids `p-0001` …), built from the family tables below.
    ///
    /// `createdAt` is a fixed base date (1_780_000_000 s after 1970) plus `n` hours for product `n`,
    /// so "newest first" is deterministic; `updatedAt` equals `createdAt` and `version` is 1.
    /// Flags follow fixed rules on the product number: `compareAtPrice` when `n % 7 == 2`,
    /// `featured` when `n % 10 == 3`, two images when `n % 4 == 0`; exactly four products are inactive.
    static let products: [Product] = {
        var list = DraftList()
        list.addCablesAndWires()
        list.addSwitchesAndSockets()
        list.addLighting()
        list.addCircuitProtection()
        list.addTools()
        list.addFixingsAndHardware()

        let baseDate = Date(timeIntervalSince1970: 1_780_000_000)
        let inactiveNumbers: Set<Int> = [29, 97, 158, 214]
        var seenSKUs = Set<String>()
        var seenSlugs = Set<String>()
        var result: [Product] = []
        result.reserveCapacity(list.items.count)
        for (offset, draft) in list.items.enumerated() {
            let number = offset + 1
            let digits = String(number)
            let id = "p-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            let sku = uniqued(draft.sku, in: &seenSKUs)
            let slug = uniqued(slugify(draft.name), in: &seenSlugs)
            let price = Money(minorUnits: draft.cents, currency: "EUR")
            let compareAtPrice: Money? = number % 7 == 2 ? Money(minorUnits: wasPrice(draft.cents), currency: "EUR") : nil
            var images: [ProductImage] = [ProductImage(url: "/images/products/\(slug)-1.webp", alt: draft.name)]
            if number % 4 == 0 {
                images.append(ProductImage(url: "/images/products/\(slug)-2.webp", alt: draft.name))
            }
            let createdAt = baseDate.addingTimeInterval(TimeInterval(number) * 3_600)
            result.append(Product(
                id: id, sku: sku, slug: slug, name: draft.name, description: draft.description,
                brand: draft.brand, categoryIds: draft.categoryIds, price: price, compareAtPrice: compareAtPrice,
                images: images, attributes: draft.attributes,
                active: !inactiveNumbers.contains(number), featured: number % 10 == 3,
                createdAt: createdAt, updatedAt: createdAt, version: 1
            ))
        }
        return result
    }()
}

// MARK: - Ids

/// Brand ids, so the tables cannot misspell them.
private enum BrandID {
    static let ampelio = "b-ampelio"
    static let brennholt = "b-brennholt"
    static let ferroxTools = "b-ferrox-tools"
    static let fixaro = "b-fixaro"
    static let kabelwerkNord = "b-kabelwerk-nord"
    static let klemmfix = "b-klemmfix"
    static let lichtkern = "b-lichtkern"
    static let lumaris = "b-lumaris"
    static let ohmira = "b-ohmira"
    static let quellux = "b-quellux"
    static let sicherion = "b-sicherion"
    static let signaro = "b-signaro"
    static let stahlmark = "b-stahlmark"
    static let strandvolt = "b-strandvolt"
    static let tessaline = "b-tessaline"
    static let voltaro = "b-voltaro"
    static let wendmark = "b-wendmark"
}

/// Category ids, so the tables cannot misspell them.
private enum CategoryID {
    static let cablesWires = "c-cables-wires"
    static let installationCables = "c-installation-cables"
    static let flexibleCables = "c-flexible-cables"
    static let dataCables = "c-data-cables"
    static let cableManagement = "c-cable-management"
    static let switchesSockets = "c-switches-sockets"
    static let wallSwitches = "c-wall-switches"
    static let wallSockets = "c-wall-sockets"
    static let extensionLeads = "c-extension-leads"
    static let boxesConnectors = "c-boxes-connectors"
    static let lighting = "c-lighting"
    static let ledBulbs = "c-led-bulbs"
    static let panelsBattens = "c-panels-battens"
    static let outdoorLighting = "c-outdoor-lighting"
    static let ledStrips = "c-led-strips"
    static let circuitProtection = "c-circuit-protection"
    static let circuitBreakers = "c-circuit-breakers"
    static let residualCurrent = "c-rcds-rcbos"
    static let distributionBoards = "c-distribution-boards"
    static let surgeProtection = "c-surge-protection"
    static let tools = "c-tools"
    static let powerTools = "c-power-tools"
    static let handTools = "c-hand-tools"
    static let testersMeters = "c-testers-meters"
    static let fixingsHardware = "c-fixings-hardware"
    static let screwsNuts = "c-screws-nuts"
    static let wallPlugs = "c-wall-plugs-anchors"
    static let bracketsFasteners = "c-brackets-fasteners"
}

// MARK: - Drafts and helpers

/// A product before its number, slug, dates and flags are assigned.
private struct Draft {
    var sku: String
    var name: String
    var description: String
    var brand: String
    var categoryIds: [String]
    var cents: Int64
    var attributes: [String: String]
}

/// Collects drafts in catalog order.
private struct DraftList {
    private(set) var items: [Draft] = []

    mutating func add(sku: String, name: String, brand: String, in categoryIds: [String], cents: Int64,
                      description: String, attributes: [String: String]) {
        items.append(Draft(sku: sku, name: name, description: description, brand: brand,
                           categoryIds: categoryIds, cents: cents, attributes: attributes))
    }
}

/// Rounds a computed price to a shop-like ending: x.95 € from 10 €, x.x9 € from 1 €, exact below.
private func retailPrice(_ cents: Int64) -> Int64 {
    if cents >= 1_000 { return cents / 100 * 100 + 95 }
    if cents >= 100 { return cents / 10 * 10 + 9 }
    return cents
}

/// The struck-through former price: about 25 % above `price`, always strictly greater.
private func wasPrice(_ price: Int64) -> Int64 {
    max(retailPrice(price * 5 / 4), price + 1)
}

/// `candidate`, or `candidate-2`, `candidate-3` … when already taken; records the result in `seen`.
private func uniqued(_ candidate: String, in seen: inout Set<String>) -> String {
    var value = candidate
    var counter = 2
    while seen.contains(value) {
        value = "\(candidate)-\(counter)"
        counter += 1
    }
    seen.insert(value)
    return value
}

/// A lower-case ASCII slug: `NYM-J 3×1.5 mm²` becomes `nym-j-3x1-5-mm2`.
private func slugify(_ text: String) -> String {
    var slug = ""
    var pendingHyphen = false
    for character in text.lowercased() {
        let piece: String
        switch character {
        case "×": piece = "x"
        case "²": piece = "2"
        case "³": piece = "3"
        case "ø": piece = "o"
        case "ä": piece = "ae"
        case "ö": piece = "oe"
        case "ü": piece = "ue"
        case "ß": piece = "ss"
        case "µ": piece = "u"
        case "+": piece = "plus"
        default:
            piece = character.isASCII && (character.isLetter || character.isNumber) ? String(character) : ""
        }
        if piece.isEmpty {
            pendingHyphen = !slug.isEmpty
            continue
        }
        if pendingHyphen {
            slug += "-"
            pendingHyphen = false
        }
        slug += piece
    }
    return slug
}

// MARK: - Cables & Wires

extension DraftList {
    mutating func addCablesAndWires() {
        // NYM-J installation cable: cores × cross-section × ring length (100 m rings 6 % cheaper per metre).
        let nym: [(code: String, cores: String, section: String, centsPerMetre: Int64)] = [
            ("3G15", "3", "1.5", 85), ("5G15", "5", "1.5", 132), ("3G25", "3", "2.5", 124), ("5G25", "5", "2.5", 196),
        ]
        for cable in nym {
            for metres in [50, 100] as [Int64] {
                add(sku: "CBL-NYM-\(cable.code)-\(metres)", name: "NYM-J \(cable.cores)×\(cable.section) mm² installation cable, \(metres) m",
                    brand: BrandID.kabelwerkNord, in: [CategoryID.installationCables],
                    cents: retailPrice(cable.centsPerMetre * metres * (metres >= 100 ? 94 : 100) / 100),
                    description: "PVC-sheathed installation cable for fixed wiring in dry and damp rooms, on, in and under plaster. Solid copper cores with green-yellow protective conductor.",
                    attributes: ["cross_section": "\(cable.section) mm²", "cores": cable.cores, "length": "\(metres) m",
                                 "voltage": "300/500 V", "colour": "grey"])
            }
        }
        // H07V-K single-core wire in the usual conductor colours.
        let wireColours: [(code: String, colour: String)] = [("BU", "blue"), ("BN", "brown"), ("GNYE", "green-yellow"), ("BK", "black")]
        for wire in wireColours {
            add(sku: "CBL-H07VK-15-\(wire.code)-100", name: "H07V-K 1.5 mm² single-core wire, \(wire.colour), 100 m",
                brand: BrandID.kabelwerkNord, in: [CategoryID.installationCables], cents: 3_490,
                description: "Fine-stranded single-core wire for wiring distribution boards, switchgear and conduit installations.",
                attributes: ["cross_section": "1.5 mm²", "colour": wire.colour, "length": "100 m", "voltage": "450/750 V"])
        }
        // NYY-J underground cable.
        let nyy: [(code: String, cores: String, section: String, centsPerMetre: Int64)] = [
            ("3G25", "3", "2.5", 210), ("5G25", "5", "2.5", 320), ("5G6", "5", "6", 690),
        ]
        for cable in nyy {
            add(sku: "CBL-NYY-\(cable.code)-50", name: "NYY-J \(cable.cores)×\(cable.section) mm² underground cable, 50 m",
                brand: BrandID.kabelwerkNord, in: [CategoryID.installationCables], cents: retailPrice(cable.centsPerMetre * 50),
                description: "Robust black PVC cable for direct burial in the ground, outdoors and in concrete. Suited to supply lines for garden houses and garages.",
                attributes: ["cross_section": "\(cable.section) mm²", "cores": cable.cores, "length": "50 m",
                             "voltage": "0.6/1 kV", "colour": "black"])
        }

        // Flexible cables: type × ring length.
        let flexible: [(code: String, type: String, section: String, colour: String, kind: String, centsPerMetre: Int64,
                        brand: String, description: String)] = [
            ("H05VVF-3G075-WH", "H05VV-F 3G0.75", "0.75", "white", "PVC flexible cable", 62, BrandID.kabelwerkNord,
             "Light PVC-sheathed flexible cable for lamps and small household appliances."),
            ("H05VVF-3G15-WH", "H05VV-F 3G1.5", "1.5", "white", "PVC flexible cable", 98, BrandID.kabelwerkNord,
             "PVC-sheathed flexible cable for household appliances and indoor connection leads."),
            ("H05VVF-3G15-BK", "H05VV-F 3G1.5", "1.5", "black", "PVC flexible cable", 98, BrandID.kabelwerkNord,
             "PVC-sheathed flexible cable for household appliances and indoor connection leads."),
            ("H07RNF-3G15", "H07RN-F 3G1.5", "1.5", "black", "rubber cable", 185, BrandID.strandvolt,
             "Heavy-duty rubber-sheathed cable for construction sites, workshops and outdoor use. Oil-resistant and flexible in the cold."),
            ("H07RNF-3G25", "H07RN-F 3G2.5", "2.5", "black", "rubber cable", 245, BrandID.strandvolt,
             "Heavy-duty rubber-sheathed cable for higher loads on site and outdoors. Oil-resistant and flexible in the cold."),
            ("H07RNF-5G25", "H07RN-F 5G2.5", "2.5", "black", "rubber cable", 390, BrandID.strandvolt,
             "Five-core rubber cable for three-phase machines and CEE extension leads."),
        ]
        for cable in flexible {
            for metres in [25, 50] as [Int64] {
                add(sku: "CBL-\(cable.code)-\(metres)", name: "\(cable.type) mm² \(cable.kind), \(cable.colour), \(metres) m",
                    brand: cable.brand, in: [CategoryID.flexibleCables], cents: retailPrice(cable.centsPerMetre * metres),
                    description: cable.description,
                    attributes: ["cross_section": "\(cable.section) mm²", "colour": cable.colour, "length": "\(metres) m",
                                 "voltage": cable.type.hasPrefix("H07") ? "450/750 V" : "300/500 V"])
            }
        }

        // Data cables: installation cable by the ring, patch cables, coax.
        let installation: [(code: String, category: String, bandwidth: String, centsPerMetre: Int64)] = [
            ("CAT6A", "Cat 6A", "500 MHz", 95), ("CAT7", "Cat 7", "1000 MHz", 120),
        ]
        for cable in installation {
            for metres in [100, 305] as [Int64] {
                add(sku: "CBL-\(cable.code)-INST-\(metres)", name: "\(cable.category) S/FTP installation cable, \(metres) m",
                    brand: BrandID.signaro, in: [CategoryID.dataCables],
                    cents: retailPrice(cable.centsPerMetre * metres * (metres > 100 ? 90 : 100) / 100),
                    description: "Shielded 4-pair copper cable with halogen-free sheath for structured network cabling up to 10 Gbit/s.",
                    attributes: ["category": cable.category, "shielding": "S/FTP", "bandwidth": cable.bandwidth,
                                 "length": "\(metres) m", "material": "LSZH sheath"])
            }
        }
        let patch: [(code: String, length: String, cents: Int64)] = [
            ("05", "0.5", 390), ("1", "1", 450), ("2", "2", 590), ("3", "3", 690), ("5", "5", 990), ("10", "10", 1_690),
        ]
        for cable in patch {
            add(sku: "CBL-PATCH6A-GY-\(cable.code)", name: "Cat 6A S/FTP patch cable, grey, \(cable.length) m",
                brand: BrandID.signaro, in: [CategoryID.dataCables], cents: cable.cents,
                description: "Shielded patch cable with RJ45 plugs and snag-proof boots for switches, patch panels and wall outlets.",
                attributes: ["category": "Cat 6A", "length": "\(cable.length) m", "colour": "grey", "connector": "RJ45"])
        }
        for metres in [25, 100] as [Int64] {
            add(sku: "CBL-COAX135-\(metres)", name: "Coaxial cable 135 dB, white, \(metres) m",
                brand: BrandID.signaro, in: [CategoryID.dataCables], cents: retailPrice(65 * metres),
                description: "Quad-shielded 75 Ω coaxial cable for satellite and cable TV installations.",
                attributes: ["shielding": "135 dB", "impedance": "75 Ω", "length": "\(metres) m", "colour": "white"])
        }

        // Cable management.
        let ties: [(length: Int, width: String, code: String, cents: Int64)] = [
            (100, "2.5", "25", 199), (200, "3.6", "36", 349), (300, "4.8", "48", 549),
        ]
        for tie in ties {
            for colour in [(code: "BK", name: "black"), (code: "NT", name: "natural")] {
                add(sku: "CM-TIE-\(tie.length)-\(tie.code)-\(colour.code)", name: "Cable ties \(tie.length) × \(tie.width) mm, \(colour.name), pack of 100",
                    brand: BrandID.klemmfix, in: [CategoryID.cableManagement], cents: tie.cents,
                    description: "Polyamide cable ties for bundling cables in boards, trunking and ceiling voids.",
                    attributes: ["length": "\(tie.length) mm", "width": "\(tie.width) mm", "colour": colour.name,
                                 "material": "polyamide 6.6", "pack_size": "100"])
            }
        }
        let conduits: [(size: String, cents: Int64)] = [("M16", 1_290), ("M20", 1_490), ("M25", 1_990)]
        for conduit in conduits {
            add(sku: "CM-CONDUIT-\(conduit.size)-25", name: "Corrugated conduit \(conduit.size), grey, 25 m",
                brand: BrandID.klemmfix, in: [CategoryID.cableManagement], cents: conduit.cents,
                description: "Flexible, halogen-free corrugated conduit for cable runs in walls, floors and hollow spaces.",
                attributes: ["size": conduit.size, "length": "25 m", "colour": "grey", "material": "PP"])
        }
        let trunking: [(width: Int, height: Int, cents: Int64)] = [(15, 15, 249), (25, 40, 599), (40, 60, 1_190)]
        for duct in trunking {
            add(sku: "CM-TRUNK-\(duct.width)\(duct.height)-2", name: "Cable trunking \(duct.width) × \(duct.height) mm, white, 2 m",
                brand: BrandID.klemmfix, in: [CategoryID.cableManagement], cents: duct.cents,
                description: "Self-extinguishing PVC trunking with snap-on lid for surface cable runs along walls and ceilings.",
                attributes: ["dimensions": "\(duct.width) × \(duct.height) mm", "length": "2 m", "colour": "white", "material": "PVC"])
        }
    }
}

// MARK: - Switches & Sockets

extension DraftList {
    mutating func addSwitchesAndSockets() {
        // One flush-mount design range in two finishes, each finish its own brand.
        let finishes: [(code: String, colour: String, brand: String, surcharge: Int64)] = [
            ("WH", "pure white", BrandID.tessaline, 0), ("AN", "anthracite matt", BrandID.voltaro, 300),
        ]
        let switches: [(code: String, name: String, cents: Int64, extra: [String: String])] = [
            ("OW", "One-way switch", 690, ["current_rating": "10 A"]),
            ("TW", "Two-way switch", 790, ["current_rating": "10 A"]),
            ("INT", "Intermediate switch", 1_290, ["current_rating": "10 A"]),
            ("DBL", "Two-gang switch", 1_190, ["current_rating": "10 A"]),
            ("PB", "Push-button switch", 890, ["current_rating": "10 A"]),
            ("DIM", "Rotary LED dimmer 4-100 W", 3_490, ["power": "4-100 W"]),
        ]
        for finish in finishes {
            for item in switches {
                var attributes = ["colour": finish.colour, "voltage": "250 V", "mounting": "flush", "material": "thermoplastic"]
                attributes.merge(item.extra) { _, new in new }
                add(sku: "SW-\(item.code)-\(finish.code)", name: "\(item.name), flush-mount, \(finish.colour)",
                    brand: finish.brand, in: [CategoryID.wallSwitches], cents: item.cents + finish.surcharge,
                    description: "Flush-mount insert with cover plate, fits standard 60 mm device boxes. Screwless terminals for quick wiring.",
                    attributes: attributes)
            }
        }
        let sockets: [(code: String, name: String, cents: Int64, ipRating: String)] = [
            ("SCH", "Schuko socket", 590, "IP20"),
            ("SCHSH", "Schuko socket with child-protection shutters", 790, "IP20"),
            ("SCHLID", "Schuko socket with hinged lid", 1_290, "IP44"),
            ("DBL", "Double Schuko socket", 1_490, "IP20"),
            ("USB", "Schuko socket with USB-A/USB-C charger", 3_290, "IP20"),
        ]
        for finish in finishes {
            for item in sockets {
                add(sku: "SO-\(item.code)-\(finish.code)", name: "\(item.name), \(item.ipRating), \(finish.colour)",
                    brand: finish.brand, in: [CategoryID.wallSockets], cents: item.cents + finish.surcharge,
                    description: "Earthed flush-mount socket outlet with cover plate for standard 60 mm device boxes.",
                    attributes: ["colour": finish.colour, "current_rating": "16 A", "voltage": "250 V", "ip_rating": item.ipRating])
            }
        }

        // Extension leads: outlets × cord length; the surge-protected ones also sit under Surge Protection.
        let leads: [(code: String, ways: Int, withSwitch: Bool, surge: Bool, cents: Int64)] = [
            ("3", 3, false, false, 990), ("5", 5, false, false, 1_390), ("6S", 6, true, false, 1_790), ("6S-SP", 6, true, true, 2_990),
        ]
        for lead in leads {
            for cord in [(code: "15", metres: "1.5", surcharge: Int64(0)), (code: "3", metres: "3", surcharge: Int64(300))] {
                let features = lead.surge ? " with switch and surge protection" : (lead.withSwitch ? " with switch" : "")
                var categories = [CategoryID.extensionLeads]
                if lead.surge { categories.append(CategoryID.surgeProtection) }
                add(sku: "EXT-\(lead.code)-\(cord.code)", name: "Extension lead \(lead.ways)-way\(features), \(cord.metres) m",
                    brand: BrandID.strandvolt, in: categories, cents: lead.cents + cord.surcharge,
                    description: "Schuko extension lead with child-protection shutters and H05VV-F 3G1.5 mm² cord.",
                    attributes: ["outlets": "\(lead.ways)", "length": "\(cord.metres) m", "voltage": "230 V",
                                 "current_rating": "16 A", "colour": "white"])
            }
        }
        let reels: [(metres: Int, section: String, cents: Int64)] = [(25, "1.5", 6_990), (50, "2.5", 10_990)]
        for reel in reels {
            add(sku: "EXT-REEL-\(reel.metres)", name: "Cable reel \(reel.metres) m, H07RN-F 3G\(reel.section) mm², 4 sockets, IP44",
                brand: BrandID.strandvolt, in: [CategoryID.extensionLeads], cents: reel.cents,
                description: "Steel-frame cable reel with thermal cut-out and splash-proof sockets for site and garden use.",
                attributes: ["length": "\(reel.metres) m", "cross_section": "\(reel.section) mm²", "ip_rating": "IP44", "outlets": "4"])
        }

        // Device and junction boxes, lever connectors.
        let boxes: [(code: String, name: String, cents: Int64, ipRating: String)] = [
            ("DB60", "Device box Ø 60 mm, 40 mm deep, pack of 10", 390, "IP20"),
            ("DB60D", "Deep device box Ø 60 mm, 61 mm deep, pack of 10", 590, "IP20"),
            ("CW68", "Cavity wall box Ø 68 mm, 47 mm deep, pack of 10", 690, "IP20"),
            ("JBF70", "Flush junction box with lid Ø 70 mm, pack of 5", 790, "IP20"),
            ("JB85", "Surface junction box 85 × 85 × 37 mm, IP55", 249, "IP55"),
            ("JB100", "Surface junction box 100 × 100 × 50 mm, IP55", 349, "IP55"),
            ("JB150", "Surface junction box 150 × 110 × 70 mm, IP55", 699, "IP55"),
        ]
        for box in boxes {
            add(sku: "BOX-\(box.code)", name: box.name, brand: BrandID.klemmfix, in: [CategoryID.boxesConnectors], cents: box.cents,
                description: "Halogen-free installation box with knock-outs for cable entries.",
                attributes: ["ip_rating": box.ipRating, "material": "polypropylene", "colour": box.ipRating == "IP55" ? "grey" : "green"])
        }
        let levers: [(poles: Int, cents: Int64)] = [(2, 1_190), (3, 1_490), (5, 1_990)]
        for lever in levers {
            add(sku: "BOX-LEVER-\(lever.poles)P-50", name: "Lever connector \(lever.poles)-pole, 0.2-4 mm², pack of 50",
                brand: BrandID.klemmfix, in: [CategoryID.boxesConnectors], cents: lever.cents,
                description: "Transparent lever connectors for solid and stranded conductors. Open, insert, close — no tools needed.",
                attributes: ["poles": "\(lever.poles)", "cross_section": "0.2-4 mm²", "current_rating": "32 A", "voltage": "450 V"])
        }
    }
}

// MARK: - Lighting

extension DraftList {
    mutating func addLighting() {
        typealias Bulb = (sku: String, shape: String, base: String, watts: String, kelvin: String, lumen: Int, dimmable: Bool, cents: Int64)
        var bulbs: [Bulb] = []
        let a60: [(code: String, watts: String, lumen: Int, cents: Int64)] = [("49", "4.9", 470, 249), ("85", "8.5", 806, 349), ("11", "11", 1_055, 449)]
        for power in a60 {
            for kelvin in ["2700", "4000"] {
                bulbs.append(("LMP-E27-A60-\(power.code)-\(kelvin.prefix(2))", "A60", "E27", power.watts, kelvin, power.lumen, false, power.cents))
            }
        }
        let specialBulbs: [Bulb] = [
            ("LMP-E14-C35-42-27", "candle C35", "E14", "4.2", "2700", 470, false, 299),
            ("LMP-E14-G45-25-27", "golf ball G45", "E14", "2.5", "2700", 250, false, 249),
            ("LMP-GU10-47-27", "reflector PAR16", "GU10", "4.7", "2700", 345, false, 279),
            ("LMP-GU10-47-40", "reflector PAR16", "GU10", "4.7", "4000", 380, false, 279),
            ("LMP-E27-FIL-7-27", "filament A60", "E27", "7", "2700", 806, false, 549),
            ("LMP-E27-A60-9-DIM", "A60 dimmable", "E27", "9", "2700", 806, true, 699),
        ]
        bulbs += specialBulbs
        for bulb in bulbs {
            add(sku: bulb.sku, name: "LED bulb \(bulb.base) \(bulb.shape), \(bulb.watts) W, \(bulb.kelvin) K, \(bulb.lumen) lm",
                brand: BrandID.lumaris, in: [CategoryID.ledBulbs], cents: bulb.cents,
                description: bulb.dimmable
                    ? "Dimmable LED bulb with warm, even light; works with common trailing-edge dimmers."
                    : "Energy-saving LED bulb with a rated life of 15,000 hours and instant full brightness.",
                attributes: ["base": bulb.base, "power": "\(bulb.watts) W", "colour_temperature": "\(bulb.kelvin) K",
                             "luminous_flux": "\(bulb.lumen) lm", "dimmable": bulb.dimmable ? "yes" : "no"])
        }

        // Panels and battens.
        let panels: [(code: String, size: String, cents: Int64)] = [("6060", "60×60 cm", 3_990), ("30120", "30×120 cm", 4_490), ("6262", "62×62 cm", 4_290)]
        for panel in panels {
            for kelvin in ["3000", "4000"] {
                add(sku: "LGT-PANEL-\(panel.code)-40W-\(kelvin.prefix(2))", name: "LED panel \(panel.size), 40 W, \(kelvin) K",
                    brand: BrandID.lichtkern, in: [CategoryID.panelsBattens], cents: panel.cents,
                    description: "Flicker-free LED panel for suspended ceilings in offices, shops and corridors. Driver included.",
                    attributes: ["dimensions": panel.size, "power": "40 W", "colour_temperature": "\(kelvin) K",
                                 "luminous_flux": "4000 lm", "ip_rating": "IP20"])
            }
        }
        let battens: [(length: Int, watts: Int, lumen: Int, cents: Int64)] = [(60, 18, 2_000, 2_490), (120, 36, 4_200, 3_290), (150, 50, 5_800, 4_190)]
        for batten in battens {
            add(sku: "LGT-BATTEN-\(batten.length)-IP65", name: "LED batten \(batten.length) cm, \(batten.watts) W, 4000 K, IP65",
                brand: BrandID.lichtkern, in: [CategoryID.panelsBattens], cents: batten.cents,
                description: "Damp-proof LED batten for garages, cellars and workshops; can be linked in rows.",
                attributes: ["length": "\(batten.length) cm", "power": "\(batten.watts) W", "colour_temperature": "4000 K",
                             "luminous_flux": "\(batten.lumen) lm", "ip_rating": "IP65"])
        }
        add(sku: "LGT-CEIL-R30-24W", name: "LED ceiling light Ø 30 cm, 24 W, 4000 K, IP44", brand: BrandID.lichtkern,
            in: [CategoryID.panelsBattens], cents: 2_990,
            description: "Round surface-mount ceiling light for bathrooms, hallways and stairwells.",
            attributes: ["power": "24 W", "colour_temperature": "4000 K", "ip_rating": "IP44", "colour": "white"])

        // Outdoor lighting.
        let floods: [(watts: Int, lumen: Int, sensor: Bool, cents: Int64)] = [
            (10, 800, false, 1_290), (20, 1_700, false, 1_790), (30, 2_600, false, 2_490), (50, 4_300, false, 3_490),
            (20, 1_700, true, 2_490), (30, 2_600, true, 3_290),
        ]
        for flood in floods {
            add(sku: "OUT-FLOOD-\(flood.watts)W\(flood.sensor ? "-PIR" : "")",
                name: "LED floodlight \(flood.watts) W, 4000 K, IP65\(flood.sensor ? ", with motion sensor" : "")",
                brand: BrandID.quellux, in: [CategoryID.outdoorLighting], cents: flood.cents,
                description: flood.sensor
                    ? "Die-cast aluminium floodlight with PIR motion sensor, adjustable time and twilight setting."
                    : "Slim die-cast aluminium floodlight for yards, driveways and building facades.",
                attributes: ["power": "\(flood.watts) W", "luminous_flux": "\(flood.lumen) lm", "colour_temperature": "4000 K",
                             "ip_rating": "IP65", "colour": "black"])
        }
        let outdoor: [(sku: String, name: String, cents: Int64, attributes: [String: String])] = [
            ("OUT-WALL-UPDN-GU10", "Outdoor wall light up/down, 2 × GU10, anthracite", 3_990,
             ["ip_rating": "IP44", "colour": "anthracite", "base": "GU10", "material": "aluminium"]),
            ("OUT-BULK-15W", "LED bulkhead light round, 15 W, IP65", 2_290,
             ["power": "15 W", "ip_rating": "IP65", "colour_temperature": "4000 K", "colour": "white"]),
            ("OUT-BOLL-60-E27", "Garden bollard light 60 cm, E27, anthracite", 5_990,
             ["base": "E27", "ip_rating": "IP44", "colour": "anthracite", "length": "60 cm"]),
            ("OUT-WALL-PIR-12W", "LED wall light with motion sensor, 12 W, IP54", 3_490,
             ["power": "12 W", "ip_rating": "IP54", "colour_temperature": "3000 K", "colour": "anthracite"]),
        ]
        for light in outdoor {
            add(sku: light.sku, name: light.name, brand: BrandID.quellux, in: [CategoryID.outdoorLighting], cents: light.cents,
                description: "Weather-resistant outdoor light for entrances, terraces and garden paths.", attributes: light.attributes)
        }

        // LED strips, drivers, profiles.
        let strips: [(metres: Int, colour: String, code: String, cents: Int64)] = [
            (5, "3000 K", "30", 2_990), (5, "4000 K", "40", 2_990), (10, "3000 K", "30", 5_490), (10, "4000 K", "40", 5_490), (5, "RGB", "RGB", 3_990),
        ]
        for strip in strips {
            add(sku: "STRIP-24V-\(strip.metres)M-\(strip.code)", name: "LED strip 24 V, \(strip.colour), \(strip.metres) m",
                brand: BrandID.ampelio, in: [CategoryID.ledStrips], cents: strip.cents,
                description: "Self-adhesive LED strip that can be cut every 10 cm, for coves, shelves and under-cabinet lighting.",
                attributes: ["voltage": "24 V", "length": "\(strip.metres) m",
                             (strip.code == "RGB" ? "colour" : "colour_temperature"): strip.colour,
                             "power": "9.6 W/m", "ip_rating": "IP20"])
        }
        let drivers: [(watts: Int, cents: Int64)] = [(60, 2_490), (100, 3_490), (150, 4_490)]
        for driver in drivers {
            add(sku: "STRIP-PSU-24V-\(driver.watts)W", name: "LED power supply 24 V, \(driver.watts) W",
                brand: BrandID.ampelio, in: [CategoryID.ledStrips], cents: driver.cents,
                description: "Constant-voltage LED driver with short-circuit and overload protection.",
                attributes: ["voltage": "24 V", "power": "\(driver.watts) W", "ip_rating": "IP20"])
        }
        for metres in [1, 2] {
            add(sku: "STRIP-PROFILE-\(metres)M", name: "Aluminium profile for LED strips, opal cover, \(metres) m",
                brand: BrandID.ampelio, in: [CategoryID.ledStrips], cents: metres == 1 ? 990 : 1_790,
                description: "Surface-mount aluminium channel that cools the strip and diffuses the light points.",
                attributes: ["length": "\(metres) m", "material": "aluminium", "colour": "silver"])
        }
    }
}

// MARK: - Circuit Protection

extension DraftList {
    mutating func addCircuitProtection() {
        let breakers: [(curve: String, amps: Int, poles: Int, cents: Int64)] = [
            ("B", 6, 1, 390), ("B", 10, 1, 390), ("B", 13, 1, 390), ("B", 16, 1, 390), ("B", 20, 1, 420), ("B", 25, 1, 450),
            ("B", 32, 1, 490), ("C", 16, 1, 450), ("B", 16, 3, 1_490), ("C", 32, 3, 1_790),
        ]
        for mcb in breakers {
            add(sku: "CP-MCB-\(mcb.curve)\(mcb.amps)-\(mcb.poles)P", name: "Circuit breaker \(mcb.curve)\(mcb.amps), \(mcb.poles)-pole, 6 kA",
                brand: BrandID.voltaro, in: [CategoryID.circuitBreakers], cents: mcb.cents,
                description: "Miniature circuit breaker for DIN rail mounting, protecting cables against overload and short circuit.",
                attributes: ["current_rating": "\(mcb.amps) A", "tripping_curve": mcb.curve, "poles": "\(mcb.poles)",
                             "breaking_capacity": "6 kA", "modules": "\(mcb.poles)"])
        }
        let rcds: [(amps: Int, poles: Int, milliamps: Int, cents: Int64, brand: String)] = [
            (25, 2, 30, 2_490, BrandID.voltaro), (40, 2, 30, 2_690, BrandID.voltaro), (25, 4, 30, 3_490, BrandID.voltaro),
            (40, 4, 30, 3_790, BrandID.voltaro), (63, 4, 30, 4_990, BrandID.voltaro), (40, 4, 300, 3_990, BrandID.sicherion),
        ]
        for rcd in rcds {
            add(sku: "CP-RCD-\(rcd.amps)-\(rcd.milliamps)-\(rcd.poles)P", name: "RCD \(rcd.amps) A \(rcd.milliamps) mA, \(rcd.poles)-pole, type A",
                brand: rcd.brand, in: [CategoryID.residualCurrent], cents: rcd.cents,
                description: "Residual current device that disconnects on earth leakage, for personal and fire protection.",
                attributes: ["current_rating": "\(rcd.amps) A", "residual_current": "\(rcd.milliamps) mA",
                             "poles": "\(rcd.poles)", "type": "A"])
        }
        let rcbos: [(curve: String, amps: Int, cents: Int64)] = [("B", 10, 3_490), ("B", 16, 3_490), ("C", 16, 3_690)]
        for rcbo in rcbos {
            add(sku: "CP-RCBO-\(rcbo.curve)\(rcbo.amps)-30", name: "RCBO \(rcbo.curve)\(rcbo.amps) 30 mA, 1P+N, type A",
                brand: BrandID.sicherion, in: [CategoryID.residualCurrent, CategoryID.circuitBreakers], cents: rcbo.cents,
                description: "Combined circuit breaker and RCD in two modules, giving each circuit its own earth-leakage protection.",
                attributes: ["current_rating": "\(rcbo.amps) A", "tripping_curve": rcbo.curve, "residual_current": "30 mA", "poles": "1P+N"])
        }

        // Distribution boards and busbars.
        let boards: [(code: String, mounting: String, rows: Int, cents: Int64)] = [
            ("S1", "Surface-mount", 1, 2_490), ("S2", "Surface-mount", 2, 4_490), ("S3", "Surface-mount", 3, 6_990),
            ("S4", "Surface-mount", 4, 9_490), ("F2", "Flush-mount", 2, 5_990), ("F3", "Flush-mount", 3, 7_990),
        ]
        for board in boards {
            add(sku: "CP-DB-\(board.code)-\(board.rows * 12)", name: "\(board.mounting) distribution board, \(board.rows) \(board.rows == 1 ? "row" : "rows"), \(board.rows * 12) modules",
                brand: BrandID.sicherion, in: [CategoryID.distributionBoards], cents: board.cents,
                description: "Distribution board with DIN rails, N/PE terminal blocks and a white steel door.",
                attributes: ["modules": "\(board.rows * 12)", "rows": "\(board.rows)", "ip_rating": "IP30", "colour": "white"])
        }
        add(sku: "CP-DB-IP65-8", name: "Weatherproof enclosure, 8 modules, IP65", brand: BrandID.sicherion,
            in: [CategoryID.distributionBoards], cents: 2_990,
            description: "Small surface enclosure with transparent hinged lid for outdoor sub-circuits and garages.",
            attributes: ["modules": "8", "ip_rating": "IP65", "colour": "grey", "material": "polycarbonate"])
        for phases in [1, 3] {
            add(sku: "CP-BUSBAR-\(phases)PH-12", name: "Pin busbar \(phases)-phase, 12 modules, 10 mm²",
                brand: BrandID.sicherion, in: [CategoryID.distributionBoards], cents: phases == 1 ? 490 : 990,
                description: "Insulated pin busbar for linking rows of circuit breakers; can be cut to length.",
                attributes: ["poles": "\(phases)", "modules": "12", "cross_section": "10 mm²", "current_rating": "63 A"])
        }

        // Surge protection devices.
        let surge: [(sku: String, name: String, cents: Int64, attributes: [String: String])] = [
            ("SPD-T12-3P1-TNS", "Surge arrester type 1+2, 3+1, TN-S", 24_990, ["type": "1+2", "poles": "3+1", "voltage": "230/400 V"]),
            ("SPD-T2-3P1-TNS", "Surge arrester type 2, 3+1, TN-S", 8_990, ["type": "2", "poles": "3+1", "voltage": "230/400 V"]),
            ("SPD-T2-1P1", "Surge arrester type 2, 1+1, single-phase", 4_990, ["type": "2", "poles": "1+1", "voltage": "230 V"]),
            ("SPD-T3-DIN", "Surge arrester type 3, DIN rail, 1+1", 3_990, ["type": "3", "poles": "1+1", "voltage": "230 V"]),
            ("SPD-T3-ADAPTER", "Surge protection socket adapter", 1_990, ["type": "3", "voltage": "230 V", "current_rating": "16 A"]),
            ("SPD-COAX-F", "Coaxial surge protector, F connector", 1_490, ["connector": "F", "impedance": "75 Ω"]),
            ("SPD-RJ45-6A", "Network surge protector RJ45, Cat 6A", 2_990, ["connector": "RJ45", "category": "Cat 6A"]),
            ("SPD-PV-1000", "PV surge arrester type 2, 1000 V DC", 6_990, ["type": "2", "voltage": "1000 V DC", "poles": "3"]),
        ]
        for device in surge {
            add(sku: device.sku, name: device.name, brand: BrandID.sicherion, in: [CategoryID.surgeProtection], cents: device.cents,
                description: "Protects installations and connected equipment against overvoltage from lightning and switching surges.",
                attributes: device.attributes)
        }
    }
}

// MARK: - Tools

extension DraftList {
    mutating func addTools() {
        // Cordless 18 V platform: tool × kit.
        let cordless: [(code: String, name: String, kit: String, kitCode: String, cents: Int64, extra: [String: String])] = [
            ("DRILL", "Cordless drill", "bare tool", "BARE", 8_990, ["torque": "60 Nm"]),
            ("DRILL", "Cordless drill", "2 × 2.0 Ah", "2X20", 16_990, ["torque": "60 Nm"]),
            ("DRILL", "Cordless drill", "2 × 4.0 Ah", "2X40", 21_990, ["torque": "60 Nm"]),
            ("IMPACT", "Cordless impact driver", "bare tool", "BARE", 9_990, ["torque": "180 Nm"]),
            ("IMPACT", "Cordless impact driver", "2 × 2.0 Ah", "2X20", 17_990, ["torque": "180 Nm"]),
            ("GRIND", "Cordless angle grinder 125 mm", "bare tool", "BARE", 10_990, ["disc_diameter": "125 mm"]),
            ("JIGSAW", "Cordless jigsaw", "bare tool", "BARE", 11_990, ["stroke": "26 mm"]),
            ("SDS", "Cordless SDS-plus hammer drill", "2 × 4.0 Ah", "2X40", 32_990, ["impact_energy": "2.0 J"]),
            ("COMBO", "Cordless combo kit: drill, impact driver, grinder", "3 × 4.0 Ah", "3X40", 44_990, ["pieces": "3 tools"]),
        ]
        for tool in cordless {
            var attributes = ["voltage": "18 V", "battery": tool.kit, "motor": "brushless"]
            attributes.merge(tool.extra) { _, new in new }
            add(sku: "PT-\(tool.code)-18V-\(tool.kitCode)", name: "\(tool.name) 18 V, \(tool.kit)",
                brand: BrandID.ferroxTools, in: [CategoryID.powerTools], cents: tool.cents,
                description: tool.kitCode == "BARE"
                    ? "Brushless 18 V tool supplied without battery and charger; fits every battery of the platform."
                    : "Brushless 18 V tool with batteries, fast charger and carry case.",
                attributes: attributes)
        }
        let batteries: [(amphours: String, code: String, cents: Int64)] = [("2.0", "20", 4_990), ("4.0", "40", 7_990), ("5.0", "50", 9_490)]
        for battery in batteries {
            add(sku: "PT-BATT-18V-\(battery.code)", name: "Battery 18 V, \(battery.amphours) Ah", brand: BrandID.ferroxTools,
                in: [CategoryID.powerTools], cents: battery.cents,
                description: "Lithium-ion battery with charge-level indicator for all tools of the 18 V platform.",
                attributes: ["voltage": "18 V", "capacity": "\(battery.amphours) Ah", "chemistry": "Li-ion"])
        }
        add(sku: "PT-CHARGER-18V", name: "Fast charger 18 V", brand: BrandID.ferroxTools, in: [CategoryID.powerTools], cents: 4_990,
            description: "Fan-cooled charger that fills a 4.0 Ah battery in about 60 minutes.",
            attributes: ["voltage": "18 V", "input_voltage": "230 V", "charging_current": "4 A"])
        let corded: [(sku: String, name: String, cents: Int64, power: String)] = [
            ("PT-GRIND-125-900W", "Angle grinder 125 mm, 900 W", 4_990, "900 W"),
            ("PT-SDS-800W", "SDS-plus hammer drill 800 W, 2.7 J", 8_990, "800 W"),
            ("PT-MULTI-300W", "Oscillating multi-tool 300 W", 5_990, "300 W"),
        ]
        for tool in corded {
            add(sku: tool.sku, name: tool.name, brand: BrandID.brennholt, in: [CategoryID.powerTools], cents: tool.cents,
                description: "Corded tool with soft-start and a 4 m rubber cable for demanding site work.",
                attributes: ["power": tool.power, "voltage": "230 V", "cable_length": "4 m"])
        }

        // Hand tools.
        let hand: [(sku: String, name: String, brand: String, cents: Int64, attributes: [String: String])] = [
            ("HT-VDE-SD-SET7", "VDE screwdriver set, 7 pieces", BrandID.wendmark, 3_490, ["insulation": "1000 V", "pieces": "7"]),
            ("HT-VDE-COMB-180", "VDE combination pliers 180 mm", BrandID.wendmark, 2_490, ["insulation": "1000 V", "length": "180 mm"]),
            ("HT-VDE-CUT-160", "VDE diagonal side cutters 160 mm", BrandID.wendmark, 2_290, ["insulation": "1000 V", "length": "160 mm"]),
            ("HT-VDE-LNP-200", "VDE long-nose pliers 200 mm", BrandID.wendmark, 2_390, ["insulation": "1000 V", "length": "200 mm"]),
            ("HT-STRIP-AUTO", "Automatic wire stripper 0.2-6 mm²", BrandID.wendmark, 2_990, ["cross_section": "0.2-6 mm²", "length": "195 mm"]),
            ("HT-VDE-KNIFE", "VDE cable knife with hook blade", BrandID.wendmark, 1_890, ["insulation": "1000 V", "material": "stainless steel"]),
            ("HT-CRIMP-FERR", "Crimping pliers for wire ferrules 0.08-16 mm²", BrandID.wendmark, 3_990, ["cross_section": "0.08-16 mm²", "length": "180 mm"]),
            ("HT-CRIMP-RJ45", "Crimping tool for RJ45 plugs", BrandID.wendmark, 2_990, ["connector": "RJ45/RJ12/RJ11", "material": "steel"]),
            ("HT-LEVEL-60", "Spirit level 60 cm, aluminium", BrandID.brennholt, 1_490, ["length": "60 cm", "material": "aluminium"]),
            ("HT-TAPE-5", "Tape measure 5 m × 19 mm", BrandID.brennholt, 790, ["length": "5 m", "width": "19 mm"]),
            ("HT-TAPE-8", "Tape measure 8 m × 25 mm", BrandID.brennholt, 1_190, ["length": "8 m", "width": "25 mm"]),
            ("HT-HAMMER-300", "Electrician's hammer 300 g, fibreglass handle", BrandID.brennholt, 1_690, ["weight": "300 g", "material": "fibreglass"]),
        ]
        for tool in hand {
            add(sku: tool.sku, name: tool.name, brand: tool.brand, in: [CategoryID.handTools], cents: tool.cents,
                description: tool.name.hasPrefix("VDE")
                    ? "Insulated tool tested to 10,000 V for live work up to 1000 V AC."
                    : "Sturdy hand tool for everyday installation work on site and in the workshop.",
                attributes: tool.attributes)
        }

        // Testers and meters.
        let testers: [(sku: String, name: String, cents: Int64, attributes: [String: String])] = [
            ("TM-VT-2POLE", "Two-pole voltage tester 12-690 V", 3_990, ["voltage": "12-690 V", "safety_category": "CAT IV 600 V", "ip_rating": "IP64"]),
            ("TM-NCV-PEN", "Non-contact voltage detector pen", 1_490, ["voltage": "12-1000 V", "safety_category": "CAT IV 1000 V"]),
            ("TM-DMM-600", "Digital multimeter, CAT III 600 V", 3_490, ["voltage": "600 V", "safety_category": "CAT III 600 V", "display": "2000 counts"]),
            ("TM-DMM-TRMS", "True-RMS multimeter, CAT IV 600 V", 8_990, ["voltage": "1000 V", "safety_category": "CAT IV 600 V", "display": "6000 counts"]),
            ("TM-CLAMP-400", "Clamp meter 400 A AC/DC", 7_990, ["current_rating": "400 A", "safety_category": "CAT III 600 V"]),
            ("TM-SOCKET-RCD", "Socket tester with RCD test", 2_490, ["voltage": "230 V", "residual_current": "30 mA"]),
            ("TM-INSUL-1000", "Insulation resistance tester 1000 V", 34_990, ["voltage": "250/500/1000 V", "safety_category": "CAT III 600 V"]),
            ("TM-NET-RJ45", "Network cable tester RJ45/coax", 2_490, ["connector": "RJ45/RJ11/BNC", "battery": "9 V"]),
            ("TM-LASER-30", "Laser distance meter 30 m", 4_990, ["range": "30 m", "accuracy": "±2 mm", "ip_rating": "IP54"]),
            ("TM-LASER-50", "Laser distance meter 50 m", 7_990, ["range": "50 m", "accuracy": "±1.5 mm", "ip_rating": "IP54"]),
        ]
        for tester in testers {
            add(sku: tester.sku, name: tester.name, brand: BrandID.ohmira, in: [CategoryID.testersMeters], cents: tester.cents,
                description: "Measuring instrument with a backlit display and protective rubber holster; batteries included.",
                attributes: tester.attributes)
        }
    }
}

// MARK: - Fixings & Hardware

extension DraftList {
    mutating func addFixingsAndHardware() {
        let chipboard: [(size: String, code: String, pack: Int, cents: Int64)] = [
            ("3.0 × 20", "3020", 200, 349), ("3.5 × 30", "3530", 200, 449), ("4.0 × 40", "4040", 200, 599), ("4.0 × 50", "4050", 200, 699),
            ("5.0 × 60", "5060", 100, 649), ("5.0 × 80", "5080", 100, 849), ("6.0 × 100", "60100", 50, 799), ("6.0 × 120", "60120", 50, 949),
        ]
        for screw in chipboard {
            add(sku: "FIX-CHIP-\(screw.code)-\(screw.pack)", name: "Chipboard screws \(screw.size) mm, pozi, pack of \(screw.pack)",
                brand: BrandID.stahlmark, in: [CategoryID.screwsNuts], cents: screw.cents,
                description: "Yellow-zinc countersunk chipboard screws with cutting point for wood, chipboard and wall plugs.",
                attributes: ["size": "\(screw.size) mm", "drive": "PZ", "material": "steel, yellow zinc", "pack_size": "\(screw.pack)"])
        }
        let small: [(sku: String, name: String, cents: Int64, attributes: [String: String])] = [
            ("FIX-NUT-M4-10", "Hexagon nuts M4, zinc-plated, pack of 10", 35, ["thread": "M4", "material": "steel, zinc-plated", "pack_size": "10"]),
            ("FIX-NUT-M6-10", "Hexagon nuts M6, zinc-plated, pack of 10", 55, ["thread": "M6", "material": "steel, zinc-plated", "pack_size": "10"]),
            ("FIX-WASHER-M6-20", "Washers M6, zinc-plated, pack of 20", 49, ["thread": "M6", "material": "steel, zinc-plated", "pack_size": "20"]),
            ("FIX-MS-M5X20-10", "Machine screws M5 × 20 mm, pan head, pack of 10", 129, ["thread": "M5", "length": "20 mm", "pack_size": "10"]),
        ]
        for part in small {
            add(sku: part.sku, name: part.name, brand: BrandID.stahlmark, in: [CategoryID.screwsNuts], cents: part.cents,
                description: "Metric fasteners to DIN standard for enclosures, rails and brackets.", attributes: part.attributes)
        }

        // Wall plugs and anchors.
        let plugs: [(diameter: Int, length: Int, pack: Int, cents: Int64)] = [
            (5, 25, 100, 349), (6, 30, 100, 399), (8, 40, 50, 399), (10, 50, 25, 399), (12, 60, 20, 499),
        ]
        for plug in plugs {
            add(sku: "FIX-PLUG-\(plug.diameter)\(plug.length)-\(plug.pack)", name: "Nylon wall plugs \(plug.diameter) × \(plug.length) mm, pack of \(plug.pack)",
                brand: BrandID.fixaro, in: [CategoryID.wallPlugs], cents: plug.cents,
                description: "Expanding nylon plugs for concrete, solid brick and natural stone.",
                attributes: ["diameter": "\(plug.diameter) mm", "length": "\(plug.length) mm", "material": "nylon", "pack_size": "\(plug.pack)"])
        }
        let anchors: [(sku: String, name: String, cents: Int64, attributes: [String: String])] = [
            ("FIX-UNIPLUG-636-50", "Universal plugs 6 × 36 mm, pack of 50", 599, ["diameter": "6 mm", "material": "nylon", "pack_size": "50"]),
            ("FIX-UNIPLUG-849-50", "Universal plugs 8 × 49 mm, pack of 50", 699, ["diameter": "8 mm", "material": "nylon", "pack_size": "50"]),
            ("FIX-CAVITY-M5-10", "Metal cavity anchors M5 × 52 mm, pack of 10", 649, ["thread": "M5", "material": "steel", "pack_size": "10"]),
            ("FIX-CAVITY-M6-10", "Metal cavity anchors M6 × 65 mm, pack of 10", 749, ["thread": "M6", "material": "steel", "pack_size": "10"]),
            ("FIX-FRAME-10100-10", "Frame fixings 10 × 100 mm, pack of 10", 699, ["diameter": "10 mm", "length": "100 mm", "pack_size": "10"]),
            ("FIX-FRAME-10135-10", "Frame fixings 10 × 135 mm, pack of 10", 849, ["diameter": "10 mm", "length": "135 mm", "pack_size": "10"]),
            ("FIX-CHEM-VE-300", "Chemical anchor vinylester, 300 ml", 1_490, ["volume": "300 ml", "material": "vinylester resin"]),
        ]
        for anchor in anchors {
            add(sku: anchor.sku, name: anchor.name, brand: BrandID.fixaro, in: [CategoryID.wallPlugs], cents: anchor.cents,
                description: "Anchor for secure fixings in plasterboard, hollow blocks or masonry, depending on type.",
                attributes: anchor.attributes)
        }

        // Brackets, rods, clips and straps.
        let angles: [(size: Int, cents: Int64)] = [(40, 399), (60, 549), (90, 799)]
        for angle in angles {
            add(sku: "HW-ANGLE-\(angle.size)-10", name: "Angle brackets \(angle.size) × \(angle.size) mm, zinc-plated, pack of 10",
                brand: BrandID.stahlmark, in: [CategoryID.bracketsFasteners], cents: angle.cents,
                description: "Reinforced steel angle brackets for shelves, frames and mounting boards.",
                attributes: ["dimensions": "\(angle.size) × \(angle.size) mm", "material": "steel, zinc-plated", "pack_size": "10"])
        }
        let rods: [(thread: String, cents: Int64)] = [("M6", 149), ("M8", 199), ("M10", 299)]
        for rod in rods {
            add(sku: "HW-ROD-\(rod.thread)-1000", name: "Threaded rod \(rod.thread) × 1 m, zinc-plated",
                brand: BrandID.stahlmark, in: [CategoryID.bracketsFasteners], cents: rod.cents,
                description: "Zinc-plated threaded rod, grade 4.8, for suspending cable trays and trunking.",
                attributes: ["thread": rod.thread, "length": "1 m", "material": "steel 4.8, zinc-plated"])
        }
        let clips: [(range: String, code: String, cents: Int64)] = [("5-7", "0507", 249), ("7-10", "0710", 299), ("10-14", "1014", 349)]
        for clip in clips {
            add(sku: "HW-CLIP-\(clip.code)-100", name: "Nail-in cable clips \(clip.range) mm, white, pack of 100",
                brand: BrandID.stahlmark, in: [CategoryID.bracketsFasteners, CategoryID.cableManagement], cents: clip.cents,
                description: "Plastic cable clips with pre-fitted steel nail for fixing round cables to wood and plaster.",
                attributes: ["cable_diameter": "\(clip.range) mm", "colour": "white", "pack_size": "100"])
        }
        add(sku: "HW-STRAP-12-10", name: "Perforated mounting strap 12 mm × 10 m", brand: BrandID.stahlmark,
            in: [CategoryID.bracketsFasteners], cents: 499,
            description: "Flexible perforated steel strap for fixing pipes, conduit and cable bundles.",
            attributes: ["width": "12 mm", "length": "10 m", "material": "steel, zinc-plated"])
    }
}
