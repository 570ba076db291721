//! Profile exports: the local API loads `profiles.yaml` once and asks, per alert, which
//! decisions to make.
use std::path::PathBuf;

use crowdwatch_core::diag::Severity;
use crowdwatch_core::profile::{DecisionHistory, Profiles};

use crate::boundary::{entry, HandleType, JsError};
use crate::exports::json;
use crate::sys::{napi_callback_info, napi_env, napi_value};

struct ProfilesHandle(Profiles);

impl HandleType for ProfilesHandle {
    const TAG: u64 = 0x6377_6174_6368_0002;
    const WHAT: &'static str = "a profiles handle";
}

/// `loadProfiles(path)`: a handle, or a CW_CONFIG error listing every problem with file and line.
/// Warnings are what `lintProfiles` is for.
pub unsafe extern "C" fn load_profiles(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<1>(env, info, |env, [path]| {
        let path = PathBuf::from(env.string(*path)?);
        match Profiles::load(&path) {
            Ok((profiles, _warnings)) => env.create_external(ProfilesHandle(profiles)),
            Err(diags) => {
                let errors: Vec<String> = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .map(|d| d.to_string())
                    .collect();
                let mut e = JsError::new(
                    "CW_CONFIG",
                    format!("profiles failed to load:\n{}", errors.join("\n")),
                );
                e.json_property = Some((
                    "diagnosticsJson",
                    serde_json::to_string(&diags).unwrap_or_default(),
                ));
                Err(e)
            }
        }
    })
}

/// `lintProfiles(path)`: every diagnostic (errors and warnings) as JSON.
pub unsafe extern "C" fn lint_profiles(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<1>(env, info, |env, [path]| {
        let path = PathBuf::from(env.string(*path)?);
        let diags = match Profiles::load(&path) {
            Ok((_, warnings)) => warnings,
            Err(diags) => diags,
        };
        json(env, &diags)
    })
}

/// `evaluateProfiles(handle, alertJson, historyJson)`: the decisions the profiles make.
pub unsafe extern "C" fn evaluate_profiles(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<3>(env, info, |env, [handle, alert, history]| {
        let profiles: &ProfilesHandle = env.external(*handle)?;
        let alert: serde_json::Value = serde_json::from_str(&env.string(*alert)?)
            .map_err(|e| JsError::new("CW_ARG", format!("alert: {e}")))?;
        let history: DecisionHistory = serde_json::from_str(&env.string(*history)?)
            .map_err(|e| JsError::new("CW_ARG", format!("history: {e}")))?;
        json(env, &profiles.0.evaluate(&alert, &history))
    })
}
