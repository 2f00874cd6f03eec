//! The connect flow's `state`: issued with the authorization URL, checked once on the
//! callback (unknown, reused or too old → a clear error).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};

use crate::error::AuthError;
use crate::token::TenantId;

/// What the OAuth callback brought back, from its query string (`code`, `state`,
/// `realmId`, or `error` and `error_description` when the operator declined).
///
/// `Debug` hides the code.
#[derive(Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct CallbackParams {
    /// The authorization code.
    #[serde(default)]
    pub code: Option<String>,
    /// The state issued with the authorization URL.
    #[serde(default)]
    pub state: Option<String>,
    /// The company the operator chose.
    #[serde(default, rename = "realmId")]
    pub realm_id: Option<String>,
    /// An OAuth error (`access_denied` when the operator declined).
    #[serde(default)]
    pub error: Option<String>,
    /// The error's description.
    #[serde(default)]
    pub error_description: Option<String>,
}

impl std::fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackParams")
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("state", &self.state)
            .field("realm_id", &self.realm_id)
            .field("error", &self.error)
            .field("error_description", &self.error_description)
            .finish()
    }
}

#[derive(Debug)]
struct Issued {
    tenant: TenantId,
    at: DateTime<Utc>,
}

/// States issued by this process and not yet used, and the used ones (to tell "reused"
/// from "unknown") until they would have expired anyway.
#[derive(Debug)]
pub(crate) struct States {
    ttl: TimeDelta,
    issued: Mutex<HashMap<String, Issued>>,
    used: Mutex<HashMap<String, DateTime<Utc>>>,
}

impl States {
    /// How long a state is remembered: twice its life (any life, without overflow).
    fn keep(&self) -> TimeDelta {
        self.ttl.checked_mul(2).unwrap_or(TimeDelta::MAX)
    }

    pub(crate) fn new(ttl: TimeDelta) -> Self {
        Self {
            ttl,
            issued: Mutex::default(),
            used: Mutex::default(),
        }
    }

    /// A fresh random state for `tenant` (32 random bytes, URL-safe base64).
    pub(crate) fn issue(&self, tenant: &TenantId, now: DateTime<Utc>) -> String {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_mut(16) {
            chunk.copy_from_slice(&uuid::Uuid::new_v4().into_bytes());
        }
        let state = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let mut issued = self
            .issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        issued.retain(|_, i| now - i.at <= self.keep());
        issued.insert(
            state.clone(),
            Issued {
                tenant: tenant.clone(),
                at: now,
            },
        );
        state
    }

    /// Checks and uses up a state; returns the tenant that started the connect.
    pub(crate) fn consume(&self, state: &str, now: DateTime<Utc>) -> Result<TenantId, AuthError> {
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        used.retain(|_, at| now - *at <= self.keep());
        if used.contains_key(state) {
            return Err(AuthError::ReusedState);
        }
        let issued = self
            .issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(state)
            .ok_or(AuthError::UnknownState)?;
        used.insert(state.to_owned(), now);
        if now - issued.at > self.ttl {
            return Err(AuthError::ExpiredState {
                minutes: self.ttl.num_minutes(),
            });
        }
        Ok(issued.tenant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_single_use_and_expire() {
        let states = States::new(TimeDelta::minutes(10));
        let tenant = TenantId::new("shop").unwrap();
        let t0 = Utc::now();
        let a = states.issue(&tenant, t0);
        let b = states.issue(&tenant, t0);
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(states.consume(&a, t0).unwrap(), tenant);
        assert!(matches!(
            states.consume(&a, t0),
            Err(AuthError::ReusedState)
        ));
        assert!(matches!(
            states.consume("nope", t0),
            Err(AuthError::UnknownState)
        ));
        assert!(matches!(
            states.consume(&b, t0 + TimeDelta::minutes(11)),
            Err(AuthError::ExpiredState { minutes: 10 })
        ));
    }
}
