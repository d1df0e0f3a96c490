//! The OpenAPI 3.1 document of `/api/v1`, and a browsable page rendered from it on
//! the server (no CDN, no JavaScript). The document is generated (utoipa) from the
//! handlers' `#[utoipa::path]` annotations and the request and response types in
//! `api::requests` and `api::responses`; this module adds what every operation
//! shares: authentication, the error answer, and `If-Match` on versioned writes.
//! Tests check that it lists exactly the router's `/api/v1` routes and that every
//! documented path answers.

use crate::AppState;
use crate::api::responses::ErrorBody;
use crate::layout::bare;
use axum::routing::get;
use axum::{Json, Router};
use maud::{Markup, html};
use std::sync::OnceLock;
use utoipa::PartialSchema;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder,
    ServerBuilder,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(spec))
        .route("/api/docs", get(docs))
}

/// The writes that must name the version they were based on (`If-Match` with the
/// `ETag` of the read): see `crate::versioning`. A test checks that exactly the
/// handlers taking `IfMatch` are listed.
pub(crate) const VERSIONED_WRITES: &[(&str, &str)] = &[
    ("put", "/units/{id}"),
    ("put", "/accounts/{id}"),
    ("put", "/users/{id}"),
    ("put", "/filings/{id}"),
    ("put", "/policy"),
    ("put", "/assessment/ranked-kinds"),
    ("post", "/calendar/years"),
    ("post", "/findings/{id}/actions"),
    ("put", "/campaigns/{id}/rectification-notices/{unit}"),
    ("put", "/accounts/{id}/credentials"),
    ("delete", "/accounts/{id}/credentials"),
    ("put", "/me/email"),
    ("delete", "/me/email"),
    ("put", "/users/{id}/email"),
    ("delete", "/users/{id}/email"),
    ("put", "/knowledge/entries/{id}"),
    ("post", "/knowledge/entries/{id}/retire"),
    ("post", "/inbox/{id}/assign"),
    ("post", "/inbox/{id}/transfer"),
    ("post", "/inbox/{id}/reply"),
    ("post", "/inbox/{id}/close"),
    ("put", "/units/{id}/mailbox"),
    ("delete", "/units/{id}/mailbox"),
    ("put", "/manuscripts/{id}"),
    ("post", "/manuscripts/{id}/submit"),
    ("post", "/manuscripts/{id}/decide"),
    ("post", "/manuscripts/{id}/publish"),
    ("post", "/manuscripts/{id}/withdraw"),
    ("put", "/units/{id}/site-feed"),
    ("post", "/units/{id}/site-feed/rotate"),
    ("post", "/manuscripts/{id}/assets/{aid}/insert"),
    ("put", "/checker-terms/{id}"),
    ("delete", "/checker-terms/{id}"),
    (
        "post",
        "/campaigns/samples/{id}/proposals/{finding}/decision",
    ),
];

const BEARER: &str = "bearer";

fn method_name(m: &HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "get",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Delete => "delete",
        HttpMethod::Options => "options",
        HttpMethod::Head => "head",
        HttpMethod::Patch => "patch",
        HttpMethod::Trace => "trace",
    }
}

/// The operations of a path item with their methods, in a fixed order.
fn operations(item: &utoipa::openapi::PathItem) -> Vec<(&'static str, &Operation)> {
    [
        (HttpMethod::Get, &item.get),
        (HttpMethod::Post, &item.post),
        (HttpMethod::Put, &item.put),
        (HttpMethod::Delete, &item.delete),
        (HttpMethod::Patch, &item.patch),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (method_name(&m), op)))
    .collect()
}

fn operations_mut(item: &mut utoipa::openapi::PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        (HttpMethod::Get, &mut item.get),
        (HttpMethod::Post, &mut item.post),
        (HttpMethod::Put, &mut item.put),
        (HttpMethod::Delete, &mut item.delete),
        (HttpMethod::Patch, &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_mut().map(|op| (method_name(&m), op)))
    .collect()
}

/// Whether an operation answers without authentication (`security(())` in its
/// annotation: one empty requirement).
fn is_public(op: &Operation) -> bool {
    op.security
        .as_ref()
        .is_some_and(|s| s.iter().any(|r| r == &SecurityRequirement::default()))
}

/// The generated document with what every operation shares.
fn build() -> OpenApi {
    let mut doc = crate::api::document();
    doc.info = InfoBuilder::new()
        .title("govmedia 政务新媒体管理平台 API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "认证：Authorization: Bearer <令牌>（在“个人设置”中创建），或登录后的会话加 X-CSRF-Token 头。\
             错误返回 {code, message, fields}，message 为中文说明。",
        ))
        .build();
    doc.servers = Some(vec![ServerBuilder::new().url("/api/v1").build()]);
    let mut components = doc.components.take().unwrap_or_default();
    components
        .schemas
        .insert("Error".into(), ErrorBody::schema());
    components.schemas.extend(
        ComponentsBuilder::new()
            .schema_from::<crate::api::responses::FieldErrorBody>()
            .build()
            .schemas,
    );
    components.security_schemes.insert(
        BEARER.into(),
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    doc.components = Some(components);
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Error")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in operations_mut(item) {
            if is_public(op) {
                op.security = Some(Vec::new());
            } else {
                op.security = Some(vec![SecurityRequirement::new::<_, _, &str>(BEARER, [])]);
            }
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(r) = response
                    && r.description.is_empty()
                {
                    r.description = "成功".into();
                }
            }
            op.responses.responses.insert(
                "default".into(),
                RefOr::T(error("错误（code 与中文 message）")),
            );
            if VERSIONED_WRITES.contains(&(method, path.as_str())) {
                op.parameters.get_or_insert_with(Vec::new).push(
                    ParameterBuilder::new()
                        .name("If-Match")
                        .parameter_in(ParameterIn::Header)
                        .required(Required::True)
                        .schema(Some(String::schema()))
                        .description(Some(
                            "读取该记录时响应头 ETag 的值；记录此后被他人修改时返回 409（code 为 stale），不保存",
                        ))
                        .build(),
                );
                op.responses.responses.insert(
                    "409".into(),
                    RefOr::T(error("记录已被他人修改（stale），未保存")),
                );
            }
        }
    }
    doc
}

/// The OpenAPI document (built once: it depends on the code only).
pub fn document() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(build)
}

async fn spec() -> Json<&'static OpenApi> {
    Json(document())
}

/// The query parameters and headers an operation reads, for the table (the path's
/// `{id}` is in the path).
fn parameter_names(op: &Operation) -> String {
    op.parameters
        .iter()
        .flatten()
        .filter_map(|p| match p.parameter_in {
            ParameterIn::Query => Some(p.name.clone()),
            ParameterIn::Header => Some(format!("{}（请求头）", p.name)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of the request body's schema, for the table.
fn body_name(body: Option<&RequestBody>) -> String {
    body.and_then(|b| b.content.get("application/json"))
        .and_then(|c| c.schema.as_ref())
        .map(|s| match s {
            RefOr::Ref(r) => r
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
            RefOr::T(_) => "JSON".to_string(),
        })
        .unwrap_or_default()
}

async fn docs() -> Markup {
    let doc = document();
    let schemas = doc
        .components
        .as_ref()
        .map(|c| serde_json::to_string_pretty(&c.schemas).unwrap_or_default())
        .unwrap_or_default();
    bare(
        "API 文档",
        html! {
            h1 { "API 文档（/api/v1）" }
            p { "认证：请求头 " code { "Authorization: Bearer <令牌>" } "（在“个人设置”中创建），或登录后的会话加 " code { "X-CSRF-Token" } " 头。"
                "错误返回 " code { "{\"code\",\"message\",\"fields\"}" } "。机器可读文档：" a href="/api/openapi.json" { "/api/openapi.json" } }
            p { "修改记录：先读取（GET）该记录，响应头 " code { "ETag" } " 是它的版本；修改时在请求头 " code { "If-Match" } " 中原样带上。"
                "记录在此期间被他人修改时返回 409（" code { "stale" } "），说明谁在何时改了什么，本次修改不保存。" }
            table {
                tr { th { "方法" } th { "路径" } th { "说明" } th { "参数" } th { "需登录" } th { "请求体" } }
                @for (path, item) in &doc.paths.paths {
                    @for (method, op) in operations(item) {
                        tr {
                            td { code { (method.to_uppercase()) } }
                            td { code { "/api/v1" (path) } }
                            td {
                                (op.summary.as_deref().unwrap_or_default())
                                @if let Some(d) = op.description.as_deref().filter(|d| !d.is_empty()) {
                                    br; small { (d) }
                                }
                            }
                            td { (parameter_names(op)) }
                            td { (if is_public(op) || op.security.as_ref().is_some_and(Vec::is_empty) { "否" } else { "是" }) }
                            td { (body_name(op.request_body.as_ref())) }
                        }
                    }
                }
            }
            h2 { "数据结构" }
            pre { (schemas) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every documented operation as (method, path under `/api/v1`).
    fn documented_operations() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, item) in &document().paths.paths {
            for (method, _) in operations(item) {
                out.push((method.to_string(), path.clone()));
            }
        }
        out.sort();
        out
    }

    /// The (method, path) pairs the API's router declares: each `.route("path", …)`
    /// in `api.rs` and `api/*.rs` with the method routers (`get(…)`, `post(…)`, …)
    /// chained in it.
    fn routed_operations() -> Vec<(String, String)> {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.join("api.rs")];
        for e in std::fs::read_dir(src.join("api")).unwrap() {
            files.push(e.unwrap().path());
        }
        let mut out = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let text = text.split("#[cfg(test)]").next().unwrap();
            for part in text.split(".route(").skip(1) {
                let Some(rest) = part.trim_start().strip_prefix('"') else {
                    continue;
                };
                let (path, rest) = rest.split_once('"').unwrap();
                // The method routers: up to the parenthesis that closes `.route(`.
                let mut depth = 1;
                let end = rest
                    .char_indices()
                    .find(|&(_, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })
                    .map_or(rest.len(), |(i, _)| i);
                let expr = &rest[..end];
                let mut ident = String::new();
                for c in expr.chars() {
                    if c.is_alphanumeric() || c == '_' {
                        ident.push(c);
                        continue;
                    }
                    if c == '('
                        && ["get", "post", "put", "delete", "patch"].contains(&ident.as_str())
                    {
                        out.push((ident.clone(), path.to_string()));
                    }
                    ident.clear();
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_document_lists_exactly_the_routes_of_the_router() {
        let routed = routed_operations();
        assert!(routed.len() > 50, "{routed:?}");
        assert_eq!(documented_operations(), routed);
    }

    /// `If-Match` is documented on exactly the handlers that take it.
    #[test]
    fn versioned_writes_are_the_handlers_taking_if_match() {
        let doc = document();
        let mut with_if_match = Vec::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in operations(item) {
                if op.parameters.iter().flatten().any(|p| p.name == "If-Match") {
                    with_if_match.push((method, path.as_str()));
                }
            }
        }
        with_if_match.sort();
        let mut listed = VERSIONED_WRITES.to_vec();
        listed.sort();
        assert_eq!(with_if_match, listed);
        // The handlers that read the header, counted in the source.
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut takers = 0;
        for f in [src.join("api.rs")].into_iter().chain(
            std::fs::read_dir(src.join("api"))
                .unwrap()
                .map(|e| e.unwrap().path()),
        ) {
            takers += std::fs::read_to_string(f)
                .unwrap()
                .matches("seen: IfMatch,")
                .count();
        }
        assert_eq!(takers, VERSIONED_WRITES.len());
    }

    /// The document is read by the clerks' developers: every summary and
    /// description is in Chinese (a type's English doc comment would otherwise
    /// become its description).
    #[test]
    fn every_description_is_in_chinese() {
        fn walk(v: &serde_json::Value, at: &str, bad: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        let here = format!("{at}/{k}");
                        match (k.as_str(), v) {
                            ("description" | "summary" | "title", serde_json::Value::String(s))
                                if !s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) =>
                            {
                                bad.push(format!("{here}: {s}"))
                            }
                            _ => walk(v, &here, bad),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, at, bad)),
                _ => {}
            }
        }
        let doc = serde_json::to_value(document()).unwrap();
        let mut bad = Vec::new();
        walk(&doc, "", &mut bad);
        assert!(bad.is_empty(), "{bad:#?}");
    }

    /// Every operation is either public or requires the bearer scheme, and has the
    /// error answer.
    #[test]
    fn every_operation_has_security_and_the_error_answer() {
        let doc = document();
        let mut public = Vec::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in operations(item) {
                assert!(op.security.is_some(), "{method} {path}");
                assert!(
                    op.responses.responses.contains_key("default"),
                    "{method} {path}"
                );
                assert!(
                    op.summary.as_deref().is_some_and(|s| !s.is_empty()),
                    "{method} {path}"
                );
                if op.security.as_ref().is_some_and(Vec::is_empty) {
                    public.push(path.as_str());
                }
            }
        }
        public.sort();
        assert_eq!(
            public,
            [
                "/calendar/deadline",
                "/calendar/years",
                "/public/announcements",
                "/public/directory",
                "/public/verify"
            ]
        );
    }
}
