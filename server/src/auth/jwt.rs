//! HS256 tokens, validated the RFC 8725 way: the algorithm is pinned by the
//! server (never read from the token header), issuer and audience are
//! required and checked, clock leeway is 5 s.

use crate::settings::JwtSettings;
use backend_api::{ApiError, ErrorCode};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
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

/// Keys and rules for minting and verifying.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub issuer: String,
    pub audience: String,
    pub ttl_seconds: u64,
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
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            ttl_seconds: settings.ttl.as_secs(),
        }
    }

    /// Mints a token for `subject`, valid for `ttl_seconds` from now.
    pub fn mint(
        &self,
        subject: &str,
        ttl_seconds: u64,
        admin: bool,
    ) -> Result<(String, Claims), ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: subject.to_owned(),
            jti: Uuid::new_v4().to_string(),
            iat: now,
            nbf: now,
            exp: now + i64::try_from(ttl_seconds).unwrap_or(i64::MAX / 2),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            adm: admin,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok((token, claims))
    }

    /// Verifies signature, algorithm, `exp`, `nbf`, `iat`, `iss`, `aud`, `sub`, `jti`.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => {
                    ApiError::new(ErrorCode::TokenExpired, "token has expired")
                }
                ErrorKind::ImmatureSignature => ApiError::unauthorized("token is not valid yet"),
                ErrorKind::InvalidAlgorithm => {
                    ApiError::unauthorized("token algorithm is not HS256")
                }
                ErrorKind::InvalidSignature => ApiError::unauthorized("token signature is invalid"),
                ErrorKind::InvalidAudience => ApiError::unauthorized("token audience is wrong"),
                ErrorKind::InvalidIssuer => ApiError::unauthorized("token issuer is wrong"),
                ErrorKind::MissingRequiredClaim(c) => {
                    ApiError::unauthorized(format!("token lacks the `{c}` claim"))
                }
                _ => ApiError::unauthorized("token is malformed"),
            })?;
        let claims = data.claims;
        let now = chrono::Utc::now().timestamp();
        if claims.iat > now + LEEWAY_SECONDS as i64 {
            return Err(ApiError::unauthorized("token is issued in the future"));
        }
        if claims.jti.is_empty() {
            return Err(ApiError::unauthorized("token lacks the `jti` claim"));
        }
        Ok(claims)
    }
}
