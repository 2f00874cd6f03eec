//! Reading rows back into the crate's types.

use sea_orm::{QueryResult, TryGetable};
use uuid::Uuid;

use crate::clock::from_ms;
use crate::error::QueueError;
use crate::ids::{JobId, StoreId, TenantId, WorkerId};
use crate::job::{EntityRef, Job, JobPayload, LastError, LeaseInfo};
use crate::kind::JobStatus;

pub(super) fn get<T: TryGetable>(row: &QueryResult, column: &str) -> Result<T, QueueError> {
    Ok(row.try_get::<T>("", column)?)
}

/// A 0/1 (or boolean) column: databases type `CASE … THEN 1 ELSE 0 END` differently.
pub(super) fn flag(row: &QueryResult, column: &str) -> Result<bool, QueueError> {
    if let Ok(v) = row.try_get::<i64>("", column) {
        return Ok(v != 0);
    }
    if let Ok(v) = row.try_get::<i32>("", column) {
        return Ok(v != 0);
    }
    get::<bool>(row, column)
}

/// Parses a stored text column into `T`, reporting a corrupt row instead of a bad input.
pub(super) fn parsed<T>(
    row: &QueryResult,
    column: &'static str,
    parse: impl FnOnce(String) -> Result<T, QueueError>,
) -> Result<T, QueueError> {
    let text: String = get(row, column)?;
    parse(text).map_err(|e| QueueError::CorruptRow {
        column,
        reason: e.to_string(),
    })
}

fn count(value: i32, column: &'static str) -> Result<u32, QueueError> {
    u32::try_from(value).map_err(|_| QueueError::CorruptRow {
        column,
        reason: format!("negative count {value}"),
    })
}

/// A job from a row holding [`super::statements::JOB_COLUMNS`].
pub(super) fn job(row: &QueryResult) -> Result<Job, QueueError> {
    let id: Uuid = get(row, "id")?;
    let status: JobStatus = parsed(row, "status", |s| s.parse())?;
    let waiting: Option<i16> = get(row, "waiting")?;
    let due: Option<i64> = get(row, "due_at")?;
    let locked_by: Option<String> = get(row, "locked_by")?;
    let running = status == JobStatus::Running;
    let payload: Option<String> = get(row, "payload")?;
    let error_message: Option<String> = get(row, "last_error_message")?;
    let error_at: Option<i64> = get(row, "last_error_at")?;
    let lease = match (running, locked_by, due) {
        (true, Some(worker), Some(due)) => Some(LeaseInfo {
            worker: WorkerId::new(worker).map_err(|e| QueueError::CorruptRow {
                column: "locked_by",
                reason: e.to_string(),
            })?,
            expires_at: from_ms(due),
        }),
        _ => None,
    };
    Ok(Job {
        id: JobId::from_uuid(id),
        entity: EntityRef {
            tenant: parsed(row, "tenant", TenantId::new)?,
            kind: parsed(row, "kind", |s| s.parse())?,
            store_id: parsed(row, "store_id", StoreId::new)?,
        },
        action: parsed(row, "action", |s| s.parse())?,
        payload: payload
            .map(JobPayload::from_json_text)
            .transpose()
            .map_err(|e| QueueError::CorruptRow {
                column: "payload",
                reason: e.to_string(),
            })?,
        status,
        attempts: count(get(row, "attempts")?, "attempts")?,
        run_after: if running { None } else { due.map(from_ms) },
        lease,
        last_error: match (error_message, error_at) {
            (Some(message), Some(at)) => Some(LastError {
                code: get(row, "last_error_code")?,
                message,
                at: from_ms(at),
            }),
            _ => None,
        },
        superseded: !running && waiting.is_none(),
        created_at: from_ms(get(row, "created_at")?),
        updated_at: from_ms(get(row, "updated_at")?),
    })
}
