//! Dub's `GET /qr`: a PNG QR code of a URL (the `qrCode` of every link points here). The
//! matrix comes from the qrcode crate, the PNG from the png crate; both are pure Rust.
//! Public, as Dub's is (a QR code is put in `<img>` tags); its cost is bounded by the size limit.

use crate::error::DomainError;
use crate::types::WebUrl;

/// The largest image side, in pixels (Dub's default is 600).
pub const MAX_SIZE: u32 = 1_000;
const MIN_SIZE: u32 = 50;

/// What `GET /qr` may ask for, in Dub's query names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrRequest {
    pub url: WebUrl,
    pub size: u32,
    pub level: qrcode::EcLevel,
    pub foreground: [u8; 3],
    pub background: [u8; 3],
    /// Quiet zone around the code, in modules.
    pub margin: u32,
}

fn unprocessable(message: impl Into<String>) -> DomainError {
    DomainError::Unprocessable(message.into())
}

/// `#RRGGBB` (or `RRGGBB`) to its three bytes.
fn color(field: &str, raw: &str) -> Result<[u8; 3], DomainError> {
    let hex = raw.trim().trim_start_matches('#');
    let bad = || unprocessable(format!("`{field}` is a color like #1A2B3C."));
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let byte = |at: usize| u8::from_str_radix(&hex[at..at + 2], 16).map_err(|_| bad());
    Ok([byte(0)?, byte(2)?, byte(4)?])
}

impl QrRequest {
    /// Parses Dub's query: `url` (required), `size`, `level` (L, M, Q, H), `fgColor`,
    /// `bgColor`, `margin`, `includeMargin`, `hideLogo`. A `logo` is refused: drawing one means
    /// fetching an image from any address the caller names.
    pub fn parse(query: &std::collections::HashMap<String, String>) -> Result<Self, DomainError> {
        let get = |name: &str| query.get(name).map(String::as_str);
        if get("logo").is_some_and(|logo| !logo.is_empty()) {
            return Err(unprocessable(
                "`logo`: QR codes with a logo are not offered.",
            ));
        }
        let url = WebUrl::parse(get("url").ok_or_else(|| unprocessable("`url` is required."))?)
            .map_err(|e| unprocessable(format!("`url`: {e}.")))?;
        let number =
            |name: &str, default: u32, range: std::ops::RangeInclusive<u32>| match get(name) {
                None => Ok(default),
                Some(raw) => raw
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.fract() == 0.0 && range.contains(&(*n as u32)) && *n >= 0.0)
                    .map(|n| n as u32)
                    .ok_or_else(|| {
                        unprocessable(format!(
                            "`{name}` is a whole number from {} to {}.",
                            range.start(),
                            range.end()
                        ))
                    }),
            };
        let level = match get("level").unwrap_or("L") {
            "L" => qrcode::EcLevel::L,
            "M" => qrcode::EcLevel::M,
            "Q" => qrcode::EcLevel::Q,
            "H" => qrcode::EcLevel::H,
            _ => return Err(unprocessable("`level` is one of L, M, Q, H.")),
        };
        let include_margin = get("includeMargin") != Some("false");
        Ok(Self {
            url,
            size: number("size", 600, MIN_SIZE..=MAX_SIZE)?,
            level,
            foreground: color("fgColor", get("fgColor").unwrap_or("#000000"))?,
            background: color("bgColor", get("bgColor").unwrap_or("#FFFFFF"))?,
            margin: if include_margin {
                number("margin", 2, 0..=20)?
            } else {
                0
            },
        })
    }

    /// The QR code as an RGB PNG of `size` × `size` pixels (each module a whole number of
    /// pixels, centred, the rest background).
    pub fn render_png(&self) -> Result<Vec<u8>, DomainError> {
        let code = qrcode::QrCode::with_error_correction_level(self.url.as_str(), self.level)
            .map_err(|_| unprocessable("`url` is too long for a QR code."))?;
        let modules = code.width() as u32;
        let dark = code.to_colors();
        let total = modules + 2 * self.margin;
        let scale = (self.size / total).max(1);
        let side = (total * scale).max(self.size);
        let offset = (side - total * scale) / 2 + self.margin * scale;
        let mut pixels = Vec::with_capacity((side * side * 3) as usize);
        for y in 0..side {
            for x in 0..side {
                let module = |p: u32| {
                    p.checked_sub(offset)
                        .map(|p| p / scale)
                        .filter(|m| *m < modules)
                };
                let is_dark = match (module(x), module(y)) {
                    (Some(mx), Some(my)) => {
                        dark[(my * modules + mx) as usize] == qrcode::Color::Dark
                    }
                    _ => false,
                };
                pixels.extend_from_slice(if is_dark {
                    &self.foreground
                } else {
                    &self.background
                });
            }
        }
        let mut png_bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut png_bytes, side, side);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let failed = |_| DomainError::Unprocessable("The QR code could not be drawn.".into());
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(&pixels).map_err(failed)?;
        writer.finish().map_err(failed)?;
        Ok(png_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_short_link_draws_as_a_png_of_the_asked_size() {
        let request = QrRequest::parse(&query(&[
            ("url", "https://go.acme.com/spring?qr=1"),
            ("size", "300"),
        ]))
        .unwrap();
        let png_bytes = request.render_png().unwrap();
        assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (300, 300));
    }

    #[test]
    fn bad_queries_are_refused() {
        for bad in [
            vec![],
            vec![("url", "ftp://x.com")],
            vec![("url", "https://x.com"), ("size", "5000")],
            vec![("url", "https://x.com"), ("size", "12.5")],
            vec![("url", "https://x.com"), ("level", "Z")],
            vec![("url", "https://x.com"), ("fgColor", "red")],
            vec![
                ("url", "https://x.com"),
                ("logo", "https://evil.example/logo.png"),
            ],
        ] {
            assert!(QrRequest::parse(&query(&bad)).is_err(), "{bad:?}");
        }
        let colors = QrRequest::parse(&query(&[
            ("url", "https://x.com"),
            ("fgColor", "#1A2B3C"),
            ("includeMargin", "false"),
        ]))
        .unwrap();
        assert_eq!((colors.foreground, colors.margin), ([0x1A, 0x2B, 0x3C], 0));
    }
}
