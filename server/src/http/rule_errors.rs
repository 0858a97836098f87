//! Domain and configuration rules return their own errors (they know nothing
//! of HTTP); this is where each becomes the envelope and its catalog code.

use crate::configs::rules::RuleError;
use crate::domain::names::NameError;
use crate::settings::LOG_LEVELS;
use backend_api::{ApiError, ErrorCode};

impl From<NameError> for ApiError {
    fn from(e: NameError) -> ApiError {
        ApiError::validation("name", e.to_string())
    }
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> ApiError {
        let message = e.to_string();
        match e {
            RuleError::Key(_) => {
                ApiError::new(ErrorCode::InvalidConfigKey, message).with_detail("field", "key")
            }
            RuleError::Service => ApiError::validation("service", message),
            RuleError::ValueTooLong(_) => ApiError::new(ErrorCode::InvalidConfigValue, message),
            RuleError::LogLevel => ApiError::new(ErrorCode::InvalidConfigValue, message)
                .with_detail("allowed", serde_json::json!(LOG_LEVELS)),
            RuleError::Reason => ApiError::validation("reason", message),
            RuleError::IfMatch => ApiError::validation("If-Match", message),
        }
    }
}
