//! The page's copy of the core's vocabulary is the core's: www/src/pure/vocabulary.json
//! (defaults, names, ranges; the page builds its settings and form from it) and
//! www/src/pure/vocabulary-names.ts (the same names as TypeScript types, which the binding's
//! types use). A difference rewrites the file and fails once, so the change shows in
//! `git diff` and the next run passes.
use std::path::{Path, PathBuf};

fn page_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/src/pure").join(name)
}

/// Rewrites `path` with `want` when it differs, and fails then.
fn keep_equal(path: &Path, want: &str) {
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have != want {
        std::fs::write(path, want).expect("write the page's copy");
        panic!(
            "{} differed from the core's vocabulary and was rewritten: check the diff, rebuild the page",
            path.display()
        );
    }
}

#[test]
fn the_pages_vocabulary_is_the_cores() {
    keep_equal(&page_file("vocabulary.json"), &vae_core::vocabulary::to_json());
}

/// The TypeScript name of each list of `Names` (the Rust enum's name where the page has one).
const TYPE_NAMES: [(&str, &str); 11] = [
    ("activation", "Activation"),
    ("family", "Family"),
    ("decoder", "DecoderKind"),
    ("init", "Init"),
    ("estimator", "Estimator"),
    ("optimizer", "OptimizerKind"),
    ("schedule", "Schedule"),
    ("preset", "Preset"),
    ("binarization", "Binarization"),
    ("dataset", "DatasetKind"),
    ("error", "ErrorKind"),
];

#[test]
fn the_pages_name_types_are_the_cores() {
    let names = serde_json::to_value(vae_core::vocabulary::vocabulary().names).expect("names serialise");
    let lists = names.as_object().expect("names are an object");
    assert_eq!(lists.len(), TYPE_NAMES.len(), "a list of names has no TypeScript type here");
    let mut ts = String::from(
        "// Written by crates/vae-core/tests/vocabulary.rs from vae_core::vocabulary (do not edit):\n\
         // the name of every value of every choice of the core, as TypeScript types. The values\n\
         // themselves are vocabulary.json's; shared/wasm.ts types the binding with these.\n",
    );
    for (key, ty) in TYPE_NAMES {
        let values = lists[key].as_array().unwrap_or_else(|| panic!("names.{key} is a list"));
        let union: Vec<String> = values.iter().map(|v| format!("'{}'", v.as_str().expect("a name"))).collect();
        ts.push_str(&format!("export type {ty} = {};\n", union.join(" | ")));
    }
    keep_equal(&page_file("vocabulary-names.ts"), &ts);
}
