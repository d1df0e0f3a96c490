//! What an uploaded file is, told by its bytes and never by its name: images PNG,
//! JPEG, GIF and WebP with their declared width and height bounded (the decoded
//! picture is what costs memory wherever it is shown); attachments PDF, Word
//! (.docx), Excel (.xlsx), other zip archives, or an image. A zip is told apart by
//! the names in its central directory, read without inflating anything.

use crate::{IMAGE_MAX_PIXELS, IMAGE_MAX_SIDE};
use govmedia_core::{ServiceError, ServiceResult};
use std::io::Cursor;

pub const PNG: &str = "image/png";
pub const JPEG: &str = "image/jpeg";
pub const GIF: &str = "image/gif";
pub const WEBP: &str = "image/webp";
pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const ZIP: &str = "application/zip";

/// The most entries an attached zip's directory may list.
const ZIP_MAX_ENTRIES: usize = 10_000;

/// The image type of `bytes` by their magic numbers.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some(PNG)
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(JPEG)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(GIF)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(WEBP)
    } else {
        None
    }
}

/// An image's type, if it is one of the four and its declared size is bounded.
pub fn image_type(bytes: &[u8]) -> ServiceResult<&'static str> {
    let Some(kind) = sniff_image(bytes) else {
        return Err(ServiceError::field(
            "file",
            "图片应为 PNG、JPEG、GIF 或 WebP 格式",
        ));
    };
    let size = imagesize::blob_size(bytes).map_err(|_| {
        ServiceError::field(
            "file",
            "无法读取图片的尺寸，图片可能已损坏，请重新保存后上传",
        )
    })?;
    if size.width == 0 || size.height == 0 {
        return Err(ServiceError::field(
            "file",
            "图片的尺寸无效，请重新保存后上传",
        ));
    }
    if size.width > IMAGE_MAX_SIDE
        || size.height > IMAGE_MAX_SIDE
        || size.width.saturating_mul(size.height) > IMAGE_MAX_PIXELS
    {
        return Err(ServiceError::field(
            "file",
            format!(
                "图片尺寸过大（{}×{}像素）：宽、高不能超过{IMAGE_MAX_SIDE}像素，总像素不超过{}万，请缩小后上传",
                size.width,
                size.height,
                IMAGE_MAX_PIXELS / 10_000
            ),
        ));
    }
    Ok(kind)
}

/// An attachment's type: PDF, .docx, .xlsx, zip, or an image (bounded as above).
pub fn attachment_type(bytes: &[u8]) -> ServiceResult<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Ok(PDF);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_type(bytes);
    }
    if sniff_image(bytes).is_some() {
        return image_type(bytes);
    }
    Err(ServiceError::field(
        "file",
        "附件应为 PDF、Word（.docx）、Excel（.xlsx）、zip 压缩包或图片",
    ))
}

fn zip_type(bytes: &[u8]) -> ServiceResult<&'static str> {
    let damaged = || ServiceError::field("file", "无法读取该压缩文件，文件可能已损坏");
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| damaged())?;
    if zip.len() > ZIP_MAX_ENTRIES {
        return Err(ServiceError::field(
            "file",
            format!("压缩包内文件过多（超过{ZIP_MAX_ENTRIES}个）"),
        ));
    }
    let has = |name: &str| zip.file_names().any(|n| n.is_ok_and(|n| n == name));
    Ok(if has("word/document.xml") {
        DOCX
    } else if has("xl/workbook.xml") {
        XLSX
    } else {
        ZIP
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    fn webp(width: u32, height: u32) -> Vec<u8> {
        // A lossless (VP8L) header: 14-bit width-1 and height-1.
        let bits = (width - 1) | ((height - 1) << 14);
        let mut b = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f".to_vec();
        b.extend_from_slice(&bits.to_le_bytes());
        b.extend_from_slice(&[0; 8]);
        b
    }

    #[test]
    fn images_are_told_by_their_bytes_and_huge_ones_refused() {
        assert_eq!(image_type(&png(800, 600)).unwrap(), PNG);
        assert_eq!(image_type(&webp(640, 480)).unwrap(), WEBP);
        for huge in [png(20_000, 10), png(10_000, 10_000)] {
            match image_type(&huge) {
                Err(ServiceError::Validation(e)) => assert!(e[0].message.contains("尺寸过大")),
                other => panic!("{other:?}"),
            }
        }
        assert!(image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>").is_err());
        assert!(image_type(&png(800, 600)[..10]).is_err());
        assert_eq!(attachment_type(b"%PDF-1.7\n").unwrap(), PDF);
        assert!(attachment_type(b"MZ\x90\x00").is_err());
    }
}
