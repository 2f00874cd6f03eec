//! Cross-crate end-to-end tests of qbo-sync. The tests are in this folder's `*.rs` files
//! (each a `[[test]]` target); this library is empty.
