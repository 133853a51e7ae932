//! The page's copy of the core's vocabulary (www/src/pure/vocabulary.json: defaults, names,
//! ranges; the page builds its settings and form from it) is the core's. A difference
//! rewrites the file and fails once, so the change shows in `git diff` and the next run
//! passes.
use std::path::Path;

#[test]
fn the_pages_vocabulary_is_the_cores() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/src/pure/vocabulary.json");
    let want = vae_core::vocabulary::to_json();
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        std::fs::write(&path, &want).expect("write the vocabulary");
        panic!(
            "{} differed from the core's vocabulary and was rewritten: check the diff, rebuild the page",
            path.display()
        );
    }
}
