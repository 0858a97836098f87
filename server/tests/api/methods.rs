//! A method a path does not take is answered in the envelope, with the path's
//! methods in `Allow` (RFC 9110 § 15.5.6) and `details.allowed`, not in the
//! shape of dropshot's router; `OPTIONS` answers 204 with `Allow`, and `HEAD`
//! is the `GET` of a path that has one, without its body.

use super::helpers::*;
use reqwest::Method;
use std::collections::BTreeMap;

/// RFC 9110's methods a request can name on a path.
const STANDARD: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];

/// Every path the server serves, with the methods it takes: the published
/// ones from the OpenAPI document and the three unpublished ones, `HEAD`
/// wherever there is a `GET`.
fn served_paths() -> BTreeMap<String, Vec<String>> {
    let doc = backend_api::openapi_document();
    let mut paths: BTreeMap<String, Vec<String>> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let methods = item
                .as_object()
                .unwrap()
                .keys()
                .map(|m| m.to_uppercase())
                .filter(|m| STANDARD.contains(&m.as_str()))
                .collect();
            (path.clone(), methods)
        })
        .collect();
    for unpublished in ["/metrics", "/openapi.json", "/docs/{path}"] {
        paths.insert(unpublished.to_owned(), vec!["GET".to_owned()]);
    }
    for methods in paths.values_mut() {
        if methods.iter().any(|m| m == "GET") {
            methods.push("HEAD".to_owned());
        }
    }
    assert!(paths.len() > 20, "{paths:?}");
    paths
}

/// A concrete URL path for a template.
fn concrete(template: &str) -> String {
    template
        .replace("{org}", "acme")
        .replace("{user_id}", "00000000-0000-4000-8000-000000000001")
        .replace("{id}", "00000000-0000-4000-8000-000000000002")
        .replace("{key}", "log_level")
        .replace("{path}", "index.html")
}

fn allow(resp: &reqwest::Response) -> Vec<String> {
    let header = resp
        .headers()
        .get("allow")
        .unwrap_or_else(|| panic!("{}: no Allow header", resp.url()))
        .to_str()
        .unwrap();
    let mut methods: Vec<String> = header.split(", ").map(str::to_owned).collect();
    methods.sort();
    methods
}

#[tokio::test]
async fn every_path_answers_the_methods_it_lacks_in_the_envelope() {
    let app = spawn_app().await;
    let mut checked = 0;
    for (template, methods) in served_paths() {
        let mut expected: Vec<String> = methods.clone();
        expected.push("OPTIONS".to_owned());
        expected.sort();
        let path = concrete(&template);
        for method in STANDARD.iter().filter(|m| !methods.iter().any(|t| t == *m)) {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let resp = app
                .http
                .request(method.clone(), app.url(&path))
                .send()
                .await
                .unwrap();
            let what = format!("{method} {path}");
            assert_eq!(allow(&resp), expected, "{what}: Allow");
            let header_id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
            if method == Method::OPTIONS {
                assert_eq!(resp.status(), 204, "{what}");
                continue;
            }
            assert_eq!(resp.status(), 405, "{what}");
            if method == Method::HEAD {
                continue; // no body, by definition
            }
            let body: serde_json::Value = resp.json().await.expect("JSON body");
            assert_eq!(body["error"], "METHOD_NOT_ALLOWED", "{what}: {body}");
            assert_eq!(body["request_id"], header_id, "{what}");
            let mut listed: Vec<String> =
                serde_json::from_value(body["details"]["allowed"].clone()).unwrap();
            listed.sort();
            assert_eq!(listed, expected, "{what}: details.allowed");
            let message = body["message"].as_str().unwrap();
            assert!(message.contains(&template), "{what}: {message}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} method/path pairs checked");
}

#[tokio::test]
async fn a_missing_method_is_counted_under_one_bounded_route() {
    let app = spawn_app().await;
    for slug in ["alpha", "beta", "gamma"] {
        let resp = app
            .http
            .patch(app.url(&format!("/api/v1/orgs/{slug}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405);
    }
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"http_requests_total{route="method_not_allowed",status="405"} 3"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_path_variable_of_any_shape_still_gets_the_405() {
    // The fallbacks take their variables as text: a value the real
    // operation would refuse (not a UUID) must not turn the 405 into a 400.
    let app = spawn_app().await;
    for path in [
        "/api/v1/projects/not-a-uuid",
        "/api/v1/orgs/acme/members/not-a-uuid",
        "/docs/a/b/c.css",
    ] {
        let resp = app.http.post(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 405, "POST {path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "METHOD_NOT_ALLOWED", "POST {path}: {body}");
    }
}

#[tokio::test]
async fn a_method_outside_the_standard_ones_is_still_the_routers_405() {
    // The documented residue (docs/api/error-catalog.md, note on router
    // errors): a method with no fallback reaches dropshot's router.
    let app = spawn_app().await;
    let resp = app
        .http
        .request(
            Method::from_bytes(b"PROPFIND").unwrap(),
            app.url("/api/v1/orgs"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body.get("error").is_none(), "{body}");
}

#[tokio::test]
async fn head_is_the_get_of_every_path_that_has_one_without_the_body() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let mut checked = 0;
    for (template, methods) in served_paths() {
        if !methods.iter().any(|m| m == "GET") {
            continue;
        }
        let path = concrete(&template).replace("acme", &org.slug);
        // Signed in and not: the answers differ by path (200, 304-less 200,
        // 401, 404), and HEAD must give each one the GET gives.
        for bearer in [Some(token.as_str()), None] {
            let send = |method: Method| {
                let mut req = app.http.request(method, app.url(&path));
                if let Some(token) = bearer {
                    req = req.bearer_auth(token);
                }
                req.send()
            };
            let get = send(Method::GET).await.unwrap();
            let head = send(Method::HEAD).await.unwrap();
            let what = format!("HEAD {path} (signed in: {})", bearer.is_some());
            assert_eq!(head.status(), get.status(), "{what}");
            for name in [
                "content-type",
                "etag",
                "cache-control",
                "allow",
                "www-authenticate",
            ] {
                assert_eq!(
                    head.headers().get(name),
                    get.headers().get(name),
                    "{what}: {name}"
                );
            }
            assert_ne!(
                head.headers()["x-request-id"],
                get.headers()["x-request-id"],
                "{what}: a request of its own"
            );
            assert!(head.bytes().await.unwrap().is_empty(), "{what}: no body");
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} HEAD requests checked");
}

#[tokio::test]
async fn head_runs_under_the_gets_operation_and_keeps_its_preconditions() {
    let app = spawn_app().await;
    let (token, _, client) = app.guest().await;
    let org = create_org(&client, "Acme").await;
    let path = format!("/api/v1/orgs/{}", org.slug);
    let head = |if_none_match: Option<&'static str>| {
        let mut req = app.http.head(app.url(&path)).bearer_auth(&token);
        if let Some(tag) = if_none_match {
            req = req.header("if-none-match", tag);
        }
        req.send()
    };
    let resp = head(None).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"1\"");
    let get = app
        .http
        .get(app.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let get_len = get.bytes().await.unwrap().len().to_string();
    assert_eq!(
        resp.headers()["content-length"],
        get_len.as_str(),
        "the GET's length"
    );
    assert!(resp.bytes().await.unwrap().is_empty());
    assert_eq!(head(Some("\"1\"")).await.unwrap().status(), 304);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"http_requests_total{route="org_get",status="304"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"http_requests_total{route="org_get",status="200"} 2"#),
        "{metrics}"
    );
}
