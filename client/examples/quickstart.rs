//! Guest sign-in, an organization and projects (one created with an
//! idempotency key, safe to retry), a cursor walk over the projects as a
//! stream, and a typed error, against the server at `BACKEND_URL` (default
//! `http://localhost:8000`).
//!
//! ```text
//! cargo run -p backend-client --example quickstart
//! ```

use backend_client::types::{ErrorCode, OrgInput, ProjectInput};
use backend_client::{Client, Error};
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("BACKEND_URL").unwrap_or_else(|_| "http://localhost:8000".into());

    // Sign in as a guest: no personal data, just a generated name and a token.
    let signin = Client::new(&base).auth_guest().await?.into_inner();
    println!("signed in as {}", signin.user.username);
    let api = backend_client::with_token(&base, &signin.access_token)?;

    // Create an organization (the caller becomes its owner) and a project.
    let org = api
        .org_create(
            None,
            &OrgInput {
                name: "Quickstart Inc".parse()?,
                slug: None,
            },
        )
        .await?
        .into_inner();
    println!("created organization {} ({})", org.name, org.slug);
    // The same key makes a retry safe: the second call answers the first
    // call's 201 (with `Idempotent-Replayed: true`) and creates nothing.
    let key = format!("quickstart-first-project-{}", org.id);
    let first = ProjectInput {
        name: "First project".parse()?,
        slug: None,
    };
    let project = api
        .project_create(&org.slug, Some(&key), &first)
        .await?
        .into_inner();
    let retried = api.project_create(&org.slug, Some(&key), &first).await?;
    assert_eq!(retried.id, project.id, "a replay, not a second project");
    println!(
        "created project {} in {} (retried once)",
        project.slug, org.slug
    );
    for name in ["Second project", "Third project"] {
        let input = ProjectInput {
            name: name.parse()?,
            slug: None,
        };
        api.project_create(&org.slug, None, &input).await?;
    }

    // Walk every project with cursors, two per page: the stream fetches the
    // pages as it goes, and rows created or deleted meanwhile never make it
    // skip or repeat one.
    let all: Vec<_> = api
        .project_list_v2_stream(&org.slug, std::num::NonZeroU32::new(2))
        .try_collect()
        .await?;
    let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
    println!("walked {} projects: {}", all.len(), names.join(", "));

    // Errors are typed: match on the code, never on the message.
    let again = OrgInput {
        name: "Copycat".parse()?,
        slug: Some(org.slug.parse()?),
    };
    match api.org_create(None, &again).await {
        Err(Error::ErrorResponse(e)) if e.error == ErrorCode::OrgSlugConflict => {
            println!("as expected, the slug is taken: {}", e.into_inner());
        }
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("a second organization with the same slug was accepted".into()),
    }

    api.org_delete(&org.slug, None).await?;
    println!("deleted {}", org.slug);
    Ok(())
}
