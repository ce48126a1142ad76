//! The deployment's Ed25519 key (issue 25): it signs the chain head of an
//! exported bundle, so that the bundle proves itself without hikeshi or
//! its database. Kept in its own file (`HIKESHI_KEY_FILE`), apart from the
//! database it vouches for, made at first start; `hikeshi key` prints the
//! public half to hand to whoever will check bundles.

use anyhow::Context as _;
use ed25519_dalek::SigningKey;
use std::path::Path;

/// The key's file holds its 32-byte seed as 64 hex digits.
pub fn load_or_make(path: &Path) -> anyhow::Result<SigningKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(text.trim()).with_context(|| {
            format!("{}: not a hikeshi signing key (64 hex digits); restore it from the backup, or move it away to make a new one (bundles signed with the old key then need the old public key to check)", path.display())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => make(path),
        Err(e) => Err(e).with_context(|| format!("could not read the signing key {}", path.display())),
    }
}

fn parse(hex_seed: &str) -> anyhow::Result<SigningKey> {
    let bytes = hex::decode(hex_seed)?;
    let seed: [u8; 32] = bytes.try_into().map_err(|_| anyhow::anyhow!("not 32 bytes"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// A new key from the system's randomness, readable by its owner only.
fn make(path: &Path) -> anyhow::Result<SigningKey> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| anyhow::anyhow!("no system randomness for the signing key: {e}"))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("could not create the signing key {}", path.display()))?;
    std::io::Write::write_all(&mut file, format!("{}\n", hex::encode(seed)).as_bytes())
        .with_context(|| format!("could not write the signing key {}", path.display()))?;
    let key = SigningKey::from_bytes(&seed);
    tracing::info!(file = %path.display(), public_key = %public_hex(&key), "made the deployment's signing key: keep it with the backups, apart from the database");
    Ok(key)
}

/// The public key, hex: what a bundle names and `hikeshi key` prints.
pub fn public_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_then_read_back_and_a_bad_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/signing.key");
        let made = load_or_make(&path).unwrap();
        let again = load_or_make(&path).unwrap();
        assert_eq!(public_hex(&made), public_hex(&again));
        assert_eq!(public_hex(&made).len(), 64);
        #[cfg(unix)]
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions()) & 0o777, 0o600);
        std::fs::write(&path, "not a key").unwrap();
        let e = format!("{:#}", load_or_make(&path).unwrap_err());
        assert!(e.contains("signing.key") && e.contains("64 hex digits"), "{e}");
        let other = tempfile::tempdir().unwrap();
        assert_ne!(public_hex(&load_or_make(&other.path().join("k")).unwrap()), public_hex(&made));
    }
}
