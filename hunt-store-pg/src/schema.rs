//! The schema's layout: the embedded migrations, applied under sqlx's advisory lock (so two
//! processes starting together do not race), with their bookkeeping table inside the
//! store's schema (so schemas are independent), and the check that refuses a schema written
//! by a newer build.

use hunt_core::store::StoreError;
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, PgConnection, PgPool, SqlSafeStr};

use crate::error::{PgError, read_failed};

/// The migrations of this build, in order; the last one's version is the layout version.
const MIGRATIONS: &[(i64, &str, &str)] =
    &[(1, "initial", include_str!("../migrations/0001_initial.sql"))];

/// The layout version this build writes and reads.
pub const LAYOUT_VERSION: i64 = 1;

/// The migrations' bookkeeping table, inside the store's schema.
fn table(schema: &str) -> String {
    format!("\"{schema}\"._sqlx_migrations")
}

fn migrator(schema: &str) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                description.into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    migrator.dangerous_set_table_name(table(schema));
    migrator.create_schema(format!("\"{schema}\""));
    migrator
}

/// Refuses a schema whose newest applied migration is newer than [`LAYOUT_VERSION`], before
/// anything is changed. `connection` need not have the schema on its search path.
pub(crate) async fn check_version(
    connection: &mut PgConnection,
    url: &str,
    schema: &str,
) -> Result<(), StoreError> {
    let exists: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
        .bind(table(schema))
        .fetch_one(&mut *connection)
        .await
        .map_err(read_failed)?;
    if exists.is_none() {
        return Ok(());
    }
    // The schema name is checked (a-z, 0-9, _), so it needs no escaping beyond the quotes.
    let sql = format!(
        "SELECT coalesce(max(version), 0) FROM {} WHERE success",
        table(schema)
    );
    let found: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&mut *connection)
        .await
        .map_err(read_failed)?;
    if found > LAYOUT_VERSION {
        return Err(StoreError::unavailable(PgError::SchemaTooNew {
            url: url.to_owned(),
            schema: schema.to_owned(),
            found,
            known: LAYOUT_VERSION,
        }));
    }
    Ok(())
}

/// Creates the schema if missing and applies the migrations it lacks.
pub(crate) async fn migrate(pool: &PgPool, url: &str, schema: &str) -> Result<(), StoreError> {
    migrator(schema)
        .run(pool)
        .await
        .map_err(|error| match error {
            MigrateError::VersionMissing(found) => StoreError::unavailable(PgError::SchemaTooNew {
                url: url.to_owned(),
                schema: schema.to_owned(),
                found,
                known: LAYOUT_VERSION,
            }),
            MigrateError::Execute(error) => read_failed(error),
            other => StoreError::unavailable(PgError::SchemaMismatch {
                url: url.to_owned(),
                schema: schema.to_owned(),
                source: other,
            }),
        })
}
