//! Base64 (RFC 4648), the two alphabets hikeshi writes: the standard one
//! with padding (a mail's encoded title, a CSP hash source) and the URL one
//! without (PKCE, the console's random tokens). One encoder for both.

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn encode(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn standard(bytes: &[u8]) -> String {
    encode(bytes, STANDARD, true)
}

/// Base64url without padding (RFC 4648 §5).
pub fn url(bytes: &[u8]) -> String {
    encode(bytes, URL, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_alphabet_pads() {
        assert_eq!(standard(b""), "");
        assert_eq!(standard(b"f"), "Zg==");
        assert_eq!(standard(b"fo"), "Zm8=");
        assert_eq!(standard(b"foo"), "Zm9v");
        assert_eq!(standard(b"foob"), "Zm9vYg==");
        assert_eq!(standard("確認".as_bytes()), "56K66KqN");
        assert_eq!(standard(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn the_url_alphabet_pads_nothing() {
        assert_eq!(url(b""), "");
        assert_eq!(url(b"f"), "Zg");
        assert_eq!(url(b"fo"), "Zm8");
        assert_eq!(url(b"foo"), "Zm9v");
        assert_eq!(url(b"foob"), "Zm9vYg");
        assert_eq!(url(&[0xfb, 0xff]), "-_8");
    }
}
