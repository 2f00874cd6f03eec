//! The `qbo_tokens` table as a SeaORM entity (private to the store).

use sea_orm::entity::prelude::*;

/// One tenant's row. `ciphertext` is standard base64 of `nonce || ciphertext || tag`
/// ([`crate::crypto::KeyRing::encrypt`]) of the JSON holding both tokens.
///
/// Instants are `DateTime<FixedOffset>` (always UTC here) rather than `DateTime<Utc>`:
/// SeaORM binds those as naive UTC text on MariaDB, which fits `datetime(6)` for any year,
/// whereas a `DateTime<Utc>` goes over the wire as a TIMESTAMP value, and MariaDB turns one
/// beyond 2038 into NULL.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "qbo_tokens")]
pub(super) struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    pub realm_id: String,
    pub key_id: String,
    pub ciphertext: String,
    pub access_expires_at: DateTimeWithTimeZone,
    pub refresh_expires_at: DateTimeWithTimeZone,
    pub refresh_hard_expires_at: Option<DateTimeWithTimeZone>,
    pub obtained_at: DateTimeWithTimeZone,
    pub version: i64,
    pub status: String,
    pub status_reason: Option<String>,
    pub lease_holder: Option<String>,
    pub lease_until: Option<DateTimeWithTimeZone>,
    pub updated_at: DateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub(super) enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
