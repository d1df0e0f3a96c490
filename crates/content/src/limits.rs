//! How much a manuscript may carry: the largest image, attachment and imported Word
//! document, and all of one manuscript's images and attachments together. A
//! deployment sets them (`manuscript_*_max_mb`, see the README); the defaults suit
//! the platforms (Weibo takes pictures below 5 MB) and a clerk's uploads. Each
//! refusal names the limit it broke, so a clerk knows what to shrink.

use govmedia_core::{ServiceError, Services};

const MB: usize = 1024 * 1024;

/// The most any of the limits may be set to, in MB: uploads are held in memory
/// while they are checked, and a request may carry one file of this size.
pub const MAX_SETTABLE_MB: usize = 200;

/// The request body a route that takes an upload accepts: the largest settable
/// file and its form. The handler itself stops reading at the configured limit.
pub const UPLOAD_REQUEST_BYTES: usize = (MAX_SETTABLE_MB + 1) * MB;

/// The deployment's upload limits, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub image_bytes: usize,
    pub attachment_bytes: usize,
    pub docx_bytes: usize,
    /// All images and attachments of one manuscript together.
    pub manuscript_bytes: usize,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            image_bytes: 5 * MB,
            attachment_bytes: 10 * MB,
            docx_bytes: 10 * MB,
            manuscript_bytes: 50 * MB,
        }
    }
}

/// `bytes` in MB for people: whole numbers without decimals ("5"), else one ("1.2").
pub fn megabytes(bytes: usize) -> String {
    if bytes.is_multiple_of(MB) {
        (bytes / MB).to_string()
    } else {
        format!("{:.1}", bytes as f64 / MB as f64)
    }
}

impl UploadLimits {
    /// The limits from settings in whole MB, or why they cannot be used (in Chinese,
    /// naming the setting).
    pub fn from_megabytes(
        image: usize,
        attachment: usize,
        docx: usize,
        manuscript: usize,
    ) -> Result<Self, String> {
        for (name, words, value) in [
            ("manuscript_image_max_mb", "稿件图片", image),
            ("manuscript_attachment_max_mb", "稿件附件", attachment),
            ("manuscript_docx_max_mb", "导入的Word文档", docx),
            (
                "manuscript_total_max_mb",
                "每篇稿件的图片和附件合计",
                manuscript,
            ),
        ] {
            if !(1..=MAX_SETTABLE_MB).contains(&value) {
                return Err(format!(
                    "{name}（{words}的大小上限）应在1至{MAX_SETTABLE_MB}（MB）之间，现为{value}"
                ));
            }
        }
        if manuscript < image.max(attachment) {
            return Err(format!(
                "manuscript_total_max_mb（每篇稿件的图片和附件合计，{manuscript}MB）不能小于单个图片或附件的上限（{}MB）",
                image.max(attachment)
            ));
        }
        Ok(UploadLimits {
            image_bytes: image * MB,
            attachment_bytes: attachment * MB,
            docx_bytes: docx * MB,
            manuscript_bytes: manuscript * MB,
        })
    }

    /// The most bytes one uploaded file may have (the larger of image and attachment).
    pub fn file_bytes(&self) -> usize {
        self.image_bytes.max(self.attachment_bytes)
    }

    /// A file of `size` bytes as an image (`image`) or an attachment: refused naming
    /// the limit when too large.
    pub fn check_file(&self, image: bool, size: usize) -> Result<(), ServiceError> {
        let (limit, what) = if image {
            (self.image_bytes, "图片")
        } else {
            (self.attachment_bytes, "附件")
        };
        if size > limit {
            return Err(ServiceError::field(
                "file",
                format!(
                    "该{what}有{}MB，超过{what}{}MB的上限：请压缩后再上传",
                    megabytes(size),
                    megabytes(limit)
                ),
            ));
        }
        Ok(())
    }

    /// A new file of `size` bytes beside `stored` bytes already on the manuscript.
    pub fn check_total(&self, stored: usize, size: usize) -> Result<(), ServiceError> {
        if stored.saturating_add(size) > self.manuscript_bytes {
            return Err(ServiceError::field(
                "file",
                format!(
                    "本稿件的图片和附件合计已有{}MB，加上该文件（{}MB）将超过每篇稿件{}MB的上限：请压缩文件，或把部分内容放在附件压缩包中",
                    megabytes(stored),
                    megabytes(size),
                    megabytes(self.manuscript_bytes)
                ),
            ));
        }
        Ok(())
    }

    /// A Word document of `size` bytes to import.
    pub fn check_docx(&self, size: usize) -> Result<(), ServiceError> {
        if size > self.docx_bytes {
            return Err(ServiceError::field(
                "file",
                format!(
                    "该Word文档有{}MB，超过导入{}MB的上限：请在Word中压缩图片（文件—压缩图片）后另存，或分成几篇导入",
                    megabytes(size),
                    megabytes(self.docx_bytes)
                ),
            ));
        }
        Ok(())
    }
}

/// The limits the content area was installed with ([`crate::with_upload_limits`]);
/// the defaults when it was not.
pub fn upload_limits(svc: &Services) -> UploadLimits {
    crate::publish::installed(svc)
        .map(|p| p.limits)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_bounded_and_refusals_name_the_limit() {
        let l = UploadLimits::from_megabytes(2, 20, 15, 40).unwrap();
        assert_eq!(l.file_bytes(), 20 * MB);
        assert!(l.check_file(true, 2 * MB).is_ok());
        let message = |e: ServiceError| match e {
            ServiceError::Validation(v) => v[0].message.clone(),
            other => panic!("{other:?}"),
        };
        let m = message(l.check_file(true, 2 * MB + MB / 2).unwrap_err());
        assert!(m.contains("2.5MB") && m.contains("图片2MB的上限"), "{m}");
        let m = message(l.check_total(39 * MB, 2 * MB).unwrap_err());
        assert!(m.contains("每篇稿件40MB的上限"), "{m}");
        let m = message(l.check_docx(16 * MB).unwrap_err());
        assert!(m.contains("导入15MB的上限"), "{m}");
        for bad in [(0, 10, 10, 50), (5, 10, 10, 9), (5, 10, 201, 300)] {
            let e = UploadLimits::from_megabytes(bad.0, bad.1, bad.2, bad.3).unwrap_err();
            assert!(e.contains("manuscript_"), "{e}");
        }
        assert_eq!(
            UploadLimits::from_megabytes(5, 10, 10, 50).unwrap(),
            UploadLimits::default()
        );
    }
}
