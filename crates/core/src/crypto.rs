//! Sealing personal data at rest, and hashing secrets.
//!
//! Staff names and contact data are sealed with XChaCha20-Poly1305 under a key from
//! the configuration; each value gets a fresh random 192-bit nonce, stored with the
//! ciphertext as `v1:<base64(nonce ‖ ciphertext)>`. The key never appears in logs
//! (its `Debug` is redacted). Passwords use argon2id; session and API tokens are
//! random and stored only as SHA-256 hashes.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// Seals and opens personal data with the deployment's key.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    /// Derived from the key: the key of [`Sealer::keyed_hash`].
    hash_key: [u8; 32],
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("个人信息加密密钥应为32字节的base64编码")]
    BadKey,
    #[error("个人信息无法解密（密钥不匹配或数据损坏）")]
    Open,
}

impl Sealer {
    /// Builds a sealer from a base64-encoded 32-byte key.
    pub fn from_base64(key: &str) -> Result<Self, CryptoError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| CryptoError::BadKey)?;
        if bytes.len() != 32 {
            return Err(CryptoError::BadKey);
        }
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| CryptoError::BadKey)?;
        let mut derive = Sha256::new();
        derive.update(b"govmedia keyed hash v1\0");
        derive.update(&bytes);
        Ok(Sealer {
            cipher,
            hash_key: derive.finalize().into(),
        })
    }

    /// A fresh random key, base64-encoded (for `default-config` and the demo).
    pub fn generate_key() -> String {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        STANDARD.encode(key)
    }

    /// A stable keyed hash (hex SHA-256 over the derived key and the text) of a
    /// personal identifier, so rows of one person can be found by it while the
    /// identifier itself stays sealed and cannot be guessed from the hash alone.
    pub fn keyed_hash(&self, text: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.hash_key);
        h.update(text.as_bytes());
        format!("{:x}", h.finalize())
    }

    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(&XNonce::from(nonce), plain.as_bytes())
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("v1:{}", STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<String, CryptoError> {
        let body = sealed.strip_prefix("v1:").ok_or(CryptoError::Open)?;
        let bytes = STANDARD.decode(body).map_err(|_| CryptoError::Open)?;
        if bytes.len() < 24 {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| CryptoError::Open)?;
        let plain = self
            .cipher
            .decrypt(&XNonce::from(nonce), ct)
            .map_err(|_| CryptoError::Open)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }
}

/// A random URL-safe token of 32 bytes.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    // One write of the whole digest (generic-array's `LowerHex`), not a `String` per byte:
    // every API request hashes its token.
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so a login for an
/// unknown name takes as long as one with a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("govmedia-dummy-password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips_and_is_randomised() {
        let s = Sealer::from_base64(&Sealer::generate_key()).unwrap();
        let a = s.seal("张三 13800000000");
        assert_ne!(a, s.seal("张三 13800000000"));
        assert!(!a.contains("13800000000"));
        assert_eq!(s.open(&a).unwrap(), "张三 13800000000");
    }

    #[test]
    fn wrong_key_or_tampering_fails() {
        let s = Sealer::from_base64(&Sealer::generate_key()).unwrap();
        let other = Sealer::from_base64(&Sealer::generate_key()).unwrap();
        let sealed = s.seal("x");
        assert!(other.open(&sealed).is_err());
        assert!(s.open("v1:AAAA").is_err());
        assert!(s.open("plain").is_err());
        assert!(Sealer::from_base64("c2hvcnQ=").is_err());
        assert_eq!(format!("{s:?}"), "Sealer([redacted])");
    }

    #[test]
    fn a_token_hash_is_the_sha256_in_lowercase_hex_that_stored_tokens_hold() {
        // FIPS 180-2's example: the stored hashes of existing tokens must still match.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(token_hash("令牌").len(), 64);
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("正确的密码1");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码1", &h));
        assert!(!verify_password("错误", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
