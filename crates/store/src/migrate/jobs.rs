//! Step 14: the durable job runner's table (see `crate::jobs`).
//!
//! Table and column names are spelled out, never taken from the entity: a step
//! never changes once on main, whatever later happens to the `job` entity.

use super::{Ddl, index, unique_index};
use sea_orm::sea_query::{Alias, ColumnDef as C, Table};

pub(super) fn step_14_jobs() -> Vec<Ddl> {
    let col = |name: &str| C::new(Alias::new(name));
    let table = Table::create()
        .table(Alias::new("jobs"))
        .col(
            col("id")
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(col("kind").string_len(64).not_null())
        .col(col("payload").text().not_null())
        .col(col("dedup_key").string_len(200).null())
        .col(col("status").string_len(16).not_null())
        .col(col("run_at").timestamp_with_time_zone().not_null())
        .col(col("attempts").big_integer().not_null().default(0))
        .col(col("max_attempts").big_integer().not_null())
        .col(col("lease_owner").string_len(100).null())
        .col(col("lease_until").timestamp_with_time_zone().null())
        .col(col("last_error").text().null())
        .col(col("created_at").timestamp_with_time_zone().not_null())
        .col(col("updated_at").timestamp_with_time_zone().not_null())
        .col(col("finished_at").timestamp_with_time_zone().null())
        .take();
    // NULLs are distinct in a unique index on both databases: jobs without a key
    // never collide, two with the same key are one job.
    let dedup = unique_index("idx_jobs_dedup_key", "jobs", &["dedup_key"]);
    vec![
        Ddl::Table(table),
        dedup,
        // Claiming: queued jobs that are due, oldest first.
        index("idx_jobs_claim", "jobs", &["status", "run_at", "id"]),
        // Reclaiming running jobs whose lease ran out.
        index("idx_jobs_lease", "jobs", &["status", "lease_until"]),
        // Sweeping finished jobs by age.
        index("idx_jobs_finished", "jobs", &["status", "finished_at"]),
    ]
}
