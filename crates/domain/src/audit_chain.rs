//! The tamper-evident audit trail: each record's hash covers its content and the hash
//! of the record before it, so editing, deleting or reordering any stored record
//! breaks every link after it.
//!
//! The encoding is fixed and written out here field by field, with a length before
//! each text, so the same bytes are hashed on every backend and an auditor can
//! recompute a hash with any SHA-256 tool from the stored columns. Times enter as
//! whole microseconds since the Unix epoch — the precision both databases store — and
//! records are written with their time already cut to it.
//!
//! Encoding version 2 (every record written now) hashes in two steps: the record's
//! **content digest** ([`content_digest`]: everything but its position and its
//! entity's id), then the **link** ([`hash`]: the previous hash, the position, the
//! entity's id and that digest). The digest needs nothing the chain decides, so an
//! import computes it where it prepares its rows, and the writer, holding the
//! chain's head, hashes only the short link. Version 1 ([`v1`]) hashed all fields in
//! one step; records chained before version 2 keep their version-1 hashes, and a
//! check of the chain accepts version 1 only for records before the first of version 2.

use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};

/// The "previous hash" of the first record of a deployment.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one record that its content digest covers, in the order they are
/// hashed: all but its position and its entity's id, which the link adds.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub unit_path: &'a str,
    pub summary: &'a str,
    pub before_json: Option<&'a str>,
    pub after_json: Option<&'a str>,
}

/// A record's content digest (encoding version 2): SHA-256 of the tag
/// `govmedia-audit-content-v2\0` and the fields of [`Content`] in their order.
pub type ContentDigest = [u8; 32];

pub fn content_digest(content: &Content<'_>) -> ContentDigest {
    let mut h = Sha256::new();
    h.update(b"govmedia-audit-content-v2\0");
    h.update(content.at.timestamp_micros().to_be_bytes());
    number(&mut h, content.user_id);
    text(&mut h, content.username);
    text(&mut h, content.action);
    text(&mut h, content.entity);
    text(&mut h, content.unit_path);
    text(&mut h, content.summary);
    optional_text(&mut h, content.before_json);
    optional_text(&mut h, content.after_json);
    h.finalize().into()
}

/// The hash (64 lower-case hex digits) of the record at position `seq` about entity
/// `entity_id` whose content digest is `digest`, following a record whose hash is
/// `prev` (encoding version 2): SHA-256 of the tag `govmedia-audit-v2\0`, the previous
/// hash, the position, the entity's id and the 32 bytes of the digest.
pub fn hash(prev: &str, seq: i64, entity_id: Option<i64>, digest: &ContentDigest) -> String {
    let mut h = Sha256::new();
    h.update(b"govmedia-audit-v2\0");
    text(&mut h, prev);
    h.update(seq.to_be_bytes());
    number(&mut h, entity_id);
    h.update(digest);
    hex(&h.finalize())
}

/// Encoding version 1: the records chained before version 2 (and by migration 17,
/// which chained the records written before the chain existed) keep these hashes.
pub mod v1 {
    use super::{number, optional_text, text};
    use chrono::{DateTime, Utc};
    use sha2::{Digest as _, Sha256};

    /// The fields of one record that its hash covers, in the order they are hashed.
    #[derive(Debug, Clone, Copy)]
    pub struct Content<'a> {
        /// Its position in the chain, from 1.
        pub seq: i64,
        pub at: DateTime<Utc>,
        pub user_id: Option<i64>,
        pub username: &'a str,
        pub action: &'a str,
        pub entity: &'a str,
        pub entity_id: Option<i64>,
        pub unit_path: &'a str,
        pub summary: &'a str,
        pub before_json: Option<&'a str>,
        pub after_json: Option<&'a str>,
    }

    /// The hash (64 lower-case hex digits) of a record with `content` following a
    /// record whose hash is `prev`.
    pub fn hash(prev: &str, content: &Content<'_>) -> String {
        let mut h = Sha256::new();
        h.update(b"govmedia-audit-v1\0");
        text(&mut h, prev);
        h.update(content.seq.to_be_bytes());
        h.update(content.at.timestamp_micros().to_be_bytes());
        number(&mut h, content.user_id);
        text(&mut h, content.username);
        text(&mut h, content.action);
        text(&mut h, content.entity);
        number(&mut h, content.entity_id);
        text(&mut h, content.unit_path);
        text(&mut h, content.summary);
        optional_text(&mut h, content.before_json);
        optional_text(&mut h, content.after_json);
        super::hex(&h.finalize())
    }
}

/// `at` cut to whole microseconds, as it is stored and hashed.
pub fn stored_time(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

fn text(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

fn optional_text(h: &mut Sha256, s: Option<&str>) {
    match s {
        None => h.update([0u8]),
        Some(s) => {
            h.update([1u8]);
            text(h, s);
        }
    }
}

fn number(h: &mut Sha256, n: Option<i64>) {
    match n {
        None => h.update([0u8]),
        Some(n) => {
            h.update([1u8]);
            h.update(n.to_be_bytes());
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Content<'static> {
        Content {
            at: DateTime::from_timestamp_micros(1_796_000_000_123_456).unwrap(),
            user_id: Some(7),
            username: "admin",
            action: "create",
            entity: "account",
            unit_path: "/1/3/",
            summary: "新增账号“昆山发布”",
            before_json: None,
            after_json: Some("{\"name\":\"昆山发布\"}"),
        }
    }

    fn sample_v1() -> v1::Content<'static> {
        let c = sample();
        v1::Content {
            seq: 1,
            at: c.at,
            user_id: c.user_id,
            username: c.username,
            action: c.action,
            entity: c.entity,
            entity_id: Some(42),
            unit_path: c.unit_path,
            summary: c.summary,
            before_json: c.before_json,
            after_json: c.after_json,
        }
    }

    fn link(c: &Content<'_>) -> String {
        hash(GENESIS, 1, Some(42), &content_digest(c))
    }

    #[test]
    fn the_encodings_are_fixed() {
        // Pinned (and recomputed independently with Python's hashlib from the encodings
        // described above): a change of an encoding would break every stored chain.
        assert_eq!(
            v1::hash(GENESIS, &sample_v1()),
            "60d14ae1807ad0018b5c8d9e13b49bc8887bd3b60e2152ce6fd8911b2b14d0f7"
        );
        assert_eq!(hex(&content_digest(&sample())), V2_DIGEST);
        assert_eq!(link(&sample()), V2_HASH);
    }

    const V2_DIGEST: &str = "01d9f40da6eb419e9d82bc8ac295b4e5b9615be41bedd0f4675335a44b6007af";
    const V2_HASH: &str = "e8dc64657b677d9ec20aac617b444d360b8cae2bcc02eb1e4a0c7b55459d8537";

    #[test]
    fn every_field_the_position_the_entity_and_the_previous_hash_count() {
        let base = link(&sample());
        let digest = content_digest(&sample());
        assert_ne!(base, hash(&"1".repeat(64), 1, Some(42), &digest));
        assert_ne!(base, hash(GENESIS, 2, Some(42), &digest));
        assert_ne!(base, hash(GENESIS, 1, Some(43), &digest));
        assert_ne!(base, hash(GENESIS, 1, None, &digest));
        let variants: Vec<Content<'static>> = vec![
            Content {
                at: DateTime::from_timestamp_micros(1_796_000_000_123_457).unwrap(),
                ..sample()
            },
            Content {
                user_id: None,
                ..sample()
            },
            Content {
                username: "admin2",
                ..sample()
            },
            Content {
                action: "update",
                ..sample()
            },
            Content {
                entity: "unit",
                ..sample()
            },
            Content {
                unit_path: "/1/",
                ..sample()
            },
            Content {
                summary: "新增账号",
                ..sample()
            },
            Content {
                before_json: Some(""),
                ..sample()
            },
            Content {
                after_json: None,
                ..sample()
            },
        ];
        for v in variants {
            assert_ne!(link(&v), base, "{v:?}");
        }
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let a = Content {
            username: "ab",
            action: "c",
            ..sample()
        };
        let b = Content {
            username: "a",
            action: "bc",
            ..sample()
        };
        assert_ne!(link(&a), link(&b));
    }

    #[test]
    fn the_versions_never_give_the_same_hash() {
        assert_ne!(link(&sample()), v1::hash(GENESIS, &sample_v1()));
    }

    #[test]
    fn stored_time_drops_nanoseconds() {
        let at = DateTime::from_timestamp(1_796_000_000, 123_456_789).unwrap();
        assert_eq!(stored_time(at).timestamp_subsec_nanos(), 123_456_000);
    }
}
