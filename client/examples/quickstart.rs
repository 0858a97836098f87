//! Guest sign-in, an organization and a project, and a typed error, against
//! the server at `BACKEND_URL` (default `http://localhost:8000`).
//!
//! ```text
//! cargo run -p backend-client --example quickstart
//! ```

use backend_client::types::{ErrorCode, OrgInput, ProjectInput};
use backend_client::{Client, Error};

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
    let project = api
        .project_create(
            &org.slug,
            None,
            &ProjectInput {
                name: "First project".parse()?,
                slug: None,
            },
        )
        .await?
        .into_inner();
    println!("created project {} in {}", project.slug, org.slug);

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
