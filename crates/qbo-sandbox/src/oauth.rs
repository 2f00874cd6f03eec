//! Intuit's OAuth 2.0 endpoints (notes §5): authorize (consents at once), the token
//! endpoint (authorization-code and refresh-token grants, client credentials by HTTP
//! Basic, rotating refresh tokens with rolling and hard expiry), revoke, and the bearer
//! check of the v3 API.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::clock::after_secs;
use crate::config::TokenPolicy;
use crate::fault::Fault;

/// An authorization code waiting for its exchange.
#[derive(Debug)]
struct Code {
    client_id: String,
    redirect_uri: String,
    realm: String,
    expires_at: DateTime<Utc>,
}

/// A connection: one consent, its refresh-token chain and access tokens.
#[derive(Debug)]
struct Grant {
    realm: String,
    client_id: String,
    current_refresh: String,
    /// When the current refresh token was issued (rotation window).
    refresh_issued_at: DateTime<Utc>,
    rolling_expires_at: DateTime<Utc>,
    hard_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy)]
enum RefreshState {
    Current,
    Replaced { at: DateTime<Utc> },
}

#[derive(Debug)]
struct RefreshToken {
    grant: u64,
    state: RefreshState,
}

#[derive(Debug)]
struct AccessToken {
    grant: u64,
    realm: String,
    expires_at: DateTime<Utc>,
}

/// Why the token endpoint refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    InvalidGrant,
    InvalidRequest,
    UnsupportedGrantType,
}

impl TokenError {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidRequest => "invalid_request",
            Self::UnsupportedGrantType => "unsupported_grant_type",
        }
    }
}

/// A successful token answer, with exactly Intuit's keys.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TokenAnswer {
    pub token_type: &'static str,
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub x_refresh_token_expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_refresh_token_hard_expires_in: Option<i64>,
}

/// Every code, grant and token the sandbox issued.
#[derive(Debug, Default)]
pub(crate) struct OAuthState {
    codes: HashMap<String, Code>,
    grants: HashMap<u64, Grant>,
    refresh: HashMap<String, RefreshToken>,
    access: HashMap<String, AccessToken>,
    next_grant: u64,
    issued: u64,
}

/// Draws a token of `len` letters and digits after `prefix`.
pub(crate) fn random_token(rng: &mut fastrand::Rng, prefix: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(prefix.len() + len);
    out.push_str(prefix);
    for _ in 0..len {
        let i = rng.usize(..ALPHABET.len());
        out.push(char::from(ALPHABET[i]));
    }
    out
}

fn seconds_until(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (at - now).num_seconds().max(0)
}

impl OAuthState {
    /// Issues a code for `realm` (the authorize endpoint's consent).
    pub(crate) fn issue_code(
        &mut self,
        rng: &mut fastrand::Rng,
        policy: &TokenPolicy,
        client_id: &str,
        redirect_uri: &str,
        realm: &str,
        now: DateTime<Utc>,
    ) -> String {
        let code = random_token(rng, "AB11", 40);
        self.codes.retain(|_, c| c.expires_at > now);
        self.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                realm: realm.to_owned(),
                expires_at: after_secs(now, policy.code_secs),
            },
        );
        code
    }

    fn issue_access(
        &mut self,
        rng: &mut fastrand::Rng,
        policy: &TokenPolicy,
        grant: u64,
        realm: &str,
        now: DateTime<Utc>,
    ) -> String {
        self.issued += 1;
        if self.issued.is_multiple_of(1024) {
            self.access.retain(|_, a| a.expires_at > now);
        }
        let token = random_token(rng, "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2", 96);
        self.access.insert(
            token.clone(),
            AccessToken {
                grant,
                realm: realm.to_owned(),
                expires_at: after_secs(now, policy.access_token_secs),
            },
        );
        token
    }

    fn answer(
        &self,
        grant: &Grant,
        access_token: String,
        policy: &TokenPolicy,
        hard_expiry: bool,
        now: DateTime<Utc>,
    ) -> TokenAnswer {
        TokenAnswer {
            token_type: "bearer",
            access_token,
            expires_in: policy.access_token_secs,
            refresh_token: grant.current_refresh.clone(),
            x_refresh_token_expires_in: seconds_until(grant.rolling_expires_at, now),
            x_refresh_token_hard_expires_in: hard_expiry
                .then(|| seconds_until(grant.hard_expires_at, now)),
        }
    }

    /// A new connection to `realm` for `client_id`.
    pub(crate) fn new_grant(
        &mut self,
        rng: &mut fastrand::Rng,
        policy: &TokenPolicy,
        client_id: &str,
        realm: &str,
        hard_expiry: bool,
        now: DateTime<Utc>,
    ) -> TokenAnswer {
        self.next_grant += 1;
        let id = self.next_grant;
        let refresh = random_token(rng, "AB11", 46);
        self.refresh.insert(
            refresh.clone(),
            RefreshToken {
                grant: id,
                state: RefreshState::Current,
            },
        );
        let grant = Grant {
            realm: realm.to_owned(),
            client_id: client_id.to_owned(),
            current_refresh: refresh,
            refresh_issued_at: now,
            rolling_expires_at: after_secs(now, policy.refresh_token_secs),
            hard_expires_at: after_secs(now, policy.refresh_token_hard_secs),
        };
        let access = self.issue_access(rng, policy, id, realm, now);
        let answer = self.answer(&grant, access, policy, hard_expiry, now);
        self.grants.insert(id, grant);
        answer
    }

    /// The authorization-code grant.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn exchange_code(
        &mut self,
        rng: &mut fastrand::Rng,
        policy: &TokenPolicy,
        client_id: &str,
        code: &str,
        redirect_uri: Option<&str>,
        hard_expiry: bool,
        now: DateTime<Utc>,
    ) -> Result<TokenAnswer, TokenError> {
        // A code is single-use: it is gone whatever happens next.
        let code = self.codes.remove(code).ok_or(TokenError::InvalidGrant)?;
        if code.expires_at <= now || code.client_id != client_id {
            return Err(TokenError::InvalidGrant);
        }
        match redirect_uri {
            None => return Err(TokenError::InvalidRequest),
            Some(uri) if uri != code.redirect_uri => return Err(TokenError::InvalidGrant),
            Some(_) => {}
        }
        Ok(self.new_grant(rng, policy, client_id, &code.realm, hard_expiry, now))
    }

    /// The refresh-token grant: rotation after the window, grace for replaced tokens,
    /// `invalid_grant` for dead ones.
    pub(crate) fn refresh(
        &mut self,
        rng: &mut fastrand::Rng,
        policy: &TokenPolicy,
        client_id: &str,
        token: &str,
        hard_expiry: bool,
        now: DateTime<Utc>,
    ) -> Result<TokenAnswer, TokenError> {
        let record = self.refresh.get(token).ok_or(TokenError::InvalidGrant)?;
        let grant_id = record.grant;
        if let RefreshState::Replaced { at } = record.state
            && now >= after_secs(at, policy.replaced_grace_secs)
        {
            return Err(TokenError::InvalidGrant);
        }
        let grant = self.grants.get(&grant_id).ok_or(TokenError::InvalidGrant)?;
        if grant.client_id != client_id
            || now >= grant.rolling_expires_at
            || now >= grant.hard_expires_at
        {
            return Err(TokenError::InvalidGrant);
        }
        let realm = grant.realm.clone();
        let rotate = now >= after_secs(grant.refresh_issued_at, policy.rotation_window_secs);
        if rotate {
            let old = grant.current_refresh.clone();
            let new = random_token(rng, "AB11", 46);
            if let Some(r) = self.refresh.get_mut(&old) {
                r.state = RefreshState::Replaced { at: now };
            }
            self.refresh.insert(
                new.clone(),
                RefreshToken {
                    grant: grant_id,
                    state: RefreshState::Current,
                },
            );
            if let Some(g) = self.grants.get_mut(&grant_id) {
                g.current_refresh = new;
                g.refresh_issued_at = now;
            }
        }
        if let Some(g) = self.grants.get_mut(&grant_id) {
            g.rolling_expires_at = after_secs(now, policy.refresh_token_secs);
        }
        let access = self.issue_access(rng, policy, grant_id, &realm, now);
        let grant = self.grants.get(&grant_id).ok_or(TokenError::InvalidGrant)?;
        Ok(self.answer(grant, access, policy, hard_expiry, now))
    }

    /// Revokes the connection a refresh or access token belongs to. Unknown tokens are
    /// ignored (RFC 7009).
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        let grant = self
            .refresh
            .get(token)
            .map(|r| r.grant)
            .or_else(|| self.access.get(token).map(|a| a.grant));
        let Some(grant) = grant else {
            return false;
        };
        self.grants.remove(&grant);
        self.refresh.retain(|_, r| r.grant != grant);
        self.access.retain(|_, a| a.grant != grant);
        true
    }

    /// Checks a bearer token for `realm`: 401 in the gateway shape when unknown or
    /// expired, 403 when it belongs to another company.
    pub(crate) fn check_bearer(
        &self,
        token: &str,
        realm: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Fault> {
        let Some(access) = self.access.get(token) else {
            return Err(Fault::unauthenticated("Malformed bearer token"));
        };
        if access.expires_at <= now {
            let shown: String = token.chars().take(4).collect();
            return Err(Fault::unauthenticated(format!("Token expired: {shown}...")));
        }
        if access.realm != realm {
            return Err(Fault::forbidden(format!(
                "The token is not authorized for company {realm}"
            )));
        }
        Ok(())
    }

    /// Forgets everything (inspection reset).
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The JSON of a token error: `{"error": "..."}`.
pub(crate) fn error_body(error: &str) -> Vec<u8> {
    let mut map = Map::new();
    map.insert("error".to_owned(), Value::String(error.to_owned()));
    Value::Object(map).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn policy() -> TokenPolicy {
        TokenPolicy::default()
    }

    #[test]
    fn codes_are_single_use_and_bound_to_client_and_redirect() {
        let mut rng = fastrand::Rng::with_seed(1);
        let mut state = OAuthState::default();
        let now = Utc::now();
        let p = policy();
        let code = state.issue_code(&mut rng, &p, "c", "http://x/cb", "1", now);
        assert_eq!(
            state
                .exchange_code(&mut rng, &p, "c", &code, Some("http://y/cb"), false, now)
                .map(|_| ()),
            Err(TokenError::InvalidGrant)
        );
        let code = state.issue_code(&mut rng, &p, "c", "http://x/cb", "1", now);
        let answer = state
            .exchange_code(&mut rng, &p, "c", &code, Some("http://x/cb"), true, now)
            .expect("exchange");
        assert_eq!(answer.x_refresh_token_expires_in, p.refresh_token_secs);
        assert_eq!(
            answer.x_refresh_token_hard_expires_in,
            Some(p.refresh_token_hard_secs)
        );
        assert_eq!(
            state
                .exchange_code(&mut rng, &p, "c", &code, Some("http://x/cb"), false, now)
                .map(|_| ()),
            Err(TokenError::InvalidGrant)
        );
    }

    #[test]
    fn refresh_rotates_after_the_window_and_kills_the_old_token() {
        let mut rng = fastrand::Rng::with_seed(2);
        let mut state = OAuthState::default();
        let mut now = Utc::now();
        let p = policy();
        let first = state.new_grant(&mut rng, &p, "c", "1", false, now);
        now += TimeDelta::hours(1);
        let same = state
            .refresh(&mut rng, &p, "c", &first.refresh_token, false, now)
            .expect("within window");
        assert_eq!(same.refresh_token, first.refresh_token);
        assert_ne!(same.access_token, first.access_token);
        now += TimeDelta::hours(24);
        let rotated = state
            .refresh(&mut rng, &p, "c", &first.refresh_token, false, now)
            .expect("rotates");
        assert_ne!(rotated.refresh_token, first.refresh_token);
        assert_eq!(
            state
                .refresh(&mut rng, &p, "c", &first.refresh_token, false, now)
                .map(|_| ()),
            Err(TokenError::InvalidGrant)
        );
        assert!(
            state
                .refresh(&mut rng, &p, "c", &rotated.refresh_token, false, now)
                .is_ok()
        );
        assert!(state.check_bearer(&rotated.access_token, "1", now).is_ok());
        assert_eq!(
            state
                .check_bearer(&rotated.access_token, "1", now + TimeDelta::hours(2))
                .map_err(|f| f.status.as_u16()),
            Err(401)
        );
        assert_eq!(
            state
                .check_bearer(&rotated.access_token, "2", now)
                .map_err(|f| f.status.as_u16()),
            Err(403)
        );
    }

    #[test]
    fn revoking_kills_the_whole_connection() {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut state = OAuthState::default();
        let now = Utc::now();
        let p = policy();
        let answer = state.new_grant(&mut rng, &p, "c", "1", false, now);
        assert!(state.revoke(&answer.refresh_token));
        assert!(state.check_bearer(&answer.access_token, "1", now).is_err());
        assert_eq!(
            state
                .refresh(&mut rng, &p, "c", &answer.refresh_token, false, now)
                .map(|_| ()),
            Err(TokenError::InvalidGrant)
        );
        assert!(!state.revoke("unknown"));
    }
}
