//! Group commit: deliveries that arrive while the database is busy with
//! earlier ones are written together, in one transaction and one sync to
//! disk, and each is answered only once that commit is durable. Under a
//! flood this keeps the intake rate up with `synchronous=FULL`; alone, a
//! delivery is written at once.

use incident_core::DeskError;
use incident_core::desk::AlertReceipt;
use incident_core::domain::AlertInput;
use std::sync::Arc;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Where accepted deliveries go: several at once, one result each, in order
/// (the app's desk: `Desk::receive_alert_deliveries`).
pub type AlertSink =
    Arc<dyn Fn(Vec<Vec<AlertInput>>) -> Vec<Result<Vec<AlertReceipt>, DeskError>> + Send + Sync>;

/// At most this many deliveries share a transaction.
const MAX_GROUP: usize = 256;

type Reply = oneshot::Sender<Result<Vec<AlertReceipt>, DeskError>>;

pub struct Writer {
    queue: mpsc::Sender<(Vec<AlertInput>, Reply)>,
}

impl Writer {
    /// Starts the writing thread; it ends when the last `Writer` is dropped
    /// and the queue is empty.
    pub fn start(sink: AlertSink) -> std::io::Result<Writer> {
        let (queue, jobs) = mpsc::channel::<(Vec<AlertInput>, Reply)>();
        std::thread::Builder::new()
            .name("alert-writer".into())
            .spawn(move || {
                while let Ok(first) = jobs.recv() {
                    let mut group = vec![first];
                    while group.len() < MAX_GROUP {
                        match jobs.try_recv() {
                            Ok(next) => group.push(next),
                            Err(_) => break,
                        }
                    }
                    let (deliveries, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
                    let results = sink(deliveries);
                    for (reply, result) in replies.into_iter().zip(results) {
                        // The sender may have left: its delivery is stored anyway.
                        let _ = reply.send(result);
                    }
                }
            })?;
        Ok(Writer { queue })
    }

    /// Queues a delivery and waits until it is durable (or refused).
    pub async fn write(&self, alerts: Vec<AlertInput>) -> Result<Vec<AlertReceipt>, DeskError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((alerts, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> DeskError {
    DeskError::Conflict("the alert receiver is stopping".into())
}
