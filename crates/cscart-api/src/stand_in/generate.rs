//! Seedable, realistic shop data: categories, products, customers, orders and (Multi-Vendor)
//! vendors with split orders.

use rust_decimal::Decimal;

use super::data::{
    Address, CompanyData, NewOrder, NewUser, ProductData, SALES_TAX_ID, STORE_COMPANY_ID, Store,
    VAT_ID, mix,
};

/// What [`crate::stand_in::StandIn::generate`] adds to the shop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generate {
    /// Categories (roots and up to three levels of subcategories).
    pub categories: usize,
    /// Products (in the existing and new categories).
    pub products: usize,
    /// Customers (`user_type` `C`).
    pub users: usize,
    /// Orders placed (of existing and new products and customers; about one in five by a
    /// guest). A split Multi-Vendor order counts once (its parent).
    pub orders: usize,
    /// `0`: plain CS-Cart (everything belongs to the store, company 1). More: Multi-Vendor
    /// with that many new vendors (each with a vendor admin); products belong to vendors
    /// and an order with several vendors' products becomes a parent (`is_parent_order`
    /// `Y`, status `T`) and one child per vendor.
    pub vendors: usize,
}

/// The ids [`crate::stand_in::StandIn::generate`] created, each list ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedIds {
    /// New categories.
    pub categories: Vec<u64>,
    /// New products.
    pub products: Vec<u64>,
    /// New customers.
    pub users: Vec<u64>,
    /// New orders: parents, their children and plain orders.
    pub orders: Vec<u64>,
    /// New vendors (companies).
    pub vendors: Vec<u64>,
    /// New vendor administrators (`user_type` `V`).
    pub vendor_admins: Vec<u64>,
}

const DAY: i64 = 86_400;

const ROOT_CATEGORIES: [&str; 10] = [
    "Electronics",
    "Apparel",
    "Home & Garden",
    "Sports & Outdoors",
    "Books",
    "Toys & Games",
    "Beauty",
    "Office",
    "Music",
    "Grocery",
];

const SUB_CATEGORIES: [&str; 24] = [
    "Computers",
    "Phones",
    "Cameras",
    "Men's",
    "Women's",
    "Kids",
    "Kitchen",
    "Furniture",
    "Lighting",
    "Cycling",
    "Camping",
    "Fiction",
    "Non-fiction",
    "Board games",
    "Skin care",
    "Fragrances",
    "Paper",
    "Desks",
    "Guitars",
    "Vinyl",
    "Coffee & Tea",
    "Snacks",
    "Accessories",
    "Sale",
];

const BRANDS: [&str; 16] = [
    "Aurora", "Nordic", "Apex", "Vela", "Orbit", "Juniper", "Kestrel", "Summit", "Harbor", "Lumen",
    "Cedar", "Atlas", "Nova", "Willow", "Quartz", "Falcon",
];

const ADJECTIVES: [&str; 16] = [
    "Classic",
    "Deluxe",
    "Compact",
    "Ultra",
    "Vintage",
    "Everyday",
    "Pro",
    "Essential",
    "Premium",
    "Lightweight",
    "Rugged",
    "Smart",
    "Organic",
    "Travel",
    "Signature",
    "Modern",
];

const COLORS: [&str; 16] = [
    "Blue", "Red", "Black", "White", "Green", "Grey", "Navy", "Olive", "Sand", "Teal", "Coral",
    "Cotton", "Leather", "Bamboo", "Steel", "Wool",
];

/// Nouns with their SKU prefix.
const NOUNS: [(&str, &str); 64] = [
    ("T-shirt", "TSH"),
    ("Hoodie", "HOD"),
    ("Jacket", "JKT"),
    ("Sneakers", "SNK"),
    ("Backpack", "BPK"),
    ("Water Bottle", "BTL"),
    ("Mug", "MUG"),
    ("Headphones", "HPH"),
    ("Speaker", "SPK"),
    ("Keyboard", "KBD"),
    ("Mouse", "MSE"),
    ("Monitor", "MON"),
    ("Lamp", "LMP"),
    ("Chair", "CHR"),
    ("Desk", "DSK"),
    ("Notebook", "NTB"),
    ("Pen Set", "PEN"),
    ("Tent", "TNT"),
    ("Sleeping Bag", "SLB"),
    ("Bike Helmet", "HLM"),
    ("Yoga Mat", "YGM"),
    ("Dumbbell", "DMB"),
    ("Watch", "WCH"),
    ("Sunglasses", "SUN"),
    ("Wallet", "WAL"),
    ("Belt", "BLT"),
    ("Scarf", "SCF"),
    ("Hat", "HAT"),
    ("Socks", "SCK"),
    ("Gloves", "GLV"),
    ("Candle", "CDL"),
    ("Vase", "VAS"),
    ("Frying Pan", "PAN"),
    ("Knife Set", "KNF"),
    ("Cutting Board", "CTB"),
    ("Teapot", "TEA"),
    ("Coffee Beans", "COF"),
    ("Green Tea", "GTE"),
    ("Chocolate Bar", "CHO"),
    ("Granola", "GRN"),
    ("Face Cream", "FCR"),
    ("Shampoo", "SHP"),
    ("Perfume", "PRF"),
    ("Lipstick", "LIP"),
    ("Puzzle", "PZL"),
    ("Board Game", "BGM"),
    ("Plush Toy", "PLS"),
    ("Building Blocks", "BLK"),
    ("Novel", "NOV"),
    ("Cookbook", "CKB"),
    ("Guitar Strings", "GST"),
    ("Vinyl Record", "VNL"),
    ("Phone Case", "PHC"),
    ("Charger", "CHG"),
    ("USB Cable", "USB"),
    ("Camera Strap", "CST"),
    ("Tripod", "TRP"),
    ("Blanket", "BLN"),
    ("Pillow", "PLW"),
    ("Towel", "TWL"),
    ("Umbrella", "UMB"),
    ("Raincoat", "RCT"),
    ("Flashlight", "FLS"),
    ("Picnic Basket", "PCB"),
];

const FIRST_NAMES: [&str; 40] = [
    "Ann", "Bob", "Carla", "David", "Emma", "Frank", "Grace", "Henry", "Isla", "Jack", "Kate",
    "Liam", "Maria", "Noah", "Olivia", "Peter", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor",
    "Wendy", "Xavier", "Yara", "Zach", "José", "Zoë", "Chloé", "Søren", "Aisha", "Mei", "Ravi",
    "Fatima", "Lukas", "Ines", "Mateo", "Sofia", "Omar", "Hana",
];

const LAST_NAMES: [&str; 40] = [
    "Lee",
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Martinez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "O'Brien",
    "Müller",
    "Núñez",
    "van der Berg",
    "Kowalski",
    "Nakamura",
    "Patel",
    "Okafor",
    "Rossi",
    "Dubois",
    "Hansen",
    "Silva",
    "Kim",
    "Cohen",
];

const STREETS: [&str; 16] = [
    "Main St",
    "Oak Ave",
    "Maple Rd",
    "Cedar Ln",
    "Park Blvd",
    "Elm St",
    "Lake Dr",
    "Hill Rd",
    "River Rd",
    "Pine St",
    "Washington Ave",
    "Sunset Blvd",
    "Broadway",
    "High St",
    "Church Rd",
    "Mill Ln",
];

/// City, state code, country, postal code.
const CITIES: [(&str, &str, &str, &str); 16] = [
    ("Boston", "MA", "US", "02110"),
    ("Cambridge", "MA", "US", "02139"),
    ("New York", "NY", "US", "10001"),
    ("Austin", "TX", "US", "73301"),
    ("Seattle", "WA", "US", "98101"),
    ("Denver", "CO", "US", "80202"),
    ("Chicago", "IL", "US", "60601"),
    ("Miami", "FL", "US", "33101"),
    ("Portland", "OR", "US", "97201"),
    ("San Diego", "CA", "US", "92101"),
    ("Atlanta", "GA", "US", "30301"),
    ("Phoenix", "AZ", "US", "85001"),
    ("London", "", "GB", "SW1A 1AA"),
    ("Toronto", "ON", "CA", "M5V 2T6"),
    ("Berlin", "BE", "DE", "10115"),
    ("Sydney", "NSW", "AU", "2000"),
];

const VENDORS: [&str; 12] = [
    "Acme Outfitters",
    "Blue Harbor Goods",
    "Cedar & Co",
    "Delta Electronics",
    "Evergreen Home",
    "Foxglove Beauty",
    "Granite Sports",
    "Hollow Oak Books",
    "Ironbridge Tools",
    "Juniper Kitchen",
    "Kite Toys",
    "Lumen Lighting",
];

const NOTES: [&str; 6] = [
    "Leave at the door",
    "Please gift-wrap",
    "Call before delivery",
    "Back door, not the front",
    "Ring twice & wait",
    "Deliver after 5pm",
];

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

fn ascii_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' | 'è' => 'e',
            'ë' => 'e',
            'ø' => 'o',
            'ü' => 'u',
            'ú' | 'ù' => 'u',
            'ñ' => 'n',
            'á' => 'a',
            c => c.to_ascii_lowercase(),
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A spread of `n` increasing times from `from` to `to`, with a little jitter.
fn spread(rng: &mut fastrand::Rng, i: usize, n: usize, from: i64, to: i64) -> i64 {
    let n = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
    let i = i64::try_from(i).unwrap_or(0);
    let span = (to - from).max(1);
    let step = (span / n).max(1);
    from + span * i / n + rng.i64(0..step)
}

fn price(rng: &mut fastrand::Rng) -> Decimal {
    let dollars: i64 = match rng.u8(0..10) {
        0..=4 => rng.i64(1..40),
        5..=7 => rng.i64(40..150),
        _ => rng.i64(150..900),
    };
    let cents: i64 = match rng.u8(0..6) {
        0 | 1 => 99,
        2 => 49,
        3 => 0,
        4 => 95,
        _ => rng.i64(0..100),
    };
    Decimal::new(dollars * 100 + cents, 2)
}

fn address(rng: &mut fastrand::Rng, first: &str, last: &str, phone: &str) -> Address {
    let (city, state, country, zip) = *pick(rng, &CITIES);
    Address {
        firstname: first.to_owned(),
        lastname: last.to_owned(),
        address: format!("{} {}", rng.u32(1..2000), pick(rng, &STREETS)),
        address_2: if rng.u8(0..5) == 0 {
            format!("Apt {}", rng.u32(1..40))
        } else {
            String::new()
        },
        city: city.to_owned(),
        state: state.to_owned(),
        country: country.to_owned(),
        zipcode: zip.to_owned(),
        phone: phone.to_owned(),
    }
}

fn person(rng: &mut fastrand::Rng, n: u64) -> (String, String, String, String) {
    let first = (*pick(rng, &FIRST_NAMES)).to_owned();
    let last = (*pick(rng, &LAST_NAMES)).to_owned();
    let domain = *pick(rng, &["example.com", "example.org", "mail.example.net"]);
    let number = if n == 0 { String::new() } else { n.to_string() };
    let email = format!(
        "{}.{}{number}@{domain}",
        ascii_lower(&first),
        ascii_lower(&last)
    );
    let phone = format!("+1 555 01{:02}", rng.u32(0..100));
    (first, last, email, phone)
}

/// Adds `spec` to `store`; `now` is the stand-in's clock, every generated time is at or
/// before it.
pub(crate) fn generate(store: &mut Store, seed: u64, now: i64, spec: &Generate) -> GeneratedIds {
    store.generations += 1;
    let mut rng = fastrand::Rng::with_seed(mix(seed ^ mix(store.generations)));
    let mut ids = GeneratedIds::default();

    // Vendors.
    if spec.vendors > 0 {
        store.multi_vendor = true;
    }
    for i in 0..spec.vendors {
        let base = VENDORS[i % VENDORS.len()];
        let name = if i < VENDORS.len() {
            base.to_owned()
        } else {
            format!("{base} {}", i / VENDORS.len() + 1)
        };
        let slug = ascii_lower(&name);
        let (first, last, _, phone) = person(&mut rng, 0);
        let addr = address(&mut rng, &first, &last, &phone);
        let created = spread(&mut rng, i, spec.vendors, now - 900 * DAY, now - 720 * DAY);
        let id = store.add_company(CompanyData {
            company_id: 0,
            name,
            status: if rng.u8(0..20) == 0 { 'P' } else { 'A' },
            email: format!("sales@{slug}.example.com"),
            phone: phone.clone(),
            address: addr.clone(),
            timestamp: created,
        });
        ids.vendors.push(id);
        let admin = store.add_user(
            NewUser {
                email: format!("{}.{}@{slug}.example.com", ascii_lower(&first), id),
                firstname: first,
                lastname: last,
                user_type: 'V',
                company_id: id,
                phone,
                address: addr,
                ..NewUser::default()
            },
            created,
        );
        ids.vendor_admins.push(admin);
    }
    let vendor_ids: Vec<u64> = if store.multi_vendor {
        store
            .companies
            .keys()
            .copied()
            .filter(|c| *c != STORE_COMPANY_ID)
            .collect()
    } else {
        Vec::new()
    };
    let company_for = |rng: &mut fastrand::Rng| -> u64 {
        if vendor_ids.is_empty() {
            STORE_COMPANY_ID
        } else {
            *pick(rng, &vendor_ids)
        }
    };

    // Categories.
    let roots = spec.categories.div_ceil(5).max(1);
    for i in 0..spec.categories {
        let existing: Vec<(u64, u32)> = store
            .categories
            .values()
            .filter(|c| c.level < 3)
            .map(|c| (c.category_id, c.level))
            .collect();
        let parent = if i < roots || existing.is_empty() {
            None
        } else {
            Some(pick(&mut rng, &existing).0)
        };
        let name = match parent {
            None if i < ROOT_CATEGORIES.len() => ROOT_CATEGORIES[i].to_owned(),
            None => format!(
                "{} {}",
                ROOT_CATEGORIES[i % ROOT_CATEGORIES.len()],
                i / ROOT_CATEGORIES.len() + 1
            ),
            Some(_) => (*pick(&mut rng, &SUB_CATEGORIES)).to_owned(),
        };
        let created = spread(
            &mut rng,
            i,
            spec.categories,
            now - 800 * DAY,
            now - 700 * DAY,
        );
        let company = if store.multi_vendor {
            0
        } else {
            STORE_COMPANY_ID
        };
        let id = store.add_category(&name, parent, company, created);
        let status = match rng.u8(0..30) {
            0 => 'D',
            1 | 2 => 'H',
            _ => 'A',
        };
        if let Some(c) = store.categories.get_mut(&id) {
            c.status = status;
            c.description = format!("<p>All things {}.</p>", name.to_lowercase());
        }
        ids.categories.push(id);
    }
    let category_ids: Vec<u64> = store.categories.keys().copied().collect();

    // Products: names from a permutation of brand × adjective × colour × noun, so the
    // first 262,144 of a generation are distinct; a few get awkward names.
    let combos = BRANDS.len() * ADJECTIVES.len() * COLORS.len() * NOUNS.len();
    let offset = rng.usize(..combos);
    for i in 0..spec.products {
        let k = (i.wrapping_mul(40_503) + offset) % combos;
        let (noun, code) = NOUNS[k % NOUNS.len()];
        let rest = k / NOUNS.len();
        let color = COLORS[rest % COLORS.len()];
        let rest = rest / COLORS.len();
        let adjective = ADJECTIVES[rest % ADJECTIVES.len()];
        let brand = BRANDS[(rest / ADJECTIVES.len()) % BRANDS.len()];
        let mut name = format!("{brand} {adjective} {color} {noun}");
        match rng.u16(0..200) {
            0 => name = format!("Series {}: {name}", rng.u8(2..9)),
            1 => name.push_str(" – 2 pack"),
            2 => name.push_str(" (Kids' size)"),
            3 => name.push_str(
                " with Carry Case, Spare Parts, Cleaning Kit and Extended Warranty Card Included",
            ),
            4 => name.push_str(" & Gift Box"),
            _ => {}
        }
        let created = spread(&mut rng, i, spec.products, now - 700 * DAY, now - 30 * DAY);
        let updated = if rng.u8(0..5) < 2 {
            created + rng.i64(0..=(now - created).max(0))
        } else {
            created
        };
        let p = price(&mut rng);
        let list_price = if rng.u8(0..10) < 3 {
            super::data::money(p * Decimal::new(125, 2))
        } else {
            Decimal::ZERO
        };
        let mut categories = Vec::new();
        if !category_ids.is_empty() {
            categories.push(*pick(&mut rng, &category_ids));
            if rng.u8(0..4) == 0 {
                categories.push(*pick(&mut rng, &category_ids));
            }
        }
        let tax_ids = match rng.u8(0..20) {
            0..=10 => vec![SALES_TAX_ID],
            11..=13 => vec![VAT_ID],
            14 => vec![SALES_TAX_ID, VAT_ID],
            _ => Vec::new(),
        };
        let tracking = match rng.u8(0..10) {
            0..=6 => Some('B'),
            7 | 8 => Some('D'),
            _ => None,
        };
        let amount = if rng.u8(0..20) == 0 {
            0
        } else {
            rng.i64(1..500)
        };
        let company_id = company_for(&mut rng);
        let id = store.add_product(ProductData {
            product_id: 0,
            sku: if rng.u8(0..50) == 0 {
                String::new()
            } else {
                format!("{code}-{:05}", store.products.len() + 1)
            },
            short_description: format!("<p>{adjective} {noun} by {brand}.</p>"),
            full_description: format!(
                "<p>The {brand} {noun} in {color}: {adjective} &amp; built to last.</p>\
                 <ul><li>Ships in 1&ndash;2 days</li><li>30-day returns</li></ul>"
            ),
            name,
            price: p,
            list_price,
            amount,
            status: match rng.u8(0..20) {
                0 | 1 => 'D',
                2 => 'H',
                _ => 'A',
            },
            tracking,
            categories,
            company_id,
            tax_ids,
            weight: Decimal::new(rng.i64(1..5000), 3),
            popularity: rng.u64(0..1000),
            timestamp: created,
            updated_timestamp: updated,
        });
        ids.products.push(id);
    }

    // Customers.
    for i in 0..spec.users {
        let n = u64::try_from(store.users.len()).unwrap_or(0) + 1;
        let (first, last, email, phone) = person(&mut rng, n);
        let addr = address(&mut rng, &first, &last, &phone);
        let created = spread(&mut rng, i, spec.users, now - 600 * DAY, now - DAY);
        let company_id = if store.multi_vendor {
            0
        } else {
            STORE_COMPANY_ID
        };
        let id = store.add_user(
            NewUser {
                email,
                firstname: first,
                lastname: last,
                user_type: 'C',
                status: if rng.u8(0..20) == 0 { 'D' } else { 'A' },
                company: if rng.u8(0..8) == 0 {
                    format!("{} {}", pick(&mut rng, &LAST_NAMES), "LLC")
                } else {
                    String::new()
                },
                company_id,
                phone,
                address: addr,
            },
            created,
        );
        if let Some(u) = store.users.get_mut(&id)
            && rng.u8(0..10) < 7
        {
            u.last_login = created + rng.i64(0..=(now - created).max(0));
        }
        ids.users.push(id);
    }

    // Orders.
    let product_ids: Vec<u64> = store.products.keys().copied().collect();
    let customer_ids: Vec<u64> = store
        .users
        .values()
        .filter(|u| u.user_type == 'C')
        .map(|u| u.user_id)
        .collect();
    if !product_ids.is_empty() {
        for i in 0..spec.orders {
            let created = spread(&mut rng, i, spec.orders, now - 365 * DAY, now - 60);
            let updated = if rng.u8(0..2) == 0 {
                created + rng.i64(0..=(now - created).max(0)).min(20 * DAY)
            } else {
                created
            };
            let lines_n = match rng.u8(0..10) {
                0..=4 => 1,
                5..=7 => 2,
                8 => 3,
                _ => 4,
            };
            let lines: Vec<(u64, i64)> = (0..lines_n)
                .map(|_| {
                    let qty = if rng.u8(0..20) == 0 {
                        rng.i64(4..11)
                    } else {
                        rng.i64(1..4)
                    };
                    (*pick(&mut rng, &product_ids), qty)
                })
                .collect();
            let guest = customer_ids.is_empty() || rng.u8(0..5) == 0;
            let (user_id, email, addr) = if guest {
                let (first, last, email, phone) = person(&mut rng, 0);
                let a = address(&mut rng, &first, &last, &phone);
                (0, email, Some(a))
            } else {
                (*pick(&mut rng, &customer_ids), String::new(), None)
            };
            let status = match rng.u8(0..40) {
                0..=11 => 'P',
                12..=25 => 'C',
                26..=31 => 'O',
                32 => 'B',
                33 | 34 => 'F',
                35 => 'D',
                36 | 37 => 'I',
                _ => 'N',
            };
            let shipping_cost = match rng.u8(0..10) {
                0..=2 => Decimal::ZERO,
                3..=5 => Decimal::new(499, 2),
                6 | 7 => Decimal::new(750, 2),
                _ => Decimal::new(1200, 2),
            };
            let subtotal_discount = if rng.u8(0..10) == 0 {
                Decimal::new(i64::from(rng.u8(1..4)) * 500, 2)
            } else {
                Decimal::ZERO
            };
            let shipping_id = if shipping_cost.is_zero() && rng.u8(0..3) == 0 {
                3
            } else {
                u64::from(rng.u8(1..3))
            };
            let order = NewOrder {
                user_id,
                lines,
                status,
                company_id: 0,
                shipping_cost,
                subtotal_discount,
                payment_id: u64::from(rng.u8(1..4)),
                shipping_id,
                notes: if rng.u8(0..6) == 0 {
                    (*pick(&mut rng, &NOTES)).to_owned()
                } else {
                    String::new()
                },
                email,
                address: addr,
            };
            let before = store.orders.keys().next_back().copied().unwrap_or(0);
            store.place_order(order, created, updated, false);
            ids.orders
                .extend(store.orders.range(before + 1..).map(|(id, _)| *id));
        }
    }
    ids
}
