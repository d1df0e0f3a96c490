//! The files units attach to their rectifications (整改材料). Lists read the files
//! without their bytes; one file is read whole only to be downloaded.

use crate::DbError;
use crate::entities::rectification_proof as proof;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub use proof::Model as ProofRow;
pub use proof_info::ProofInfo;

mod proof_info {
    /// A proof file without its bytes, for lists.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sea_orm::FromQueryResult)]
    pub struct ProofInfo {
        pub id: i64,
        pub finding_id: i64,
        pub file_name: String,
        pub mime: String,
        pub size: i64,
        pub uploaded_by: i64,
        pub uploaded_at: chrono::DateTime<chrono::Utc>,
    }
}

pub async fn insert(c: &impl ConnectionTrait, row: ProofRow) -> Result<ProofRow, DbError> {
    let mut active = row.into_active_model();
    active.id = NotSet;
    Ok(active.insert(c).await?)
}

/// The files of a finding, oldest first, without their bytes.
pub async fn of_finding(
    c: &impl ConnectionTrait,
    finding_id: i64,
) -> Result<Vec<ProofInfo>, DbError> {
    Ok(proof::Entity::find()
        .select_only()
        .columns([
            proof::Column::Id,
            proof::Column::FindingId,
            proof::Column::FileName,
            proof::Column::Mime,
            proof::Column::Size,
            proof::Column::UploadedBy,
            proof::Column::UploadedAt,
        ])
        .filter(proof::Column::FindingId.eq(finding_id))
        .order_by_asc(proof::Column::Id)
        .into_model::<ProofInfo>()
        .all(c)
        .await?)
}

/// How many files a finding has.
pub async fn count_of(c: &impl ConnectionTrait, finding_id: i64) -> Result<u64, DbError> {
    Ok(proof::Entity::find()
        .filter(proof::Column::FindingId.eq(finding_id))
        .count(c)
        .await?)
}

/// One file with its bytes.
pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<ProofRow, DbError> {
    proof::Entity::find_by_id(id)
        .one(c)
        .await?
        .ok_or(DbError::NotFound)
}
