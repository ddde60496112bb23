//! `briefbot preview` in a real browser: headless Chromium driven over WebDriver (chromedriver),
//! against the preview server running in this process on a copy of the shipped briefs, and on
//! the files `briefbot preview --out` writes (opened from disk and from a web host); the
//! exported files themselves, with the real binary (`export`); and
//! the page's HTML for the shipped briefs, snapshotted; and whom the server answers, with
//! requests written by hand over loopback; and how a test that needs a system package this
//! machine lacks is left out or failed. One test binary, so the crate is linked once.

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod export;
mod hosts;
mod missing_packages;
mod pages;
