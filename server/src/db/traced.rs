//! An executor that gives every statement it runs a client span (see
//! [`crate::traces`]), so the repositories trace their SQL without a line of
//! their own: they run on [`Traced`] instead of the bare connection or pool.
//!
//! Untraced (no exporter, or a request that is not traced) it hands the query
//! to the inner executor as it is. Traced, it needs the statement's text for
//! the span before the statement runs, and a query gives its text only by
//! value; so the query is taken apart (text, arguments, persistence) and run
//! as the same statement rebuilt from those parts.

use crate::traces::{self, ClientSpan};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{Either, Execute, Executor, PgPool, Postgres, SqlStr, Transaction};

/// Begins a transaction, inside a `BEGIN` span when the request is traced.
pub async fn begin(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    traces::within(traces::statement_span(|| "BEGIN".to_owned()), async {
        let _waiting = super::Waiting::new();
        pool.begin().await
    })
    .await
}

/// Commits `tx`, inside a `COMMIT` span when the request is traced.
pub async fn commit(tx: Transaction<'static, Postgres>) -> Result<(), sqlx::Error> {
    traces::within(traces::statement_span(|| "COMMIT".to_owned()), tx.commit()).await
}

/// `X` (a connection, a transaction's connection or a pool) with a span per
/// statement.
#[derive(Debug)]
pub struct Traced<X>(pub X);

impl<'c, X> Executor<'c> for Traced<X>
where
    X: Executor<'c, Database = Postgres> + 'c,
{
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        match Statement::of(query) {
            Statement::Untraced(query) => self.0.fetch_many(query),
            Statement::Traced(query, mut span) => match query {
                Err(e) => futures::stream::once(async { Err(sqlx::Error::Encode(e)) }).boxed(),
                Ok(query) => self
                    .0
                    .fetch_many(query)
                    .map(move |step| {
                        // The span ends when the stream is dropped: after its
                        // last row, or when the caller stops reading.
                        if let (Err(_), Some(span)) = (&step, &mut span) {
                            span.fail();
                        }
                        step
                    })
                    .boxed(),
            },
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        match Statement::of(query) {
            Statement::Untraced(query) => self.0.fetch_optional(query),
            Statement::Traced(query, span) => traces::within(span, async move {
                match query {
                    Err(e) => Err(sqlx::Error::Encode(e)),
                    Ok(query) => self.0.fetch_optional(query).await,
                }
            })
            .boxed(),
        }
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement, sqlx::Error>>
    where
        'c: 'e,
    {
        self.0.prepare_with(sql, parameters)
    }

    fn describe<'e>(
        self,
        sql: SqlStr,
    ) -> BoxFuture<'e, Result<sqlx::Describe<Postgres>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.0.describe(sql)
    }
}

/// A query as it is, or taken apart for a span.
enum Statement<E> {
    Untraced(E),
    /// The query rebuilt (or the error its arguments failed to encode with)
    /// and the open span.
    Traced(Result<Rebuilt, BoxDynError>, Option<Box<ClientSpan>>),
}

impl<'q, E: Execute<'q, Postgres>> Statement<E> {
    fn of(mut query: E) -> Statement<E> {
        // A prepared statement (none of ours) keeps its handle: it runs as it
        // is, without a span.
        if !traces::in_traced_request() || query.statement().is_some() {
            return Statement::Untraced(query);
        }
        let arguments = query.take_arguments();
        let persistent = query.persistent();
        let sql = query.sql();
        let span = traces::statement_span(|| sql.as_str().to_owned());
        let rebuilt = arguments.map(|arguments| Rebuilt {
            sql,
            arguments,
            persistent,
        });
        Statement::Traced(rebuilt, span)
    }
}

/// A statement's parts, run as the statement they came from.
struct Rebuilt {
    sql: SqlStr,
    arguments: Option<PgArguments>,
    persistent: bool,
}

impl Execute<'_, Postgres> for Rebuilt {
    fn sql(self) -> SqlStr {
        self.sql
    }

    fn statement(&self) -> Option<&PgStatement> {
        None
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, BoxDynError> {
        Ok(self.arguments.take())
    }

    fn persistent(&self) -> bool {
        self.persistent
    }
}
