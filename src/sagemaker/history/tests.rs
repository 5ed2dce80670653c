use super::*;
use serde_json::json;

#[test]
fn timestamps_in_every_form_boto3_and_the_cli_print() {
    let utc = parse_timestamp(&json!("2023-08-01T12:34:56.789Z")).unwrap();
    for same in [
        json!("2023-08-01T14:34:56.789+02:00"),
        json!("2023-08-01 12:34:56.789000+00:00"),
        json!("2023-08-01T07:34:56.789-0500"),
        json!("2023-08-01T13:34:56.789+01"),
        json!(1_690_893_296.789),
        json!("1690893296.789"),
    ] {
        assert_eq!(parse_timestamp(&same), Ok(utc), "{same}");
    }
    for bad in [
        json!("2023-08-01T12:34:56+25:00"),
        json!("2023-08-01"),
        json!("yesterday"),
        json!(-5),
        json!(true),
    ] {
        assert!(parse_timestamp(&bad).is_err(), "{bad}");
    }
}

#[test]
fn names_and_arns_follow_the_api_patterns() {
    assert!(valid_job_name("a"));
    assert!(valid_job_name("bert--large-2"));
    assert!(!valid_job_name("-bert"));
    assert!(!valid_job_name("bert_large"));
    assert!(!valid_job_name(&"a".repeat(64)));
    assert!(valid_job_arn(
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/bert-2"
    ));
    assert!(valid_job_arn(
        "arn:aws-cn:sagemaker:cn-north-1:123456789012:training-job/x"
    ));
    assert!(!valid_job_arn(
        "arn:aws:sagemaker:us-east-1:12345:training-job/bert"
    ));
    assert!(!valid_job_arn("arn:aws:s3:::bucket"));
}

#[test]
fn status_groups_follow_the_reference() {
    assert!(groups_with("Stopped", "MaxWaitTimeExceeded"));
    assert!(groups_with("InProgress", "Interrupted"));
    assert!(!groups_with("Completed", "Training"));
    assert!(!groups_with("InProgress", "Completed"));
    assert!(!groups_with("Failed", "Stopped"));
}
