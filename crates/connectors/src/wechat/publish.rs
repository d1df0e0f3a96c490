//! Publishing to a WeChat official account (发布, not 群发): images the body uses go
//! to `media/uploadimg` (a URL on WeChat's image host, put in place of the body's
//! `src`), the cover to `material/add_material?type=image` (its `media_id` is the
//! article's `thumb_media_id`), the article to `draft/add` (a draft's `media_id`),
//! the draft to `freepublish/submit` (a `publish_id`), and `freepublish/get` reads
//! where the publishing stands (`publish_status` 0–6; the result also comes as an
//! event push, which a server behind an office firewall may never receive).
//!
//! `draft/add` and `freepublish/submit` are made once, their transport never retried
//! ([`Repeat::Once`](super::Repeat)): a timeout after the platform accepted a submit
//! would be a second post if repeated. The caller records the `media_id` before it
//! submits and the `publish_id` before anything else, and a run resumed after a
//! crash reuses them.
//!
//! Errors of these calls are worded for the editor who publishes
//! ([`publish_error_for`]); the platform's codes are those of the documentation:
//! 45009 quota, 53503 the draft failed the platform's publish check, 53504 the draft
//! must be used on the platform's site, 53505 the draft must be saved by hand first,
//! 45166 content the platform refuses, 40007 an unknown `media_id`, 48001 no right to
//! the API (personal or unverified accounts since 2025-07).

use super::{Repeat, Request, WechatClient, error_for, malformed};
use crate::{FailureKind, FetchError};
use serde::Deserialize;

/// An image to upload.
#[derive(Debug, Clone, Copy)]
pub struct ImageFile<'a> {
    pub name: &'a str,
    /// `image/png`, `image/jpeg` or `image/gif`.
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// One article of a draft, as `draft/add` takes it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DraftArticle {
    /// At most 32 characters on the platform; the caller shortens it.
    pub title: String,
    pub author: String,
    /// The summary under the title in a share (at most 128 characters).
    pub digest: String,
    /// The body as HTML, its images on WeChat's host.
    pub content: String,
    /// 阅读原文: the original's address, or empty.
    pub content_source_url: String,
    /// The cover, a permanent image material.
    pub thumb_media_id: String,
    pub need_open_comment: u8,
    pub only_fans_can_comment: u8,
}

/// Where a publishing stands (`freepublish/get`'s `publish_status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishStatus {
    /// 0: published; the article's id and the link of each article.
    Published {
        article_id: String,
        urls: Vec<String>,
    },
    /// 1: the platform is still publishing.
    Publishing,
    /// 2: refused by the originality check (原创声明).
    OriginalityFailed,
    /// 3: failed for a general reason.
    Failed,
    /// 4: the platform's review did not pass it.
    AuditRejected,
    /// 5: published, then deleted by the account's user.
    DeletedByUser,
    /// 6: published, then blocked by the platform.
    BlockedBySystem,
}

impl PublishStatus {
    /// The platform's words, for the editor.
    pub fn words(&self) -> &'static str {
        match self {
            PublishStatus::Published { .. } => "发布成功",
            PublishStatus::Publishing => "微信平台正在发布中",
            PublishStatus::OriginalityFailed => {
                "原创校验未通过：文章与已发表内容重复或原创声明不符，请修改后重新提交审核或改为转载"
            }
            PublishStatus::Failed => {
                "微信平台发布失败（常规失败），请在公众号后台查看原因后重新发布"
            }
            PublishStatus::AuditRejected => {
                "微信平台审核未通过，请在公众号后台查看不通过的原因，修改后重新提交审核"
            }
            PublishStatus::DeletedByUser => "发布成功后已被公众号管理员在后台删除",
            PublishStatus::BlockedBySystem => "发布成功后被微信平台封禁（违规处理）",
        }
    }

    /// Whether the platform will not change it any more.
    pub fn is_final(&self) -> bool {
        !matches!(self, PublishStatus::Publishing)
    }
}

#[derive(Deserialize)]
struct UploadAnswer {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    media_id: Option<String>,
}

#[derive(Deserialize)]
struct GetAnswer {
    #[serde(default)]
    publish_status: Option<i64>,
    #[serde(default)]
    article_id: Option<String>,
    #[serde(default)]
    article_detail: Option<ArticleDetail>,
}

#[derive(Deserialize)]
struct ArticleDetail {
    #[serde(default)]
    item: Vec<ArticleItem>,
}

#[derive(Deserialize)]
struct ArticleItem {
    #[serde(default)]
    article_url: Option<String>,
}

/// A platform id read from an answer: WeChat writes some ids as strings, some as
/// numbers (`publish_id`, `msg_data_id`).
fn id_in(value: &serde_json::Value, key: &str) -> Option<String> {
    let id = match value.get(key)? {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!id.is_empty() && id.len() <= 200).then_some(id)
}

fn web_url(url: Option<String>) -> Option<String> {
    url.filter(|u| (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2000)
}

impl WechatClient {
    /// Uploads an image the body shows (`media/uploadimg`, JPG or PNG under 1 MB on
    /// the platform); returns its URL on WeChat's image host.
    pub async fn upload_body_image(&self, image: &ImageFile<'_>) -> Result<String, FetchError> {
        let value = self
            .call_with(
                "/cgi-bin/media/uploadimg",
                "",
                Request::File(image),
                Repeat::Retried,
                publish_error_for,
            )
            .await?;
        let answer: UploadAnswer =
            serde_json::from_value(value).map_err(|e| malformed(&format!("uploadimg: {e}")))?;
        web_url(answer.url).ok_or_else(|| malformed("uploadimg answered without url"))
    }

    /// Uploads the cover as a permanent image material (`material/add_material`);
    /// returns its `media_id`.
    pub async fn add_cover(&self, image: &ImageFile<'_>) -> Result<String, FetchError> {
        let value = self
            .call_with(
                "/cgi-bin/material/add_material",
                "&type=image",
                Request::File(image),
                Repeat::Retried,
                publish_error_for,
            )
            .await?;
        let answer: UploadAnswer =
            serde_json::from_value(value).map_err(|e| malformed(&format!("add_material: {e}")))?;
        answer
            .media_id
            .filter(|m| !m.is_empty() && m.len() <= 200)
            .ok_or_else(|| malformed("add_material answered without media_id"))
    }

    /// Adds a draft of one article (`draft/add`, made once); returns its `media_id`.
    pub async fn add_draft(&self, article: &DraftArticle) -> Result<String, FetchError> {
        let body = serde_json::json!({ "articles": [article] });
        let value = self
            .call_with(
                "/cgi-bin/draft/add",
                "",
                Request::Json(&body),
                Repeat::Once,
                publish_error_for,
            )
            .await?;
        id_in(&value, "media_id").ok_or_else(|| malformed("draft/add answered without media_id"))
    }

    /// Submits the draft for publishing (`freepublish/submit`, made once); returns the
    /// `publish_id` to follow it by.
    pub async fn submit(&self, media_id: &str) -> Result<String, FetchError> {
        let body = serde_json::json!({ "media_id": media_id });
        let value = self
            .call_with(
                "/cgi-bin/freepublish/submit",
                "",
                Request::Json(&body),
                Repeat::Once,
                publish_error_for,
            )
            .await?;
        id_in(&value, "publish_id")
            .ok_or_else(|| malformed("freepublish/submit answered without publish_id"))
    }

    /// Where the publishing `publish_id` stands (`freepublish/get`).
    pub async fn publish_status(&self, publish_id: &str) -> Result<PublishStatus, FetchError> {
        let body = serde_json::json!({ "publish_id": publish_id });
        let value = self
            .call_with(
                "/cgi-bin/freepublish/get",
                "",
                Request::Json(&body),
                Repeat::Retried,
                publish_error_for,
            )
            .await?;
        let answer: GetAnswer = serde_json::from_value(value)
            .map_err(|e| malformed(&format!("freepublish/get: {e}")))?;
        Ok(match answer.publish_status {
            Some(0) => PublishStatus::Published {
                article_id: answer.article_id.unwrap_or_default(),
                urls: answer
                    .article_detail
                    .map(|d| {
                        d.item
                            .into_iter()
                            .filter_map(|i| web_url(i.article_url))
                            .take(8)
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            Some(1) => PublishStatus::Publishing,
            Some(2) => PublishStatus::OriginalityFailed,
            Some(3) => PublishStatus::Failed,
            Some(4) => PublishStatus::AuditRejected,
            Some(5) => PublishStatus::DeletedByUser,
            Some(6) => PublishStatus::BlockedBySystem,
            other => return Err(malformed(&format!("publish_status {other:?}"))),
        })
    }
}

/// The editor's words for a WeChat `errcode` of a publishing call. Quota and a busy
/// platform are for later (the kind says so); the rest name what to fix.
pub fn publish_error_for(code: i64, errmsg: &str) -> FetchError {
    let (kind, message) = match code {
        45009 | 45011 | 45047 => (
            FailureKind::Quota,
            "公众号今日的发布接口调用次数已用完（微信限额），系统会稍后自动重试；如急需，可由公众号管理员在后台清零调用次数。",
        ),
        -1 => (
            FailureKind::Server,
            "微信平台系统繁忙，系统会稍后自动重试。",
        ),
        53503 => (
            FailureKind::Malformed,
            "该草稿未通过微信的发布检查，请在公众号后台“草稿箱”中查看提示，修改后重新发布。",
        ),
        53504 => (
            FailureKind::Malformed,
            "该草稿需在公众号后台（mp.weixin.qq.com）中使用，无法通过接口发布，请在后台手工发布。",
        ),
        53505 => (
            FailureKind::Malformed,
            "微信要求先在公众号后台手动保存该草稿后再发表，请在后台保存后重新发布。",
        ),
        45166 => (
            FailureKind::Malformed,
            "微信平台认为正文内容不合法（可能含不支持的格式或链接），请检查正文后重新发布。",
        ),
        40007 => (
            FailureKind::NotFound,
            "微信平台找不到该草稿或图片素材（可能已在后台删除），请重新发布。",
        ),
        40005 | 40009 | 40113 => (
            FailureKind::Malformed,
            "图片格式或大小不被微信接受（正文图片应为1MB以内的JPG或PNG），请更换图片后重新发布。",
        ),
        48001 => (
            FailureKind::CredentialsExpired,
            "该公众号没有发布接口的权限（2025年7月起个人主体和未认证的公众号不再提供），请公众号管理员在后台确认接口权限，或在后台手工发布。",
        ),
        _ => return error_for(code, errmsg),
    };
    FetchError::new(
        kind,
        message,
        format!(
            "wechat errcode {code}: {}",
            errmsg.chars().take(200).collect::<String>()
        ),
    )
}

/// Whether the platform answered the call with an `errcode` (so it did nothing), as
/// opposed to a call whose answer never came (a timeout, a 5xx, a broken connection),
/// after which a call that must not be repeated has an unknown outcome.
pub fn platform_refused(e: &FetchError) -> bool {
    e.detail.starts_with("wechat errcode ")
}
