//! Encryption at rest: XChaCha20-Poly1305 under named keys, with rotation.
//!
//! A [`TokenKey`] is 32 secret bytes under an id. A [`KeyRing`] holds the *current* key,
//! used for every write, and older keys that are only read, so keys can be rotated: add the
//! new key as current, keep the old one as previous until every row has been written again.
//!
//! Each encryption draws a fresh random 24-byte nonce; the blob is `nonce || ciphertext`
//! (the ciphertext ends with the 16-byte Poly1305 tag). The caller passes *associated
//! data* that binds the blob to its place (the token store uses tenant and realm), so a
//! blob copied elsewhere does not decrypt. A wrong key, a damaged blob or other associated
//! data is always [`CryptoError::Decrypt`], never garbage.
//!
//! ```
//! use qbo_auth::crypto::{KeyRing, TokenKey};
//! use secrecy::ExposeSecret;
//!
//! # fn main() -> Result<(), qbo_auth::crypto::CryptoError> {
//! let ring = KeyRing::new(TokenKey::generate("2025-01"));
//! let (key_id, blob) = ring.encrypt(b"tenant shop", b"secret")?;
//! assert_eq!(key_id, "2025-01");
//! let plain = ring.decrypt(key_id, b"tenant shop", &blob)?;
//! assert_eq!(plain.expose_secret(), b"secret");
//! assert!(ring.decrypt(key_id, b"tenant other", &blob).is_err());
//! # Ok(())
//! # }
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretSlice};

/// The length of a key in bytes.
pub const KEY_LEN: usize = 32;
/// The length of the random nonce at the start of every blob.
pub const NONCE_LEN: usize = 24;
/// The length of the authentication tag at the end of every blob.
pub const TAG_LEN: usize = 16;
/// The longest key id (it is stored beside each row).
pub const MAX_KEY_ID_LEN: usize = 64;

/// Why a key could not be made or a blob could not be sealed or opened.
///
/// No variant ever holds key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The key (or its id) given in the configuration is unusable.
    #[error("encryption key {key_id:?} is invalid: {reason}")]
    InvalidKey {
        /// The key's id.
        key_id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A blob names a key the ring does not hold.
    #[error("encryption key {key_id:?} is not configured")]
    UnknownKey {
        /// The key id stored with the blob.
        key_id: String,
    },
    /// The blob does not open: a different key under that id, a damaged blob, or a blob
    /// that belongs to another row (other associated data).
    #[error(
        "data does not decrypt with key {key_id:?}: wrong key, damaged data or data of another row"
    )]
    Decrypt {
        /// The key id stored with the blob.
        key_id: String,
    },
    /// Sealing failed (the plaintext is beyond the cipher's limit).
    #[error("data could not be encrypted with key {key_id:?}")]
    Encrypt {
        /// The key used.
        key_id: String,
    },
    /// The operating system's random source failed.
    #[error("the system random source failed while using key {key_id:?}")]
    Random {
        /// The key being generated or used.
        key_id: String,
    },
}

/// A 32-byte XChaCha20-Poly1305 key under an id.
///
/// The id is stored beside everything the key encrypts: 1 to [`MAX_KEY_ID_LEN`] printable
/// ASCII characters without spaces. [`TokenKey::from_base64`] checks it at once; a key made
/// with [`TokenKey::new`] or [`TokenKey::generate`] with a bad id is refused on its first
/// encryption. `Debug` shows the id only.
#[derive(Clone)]
pub struct TokenKey {
    id: String,
    key: SecretSlice<u8>,
}

fn check_key_id(id: &str) -> Result<(), CryptoError> {
    let reason = if id.is_empty() {
        "the id is empty"
    } else if id.len() > MAX_KEY_ID_LEN {
        "the id is longer than 64 characters"
    } else if !id.bytes().all(|b| b.is_ascii_graphic()) {
        "the id holds a character other than printable ASCII without spaces"
    } else {
        return Ok(());
    };
    Err(CryptoError::InvalidKey {
        key_id: id.to_owned(),
        reason: reason.to_owned(),
    })
}

impl TokenKey {
    /// A key from its 32 bytes.
    pub fn new(id: impl Into<String>, bytes: [u8; KEY_LEN]) -> Self {
        let bytes = Zeroizing::new(bytes);
        Self {
            id: id.into(),
            key: SecretSlice::from(bytes.to_vec()),
        }
    }

    /// A key from standard base64 (with padding) of exactly 32 bytes, as found in a
    /// configuration file or environment variable. Whitespace around it is ignored.
    ///
    /// # Errors
    /// [`CryptoError::InvalidKey`] naming the key id when the text is not base64, does not
    /// hold 32 bytes, or the id is not a key id. The error never repeats the text.
    pub fn from_base64(id: impl Into<String>, text: &str) -> Result<Self, CryptoError> {
        let id = id.into();
        check_key_id(&id)?;
        let invalid = |reason: String| CryptoError::InvalidKey {
            key_id: id.clone(),
            reason,
        };
        let decoded = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| invalid("not standard base64".to_owned()))?,
        );
        if decoded.len() != KEY_LEN {
            return Err(invalid(format!(
                "base64 decodes to {} bytes, a key is exactly {KEY_LEN}",
                decoded.len()
            )));
        }
        Ok(Self {
            id,
            key: SecretSlice::from(decoded.to_vec()),
        })
    }

    /// A fresh random key, for tests and first setup (write it into the configuration with
    /// [`TokenKey::to_base64`]).
    ///
    /// # Panics
    /// When the operating system's random source fails; [`TokenKey::try_generate`] returns
    /// that as an error instead.
    pub fn generate(id: impl Into<String>) -> Self {
        let bytes = Zeroizing::new(<[u8; KEY_LEN]>::generate());
        Self::new(id, *bytes)
    }

    /// A fresh random key.
    ///
    /// # Errors
    /// [`CryptoError::Random`] when the operating system's random source fails.
    pub fn try_generate(id: impl Into<String>) -> Result<Self, CryptoError> {
        let id = id.into();
        let bytes = Zeroizing::new(
            <[u8; KEY_LEN]>::try_generate()
                .map_err(|_| CryptoError::Random { key_id: id.clone() })?,
        );
        Ok(Self::new(id, *bytes))
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key as standard base64, the form [`TokenKey::from_base64`] reads. This exposes
    /// the secret: write it only where keys belong.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.key.expose_secret()))
    }

    fn cipher(&self) -> Result<XChaCha20Poly1305, CryptoError> {
        XChaCha20Poly1305::new_from_slice(self.key.expose_secret()).map_err(|_| {
            CryptoError::InvalidKey {
                key_id: self.id.clone(),
                reason: format!("a key is exactly {KEY_LEN} bytes"),
            }
        })
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// The keys in use: the current one encrypts, every one decrypts what names it.
///
/// When a previous key has the same id as a key already in the ring, the earlier one wins
/// (the current key first) and the later one is never used.
#[derive(Clone)]
pub struct KeyRing {
    current: TokenKey,
    previous: Vec<TokenKey>,
}

impl KeyRing {
    /// A ring with one key, used for reading and writing.
    pub fn new(current: TokenKey) -> Self {
        Self {
            current,
            previous: Vec::new(),
        }
    }

    /// Adds an older key that is used only to read what it encrypted.
    #[must_use]
    pub fn with_previous(mut self, key: TokenKey) -> Self {
        if self.key(key.id()).is_some() {
            tracing::warn!(
                key_id = key.id(),
                "a key with this id is already in the key ring; the later one is ignored"
            );
        } else {
            self.previous.push(key);
        }
        self
    }

    /// The id of the key new writes use.
    pub fn current_key_id(&self) -> &str {
        self.current.id()
    }

    /// Whether the ring holds a key under `key_id`.
    pub fn contains(&self, key_id: &str) -> bool {
        self.key(key_id).is_some()
    }

    /// The ids of every key, the current one first.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.current.id()).chain(self.previous.iter().map(TokenKey::id))
    }

    fn key(&self, key_id: &str) -> Option<&TokenKey> {
        std::iter::once(&self.current)
            .chain(self.previous.iter())
            .find(|k| k.id() == key_id)
    }

    /// Encrypts `plaintext` with the current key and a fresh random nonce, binding it to
    /// `aad`. Returns the key id to store beside the blob and the blob
    /// (`nonce || ciphertext || tag`).
    ///
    /// # Errors
    /// [`CryptoError::InvalidKey`] when the current key's id is not a key id (see
    /// [`TokenKey`]), [`CryptoError::Random`] when the system random source fails,
    /// [`CryptoError::Encrypt`] for a plaintext beyond the cipher's limit (256 GiB).
    pub fn encrypt(&self, aad: &[u8], plaintext: &[u8]) -> Result<(&str, Vec<u8>), CryptoError> {
        let key = &self.current;
        check_key_id(key.id())?;
        let nonce = XNonce::try_generate().map_err(|_| CryptoError::Random {
            key_id: key.id.clone(),
        })?;
        let sealed = key
            .cipher()?
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Encrypt {
                key_id: key.id.clone(),
            })?;
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok((key.id(), blob))
    }

    /// Decrypts a blob made by [`KeyRing::encrypt`] with the key named `key_id` and the same
    /// `aad`.
    ///
    /// # Errors
    /// [`CryptoError::UnknownKey`] when the ring has no key `key_id`;
    /// [`CryptoError::Decrypt`] when the blob is too short, damaged, encrypted under another
    /// key with that id, or bound to other associated data.
    pub fn decrypt(
        &self,
        key_id: &str,
        aad: &[u8],
        blob: &[u8],
    ) -> Result<SecretSlice<u8>, CryptoError> {
        let key = self.key(key_id).ok_or_else(|| CryptoError::UnknownKey {
            key_id: key_id.to_owned(),
        })?;
        let failed = || CryptoError::Decrypt {
            key_id: key_id.to_owned(),
        };
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(failed());
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce = <&XNonce>::try_from(nonce).map_err(|_| failed())?;
        let plain = key
            .cipher()?
            .decrypt(nonce, Payload { msg: sealed, aad })
            .map_err(|_| failed())?;
        Ok(SecretSlice::from(plain))
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current.id())
            .field(
                "previous",
                &self.previous.iter().map(TokenKey::id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const AAD: &[u8] = b"tenant\0realm";

    fn key(id: &str, fill: u8) -> TokenKey {
        TokenKey::new(id, [fill; KEY_LEN])
    }

    #[test]
    fn round_trip() {
        let ring = KeyRing::new(key("k1", 1));
        let (id, blob) = ring.encrypt(AAD, b"access and refresh").unwrap();
        assert_eq!(id, "k1");
        assert_eq!(
            blob.len(),
            NONCE_LEN + b"access and refresh".len() + TAG_LEN
        );
        let plain = ring.decrypt(id, AAD, &blob).unwrap();
        assert_eq!(plain.expose_secret(), b"access and refresh");
    }

    #[test]
    fn empty_plaintext_round_trips() {
        let ring = KeyRing::new(key("k1", 1));
        let (id, blob) = ring.encrypt(AAD, b"").unwrap();
        assert!(
            ring.decrypt(id, AAD, &blob)
                .unwrap()
                .expose_secret()
                .is_empty()
        );
    }

    #[test]
    fn every_write_uses_a_fresh_nonce() {
        let ring = KeyRing::new(key("k1", 1));
        let (_, a) = ring.encrypt(AAD, b"same").unwrap();
        let (_, b) = ring.encrypt(AAD, b"same").unwrap();
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_ne!(a, b);
    }

    #[test]
    fn ciphertext_does_not_contain_the_plaintext() {
        let ring = KeyRing::new(key("k1", 1));
        let secret = b"a-rather-long-refresh-token-value";
        let (_, blob) = ring.encrypt(AAD, secret).unwrap();
        assert!(!blob.windows(secret.len()).any(|w| w == secret));
    }

    #[test]
    fn wrong_key_under_the_same_id_fails_clearly() {
        let writer = KeyRing::new(key("k1", 1));
        let (id, blob) = writer.encrypt(AAD, b"secret").unwrap();
        let other = KeyRing::new(key("k1", 2));
        assert_eq!(
            other.decrypt(id, AAD, &blob).unwrap_err(),
            CryptoError::Decrypt {
                key_id: "k1".into()
            }
        );
    }

    #[test]
    fn unknown_key_id_fails_clearly() {
        let (_, blob) = KeyRing::new(key("k1", 1)).encrypt(AAD, b"secret").unwrap();
        let ring = KeyRing::new(key("k2", 1));
        let err = ring.decrypt("k1", AAD, &blob).unwrap_err();
        assert_eq!(
            err,
            CryptoError::UnknownKey {
                key_id: "k1".into()
            }
        );
        assert!(err.to_string().contains("\"k1\""), "{err}");
    }

    #[test]
    fn tampered_blob_fails() {
        let ring = KeyRing::new(key("k1", 1));
        let (id, blob) = ring.encrypt(AAD, b"secret").unwrap();
        for i in [0, NONCE_LEN, blob.len() - 1] {
            let mut bad = blob.clone();
            bad[i] ^= 0x01;
            assert_eq!(
                ring.decrypt(id, AAD, &bad).unwrap_err(),
                CryptoError::Decrypt {
                    key_id: "k1".into()
                },
                "flipped byte {i}"
            );
        }
        for len in [0, 1, NONCE_LEN, NONCE_LEN + TAG_LEN - 1, blob.len() - 1] {
            assert!(
                matches!(
                    ring.decrypt(id, AAD, &blob[..len]),
                    Err(CryptoError::Decrypt { .. })
                ),
                "truncated to {len}"
            );
        }
        let mut longer = blob;
        longer.push(0);
        assert!(matches!(
            ring.decrypt(id, AAD, &longer),
            Err(CryptoError::Decrypt { .. })
        ));
    }

    #[test]
    fn other_associated_data_fails() {
        let ring = KeyRing::new(key("k1", 1));
        let (id, blob) = ring.encrypt(b"tenant-a\0realm", b"secret").unwrap();
        assert!(matches!(
            ring.decrypt(id, b"tenant-b\0realm", &blob),
            Err(CryptoError::Decrypt { .. })
        ));
        assert!(matches!(
            ring.decrypt(id, b"", &blob),
            Err(CryptoError::Decrypt { .. })
        ));
    }

    #[test]
    fn rotation_reads_old_and_writes_new() {
        let old = KeyRing::new(key("2024", 1));
        let (old_id, old_blob) = old.encrypt(AAD, b"written long ago").unwrap();

        let ring = KeyRing::new(key("2025", 2)).with_previous(key("2024", 1));
        assert_eq!(ring.current_key_id(), "2025");
        assert_eq!(ring.key_ids().collect::<Vec<_>>(), ["2025", "2024"]);
        assert_eq!(
            ring.decrypt(old_id, AAD, &old_blob)
                .unwrap()
                .expose_secret(),
            b"written long ago"
        );
        let (new_id, new_blob) = ring.encrypt(AAD, b"written now").unwrap();
        assert_eq!(new_id, "2025");
        // Only the new key opens the new blob.
        assert!(matches!(
            old.decrypt(new_id, AAD, &new_blob),
            Err(CryptoError::UnknownKey { .. })
        ));
        let new_only = KeyRing::new(key("2025", 2));
        assert_eq!(
            new_only
                .decrypt(new_id, AAD, &new_blob)
                .unwrap()
                .expose_secret(),
            b"written now"
        );
    }

    #[test]
    fn a_duplicate_id_does_not_replace_a_key() {
        let ring = KeyRing::new(key("k", 1)).with_previous(key("k", 2));
        assert_eq!(ring.key_ids().count(), 1);
        let writer = KeyRing::new(key("k", 1));
        let (id, blob) = writer.encrypt(AAD, b"x").unwrap();
        assert!(ring.decrypt(id, AAD, &blob).is_ok());
    }

    #[test]
    fn base64_keys() {
        let generated = TokenKey::generate("gen");
        let text = generated.to_base64();
        let parsed = TokenKey::from_base64("gen", &format!("  {}\n", text.as_str())).unwrap();
        let writer = KeyRing::new(generated);
        let (id, blob) = writer.encrypt(AAD, b"x").unwrap();
        assert_eq!(
            KeyRing::new(parsed)
                .decrypt(id, AAD, &blob)
                .unwrap()
                .expose_secret(),
            b"x"
        );
    }

    #[test]
    fn bad_base64_or_length_names_the_key() {
        let short = STANDARD.encode([7u8; 31]);
        let long = STANDARD.encode([7u8; 33]);
        for (text, needle) in [
            ("not base64!", "not standard base64"),
            ("", "0 bytes"),
            (short.as_str(), "31 bytes"),
            (long.as_str(), "33 bytes"),
        ] {
            let err = TokenKey::from_base64("prod-2025", text).unwrap_err();
            let message = err.to_string();
            assert!(
                matches!(err, CryptoError::InvalidKey { ref key_id, .. } if key_id == "prod-2025")
            );
            assert!(message.contains("\"prod-2025\""), "{message}");
            assert!(message.contains(needle), "{message}");
            if !text.is_empty() {
                assert!(
                    !message.contains(text),
                    "the error repeats the key text: {message}"
                );
            }
        }
    }

    #[test]
    fn bad_key_ids_are_refused() {
        let long = "x".repeat(MAX_KEY_ID_LEN + 1);
        for id in ["", "has space", "tab\t", long.as_str(), "é"] {
            assert!(
                matches!(
                    TokenKey::from_base64(id, &STANDARD.encode([0; KEY_LEN])),
                    Err(CryptoError::InvalidKey { .. })
                ),
                "{id:?}"
            );
            let ring = KeyRing::new(TokenKey::new(id, [0; KEY_LEN]));
            assert!(
                matches!(ring.encrypt(AAD, b"x"), Err(CryptoError::InvalidKey { ref key_id, .. }) if key_id == id),
                "{id:?}"
            );
        }
        let longest = "x".repeat(MAX_KEY_ID_LEN);
        assert!(TokenKey::from_base64(longest.as_str(), &STANDARD.encode([0; KEY_LEN])).is_ok());
        assert!(
            KeyRing::new(TokenKey::new(longest, [0; KEY_LEN]))
                .encrypt(AAD, b"x")
                .is_ok()
        );
    }

    #[test]
    fn generated_keys_differ() {
        let a = TokenKey::generate("a");
        let b = TokenKey::try_generate("b").unwrap();
        assert_eq!(b.id(), "b");
        assert_ne!(a.to_base64().as_str(), b.to_base64().as_str());
    }

    #[test]
    fn debug_never_shows_key_material() {
        let k = TokenKey::new("k1", [0xAB; KEY_LEN]);
        let b64 = k.to_base64();
        let ring = KeyRing::new(k.clone()).with_previous(key("k0", 0xCD));
        for text in [format!("{k:?}"), format!("{ring:?}"), format!("{ring:#?}")] {
            assert!(text.contains("k1"), "{text}");
            assert!(!text.contains(b64.as_str()), "{text}");
            assert!(!text.to_lowercase().contains("abab"), "{text}");
            assert!(!text.contains("171"), "{text}");
        }
    }
}
