//! The PostgreSQL tests run only where a server is named: with
//! `TEST_DATABASE_URL` set at build time they are compiled as ordinary
//! tests (and fail if the server is away); without it they are marked
//! ignored, so a run without PostgreSQL shows them as not run instead of
//! passing them silently.

fn main() {
    println!("cargo:rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo:rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var_os("TEST_DATABASE_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo:rustc-cfg=postgres_tests");
    }
}
