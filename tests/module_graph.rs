//! No crate of the workspace has an import circle between its files.
//!
//! Rust accepts a circle of `use`s between the modules of one crate, so only a test notices
//! when one appears. A circle ties its files together: none of them can be read, tested, moved
//! to another crate or split up without the others, and a layering (protocol drivers below
//! their registry, the registry below the device configuration, a connection below its server)
//! quietly stops being one.
//!
//! The check reads the source as text, with std only. The crates are the `src/lib.rs` and
//! `src/main.rs` of each package in the workspace's `members` (two crates when a package has
//! both: the binary keeps the modules `main.rs` declares; `src/bin/` is not read). Every `.rs`
//! file under `src/` is the module its path names: `src/a.rs` and `src/a/mod.rs` are `a`,
//! `src/a/b.rs` is `a::b`. With comments and literals stripped, a file refers to every leaf of
//! its `use` trees, every path in its code that starts at `crate`, `$crate`, `super`, `self`, a
//! child module or a name a `use` brought in, and every lone identifier it passes to a macro it
//! defines itself (a registry's `registry! { toy "toy"; }` that expands to `toy::make`).
//!
//! A reference leads to the file of the deepest module it names; when the next segment is a
//! name that module imports, it is followed to the file the name comes from, so `crate::Frame`
//! re-exported by `lib.rs` from `frame.rs` leads to `frame.rs`. A `pub`/`pub(..)` `use` is an
//! edge of its own only if the file also uses the name in its code: passing a name on is not
//! depending on it. A file referring to itself (an inline `mod tests { use super::*; }`) and a
//! `mod x;` declaration are no edges. Code under `#[cfg(test)]` counts like any other; the
//! report marks its paths `[test]`.
//!
//! Every strongly connected component of more than one file fails the test, which prints its
//! files and, for every edge inside it, the paths (as written) behind the edge.
//!
//! Known limits: paths that only a macro builds are not seen beyond the lone identifiers above
//! (a macro body is read as written); `#[path = ..]` is not honoured and `cfg` is ignored (every
//! file counts); a re-export is followed at most eight hops; a re-exported name that the file
//! mentions for another reason (a field of the same name) counts as used, which errs towards
//! an edge.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::Path;

/// A token that matters for paths.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn ident_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while chars.get(end).is_some_and(|&c| is_ident_continue(c)) {
        end += 1;
    }
    end
}

/// Past the `/* .. */` (nested ones too) that starts at `start`.
fn skip_block_comment(chars: &[char], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < chars.len() {
        match (chars.get(i), chars.get(i + 1)) {
            (Some('/'), Some('*')) => {
                depth += 1;
                i += 2;
            }
            (Some('*'), Some('/')) => {
                depth = depth.saturating_sub(1);
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    chars.len()
}

/// Past the closing quote of a string whose text starts at `start`.
fn skip_string(chars: &[char], start: usize) -> usize {
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// Past the `"###` closing a raw string whose text starts at `start`.
fn skip_raw_string(chars: &[char], start: usize, hashes: usize) -> usize {
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        if c == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    chars.len()
}

/// Past the character literal or the lifetime (or label) whose `'` is at `start`.
fn skip_quote(chars: &[char], start: usize) -> usize {
    match (chars.get(start + 1), chars.get(start + 2)) {
        (Some('\\'), _) => {
            let mut end = start + 3;
            while chars.get(end).is_some_and(|&c| c != '\'') {
                end += 1;
            }
            end + 1
        }
        (Some(_), Some('\'')) => start + 3,
        _ => ident_end(chars, start + 1),
    }
}

/// The identifiers, `::` and other punctuation of `source`. Comments (doc comments too),
/// string, byte-string, raw-string and character literals, lifetimes and numbers are dropped,
/// so prose and data never count as references. `$crate` is one identifier.
fn lex(source: &str) -> Vec<Tok> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while chars.get(i).is_some_and(|&c| c != '\n') {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = skip_block_comment(&chars, i);
        } else if c == '"' {
            i = skip_string(&chars, i + 1);
        } else if c == '\'' {
            i = skip_quote(&chars, i);
        } else if c == ':' && next == Some(':') {
            tokens.push(Tok::PathSep);
            i += 2;
        } else if c == '$' && next.is_some_and(is_ident_start) {
            let end = ident_end(&chars, i + 1);
            tokens.push(Tok::Ident(chars[i..end].iter().collect()));
            i = end;
        } else if is_ident_start(c) {
            let end = ident_end(&chars, i);
            let word: String = chars[i..end].iter().collect();
            i = end;
            match (word.as_str(), chars.get(i)) {
                ("b" | "c", Some('"')) => i = skip_string(&chars, i + 1),
                ("b", Some('\'')) => i = skip_quote(&chars, i),
                ("r" | "br" | "cr", Some('"' | '#')) => {
                    let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
                    if chars.get(i + hashes) == Some(&'"') {
                        i = skip_raw_string(&chars, i + hashes + 1, hashes);
                    } else if word == "r" && hashes == 1 {
                        // A raw identifier, `r#type`.
                        let end = ident_end(&chars, i + 1);
                        tokens.push(Tok::Ident(chars[i + 1..end].iter().collect()));
                        i = end;
                    } else {
                        tokens.push(Tok::Ident(word));
                    }
                }
                _ => tokens.push(Tok::Ident(word)),
            }
        } else if c.is_ascii_digit() {
            i = ident_end(&chars, i);
        } else {
            tokens.push(Tok::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// One path a `use` tree brings in: `name` is what it is called here (`None` for `as _` and
/// for a glob).
#[derive(Clone, Debug, PartialEq, Eq)]
struct UseLeaf {
    path: Vec<String>,
    name: Option<String>,
    glob: bool,
}

impl UseLeaf {
    /// The path as a developer would write it, `super::packet::tx` or `crate::a::*`.
    fn written(&self) -> String {
        let path = self.path.join("::");
        if self.glob {
            format!("{path}::*")
        } else {
            path
        }
    }
}

/// A `use` leaf, in the module (file or inline) where it was declared.
#[derive(Debug)]
struct Import {
    scope: Vec<String>,
    leaf: UseLeaf,
    /// `pub`, `pub(crate)`, `pub(super)`, `pub(in ..)`: a re-export.
    public: bool,
}

/// A path in code (not in a `use`), `crate::hardware::Endpoint::Tx` or `toy::make`.
#[derive(Debug)]
struct CodePath {
    scope: Vec<String>,
    path: Vec<String>,
}

/// What one file declares and refers to.
#[derive(Debug, Default)]
struct FileScan {
    /// `mod x;`: module paths of the children kept in files of their own.
    declared: Vec<Vec<String>>,
    /// `mod x { .. }`: module paths of the inline modules.
    inline: Vec<Vec<String>>,
    /// Modules (inline, or declared here and kept in a file) under `#[cfg(test)]`.
    test_modules: Vec<Vec<String>>,
    /// Items defined at the top of a module (file or inline): (module, name).
    defined: Vec<(Vec<String>, String)>,
    imports: Vec<Import>,
    paths: Vec<CodePath>,
    /// Lone identifiers in the invocations of macros defined in this file (`registry! { toy
    /// "toy"; }`): the macro may turn them into paths (`$module::protocol`).
    macro_names: Vec<CodePath>,
    /// Every identifier outside `use` declarations.
    idents: HashSet<String>,
}

/// Reads the `use` tree at `pos` (just after `use`, or inside a brace group), with `prefix`
/// already in front of it, into `out`; leaves `pos` after the tree.
fn parse_use_tree(tokens: &[Tok], pos: &mut usize, prefix: Vec<String>, out: &mut Vec<UseLeaf>) {
    let mut path = prefix;
    if tokens.get(*pos) == Some(&Tok::PathSep) {
        if path.is_empty() {
            // `use ::name`: always another crate.
            path.push(String::new());
        }
        *pos += 1;
    }
    loop {
        match tokens.get(*pos) {
            Some(Tok::Ident(segment)) => {
                path.push(segment.clone());
                *pos += 1;
                match tokens.get(*pos) {
                    Some(Tok::PathSep) => *pos += 1,
                    Some(Tok::Ident(keyword)) if keyword == "as" => {
                        let name = match tokens.get(*pos + 1) {
                            Some(Tok::Ident(name)) if name != "_" => Some(name.clone()),
                            _ => None,
                        };
                        *pos += 2;
                        out.push(leaf(path, name));
                        return;
                    }
                    _ => {
                        let name = path.last().cloned();
                        out.push(leaf(path, name));
                        return;
                    }
                }
            }
            Some(Tok::Punct('*')) => {
                *pos += 1;
                out.push(UseLeaf {
                    path,
                    name: None,
                    glob: true,
                });
                return;
            }
            Some(Tok::Punct('{')) => {
                *pos += 1;
                loop {
                    match tokens.get(*pos) {
                        None => return,
                        Some(Tok::Punct('}')) => {
                            *pos += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *pos += 1,
                        Some(_) => {
                            let before = *pos;
                            parse_use_tree(tokens, pos, path.clone(), out);
                            if *pos == before {
                                *pos += 1;
                            }
                        }
                    }
                }
            }
            _ => return,
        }
    }
}

/// A leaf, `a::b::self` read as `a::b` (named `b` unless renamed).
fn leaf(mut path: Vec<String>, name: Option<String>) -> UseLeaf {
    let mut name = name;
    if path.len() > 1 && path.last().is_some_and(|last| last == "self") {
        path.pop();
        if name.as_deref() == Some("self") {
            name = path.last().cloned();
        }
    }
    UseLeaf {
        path,
        name,
        glob: false,
    }
}

/// Whether the `use` at `use_at` is a re-export: `pub`, or `pub(..)` other than `pub(self)`.
fn is_public(tokens: &[Tok], use_at: usize) -> bool {
    let Some(before) = use_at.checked_sub(1).and_then(|at| tokens.get(at)) else {
        return false;
    };
    match before {
        Tok::Ident(word) => word == "pub",
        Tok::Punct(')') => {
            let Some(open) = tokens[..use_at].iter().rposition(|t| *t == Tok::Punct('(')) else {
                return false;
            };
            let inside = &tokens[open + 1..use_at - 1];
            open > 0
                && tokens[open - 1] == Tok::Ident("pub".to_string())
                && inside != [Tok::Ident("self".to_string())]
        }
        _ => false,
    }
}

/// Whether the identifier at `at` starts the path of a `pub(in path)` visibility.
fn in_visibility(tokens: &[Tok], at: usize) -> bool {
    at >= 3
        && tokens[at - 1] == Tok::Ident("in".to_string())
        && tokens[at - 2] == Tok::Punct('(')
        && tokens[at - 3] == Tok::Ident("pub".to_string())
}

/// Whether the `mod` at `mod_at` carries `#[cfg(test)]` (or a `cfg` needing `test`).
fn is_test_only(tokens: &[Tok], mod_at: usize) -> bool {
    let mut at = mod_at;
    // Over the visibility: `pub`, `pub(crate)`, `pub(in a::b)`.
    if at > 0
        && tokens[at - 1] == Tok::Punct(')')
        && let Some(open) = tokens[..at].iter().rposition(|t| *t == Tok::Punct('('))
    {
        at = open;
    }
    if at > 0 && tokens[at - 1] == Tok::Ident("pub".to_string()) {
        at -= 1;
    }
    // Over the attributes, last first.
    while at > 0 && tokens[at - 1] == Tok::Punct(']') {
        let close = at - 1;
        let mut depth = 0usize;
        let mut open = None;
        for k in (0..close).rev() {
            match tokens[k] {
                Tok::Punct(']') => depth += 1,
                Tok::Punct('[') if depth == 0 => {
                    open = Some(k);
                    break;
                }
                Tok::Punct('[') => depth -= 1,
                _ => {}
            }
        }
        let Some(open) = open.filter(|&open| open > 0 && tokens[open - 1] == Tok::Punct('#'))
        else {
            return false;
        };
        let inside = &tokens[open + 1..close];
        let word = |text: &str| inside.contains(&Tok::Ident(text.to_string()));
        if inside.first() == Some(&Tok::Ident("cfg".to_string())) && word("test") && !word("not") {
            return true;
        }
        at = open - 1;
    }
    false
}

/// Keywords followed by the name of an item they define.
const ITEM_KEYWORDS: [&str; 8] = [
    "struct", "enum", "union", "trait", "type", "fn", "const", "static",
];

/// The index of the bracket closing the group opened at `open`.
fn group_end(tokens: &[Tok], open: usize) -> usize {
    let mut depth = 0usize;
    for (at, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

fn current(scopes: &[(Vec<String>, usize)]) -> Vec<String> {
    scopes
        .last()
        .map(|(scope, _)| scope.clone())
        .unwrap_or_default()
}

/// The names of the macros `macro_rules!` defines in these tokens.
fn local_macros(tokens: &[Tok]) -> HashSet<&str> {
    tokens
        .windows(3)
        .filter_map(|window| match window {
            [Tok::Ident(keyword), Tok::Punct('!'), Tok::Ident(name)]
                if keyword == "macro_rules" =>
            {
                Some(name.as_str())
            }
            _ => None,
        })
        .collect()
}

/// The `use` declaration whose `use` is at `at`: its leaves, whether it re-exports, and the
/// index after its `;`.
fn read_use(tokens: &[Tok], at: usize) -> (Vec<UseLeaf>, bool, usize) {
    let mut pos = at + 1;
    let mut leaves = Vec::new();
    parse_use_tree(tokens, &mut pos, Vec::new(), &mut leaves);
    while tokens.get(pos).is_some_and(|t| *t != Tok::Punct(';')) {
        pos += 1;
    }
    (leaves, is_public(tokens, at), pos + 1)
}

/// The path whose first segment is at `at` (`a::b::C`, stopping before `::<` or `::{`), and
/// the index after it.
fn read_path(tokens: &[Tok], at: usize) -> (Vec<String>, usize) {
    let mut path = Vec::new();
    if let Some(Tok::Ident(first)) = tokens.get(at) {
        path.push(first.clone());
    }
    let mut end = at + 1;
    while tokens.get(end) == Some(&Tok::PathSep) {
        let Some(Tok::Ident(segment)) = tokens.get(end + 1) else {
            break;
        };
        path.push(segment.clone());
        end += 2;
    }
    (path, end)
}

/// The lone identifiers (not part of a path) in the invocation whose group opens at `open`.
fn macro_input(tokens: &[Tok], open: usize) -> Vec<String> {
    let end = group_end(tokens, open).min(tokens.len());
    (open + 1..end)
        .filter_map(|at| match &tokens[at] {
            Tok::Ident(name)
                if tokens[at - 1] != Tok::PathSep && tokens.get(at + 1) != Some(&Tok::PathSep) =>
            {
                Some(name.clone())
            }
            _ => None,
        })
        .collect()
}

/// What the file of module `module` declares and refers to, from its tokens.
fn scan(tokens: &[Tok], module: &[String]) -> FileScan {
    let mut found = FileScan::default();
    let macros = local_macros(tokens);
    // The module being read (the file's, or an inline one in it) and the brace depth inside it.
    let mut scopes: Vec<(Vec<String>, usize)> = vec![(module.to_vec(), 0)];
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        let at_top = scopes.last().is_some_and(|&(_, inner)| inner == depth);
        let next = tokens.get(i + 1);
        i += 1;
        match token {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if scopes.len() > 1 && scopes.last().is_some_and(|&(_, inner)| depth < inner) {
                    scopes.pop();
                }
            }
            // `mod $name;` in a macro body declares nothing by itself.
            Tok::Ident(word)
                if word == "mod"
                    && matches!(next, Some(Tok::Ident(name)) if !name.starts_with('$')) =>
            {
                let mut child = current(&scopes);
                child.extend(read_path(tokens, i).0);
                if is_test_only(tokens, i - 1) {
                    found.test_modules.push(child.clone());
                }
                match tokens.get(i + 1) {
                    Some(Tok::Punct(';')) => found.declared.push(child),
                    Some(Tok::Punct('{')) => {
                        depth += 1;
                        found.inline.push(child.clone());
                        scopes.push((child, depth));
                    }
                    _ => {}
                }
                i += 2;
            }
            // Not `impl Trait + use<'a>`, which captures lifetimes.
            Tok::Ident(word) if word == "use" && next != Some(&Tok::Punct('<')) => {
                let (leaves, public, after) = read_use(tokens, i - 1);
                let scope = current(&scopes);
                for leaf in leaves {
                    let scope = scope.clone();
                    found.imports.push(Import {
                        scope,
                        leaf,
                        public,
                    });
                }
                i = after;
            }
            Tok::Ident(first) => {
                found.idents.insert(first.clone());
                if let Some(Tok::Ident(name)) = next
                    && ITEM_KEYWORDS.contains(&first.as_str())
                    && name != "fn"
                    && at_top
                {
                    found.defined.push((current(&scopes), name.clone()));
                }
                if macros.contains(first.as_str())
                    && next == Some(&Tok::Punct('!'))
                    && matches!(tokens.get(i + 1), Some(Tok::Punct('(' | '[' | '{')))
                {
                    for name in macro_input(tokens, i + 1) {
                        let scope = current(&scopes);
                        found.macro_names.push(CodePath {
                            scope,
                            path: vec![name],
                        });
                    }
                }
                let continues = i >= 2 && tokens[i - 2] == Tok::PathSep;
                if !continues && next == Some(&Tok::PathSep) {
                    let (path, end) = read_path(tokens, i - 1);
                    found.idents.extend(path.iter().cloned());
                    if !in_visibility(tokens, i - 1) {
                        let scope = current(&scopes);
                        found.paths.push(CodePath { scope, path });
                    }
                    i = end;
                }
            }
            _ => {}
        }
    }
    found
}

/// `path` from the crate root, when it starts at `crate`, `$crate`, `self` or `super` (any
/// number of them) and is seen from module `scope`; `None` for any other start, or for a
/// `super` above the crate root.
fn absolute(scope: &[String], path: &[String]) -> Option<Vec<String>> {
    let (first, mut rest) = path.split_first()?;
    let mut module = match first.as_str() {
        "crate" | "$crate" => Vec::new(),
        "self" => scope.to_vec(),
        "super" => {
            let mut module = scope.to_vec();
            module.pop()?;
            module
        }
        _ => return None,
    };
    while let Some((next, tail)) = rest.split_first()
        && next == "super"
    {
        module.pop()?;
        rest = tail;
    }
    module.extend_from_slice(rest);
    Some(module)
}

/// `module::name`.
fn child_of(module: &[String], name: &str) -> Vec<String> {
    let mut child = module.to_vec();
    child.push(name.to_string());
    child
}

/// What a name or path means in a crate.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Meaning {
    /// Nothing known: a name from outside the crate, or not found.
    Unknown,
    /// An item defined in the module where it was looked up.
    Here,
    /// Imported from outside the crate (std, another crate of the workspace, a dependency).
    Outside,
    /// A path from the crate root.
    Inside(Vec<String>),
}

/// How many `use`s in a row are followed before giving up (a name imported in a circle).
const MAX_HOPS: usize = 8;

/// A module of the workspace and its files: `rel` is the path in the package, `src/a/b.rs`.
#[derive(Debug)]
struct SourceFile {
    rel: String,
    module: Vec<String>,
    scan: FileScan,
}

/// One crate (a library or a binary), read from its root file through its `mod` declarations.
#[derive(Debug)]
struct Crate {
    label: String,
    /// Put in front of `rel` to name a file from the workspace root.
    prefix: String,
    files: Vec<SourceFile>,
    /// Every module, file-backed or inline, to the index of its file.
    modules: HashMap<Vec<String>, usize>,
    /// Modules under `#[cfg(test)]`.
    test_modules: HashSet<Vec<String>>,
    /// Module to the names of the items defined at its top.
    defined: HashMap<Vec<String>, HashSet<String>>,
    /// Module to the names its `use`s bring in, each to its path as written there.
    aliases: HashMap<Vec<String>, HashMap<String, Vec<String>>>,
    /// Module to the paths of its glob imports.
    globs: HashMap<Vec<String>, Vec<Vec<String>>>,
}

/// Which files refer to which: (from, to) file indices to the paths, as written, behind it.
type Edges = BTreeMap<(usize, usize), BTreeSet<String>>;

/// The module a file of a package holds, from its path: `src/lib.rs` and `src/main.rs` the
/// crate root, `src/a.rs` and `src/a/mod.rs` module `a`, `src/a/b.rs` module `a::b`. `None`
/// for a file outside `src/` or not `.rs`.
fn module_of(rel: &str) -> Option<Vec<String>> {
    let inner = rel.strip_prefix("src/")?.strip_suffix(".rs")?;
    let mut module: Vec<String> = inner.split('/').map(str::to_string).collect();
    if module.last().is_some_and(|last| last == "mod")
        || (module.len() == 1 && matches!(module[0].as_str(), "lib" | "main"))
    {
        module.pop();
    }
    Some(module)
}

/// The crates of a package, each a root file and the indices in `sources` (path in the
/// package, text) of its files. With both `src/lib.rs` and `src/main.rs`, the binary gets
/// the files under the modules `main.rs` declares, the library the rest (a module both
/// declare is in both). `src/bin/` is left out.
fn targets(sources: &[(String, String)]) -> Vec<(&'static str, Vec<usize>)> {
    let declared_by = |root: &str| -> Option<HashSet<String>> {
        let (_, text) = sources.iter().find(|(rel, _)| rel == root)?;
        let declared = scan(&lex(text), &[]).declared;
        Some(
            declared
                .into_iter()
                .filter_map(|module| module.into_iter().next())
                .collect(),
        )
    };
    let library = declared_by("src/lib.rs");
    let binary = declared_by("src/main.rs");
    let in_files = |rel: &str| rel.starts_with("src/") && !rel.starts_with("src/bin/");
    let belongs = |index: usize, root: &str| -> bool {
        let rel = &sources[index].0;
        let Some(module) = module_of(rel).filter(|_| in_files(rel)) else {
            return false;
        };
        let Some(top) = module.first() else {
            return rel == root;
        };
        let in_binary = binary.as_ref().is_some_and(|names| names.contains(top));
        let in_library = library.as_ref().is_some_and(|names| names.contains(top));
        match root {
            "src/main.rs" => in_binary || library.is_none(),
            _ => in_library || !in_binary,
        }
    };
    let roots = [("src/lib.rs", &library), ("src/main.rs", &binary)];
    roots
        .into_iter()
        .filter(|(_, declared)| declared.is_some())
        .map(|(root, _)| {
            (
                root,
                (0..sources.len())
                    .filter(|&index| belongs(index, root))
                    .collect(),
            )
        })
        .collect()
}

/// One crate, from its files (path in the package, text); files outside `src/` are left out.
fn build_crate(label: &str, prefix: &str, sources: &[(String, String)]) -> Crate {
    let mut files: Vec<SourceFile> = Vec::new();
    for (rel, text) in sources {
        let Some(module) = module_of(rel) else {
            continue;
        };
        if files.iter().all(|file| file.module != module) {
            let scan = scan(&lex(text), &module);
            files.push(SourceFile {
                rel: rel.clone(),
                module,
                scan,
            });
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));

    let mut krate = Crate {
        label: label.to_string(),
        prefix: prefix.to_string(),
        files: Vec::new(),
        modules: HashMap::new(),
        test_modules: HashSet::new(),
        defined: HashMap::new(),
        aliases: HashMap::new(),
        globs: HashMap::new(),
    };
    for (index, file) in files.iter().enumerate() {
        krate.modules.insert(file.module.clone(), index);
        for inline in &file.scan.inline {
            krate.modules.entry(inline.clone()).or_insert(index);
        }
        krate
            .test_modules
            .extend(file.scan.test_modules.iter().cloned());
        for (module, name) in &file.scan.defined {
            krate
                .defined
                .entry(module.clone())
                .or_default()
                .insert(name.clone());
        }
        for import in &file.scan.imports {
            let scope = import.scope.clone();
            if import.leaf.glob {
                krate
                    .globs
                    .entry(scope)
                    .or_default()
                    .push(import.leaf.path.clone());
            } else if let Some(name) = &import.leaf.name {
                let names = krate.aliases.entry(scope).or_default();
                names.insert(name.clone(), import.leaf.path.clone());
            }
        }
    }
    krate.files = files;
    krate
}

impl Crate {
    /// What `path`, written in module `scope`, starts at.
    fn start(&self, scope: &[String], path: &[String], hops: usize) -> Meaning {
        let Some((first, rest)) = path.split_first() else {
            return Meaning::Unknown;
        };
        match first.as_str() {
            "crate" | "$crate" | "self" | "super" => {
                absolute(scope, path).map_or(Meaning::Unknown, Meaning::Inside)
            }
            "" => Meaning::Outside,
            name => match self.lookup(scope, name, hops) {
                Meaning::Inside(mut target) => {
                    target.extend_from_slice(rest);
                    Meaning::Inside(target)
                }
                Meaning::Here => Meaning::Inside([scope, path].concat()),
                other => other,
            },
        }
    }

    /// What `name` means in `module`: a child module, an item defined there, or what a `use`
    /// there brings in (explicitly first, then through its glob imports).
    fn lookup(&self, module: &[String], name: &str, hops: usize) -> Meaning {
        if hops > MAX_HOPS {
            return Meaning::Unknown;
        }
        let mut child = module.to_vec();
        child.push(name.to_string());
        if self.modules.contains_key(&child) {
            return Meaning::Inside(child);
        }
        if self
            .defined
            .get(module)
            .is_some_and(|names| names.contains(name))
        {
            return Meaning::Here;
        }
        if let Some(path) = self.aliases.get(module).and_then(|names| names.get(name)) {
            return match self.start(module, path, hops + 1) {
                Meaning::Inside(target) => Meaning::Inside(target),
                Meaning::Here | Meaning::Unknown | Meaning::Outside => Meaning::Outside,
            };
        }
        for source in self.glob_sources(module, hops) {
            match self.lookup(&source, name, hops + 1) {
                Meaning::Unknown => {}
                Meaning::Here => return Meaning::Inside(child_of(&source, name)),
                found => return found,
            }
        }
        Meaning::Unknown
    }

    /// The modules of this crate that `module` glob-imports.
    fn glob_sources(&self, module: &[String], hops: usize) -> Vec<Vec<String>> {
        let paths = self.globs.get(module).into_iter().flatten();
        paths
            .filter_map(|path| match self.start(module, path, hops + 1) {
                Meaning::Inside(source)
                    if source != module && self.modules.contains_key(&source) =>
                {
                    Some(source)
                }
                _ => None,
            })
            .collect()
    }

    /// The file holding what the absolute `path` names: the file of its deepest known module,
    /// or, when the next segment is a name that module imports, the file that name comes
    /// from. `None` when it comes from outside the crate.
    fn file_of(&self, path: &[String], hops: usize) -> Option<usize> {
        let known = (0..=path.len())
            .rev()
            .find(|&n| self.modules.contains_key(&path[..n]))?;
        let (module, rest) = path.split_at(known);
        if let Some((name, rest)) = rest.split_first()
            && hops <= MAX_HOPS
        {
            match self.lookup(module, name, hops) {
                Meaning::Inside(mut target) => {
                    target.extend_from_slice(rest);
                    return self.file_of(&target, hops + 1);
                }
                Meaning::Outside => return None,
                Meaning::Here | Meaning::Unknown => {}
            }
        }
        self.modules.get(module).copied()
    }

    /// The file `path`, written in module `scope`, refers to, if it is one of this crate.
    fn target(&self, scope: &[String], path: &[String]) -> Option<usize> {
        match self.start(scope, path, 0) {
            Meaning::Inside(absolute) => self.file_of(&absolute, 0),
            Meaning::Here | Meaning::Unknown | Meaning::Outside => None,
        }
    }

    /// Whether code in `scope` is compiled only for tests.
    fn test_only(&self, scope: &[String]) -> bool {
        (1..=scope.len()).any(|n| self.test_modules.contains(&scope[..n]))
    }

    /// Whether a `pub use` (a re-export) is also a dependency of its file: the file's own code
    /// mentions the name, or, for a glob, a name the glob brings in.
    fn used_here(&self, import: &Import, idents: &HashSet<String>) -> bool {
        if !import.leaf.glob {
            return import
                .leaf
                .name
                .as_ref()
                .is_some_and(|name| idents.contains(name));
        }
        let Meaning::Inside(source) = self.start(&import.scope, &import.leaf.path, 0) else {
            return false;
        };
        idents.iter().any(|name| {
            self.modules.contains_key(&child_of(&source, name))
                || self
                    .defined
                    .get(&source)
                    .is_some_and(|names| names.contains(name))
                || self
                    .aliases
                    .get(&source)
                    .is_some_and(|names| names.contains_key(name))
        })
    }

    fn edges(&self) -> Edges {
        let mut edges = Edges::new();
        for (from, file) in self.files.iter().enumerate() {
            let idents = &file.scan.idents;
            let imports = file
                .scan
                .imports
                .iter()
                .filter(|import| !import.public || self.used_here(import, idents))
                .map(|import| (&import.scope, &import.leaf.path, import.leaf.written()));
            // A path that starts at a name a `use` brought in counts only when it leads
            // further than that `use` (`protocol::model_from_name` to the file defining it, not
            // `Endpoint::Tx` again): the `use` is an edge of its own.
            let paths = file
                .scan
                .paths
                .iter()
                .filter(|code| {
                    let first = &code.path[..1];
                    matches!(first[0].as_str(), "crate" | "$crate" | "self" | "super")
                        || self
                            .modules
                            .contains_key(&[&code.scope[..], first].concat())
                        || self.target(&code.scope, first) != self.target(&code.scope, &code.path)
                })
                .map(|code| (&code.scope, &code.path, code.path.join("::")));
            let macro_names = file.scan.macro_names.iter().map(|code| {
                (
                    &code.scope,
                    &code.path,
                    format!("{} (macro input)", code.path.join("::")),
                )
            });
            for (scope, path, written) in imports.chain(paths).chain(macro_names) {
                if let Some(to) = self.target(scope, path)
                    && to != from
                {
                    // `[test]`: only code under `#[cfg(test)]` writes it.
                    let names = edges.entry((from, to)).or_default();
                    let tagged = format!("{written} [test]");
                    if !self.test_only(scope) {
                        names.remove(&tagged);
                        names.insert(written);
                    } else if !names.contains(&written) {
                        names.insert(tagged);
                    }
                }
            }
        }
        edges
    }

    fn name(&self, file: usize) -> String {
        format!("{}{}", self.prefix, self.files[file].rel)
    }

    /// Each circle: its files, and every edge inside it with the paths behind it.
    fn describe(&self, edges: &Edges, circles: &[Vec<usize>]) -> Vec<String> {
        circles
            .iter()
            .map(|circle| {
                let mut lines = vec![format!(
                    "{}: a circle of {} files",
                    self.label,
                    circle.len()
                )];
                lines.extend(
                    circle
                        .iter()
                        .map(|&file| format!("    {}", self.name(file))),
                );
                lines.push("  tied by:".to_string());
                for ((from, to), names) in edges {
                    if circle.contains(from) && circle.contains(to) {
                        let names: Vec<&str> = names.iter().map(String::as_str).collect();
                        lines.push(format!(
                            "    {} -> {}: {}",
                            self.name(*from),
                            self.name(*to),
                            names.join(", ")
                        ));
                    }
                }
                lines.join("\n")
            })
            .collect()
    }
}

/// Tarjan's strongly connected components.
struct Tarjan {
    next: Vec<Vec<usize>>,
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    counter: usize,
    components: Vec<Vec<usize>>,
}

impl Tarjan {
    fn visit(&mut self, node: usize) {
        self.index[node] = Some(self.counter);
        self.low[node] = self.counter;
        self.counter += 1;
        self.stack.push(node);
        self.on_stack[node] = true;
        for to in self.next[node].clone() {
            match self.index[to] {
                None => {
                    self.visit(to);
                    self.low[node] = self.low[node].min(self.low[to]);
                }
                Some(index) if self.on_stack[to] => self.low[node] = self.low[node].min(index),
                Some(_) => {}
            }
        }
        if self.index[node] == Some(self.low[node]) {
            let mut component = Vec::new();
            while let Some(member) = self.stack.pop() {
                self.on_stack[member] = false;
                component.push(member);
                if member == node {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

/// The strongly connected components of more than one node, each sorted, in order.
fn circles(nodes: usize, edges: &Edges) -> Vec<Vec<usize>> {
    let mut next = vec![Vec::new(); nodes];
    for &(from, to) in edges.keys() {
        next[from].push(to);
    }
    let mut tarjan = Tarjan {
        next,
        index: vec![None; nodes],
        low: vec![0; nodes],
        on_stack: vec![false; nodes],
        stack: Vec::new(),
        counter: 0,
        components: Vec::new(),
    };
    for node in 0..nodes {
        if tarjan.index[node].is_none() {
            tarjan.visit(node);
        }
    }
    let mut found: Vec<Vec<usize>> = tarjan
        .components
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|mut component| {
            component.sort_unstable();
            component
        })
        .collect();
    found.sort();
    found
}

/// The strings of the TOML array at the start of `text` (`["a", 'b', # note` newline `"c"]`),
/// up to its `]`.
fn strings_of_array(text: &str) -> Vec<String> {
    let mut strings = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => strings.push(chars.by_ref().take_while(|&x| x != c).collect()),
            '#' => {
                for x in chars.by_ref() {
                    if x == '\n' {
                        break;
                    }
                }
            }
            ']' => break,
            _ => {}
        }
    }
    strings
}

/// The value text after `key =` in table `[table]` of a simple TOML file, to the file's end.
fn toml_value<'a>(manifest: &'a str, table: &str, key: &str) -> Option<&'a str> {
    let mut section = "";
    let mut offset = 0;
    for line in manifest.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed.split('#').next().unwrap_or_default().trim();
        } else if section == table
            && let Some((name, _)) = trimmed.split_once('=')
            && name.trim() == key
        {
            let equals = line.find('=')?;
            return manifest.get(offset + equals + 1..);
        }
        offset += line.len();
    }
    None
}

/// The `members` of the `[workspace]` table.
fn workspace_members(manifest: &str) -> Vec<String> {
    toml_value(manifest, "[workspace]", "members")
        .map(strings_of_array)
        .unwrap_or_default()
}

/// The `name` of the `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let value = toml_value(manifest, "[package]", "name")?;
    let line = value.lines().next()?.trim();
    let quote = line.chars().next().filter(|&c| c == '"' || c == '\'')?;
    line[1..].split(quote).next().map(str::to_string)
}

/// The members, with a trailing `/*` expanded to the folders under it that hold a package.
fn expand_members(root: &Path, members: &[String]) -> Vec<String> {
    let mut expanded = Vec::new();
    for member in members {
        let Some(parent) = member.strip_suffix("/*") else {
            expanded.push(member.clone());
            continue;
        };
        let mut found: Vec<String> = fs::read_dir(root.join(parent))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.path().join("Cargo.toml").is_file())
            .map(|entry| format!("{parent}/{}", entry.file_name().to_string_lossy()))
            .collect();
        found.sort();
        expanded.extend(found);
    }
    expanded
}

/// The `.rs` files under `dir`/`rel`, as paths from `dir`.
fn rust_files(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir.join(rel)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = format!("{rel}/{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            rust_files(dir, &name, out);
        } else if name.ends_with(".rs") {
            out.push(name);
        }
    }
}

#[test]
fn no_crate_has_an_import_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest_path = root.join("Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path).expect("the workspace root has a Cargo.toml");
    let members = expand_members(root, &workspace_members(&manifest));
    assert!(
        !members.is_empty(),
        "no [workspace] members in {}",
        manifest_path.display()
    );

    let mut crates = 0;
    let mut failures = Vec::new();
    for member in &members {
        let dir = root.join(member);
        if !dir.join("src").is_dir() {
            println!("{member}: no src/ folder, skipped");
            continue;
        }
        let prefix = if member == "." {
            String::new()
        } else {
            format!("{member}/")
        };
        let name = fs::read_to_string(dir.join("Cargo.toml"))
            .ok()
            .and_then(|manifest| package_name(&manifest))
            .unwrap_or_else(|| member.clone());
        let mut rels = Vec::new();
        rust_files(&dir, "src", &mut rels);
        rels.sort();
        let sources: Vec<(String, String)> = rels
            .into_iter()
            .filter_map(|rel| {
                fs::read_to_string(dir.join(&rel))
                    .ok()
                    .map(|text| (rel, text))
            })
            .collect();
        for (root_file, indices) in targets(&sources) {
            let label = format!("{name} ({prefix}{root_file})");
            let files: Vec<(String, String)> = indices
                .iter()
                .map(|&index| sources[index].clone())
                .collect();
            let krate = build_crate(&label, &prefix, &files);
            let edges = krate.edges();
            let found = circles(krate.files.len(), &edges);
            println!(
                "{label}: {} files, {} edges, {} circle(s)",
                krate.files.len(),
                edges.len(),
                found.len()
            );
            failures.extend(krate.describe(&edges, &found));
            crates += 1;
        }
    }
    assert!(
        crates > 0,
        "no crate with a src/lib.rs or src/main.rs among {members:?}"
    );
    assert!(
        failures.is_empty(),
        "import circles between the files of a crate; break each by moving what both sides \
         need into a file that imports neither:\n\n{}\n",
        failures.join("\n\n")
    );
}

/// `a::b` as segments (`""` is the crate root).
fn segments(path: &str) -> Vec<String> {
    if path.is_empty() {
        Vec::new()
    } else {
        path.split("::").map(str::to_string).collect()
    }
}

/// A crate from in-memory files.
fn crate_of(files: &[(&str, &str)]) -> Crate {
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|(rel, text)| ((*rel).to_string(), (*text).to_string()))
        .collect();
    build_crate("test", "", &sources)
}

/// Every edge as `from -> to: names`.
fn edge_lines(krate: &Crate) -> Vec<String> {
    krate
        .edges()
        .iter()
        .map(|((from, to), names)| {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            format!(
                "{} -> {}: {}",
                krate.name(*from),
                krate.name(*to),
                names.join(", ")
            )
        })
        .collect()
}

/// The circles, as file names.
fn circle_names(krate: &Crate) -> Vec<Vec<String>> {
    circles(krate.files.len(), &krate.edges())
        .iter()
        .map(|circle| circle.iter().map(|&file| krate.name(file)).collect())
        .collect()
}

#[test]
fn a_nested_use_tree_expands_to_every_path() {
    let source = "pub(crate) use crate::{a::B, c::{d, e as f, self}, g::*};\n\
                  use super::{packet::x, Protocol};\n\
                  use self::file::{\n    One,\n    Two as _,\n};\n\
                  pub(self) use ::outside::Thing;\n\
                  fn captures() -> impl Sized + use<> {}\n";
    let found = scan(&lex(source), &segments("m::n"));
    let leaves: Vec<(String, Option<&str>, bool)> = found
        .imports
        .iter()
        .map(|import| {
            (
                import.leaf.written(),
                import.leaf.name.as_deref(),
                import.public,
            )
        })
        .collect();
    let expected: Vec<(String, Option<&str>, bool)> = vec![
        ("crate::a::B".to_string(), Some("B"), true),
        ("crate::c::d".to_string(), Some("d"), true),
        ("crate::c::e".to_string(), Some("f"), true),
        ("crate::c".to_string(), Some("c"), true),
        ("crate::g::*".to_string(), None, true),
        ("super::packet::x".to_string(), Some("x"), false),
        ("super::Protocol".to_string(), Some("Protocol"), false),
        ("self::file::One".to_string(), Some("One"), false),
        ("self::file::Two".to_string(), None, false),
        ("::outside::Thing".to_string(), Some("Thing"), false),
    ];
    assert_eq!(leaves, expected);
    assert!(
        found
            .imports
            .iter()
            .all(|import| import.scope == segments("m::n"))
    );
}

#[test]
fn comments_strings_and_characters_are_not_references() {
    let source = r##"
//! Docs mention crate::docs::A.
/// And crate::docs::B.
// crate::line::C
/* crate::block::D /* nested crate::nested::E */ still crate::block::F */
const S: &str = "crate::string::G \" crate::escaped::H";
const R: &str = r#"crate::raw::I " crate::raw::J"#;
const B: &[u8] = b"crate::bytes::K";
const C: char = '"';
fn life<'a>(s: &'a str) -> &'a str { crate::real::L(s) }
fn quote() -> char { '\'' }
macro_rules! m { () => { $crate::macros::N::<u8>::new() } }
fn after() { super::also::M(); let r#type = 1; }
"##;
    let found = scan(&lex(source), &segments("a"));
    let paths: Vec<String> = found
        .paths
        .iter()
        .map(|code| code.path.join("::"))
        .collect();
    assert_eq!(
        paths,
        ["crate::real::L", "$crate::macros::N", "super::also::M"]
    );
    assert!(found.imports.is_empty());
    assert!(found.idents.contains("type"));
    assert!(!found.idents.contains("docs") && !found.idents.contains("string"));
}

#[test]
fn self_and_super_resolve_from_the_module_of_the_file() {
    let path = |text: &str| segments(text);
    // From `a/b/c.rs`.
    assert_eq!(
        absolute(&path("a::b::c"), &path("super::super::x")),
        Some(path("a::x"))
    );
    // From `a/mod.rs`: `self` is `a`, `super` is the crate root.
    assert_eq!(absolute(&path("a"), &path("super::x")), Some(path("x")));
    assert_eq!(
        absolute(&path("a"), &path("self::y::Z")),
        Some(path("a::y::Z"))
    );
    // From `a/b.rs`.
    assert_eq!(
        absolute(&path("a::b"), &path("super::Protocol")),
        Some(path("a::Protocol"))
    );
    assert_eq!(absolute(&path("a::b"), &path("$crate::x")), Some(path("x")));
    assert_eq!(absolute(&path(""), &path("super::x")), None);
    assert_eq!(absolute(&path("a"), &path("std::x")), None);
}

#[test]
fn two_files_importing_each_other_are_a_circle_and_a_chain_is_not() {
    let circle = crate_of(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A(B);\n"),
        (
            "src/b.rs",
            "pub struct B;\npub fn make() -> crate::a::A { crate::a::A(B) }\n",
        ),
    ]);
    assert_eq!(
        edge_lines(&circle),
        [
            "src/a.rs -> src/b.rs: crate::b::B",
            "src/b.rs -> src/a.rs: crate::a::A"
        ]
    );
    assert_eq!(circle_names(&circle), [["src/a.rs", "src/b.rs"]]);

    let chain = crate_of(&[
        ("src/lib.rs", "mod a;\nmod b;\nmod c;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A(B);\n"),
        ("src/b.rs", "pub struct B(pub super::c::C);\n"),
        (
            "src/c.rs",
            "use std::fmt;\nuse plugwire_core::Frame;\npub struct C;\n",
        ),
    ]);
    assert_eq!(
        edge_lines(&chain),
        [
            "src/a.rs -> src/b.rs: crate::b::B",
            "src/b.rs -> src/c.rs: super::c::C"
        ]
    );
    assert!(circle_names(&chain).is_empty());
}

#[test]
fn registries_re_exports_and_tests_are_read_as_meant() {
    let krate = crate_of(&[
        (
            "src/lib.rs",
            "pub mod protocol;\nmod config;\npub use config::Config;\npub struct Root;\n",
        ),
        (
            "src/config.rs",
            "use crate::Root;\npub struct Config(Root);\n\
             #[cfg(test)]\nmod tests {\n    use super::*;\n    fn t() { let _ = Config(crate::Root); }\n}\n",
        ),
        (
            "src/protocol/mod.rs",
            "mod packet;\nmod toy;\n#[cfg(test)]\nmod tests;\npub use packet::tx;\n\
             pub trait Protocol {}\npub fn all() -> Vec<fn()> { vec![toy::make] }\n",
        ),
        ("src/protocol/packet.rs", "pub fn tx() {}\n"),
        (
            "src/protocol/toy.rs",
            "use super::Protocol;\nuse super::super::Config;\npub fn make() { super::tx(); }\n",
        ),
        ("src/protocol/tests.rs", "use super::*;\n"),
    ]);
    assert_eq!(
        edge_lines(&krate),
        [
            // `crate::Root` is defined in lib.rs; lib.rs only re-exports `Config`: no circle.
            "src/config.rs -> src/lib.rs: crate::Root",
            // The registry calls into the driver, which uses the registry's trait: a circle.
            "src/protocol/mod.rs -> src/protocol/toy.rs: toy::make",
            "src/protocol/tests.rs -> src/protocol/mod.rs: super::* [test]",
            // Names re-exported on the way are followed to the file that defines them.
            "src/protocol/toy.rs -> src/config.rs: super::super::Config",
            "src/protocol/toy.rs -> src/protocol/mod.rs: super::Protocol",
            "src/protocol/toy.rs -> src/protocol/packet.rs: super::tx",
        ]
    );
    assert_eq!(
        circle_names(&krate),
        [["src/protocol/mod.rs", "src/protocol/toy.rs"]]
    );
}

#[test]
fn workspace_members_and_package_names_are_read() {
    let manifest = "[package]\nname = \"plugwire\" # the root\n\n[workspace]\nmembers = [\n    \
                    \".\", # the root\n    'core',\n    \"hardware/ble\",\n]\n\
                    exclude = [\"old\"]\n\n[workspace.package]\nversion = \"0.1.0\"\n";
    assert_eq!(workspace_members(manifest), [".", "core", "hardware/ble"]);
    assert_eq!(package_name(manifest).as_deref(), Some("plugwire"));
    let one_line =
        "[workspace.package]\nmembers = [\"no\"]\n[workspace]\nmembers = [\"a\", \"b/c\"]\n";
    assert_eq!(workspace_members(one_line), ["a", "b/c"]);
    assert!(workspace_members("[package]\nname = \"x\"\n").is_empty());
}

#[test]
fn files_map_to_modules_and_a_binary_keeps_its_own() {
    assert_eq!(module_of("src/lib.rs"), Some(Vec::new()));
    assert_eq!(module_of("src/main.rs"), Some(Vec::new()));
    assert_eq!(module_of("src/a.rs"), Some(segments("a")));
    assert_eq!(module_of("src/a/mod.rs"), Some(segments("a")));
    assert_eq!(module_of("src/a/b.rs"), Some(segments("a::b")));
    assert_eq!(module_of("src/rest/page.html"), None);

    let sources: Vec<(String, String)> = [
        ("src/bin/tool.rs", "fn main() {}\n"),
        ("src/cli/mod.rs", "pub fn run() {}\n"),
        ("src/client.rs", "pub struct Client;\n"),
        ("src/lib.rs", "pub mod client;\n"),
        ("src/main.rs", "mod cli;\nfn main() { cli::run(); }\n"),
    ]
    .iter()
    .map(|(rel, text)| ((*rel).to_string(), (*text).to_string()))
    .collect();
    let crates: Vec<(&str, Vec<&str>)> = targets(&sources)
        .into_iter()
        .map(|(root, files)| {
            (
                root,
                files.iter().map(|&file| sources[file].0.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        crates,
        [
            ("src/lib.rs", vec!["src/client.rs", "src/lib.rs"]),
            ("src/main.rs", vec!["src/cli/mod.rs", "src/main.rs"]),
        ]
    );
}

#[test]
fn a_registry_macro_refers_to_the_modules_it_is_given() {
    let krate = crate_of(&[
        ("src/lib.rs", "mod protocols;\n"),
        (
            "src/protocols/mod.rs",
            "macro_rules! registry {\n    ($($module:ident $name:literal;)*) => {\n        \
             $(mod $module;)*\n        const ALL: &[(&str, fn())] = &[$(($name, $module::make),)*];\n    \
             };\n}\nregistry! {\n    toy \"toy\";\n}\npub trait Protocol {}\n\
             fn listed() -> Vec<&'static str> { vec![stray] }\n",
        ),
        (
            "src/protocols/toy.rs",
            "use super::Protocol;\npub fn make() {}\n",
        ),
        ("src/protocols/stray.rs", "use super::Protocol;\n"),
    ]);
    assert_eq!(
        edge_lines(&krate),
        [
            "src/protocols/mod.rs -> src/protocols/toy.rs: toy (macro input)",
            "src/protocols/stray.rs -> src/protocols/mod.rs: super::Protocol",
            "src/protocols/toy.rs -> src/protocols/mod.rs: super::Protocol",
        ]
    );
    assert_eq!(
        circle_names(&krate),
        [["src/protocols/mod.rs", "src/protocols/toy.rs"]]
    );
}
