//! Profile exports: the local API loads `profiles.yaml` once and asks, per alert, which
//! decisions to make.
use std::path::PathBuf;

use crowdwatch_core::diag::Severity;
use crowdwatch_core::profile::{DecisionHistory, Profiles};
use napi::bindgen_prelude::{ObjectFinalize, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::args;
use crate::engine::json;
use crate::error::{config_error, drop_quietly, error, guard, Code, Result};

/// What JS holds for a loaded `profiles.yaml`. Evaluating takes `&self`: no lock needed.
#[napi(custom_finalize)]
pub struct ProfilesHandle {
    profiles: Profiles,
}

impl ObjectFinalize for ProfilesHandle {
    fn finalize(self, _env: Env) -> napi::Result<()> {
        drop_quietly(self);
        Ok(())
    }
}

#[napi]
impl ProfilesHandle {
    /// Handles come from `loadProfiles` only (see `EngineHandle::new`).
    #[napi(constructor)]
    pub fn new() -> Result<Self> {
        Err(error(
            Code::Arg,
            "a profiles handle comes from loadProfiles",
        ))
    }
}

/// `loadProfiles(path)`: a handle, or a CW_CONFIG error listing every problem with file and line.
/// Warnings are what `lintProfiles` is for.
#[napi(js_name = "loadProfiles", catch_unwind)]
pub fn load_profiles(env: Env, path: Unknown<'_>) -> Result<ProfilesHandle> {
    guard(|| {
        let path = PathBuf::from(args::string(path)?);
        match Profiles::load(&path) {
            Ok((profiles, _warnings)) => Ok(ProfilesHandle { profiles }),
            Err(diags) => {
                let errors: Vec<String> = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .map(|d| d.to_string())
                    .collect();
                let json = serde_json::to_string(&diags).unwrap_or_default();
                Err(config_error(
                    &env,
                    format!("profiles failed to load:\n{}", errors.join("\n")),
                    json,
                ))
            }
        }
    })
}

/// `lintProfiles(path)`: every diagnostic (errors and warnings) as JSON.
#[napi(js_name = "lintProfiles", catch_unwind)]
pub fn lint_profiles(path: Unknown<'_>) -> Result<String> {
    guard(|| {
        let path = PathBuf::from(args::string(path)?);
        let diags = match Profiles::load(&path) {
            Ok((_, warnings)) => warnings,
            Err(diags) => diags,
        };
        json(&diags)
    })
}

/// `evaluateProfiles(handle, alertJson, historyJson)`: the decisions the profiles make.
#[napi(js_name = "evaluateProfiles", catch_unwind)]
pub fn evaluate_profiles(
    handle: Unknown<'_>,
    alert_json: Unknown<'_>,
    history_json: Unknown<'_>,
) -> Result<String> {
    guard(|| {
        let handle = args::handle::<ProfilesHandle>(handle, "a profiles handle")?;
        let alert: serde_json::Value = serde_json::from_str(&args::string(alert_json)?)
            .map_err(|e| error(Code::Arg, format!("alert: {e}")))?;
        let history: DecisionHistory = serde_json::from_str(&args::string(history_json)?)
            .map_err(|e| error(Code::Arg, format!("history: {e}")))?;
        json(&handle.profiles.evaluate(&alert, &history))
    })
}
