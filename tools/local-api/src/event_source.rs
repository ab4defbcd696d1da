//! Lambda's SQS event source mapping, locally: receive a batch from the events queue, run the
//! ingest function's handler on it, delete what it applied, and leave the failures to come
//! back after the visibility timeout (SQS moves a message to the dead-letter queue after 5
//! receives, as the template's redrive policy says).

use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
};
use ingest_events::Ingest;

/// Messages per batch: SQS's largest receive. The template's event source mapping gathers up
/// to 20 within a second; a batch of 10 exercises the same partial-failure path.
pub const BATCH_SIZE: i32 = 10;

type SqsResult<T> = Result<T, aws_sdk_sqs::Error>;

/// The events queue and how the mapping reads it.
#[derive(Clone, Debug)]
pub struct EventSource {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    /// How long a received message stays hidden; a failed one comes back after it.
    pub visibility_timeout: Duration,
}

/// What one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub received: usize,
    pub failed: usize,
}

impl EventSource {
    /// One batch: received, handled, applied messages deleted. `wait` is the long poll.
    pub async fn poll_once(&self, ingest: &Ingest, wait: Duration) -> SqsResult<Batch> {
        let output = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(BATCH_SIZE)
            .wait_time_seconds(i32::try_from(wait.as_secs()).unwrap_or(20))
            .visibility_timeout(i32::try_from(self.visibility_timeout.as_secs()).unwrap_or(30))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await?;
        let messages = output.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(Batch::default());
        }
        let mut event = SqsEvent::default();
        for message in &messages {
            let mut record = SqsMessage::default();
            record.message_id = message.message_id.clone();
            record.receipt_handle = message.receipt_handle.clone();
            record.body = message.body.clone();
            record.event_source = Some("aws:sqs".to_owned());
            event.records.push(record);
        }
        let response = ingest_events::handle(ingest, event).await;
        let failed: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        let applied: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .enumerate()
            .filter(|(_, m)| !failed.contains(&m.message_id.as_deref().unwrap_or_default()))
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .set_receipt_handle(m.receipt_handle.clone())
                    .build()
                    .ok()
            })
            .collect();
        if !applied.is_empty() {
            self.sqs
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(applied))
                .send()
                .await?;
        }
        Ok(Batch {
            received: messages.len(),
            failed: failed.len(),
        })
    }

    /// Runs the mapping until the task is dropped (`make dev`).
    pub async fn run(&self, ingest: &Ingest) {
        loop {
            if let Err(error) = self.poll_once(ingest, Duration::from_secs(10)).await {
                tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&error), "events queue not read");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }

    /// Handles batches until the queue holds nothing, visible or in flight (tests: with a
    /// visibility timeout of 0, a failing message comes back at once, and SQS moves it to the
    /// dead-letter queue after 5 receives). Returns every batch.
    pub async fn drain(&self, ingest: &Ingest) -> SqsResult<Vec<Batch>> {
        let mut batches = Vec::new();
        // Bounded: a message that keeps failing goes to the dead-letter queue after 5
        // receives, so draining ends; this only guards against a queue without one.
        for _ in 0..10_000 {
            let batch = self.poll_once(ingest, Duration::ZERO).await?;
            if batch.received > 0 {
                batches.push(batch);
                continue;
            }
            if self.waiting().await? == 0 {
                return Ok(batches);
            }
        }
        Ok(batches)
    }

    /// Messages on the queue, visible or in flight.
    pub async fn waiting(&self) -> SqsResult<u64> {
        queue_depth(&self.sqs, &self.queue_url).await
    }
}

/// Messages on a queue, visible or in flight.
pub async fn queue_depth(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> SqsResult<u64> {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await?
        .attributes
        .unwrap_or_default();
    Ok([
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .filter_map(|name| attributes.get(name))
    .filter_map(|n| n.parse::<u64>().ok())
    .sum())
}

/// An SQS client configured like the functions' DynamoDB client, at `AWS_ENDPOINT_URL_SQS`.
pub fn sqs_client(sdk: &gateway_aws::SdkConfig) -> aws_sdk_sqs::Client {
    let mut config = aws_sdk_sqs::config::Builder::from(sdk);
    if let Some(url) = gateway_aws::endpoint_url(gateway_aws::Service::Sqs) {
        config = config.endpoint_url(url);
    }
    aws_sdk_sqs::Client::from_conf(config.build())
}
