//! The font the committee's chart is drawn with: `HIKESHI_CHART_FONT`, or
//! the first of the usual Debian font files found. A font with Japanese
//! glyphs (fonts-noto-cjk, fonts-ipafont-gothic, …) gives Japanese labels;
//! otherwise a Latin one gives English labels — and one is built in
//! (DejaVu Sans, `assets/fonts`), so there is always a chart.

use std::path::Path;

/// Japanese fonts, as Debian's packages install them.
const JAPANESE: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
];

/// Latin fonts.
const LATIN: &[&str] =
    &["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"];

/// DejaVu Sans (see `assets/fonts/LICENSE-DejaVu.txt`).
pub const BUILT_IN: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The font's bytes (read once, kept for the process) and whether it has
/// Japanese glyphs; `None` only when `HIKESHI_CHART_FONT` names a file
/// that cannot be read.
pub fn chart_font() -> Option<(&'static [u8], bool)> {
    static FONT: std::sync::OnceLock<Option<(&'static [u8], bool)>> = std::sync::OnceLock::new();
    *FONT.get_or_init(|| {
        let read = |p: &Path| std::fs::read(p).ok().map(|b| &*Box::leak(b.into_boxed_slice()));
        if let Some(path) = std::env::var_os("HIKESHI_CHART_FONT") {
            let path = Path::new(&path);
            // Told which: Japanese if the file is one of the known ones or
            // its name says so.
            let name = path.to_string_lossy().to_ascii_lowercase();
            let japanese = ["cjk", "ipa", "gothic", "jp", "noto"].iter().any(|k| name.contains(k));
            return read(path).map(|b| (b, japanese));
        }
        JAPANESE
            .iter()
            .find_map(|p| read(Path::new(p)).map(|b| (b, true)))
            .or_else(|| LATIN.iter().find_map(|p| read(Path::new(p)).map(|b| (b, false))))
    })
}

/// What to do when `HIKESHI_CHART_FONT` cannot be read.
pub const NO_FONT: &str = "HIKESHI_CHART_FONT names a font file that cannot be read: point it at a .ttf/.ttc file, or unset it (fonts-noto-cjk or fonts-ipafont-gothic give Japanese labels)";
