//! The import graph of every crate in the workspace has no cycle: no two top-level modules of a
//! crate (`links`, `partners`, `wire`, ...) import each other, directly or around a loop, and
//! no two files do. A feature that needs another one imports it one way only; a use case that
//! spans several features lives in a module above them (`enrollment`, `partner_status`).
//!
//! The check reads the sources as text (`use crate::..`, `use super::..`, inline `crate::..`
//! paths), leaves out `#[cfg(test)] mod tests`, and names the files and paths of any loop.
//! `cargo test -p shared --test layering` runs it alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// One import: from a file's module, the path it names (resolved from the crate root).
struct Import {
    from: Module,
    file: PathBuf,
    path: Module,
}

fn module_of(root: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(root).expect("under the root");
    let mut parts: Module = relative
        .with_extension("")
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The source without line comments and without the trailing unit-test module.
fn code_of(source: &str) -> String {
    let source = source
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b, c::{d, e}}` as `[a::b, a::c::d, a::c::e]`.
fn expand_use_tree(prefix: &[String], tree: &str, out: &mut Vec<Module>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let mut base = prefix.to_vec();
        base.extend(segments(tree[..open].trim_end_matches("::")));
        let inner = &tree[open + 1..tree.rfind('}').expect("a closed use tree")];
        let mut depth = 0;
        let mut start = 0;
        for (at, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_use_tree(&base, &inner[start..at], out);
                    start = at + 1;
                }
                _ => {}
            }
        }
        expand_use_tree(&base, &inner[start..], out);
    } else if !tree.is_empty() {
        let tree = tree.split(" as ").next().unwrap_or(tree);
        let mut path = prefix.to_vec();
        path.extend(segments(tree).filter(|segment| segment != "self"));
        out.push(path);
    }
}

fn segments(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A path as written in `module`, from the crate root; `None` for other crates.
fn resolve(module: &Module, written: &[String]) -> Option<Module> {
    let mut current = module.clone();
    let mut rest = written;
    match written.first().map(String::as_str) {
        Some("crate") => {
            current.clear();
            rest = &written[1..];
        }
        Some("super" | "self") => {
            while let Some(step) = rest.first() {
                match step.as_str() {
                    "super" => {
                        current.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    current.extend(rest.iter().cloned());
    Some(current)
}

fn imports_of(root: &Path) -> (BTreeSet<Module>, Vec<Import>) {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut modules = BTreeSet::new();
    let mut imports = Vec::new();
    for file in files {
        let module = module_of(root, &file);
        modules.insert(module.clone());
        let code = code_of(&std::fs::read_to_string(&file).expect("readable source"));
        let mut written = Vec::new();
        for statement in code.split(';') {
            let statement = statement.trim_start();
            let statement = statement.strip_prefix("pub ").unwrap_or(statement);
            let statement = statement.strip_prefix("pub(crate) ").unwrap_or(statement);
            if let Some(tree) = statement.strip_prefix("use ")
                && (tree.starts_with("crate")
                    || tree.starts_with("super")
                    || tree.starts_with("self"))
            {
                expand_use_tree(&[], tree, &mut written);
            }
        }
        for (at, _) in code.match_indices("crate::") {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            written.push(segments(&path).collect());
        }
        for path in written {
            if let Some(path) = resolve(&module, &path) {
                imports.push(Import {
                    from: module.clone(),
                    file: file.clone(),
                    path,
                });
            }
        }
    }
    (modules, imports)
}

/// The loops of a graph (its strongly connected parts of two nodes or more).
fn loops(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<BTreeSet<Module>> {
    let nodes: BTreeSet<Module> = graph
        .iter()
        .flat_map(|(from, to)| std::iter::once(from.clone()).chain(to.iter().cloned()))
        .collect();
    let reaches = |from: &Module| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(node) = todo.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<Module, BTreeSet<Module>> = nodes
        .iter()
        .map(|node| (node.clone(), reaches(node)))
        .collect();
    let mut found: Vec<BTreeSet<Module>> = Vec::new();
    for node in &nodes {
        if !reach[node].contains(node) || found.iter().any(|part| part.contains(node)) {
            continue;
        }
        let part = reach[node]
            .iter()
            .filter(|other| reach[*other].contains(node))
            .cloned()
            .collect();
        found.push(part);
    }
    found
}

fn describe(
    crate_root: &Path,
    part: &BTreeSet<Module>,
    edges: &BTreeMap<(Module, Module), BTreeSet<String>>,
) -> String {
    let mut text = format!("a loop in {}:\n", crate_root.display());
    for ((from, to), via) in edges {
        if part.contains(from) && part.contains(to) {
            let via: Vec<&str> = via.iter().map(String::as_str).collect();
            text += &format!(
                "  {} -> {}: {}\n",
                from.join("::"),
                to.join("::"),
                via.join(", ")
            );
        }
    }
    text
}

/// The deepest module of the crate that `path` names (a file), if any.
fn file_named(modules: &BTreeSet<Module>, path: &Module) -> Option<Module> {
    (1..=path.len())
        .rev()
        .map(|len| path[..len].to_vec())
        .find(|prefix| modules.contains(prefix))
}

fn check(crate_root: &Path) -> Vec<String> {
    let (modules, imports) = imports_of(crate_root);
    let mut problems = Vec::new();
    // Top-level modules, then files. A file and the folder module above it (`mod.rs`) are left
    // out of the file graph: a folder's face re-exports its files, and they name what it owns.
    for level in ["module", "file"] {
        let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        let mut edges: BTreeMap<(Module, Module), BTreeSet<String>> = BTreeMap::new();
        for import in &imports {
            let (from, to) = if level == "module" {
                match (import.from.first(), import.path.first()) {
                    (Some(from), Some(to)) => (vec![from.clone()], vec![to.clone()]),
                    _ => continue,
                }
            } else {
                let Some(to) = file_named(&modules, &import.path) else {
                    continue;
                };
                if to.starts_with(&import.from) || import.from.starts_with(&to) {
                    continue;
                }
                (import.from.clone(), to)
            };
            if from == to {
                continue;
            }
            graph.entry(from.clone()).or_default().insert(to.clone());
            let file = import.file.strip_prefix(crate_root).unwrap_or(&import.file);
            edges.entry((from, to)).or_default().insert(format!(
                "{} ({})",
                file.display(),
                import.path.join("::")
            ));
        }
        for part in loops(&graph) {
            problems.push(format!("{level} {}", describe(crate_root, &part, &edges)));
        }
    }
    problems
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace holds the shared crate")
        .to_path_buf()
}

fn crate_roots() -> Vec<PathBuf> {
    let workspace = workspace();
    let mut roots = vec![
        workspace.join("shared/src"),
        workspace.join("shared/core/src"),
        workspace.join("shared/services/src"),
        workspace.join("tests/src"),
    ];
    for entry in std::fs::read_dir(workspace.join("functions")).expect("functions/") {
        let src = entry.expect("a function folder").path().join("src");
        if src.is_dir() {
            roots.push(src);
        }
    }
    roots
}

#[test]
fn no_crate_has_an_import_loop() {
    let problems: Vec<String> = crate_roots().iter().flat_map(|root| check(root)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_sees_a_loop_between_modules_and_between_files() {
    let root = std::env::temp_dir().join(format!("layering-{}", std::process::id()));
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "pub mod a;\npub mod b;\n");
    write(
        "a/mod.rs",
        "mod x;\nmod y;\nuse crate::b::{Thing, other::{More}};\n",
    );
    write("a/x.rs", "use super::y::Y;\npub struct X;\n");
    write(
        "a/y.rs",
        "pub struct Y;\nfn f() -> super::x::X { crate::a::x::X }\n",
    );
    write("b/mod.rs", "pub mod other;\npub struct Thing;\n");
    write("b/other.rs", "use crate::a::{self};\npub struct More;\n");
    let problems = check(&root);
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].starts_with("module") && problems[0].contains("b -> a: b/other.rs (a)\n"));
    assert!(problems[1].starts_with("file") && problems[1].contains("b::other -> a: b/other.rs"));
    assert!(problems[2].starts_with("file") && problems[2].contains("a::x -> a::y: a/x.rs"));
    assert!(problems[2].contains("a::y -> a::x: a/y.rs (a::x::X)"));
}
