//! The events queue for local runs and tests, made as `template.yaml` makes it: a standard
//! queue whose messages move to a dead-letter queue after 5 receives.

use aws_sdk_sqs::types::QueueAttributeName;

type SqsResult<T> = Result<T, aws_sdk_sqs::Error>;

/// The events queue and its dead-letter queue, as `template.yaml` makes them (a message moves
/// to the dead-letter queue after 5 receives). Returns (queue URL, dead-letter queue URL).
pub async fn create_event_queues(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
) -> SqsResult<(String, String)> {
    let dead_letters = sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dead_letters)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .unwrap_or_default();
    let redrive = serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5});
    let queue = sqs
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
        .send()
        .await?
        .queue_url
        .unwrap_or_default();
    Ok((queue, dead_letters))
}
