//! HS256 tokens, validated the RFC 8725 way: the algorithm is pinned by the
//! server (never read from the token header), issuer and audience are
//! required and checked, clock leeway is 5 s.
//!
//! Keys rotate without logging anyone out: the server signs with the current
//! key (`JWT_SECRET`) and verifies with it and every previous one
//! (`JWT_PREVIOUS_SECRETS`). Each token names its key in the header's `kid`,
//! derived from the key itself ([`key_id`]), so every replica computes the
//! same id from the same Secret with nothing else to configure. A token
//! without a `kid` (minted before keys had ids) is tried against each key.

use super::AuthError;
use crate::settings::JwtSettings;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Seconds of clock skew tolerated on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECONDS: u64 = 5;

/// The claims we issue. `jti` is a plain `String` (not `Option`) so that a
/// token without one fails to deserialize: jsonwebtoken itself does not check
/// `jti`, and revocation needs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// Admin tokens are minted only by `backend token --admin`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adm: bool,
}

/// The public id of a signing key: the first 8 bytes of a SHA-256 over a
/// fixed label and the key, in hex. It tells keys apart and reveals nothing
/// an HS256 signature does not already expose.
pub fn key_id(secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"agent-ready-k8s backend jwt kid\0")
        .chain_update(secret)
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
}

/// A freshly minted token and the facts revocation needs about it.
pub struct Minted {
    pub token: String,
    pub jti: Uuid,
    pub expires_at: i64,
}

/// Keys and rules for minting and verifying.
pub struct JwtKeys {
    signing_kid: String,
    encoding: EncodingKey,
    /// The current key first, then the previous ones in the order given.
    verifying: Vec<VerifyingKey>,
    validation: Validation,
    pub issuer: String,
    pub audience: String,
    pub ttl_seconds: u64,
    /// Signs the `/api/v2/` list cursors: derived from the current secret, so
    /// no second secret to deploy, and never the JWT key itself.
    cursor_key: aws_lc_rs::hmac::Key,
}

impl JwtKeys {
    pub fn new(settings: &JwtSettings) -> JwtKeys {
        let secret = settings.secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_audience(&[&settings.audience]);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_required_spec_claims(&["exp", "nbf", "aud", "iss", "sub"]);
        let verifying = std::iter::once(&settings.secret)
            .chain(&settings.previous_secrets)
            .map(|s| {
                let bytes = s.expose_secret().as_bytes();
                VerifyingKey {
                    kid: key_id(bytes),
                    key: DecodingKey::from_secret(bytes),
                }
            })
            .collect();
        JwtKeys {
            signing_kid: key_id(secret),
            encoding: EncodingKey::from_secret(secret),
            verifying,
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl_seconds: settings.ttl.as_secs(),
            cursor_key: {
                let derived = Sha256::new()
                    .chain_update(b"backend list cursor key v1\0")
                    .chain_update(secret)
                    .finalize();
                aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &derived)
            },
        }
    }

    /// The key that signs the list cursors of the API.
    pub fn cursor_key(&self) -> &aws_lc_rs::hmac::Key {
        &self.cursor_key
    }

    /// The `kid` new tokens carry.
    pub fn signing_key_id(&self) -> &str {
        &self.signing_kid
    }

    /// Mints a token for `subject`, valid for `ttl_seconds` from now, signed
    /// with the current key.
    pub fn mint(&self, subject: &str, ttl_seconds: u64, admin: bool) -> Result<Minted, AuthError> {
        let now = chrono::Utc::now().timestamp();
        let jti = Uuid::new_v4();
        let claims = Claims {
            sub: subject.to_owned(),
            jti: jti.to_string(),
            iat: now,
            nbf: now,
            exp: now + i64::try_from(ttl_seconds).unwrap_or(i64::MAX / 2),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            adm: admin,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        let token =
            jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(AuthError::Signing)?;
        Ok(Minted {
            token,
            jti,
            expires_at: claims.exp,
        })
    }

    /// Verifies signature, algorithm, `exp`, `nbf`, `iat`, `iss`, `aud`, `sub`
    /// (the `jti` is checked by [`super::identity`]).
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| rejection(e.kind()))?;
        let candidates: Vec<&VerifyingKey> = match &header.kid {
            Some(kid) => vec![
                self.verifying
                    .iter()
                    .find(|k| &k.kid == kid)
                    .ok_or(AuthError::UnknownKey)?,
            ],
            None => self.verifying.iter().collect(),
        };
        let mut last = ErrorKind::InvalidSignature;
        let mut verified = None;
        for key in candidates {
            match jsonwebtoken::decode::<Claims>(token, &key.key, &self.validation) {
                Ok(data) => {
                    verified = Some(data.claims);
                    break;
                }
                // Only a signature that does not match this key is worth
                // trying the next one for; anything else is the token's fault.
                Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => last = e.into_kind(),
                Err(e) => return Err(rejection(e.kind())),
            }
        }
        let claims = verified.ok_or_else(|| rejection(&last))?;
        let now = chrono::Utc::now().timestamp();
        if claims.iat > now + LEEWAY_SECONDS as i64 {
            return Err(AuthError::IssuedInTheFuture);
        }
        Ok(claims)
    }
}

fn rejection(kind: &ErrorKind) -> AuthError {
    match kind {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidAlgorithm => AuthError::WrongAlgorithm,
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(c) => AuthError::MissingClaim(c.clone()),
        _ => AuthError::Malformed,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use secrecy::SecretString;
    use std::time::Duration;

    pub(crate) fn settings(current: &str, previous: &[&str]) -> JwtSettings {
        JwtSettings {
            secret: SecretString::from(current.to_owned()),
            secret_generated: false,
            previous_secrets: previous
                .iter()
                .map(|s| SecretString::from((*s).to_owned()))
                .collect(),
            issuer: "iss".into(),
            audience: "aud".into(),
            ttl: Duration::from_secs(600),
        }
    }

    pub(crate) const A: &str = "key-a-0123456789abcdef0123456789abcdef";
    pub(crate) const B: &str = "key-b-0123456789abcdef0123456789abcdef";

    #[test]
    fn key_ids_are_stable_distinct_and_do_not_contain_the_key() {
        assert_eq!(key_id(A.as_bytes()), key_id(A.as_bytes()));
        assert_ne!(key_id(A.as_bytes()), key_id(B.as_bytes()));
        assert_eq!(key_id(A.as_bytes()).len(), 16);
        assert!(!A.contains(&key_id(A.as_bytes())));
    }

    #[test]
    fn a_token_without_kid_is_tried_against_every_key() {
        let claims = serde_json::json!({"sub": "s", "jti": Uuid::new_v4().to_string(),
            "iat": chrono::Utc::now().timestamp(), "nbf": chrono::Utc::now().timestamp(),
            "exp": chrono::Utc::now().timestamp() + 60, "iss": "iss", "aud": "aud"});
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(A.as_bytes()),
        )
        .unwrap();
        assert!(JwtKeys::new(&settings(B, &[A])).verify(&token).is_ok());
        assert!(JwtKeys::new(&settings(B, &[])).verify(&token).is_err());
    }
}
