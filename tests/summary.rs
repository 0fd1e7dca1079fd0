//! The event summary line (what fuzzy search and bare words look at) names the event, its
//! source, who, from where, with what agent, how it failed, and on which resources.

use std::io::Write;
use std::sync::RwLock;

use trailscope::ingest::{load_into, LoadOptions};
use trailscope::query::summary::summary_line;
use trailscope::store::Store;

#[test]
fn summary_carries_the_fields_an_analyst_searches() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    write!(
        file,
        r#"{{"Records":[{{"eventVersion":"1.08","eventTime":"2024-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.15.0","errorCode":"AccessDenied","eventID":"e1","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","sessionContext":{{"sessionIssuer":{{"arn":"arn:aws:iam::111122223333:role/Admin"}}}}}},"resources":[{{"ARN":"arn:aws:s3:::bucket/key","type":"AWS::S3::Object"}}]}},{{"eventTime":"2024-03-01T10:00:01Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","eventID":"e2"}}]}}"#
    )
    .unwrap();
    let store = RwLock::new(Store::new());
    load_into(&store, &LoadOptions::new(vec![file.path().to_path_buf()]), None);
    let store = store.into_inner().unwrap();
    let order = store.time_order().to_vec();
    assert_eq!(
        summary_line(&store, order[0]),
        "GetObject s3.amazonaws.com Admin/alice arn:aws:sts::111122223333:assumed-role/Admin/alice 203.0.113.9 \
         aws-cli/2.15.0 AccessDenied arn:aws:s3:::bucket/key AWS::S3::Object"
    );
    // Absent fields leave no gaps.
    assert_eq!(summary_line(&store, order[1]), "GetCallerIdentity sts.amazonaws.com");
}
