//! The label values of `/metrics` are bounded: no id, slug, path or token of
//! a request ever becomes one, so the number of series does not grow with
//! the number of tenants or requests (docs/observability.md).

use super::helpers::*;
use backend_client::types::{OrgInput, ProjectInput};
use std::collections::BTreeSet;

/// Requests of every kind (created, read, missing, refused), each naming
/// values seen by no other round; returns those values.
async fn round(app: &TestApp) -> Vec<String> {
    let tag = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let mut values = vec![tag.clone()];
    let (token, user, guest) = app.guest().await;
    values.push(user.id.to_string());
    values.push(user.username.clone());
    values.push(token.clone());
    let slug = format!("labels-{tag}");
    let org = guest
        .org_create(
            None,
            &OrgInput {
                name: format!("Labels {tag}").parse().unwrap(),
                slug: Some(slug.parse().unwrap()),
            },
        )
        .await
        .unwrap()
        .into_inner();
    values.extend([org.id.to_string(), slug.clone()]);
    let project = guest
        .project_create(
            &slug,
            None,
            &ProjectInput {
                name: format!("Project {tag}").parse().unwrap(),
                slug: Some(format!("p-{tag}").parse().unwrap()),
            },
        )
        .await
        .unwrap()
        .into_inner();
    values.extend([project.id.to_string(), project.slug.clone()]);
    guest.org_get(&org.id.to_string(), None).await.unwrap();
    guest.org_get(&slug, None).await.unwrap();
    guest.project_get(&project.id, None).await.unwrap();
    let missing = uuid::Uuid::new_v4();
    values.push(missing.to_string());
    assert!(guest.org_get(&missing.to_string(), None).await.is_err());
    assert!(guest.project_get(&missing, None).await.is_err());
    let unknown = format!("/no-such-route-{tag}");
    values.push(unknown.clone());
    app.http.get(app.url(&unknown)).send().await.unwrap();
    app.http
        .patch(app.url(&format!("/api/v1/orgs/{slug}")))
        .send()
        .await
        .unwrap();
    let bad_token = format!("not-a-token-{tag}");
    values.push(bad_token.clone());
    app.http
        .get(app.url("/api/v1/orgs"))
        .bearer_auth(&bad_token)
        .send()
        .await
        .unwrap();
    values
}

/// Every series of the scrape (name and labels), and every label value.
async fn scrape(app: &TestApp) -> (BTreeSet<String>, BTreeSet<String>) {
    let text = app.metrics().await;
    let mut series = BTreeSet::new();
    let mut label_values = BTreeSet::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let name_and_labels = line.rsplit_once(' ').map_or(line, |(s, _)| s);
        series.insert(name_and_labels.to_owned());
        if let Some((_, labels)) = name_and_labels.split_once('{') {
            for pair in labels.trim_end_matches('}').split("\",") {
                if let Some((_, value)) = pair.split_once("=\"") {
                    label_values.insert(value.trim_end_matches('"').to_owned());
                }
            }
        }
    }
    (series, label_values)
}

#[tokio::test]
async fn no_request_value_becomes_a_label_and_series_do_not_grow_with_requests() {
    let app = spawn_app().await;
    scrape(&app).await; // the scrape's own series exist from here on
    let first_values = round(&app).await;
    let (first, labels) = scrape(&app).await;
    let second_values = round(&app).await;
    let (second, labels_after) = scrape(&app).await;
    for value in first_values.iter().chain(&second_values) {
        assert!(
            !labels_after.iter().any(|l| l.contains(value.as_str())),
            "{value} became a label value"
        );
    }
    let routes: BTreeSet<&str> = backend_api::operations::OPERATIONS
        .iter()
        .map(|op| op.id)
        .chain(["metrics", "docs_file", "openapi_json"])
        .chain(["method_not_allowed", "options"])
        .collect();
    for line in &second {
        if let Some(route) = line
            .split("route=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            assert!(routes.contains(route), "route label {route:?} in {line}");
        }
    }
    assert!(
        labels.len() > 5,
        "the scrape has labelled series: {labels:?}"
    );
    // The second round made the same kinds of requests with new values: the
    // same series (the histograms' `le` buckets included), no more.
    let grown: Vec<_> = second.difference(&first).collect();
    assert!(grown.is_empty(), "new series: {grown:?}");
}
