//! What a CreateTrainingJob request says that the simulation does not use, kept so that
//! `describe` shows the job the user asked for: its image and input mode, role,
//! hyperparameters, channels, output location, VPC and the like.
//!
//! DescribeTrainingJob returns these members as CreateTrainingJob received them (the two API
//! shapes share them), so they are copied as written. Only their JSON type is checked here — an
//! object, an array, a string or a boolean, and string hyperparameters and environment values
//! (the API takes every value of those maps as a string) — so that the description stays a
//! valid `DescribeTrainingJobResponse`; what is inside is the API's business.
//!
//! The job's ARN is built from them as AWS builds it: the region the job runs in is the region
//! of its training image (`<registry>.dkr.ecr.<region>.amazonaws.com/…`) or of an algorithm
//! ARN, and the account is the account of its execution role (`arn:aws:iam::<account>:role/…`).

use crate::error::InputError;
use serde_json::Value;

/// The kind of JSON value a member must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    /// An object whose values are all strings (`HyperParameters`, `Environment`).
    StringMap,
    Array,
    Text,
    Flag,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Object => "a JSON object",
            Kind::StringMap => "an object of strings",
            Kind::Array => "a JSON array",
            Kind::Text => "a string",
            Kind::Flag => "true or false",
        }
    }
}

/// Members of CreateTrainingJob that DescribeTrainingJob echoes and spotsim does not model
/// (the modelled ones — ResourceConfig, StoppingCondition, EnableManagedSpotTraining,
/// CheckpointConfig, RetryStrategy — are written from the resolved job).
const ECHOED: &[(&str, Kind)] = &[
    ("AlgorithmSpecification", Kind::Object),
    ("RoleArn", Kind::Text),
    ("HyperParameters", Kind::StringMap),
    ("InputDataConfig", Kind::Array),
    ("OutputDataConfig", Kind::Object),
    ("VpcConfig", Kind::Object),
    ("Environment", Kind::StringMap),
    ("EnableNetworkIsolation", Kind::Flag),
    ("EnableInterContainerTrafficEncryption", Kind::Flag),
    ("DebugHookConfig", Kind::Object),
    ("DebugRuleConfigurations", Kind::Array),
    ("TensorBoardOutputConfig", Kind::Object),
    ("ExperimentConfig", Kind::Object),
    ("ProfilerConfig", Kind::Object),
    ("ProfilerRuleConfigurations", Kind::Array),
];

/// The region and account spotsim puts in an ARN when the request names neither.
pub const DEFAULT_REGION: &str = "us-east-1";
/// See [`DEFAULT_REGION`].
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// The echoed members of a request, in [`ECHOED`] order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Echo {
    /// (API member name, value as the request wrote it).
    pub members: Vec<(String, Value)>,
}

impl Echo {
    /// Collects the echoed members of a request's root object; `error(key, message)` makes an
    /// error about a member.
    pub(super) fn from_request(
        root: &Value,
        error: impl Fn(&str, String) -> InputError,
    ) -> Result<Self, InputError> {
        let mut echo = Self::default();
        for (key, kind) in ECHOED {
            let Some(value) = root.get(*key).filter(|v| !v.is_null()) else {
                continue;
            };
            check_kind(key, value, *kind, &error)?;
            echo.members.push((key.to_string(), value.clone()));
        }
        if let Some(Value::Object(spec)) = echo.get_mut("AlgorithmSpecification") {
            // Required by both shapes; a request without it is incomplete, not wrong to simulate.
            spec.entry("TrainingInputMode")
                .or_insert_with(|| Value::String("File".into()));
        }
        Ok(echo)
    }

    /// Sets member `key` (replacing a value already there).
    pub fn set(&mut self, key: &str, value: Value) {
        match self.members.iter_mut().find(|(k, _)| k == key) {
            Some((_, old)) => *old = value,
            None => self.members.push((key.to_string(), value)),
        }
    }

    /// The value of member `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.members
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// `AlgorithmSpecification.<member>` as text.
    fn algorithm(&self, member: &str) -> Option<&str> {
        self.get("AlgorithmSpecification")?.get(member)?.as_str()
    }

    /// The region the job runs in: that of its training image or algorithm ARN.
    pub fn region(&self) -> Option<String> {
        if let Some(image) = self.algorithm("TrainingImage")
            && let Some(region) = image_region(image)
        {
            return Some(region);
        }
        for arn in [self.algorithm("AlgorithmName"), self.role_arn()]
            .into_iter()
            .flatten()
        {
            if let Some(region) = arn_part(arn, 3).filter(|r| !r.is_empty()) {
                return Some(region.to_string());
            }
        }
        None
    }

    /// The account of the execution role.
    pub fn account(&self) -> Option<String> {
        arn_part(self.role_arn()?, 4)
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string)
    }

    /// The ARN partition of the role (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn partition(&self) -> Option<String> {
        arn_part(self.role_arn()?, 1).map(str::to_string)
    }

    fn role_arn(&self) -> Option<&str> {
        self.get("RoleArn")?.as_str()
    }

    /// `OutputDataConfig.S3OutputPath`.
    pub fn s3_output_path(&self) -> Option<&str> {
        self.get("OutputDataConfig")?.get("S3OutputPath")?.as_str()
    }
}

/// Part `index` of an ARN `arn:partition:service:region:account:resource`.
fn arn_part(arn: &str, index: usize) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    (parts.next()? == "arn").then_some(())?;
    parts.nth(index - 1)
}

/// The region of an ECR image URI: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repo>…`.
fn image_region(image: &str) -> Option<String> {
    let host = image.split('/').next()?;
    let (_, rest) = host.split_once(".dkr.ecr.")?;
    let region = rest.split('.').next()?;
    (!region.is_empty()).then(|| region.to_string())
}

fn check_kind(
    key: &str,
    value: &Value,
    kind: Kind,
    error: &impl Fn(&str, String) -> InputError,
) -> Result<(), InputError> {
    let fits = match kind {
        Kind::Object | Kind::StringMap => value.is_object(),
        Kind::Array => value.is_array(),
        Kind::Text => value.is_string(),
        Kind::Flag => value.is_boolean(),
    };
    if !fits {
        return Err(error(
            key,
            format!("expected {}, got {value}", kind.describe()),
        ));
    }
    if kind == Kind::StringMap
        && let Some((name, bad)) = value
            .as_object()
            .into_iter()
            .flatten()
            .find(|(_, v)| !v.is_string())
    {
        return Err(error(
            &format!("{key}.{name}"),
            format!(
                "expected a string (the API takes every {key} value as a string, e.g. \"{}\"), got {bad}",
                bad.to_string().trim_matches('"')
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo(json: &str) -> Result<Echo, InputError> {
        let root: Value = serde_json::from_str(json).unwrap();
        Echo::from_request(&root, |key, message| {
            InputError::new("req.json", message).at_key(key.to_string())
        })
    }

    #[test]
    fn region_and_account_come_from_the_image_and_the_role() {
        let e = echo(
            r#"{"AlgorithmSpecification": {"TrainingImage":
                 "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.1-gpu-py310"},
               "RoleArn": "arn:aws:iam::111122223333:role/service-role/SageMakerRole"}"#,
        )
        .unwrap();
        assert_eq!(e.region().as_deref(), Some("eu-west-1"));
        assert_eq!(e.account().as_deref(), Some("111122223333"));
        assert_eq!(e.partition().as_deref(), Some("aws"));
        // The input mode, required in both shapes, is filled in when missing.
        assert_eq!(e.algorithm("TrainingInputMode"), Some("File"));
        // China regions, and an algorithm ARN without an image.
        let e = echo(r#"{"AlgorithmSpecification": {"TrainingImage": "390948362332.dkr.ecr.cn-north-1.amazonaws.com.cn/kmeans:1", "TrainingInputMode": "Pipe"}}"#).unwrap();
        assert_eq!(e.region().as_deref(), Some("cn-north-1"));
        assert_eq!(e.algorithm("TrainingInputMode"), Some("Pipe"));
        let e = echo(r#"{"AlgorithmSpecification": {"AlgorithmName": "arn:aws:sagemaker:ap-south-1:123412341234:algorithm/my-algo", "TrainingInputMode": "File"}}"#).unwrap();
        assert_eq!(e.region().as_deref(), Some("ap-south-1"));
        assert_eq!(e.account(), None);
        assert_eq!(echo("{}").unwrap().region(), None);
    }

    #[test]
    fn members_of_the_wrong_type_name_their_key() {
        let error = echo(r#"{"HyperParameters": {"epochs": 10}}"#).unwrap_err();
        assert_eq!(error.key.as_deref(), Some("HyperParameters.epochs"));
        assert!(error.message.contains("\"10\""), "{}", error.message);
        let error = echo(r#"{"InputDataConfig": {"ChannelName": "train"}}"#).unwrap_err();
        assert_eq!(error.key.as_deref(), Some("InputDataConfig"));
        let error = echo(r#"{"RoleArn": 7}"#).unwrap_err();
        assert_eq!(error.key.as_deref(), Some("RoleArn"));
    }
}
