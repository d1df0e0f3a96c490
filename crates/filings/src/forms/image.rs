//! Images a form can carry (the account's QR code): PNG or JPEG, with what each
//! renderer needs read from the headers. PNGs with transparency or interlacing
//! are not placed (the cell then says where to find the image); QR codes are
//! usually grey, palette or RGB without alpha.

/// A picture in a form cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormImage {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub kind: ImageKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageKind {
    /// 1 (grey), 3 (RGB) or 4 (CMYK) components.
    Jpeg { components: u8 },
    /// Non-interlaced PNG without alpha: colour type 0 (grey), 2 (RGB) or 3
    /// (palette, with its PLTE bytes), bit depth up to 8; `data` is the
    /// concatenated IDAT zlib stream, which PDF decodes with the PNG predictors.
    Png {
        color_type: u8,
        bit_depth: u8,
        palette: Vec<u8>,
        data: Vec<u8>,
    },
}

impl FormImage {
    /// Reads a PNG or JPEG; `None` for anything else or a form it cannot place.
    pub fn parse(bytes: &[u8]) -> Option<FormImage> {
        if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
            parse_png(bytes)
        } else if bytes.starts_with(&[0xff, 0xd8]) {
            parse_jpeg(bytes)
        } else {
            None
        }
    }

    pub fn extension(&self) -> &'static str {
        match self.kind {
            ImageKind::Jpeg { .. } => "jpeg",
            ImageKind::Png { .. } => "png",
        }
    }
}

fn be32(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(..4)?.try_into().ok()?))
}

fn parse_png(bytes: &[u8]) -> Option<FormImage> {
    let mut pos = 8;
    let (mut width, mut height, mut depth, mut color, mut interlace) = (0, 0, 0, 0, 0);
    let mut palette = Vec::new();
    let mut data = Vec::new();
    while pos + 8 <= bytes.len() {
        let len = usize::try_from(be32(&bytes[pos..])?).ok()?;
        let kind = bytes.get(pos + 4..pos + 8)?;
        let body = bytes.get(pos + 8..pos.checked_add(8)?.checked_add(len)?)?;
        match kind {
            b"IHDR" => {
                width = be32(body)?;
                height = be32(body.get(4..)?)?;
                depth = *body.get(8)?;
                color = *body.get(9)?;
                interlace = *body.get(12)?;
            }
            b"PLTE" => palette = body.to_vec(),
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        pos += 12 + len;
    }
    let supported = matches!(color, 0 | 2 | 3)
        && matches!(depth, 1 | 2 | 4 | 8)
        && !(color == 2 && depth != 8)
        && interlace == 0
        && (color != 3 || !palette.is_empty());
    (supported && width > 0 && height > 0 && !data.is_empty()).then_some(FormImage {
        bytes: bytes.to_vec(),
        width,
        height,
        kind: ImageKind::Png {
            color_type: color,
            bit_depth: depth,
            palette,
            data,
        },
    })
}

fn parse_jpeg(bytes: &[u8]) -> Option<FormImage> {
    let mut pos = 2;
    while pos + 4 <= bytes.len() {
        if bytes[pos] != 0xff {
            return None;
        }
        let marker = bytes[pos + 1];
        let len = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
        // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the size.
        if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            let seg = bytes.get(pos + 4..pos + 2 + len)?;
            let height = u32::from(u16::from_be_bytes([*seg.get(1)?, *seg.get(2)?]));
            let width = u32::from(u16::from_be_bytes([*seg.get(3)?, *seg.get(4)?]));
            let components = *seg.get(5)?;
            return (width > 0 && height > 0 && matches!(components, 1 | 3 | 4)).then(|| {
                FormImage {
                    bytes: bytes.to_vec(),
                    width,
                    height,
                    kind: ImageKind::Jpeg { components },
                }
            });
        }
        pos += 2 + len;
    }
    None
}
