//! What one matrix leg decides: a step's `if:` (`runner.os`, `matrix.*`, literal `env.*`), and
//! the branches of a script (`if [ "$RUNNER_OS" = Linux ]`, `case "${{ matrix.os }}" in …`,
//! `[ … ] && cmd`, `… || cmd`). A branch that surely runs on the leg is straight-line code there;
//! one that cannot run is not walked; anything the files cannot show stays a branch that may run.
//!
//! Bounded: expressions by `source::expr`'s limits; conditions and arms by the shell model's
//! (`MAX_COND_LEAVES`, `MAX_ARMS`); test arguments by [`MAX_TEST_ARGS`]; glob matching by
//! [`MAX_MATCH_LEN`].

use std::collections::BTreeMap;

use super::source::expr::{self, Contexts, Val};
use super::source::shell::{self, Branch, Command, Cond, Guard, Part, Script, Word};

/// Most arguments of one `[ … ]` / `test` / `[[ … ]]` evaluated.
pub const MAX_TEST_ARGS: usize = 64;
/// Longest text or pattern a `case`/`[[ == ]]` match is tried on (characters).
pub const MAX_MATCH_LEN: usize = 1024;

/// What the files show about one leg of a job.
#[derive(Debug, Clone, Default)]
pub struct LegFacts {
    /// `runner.os` / `$RUNNER_OS`: `Linux`, `macOS` or `Windows`.
    pub runner_os: Option<&'static str>,
    /// The leg's matrix values (dotted keys for objects); `None` when the matrix is unknown.
    pub matrix: Option<BTreeMap<String, String>>,
}

/// Whether a command runs when the walk reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// Always (straight-line code, or every branch around it is decided to run).
    Sure,
    /// It may or may not (a branch the files cannot decide, a loop body, a function body).
    Maybe,
    /// Never on this leg.
    Never,
}

impl Runs {
    fn and(self, other: Runs) -> Runs {
        match (self, other) {
            (Runs::Never, _) | (_, Runs::Never) => Runs::Never,
            (Runs::Maybe, _) | (_, Runs::Maybe) => Runs::Maybe,
            _ => Runs::Sure,
        }
    }
}

/// The value of a context path on a leg: `runner.os`, `matrix.*`, and `env.*` through `env`
/// (`Some(value)` for a literal value, `None` when unknown or unset).
pub fn context_value(leg: &LegFacts, env: &dyn Fn(&str) -> Option<String>, path: &[String]) -> Val {
    let unknown = Val::Unknown(None);
    match path.first().map(String::as_str) {
        Some("runner") if path.len() == 2 && path[1].eq_ignore_ascii_case("os") => {
            leg.runner_os.map_or(unknown, |os| Val::Str(os.to_string()))
        }
        Some("matrix") if path.len() >= 2 => {
            let Some(m) = &leg.matrix else {
                return unknown;
            };
            let key = path[1..].join(".");
            match m.get(&key) {
                Some(v) if v.starts_with('\u{0}') => unknown,
                Some(v) => expr::plain(v),
                // An object (`matrix.config` when the leg has `config.os`): not a string.
                None if m.keys().any(|k| k.starts_with(&format!("{key}."))) => unknown,
                // GitHub evaluates a key the leg lacks to null.
                None => Val::Null,
            }
        }
        Some("env") if path.len() == 2 => env(&path[1]).map_or(unknown, Val::Str),
        _ => unknown,
    }
}

/// A step's `if:` on a leg: `Some(false)` skipped, `Some(true)` runs, `None` cannot tell.
pub fn eval_if(cond: &str, leg: &LegFacts, env: &dyn Fn(&str) -> Option<String>) -> Option<bool> {
    let cx = |path: &[String]| context_value(leg, env, path);
    expr::eval_if(cond, &cx)
}

/// Decides the branches of one script on one leg, each once.
pub struct Decider<'s> {
    script: &'s Script,
    src: &'s str,
    /// A shell variable's value when the files show it (`$RUNNER_OS`, literal step/job/workflow
    /// env) and the script does not set it.
    var: &'s dyn Fn(&str) -> Option<String>,
    cx: &'s dyn Contexts,
    /// bash runs the script (`[[ … ]]` and `[ a == b ]` mean what they say; in dash they fail).
    bash: bool,
    memo: Vec<Option<Runs>>,
    /// Each test command's outcome, once computed (`Some(None)`: unknown).
    tests: Vec<Option<Option<bool>>>,
}

impl<'s> Decider<'s> {
    pub fn new(
        script: &'s Script,
        src: &'s str,
        var: &'s dyn Fn(&str) -> Option<String>,
        cx: &'s dyn Contexts,
        bash: bool,
    ) -> Self {
        Decider {
            script,
            src,
            var,
            cx,
            bash,
            memo: vec![None; script.branches.len()],
            tests: vec![None; script.commands.len()],
        }
    }

    /// Whether command `i` runs when the walk gets to it.
    pub fn runs(&mut self, i: usize) -> Runs {
        let Some(cmd) = self.script.commands.get(i) else {
            return Runs::Maybe;
        };
        let mut runs = Runs::Sure;
        let mut at = cmd.branch;
        // Branch parents come before their children: the chain ends.
        let mut steps = 0;
        while let Some(b) = at {
            if steps > self.script.branches.len() {
                return Runs::Maybe;
            }
            steps += 1;
            runs = runs.and(self.branch(b));
            if runs == Runs::Never {
                return Runs::Never;
            }
            at = self.script.branches.get(b).and_then(|br| br.parent);
        }
        let unexplained = cmd.nesting == shell::Nesting::Compound && cmd.branch.is_none();
        if cmd.function.is_some() || unexplained {
            return Runs::Maybe;
        }
        runs
    }

    fn branch(&mut self, b: usize) -> Runs {
        if let Some(Some(r)) = self.memo.get(b) {
            return *r;
        }
        let script = self.script;
        let r = match script.branches.get(b) {
            Some(Branch { guard, .. }) => self.guard(guard),
            None => Runs::Maybe,
        };
        if let Some(m) = self.memo.get_mut(b) {
            *m = Some(r);
        }
        r
    }

    fn guard(&mut self, g: &Guard) -> Runs {
        match g {
            Guard::Always => Runs::Sure,
            Guard::Unknown => Runs::Maybe,
            Guard::Status {
                conds,
                assume_success,
            } => {
                let mut runs = Runs::Sure;
                for (cond, want) in conds {
                    let r = match (self.status(cond, *assume_success), want) {
                        (Status::True, true) | (Status::False, false) => Runs::Sure,
                        (Status::Assumed, true) => Runs::Sure,
                        (Status::True, false) | (Status::False, true) => Runs::Never,
                        _ => Runs::Maybe,
                    };
                    runs = runs.and(r);
                }
                // After `&&` / `||`, what the leg cannot decide stays as the walk always took
                // it: straight-line code (`test "$X" = pip && pip install .`). Only a list the leg
                // decides against is skipped.
                if *assume_success && runs == Runs::Maybe {
                    Runs::Sure
                } else {
                    runs
                }
            }
            Guard::Case { word, arms } => self.case(word, arms),
        }
    }

    fn case(&self, word: &Word, arms: &[Vec<Word>]) -> Runs {
        let Some(text) = self.case_word(word) else {
            return Runs::Maybe;
        };
        let Some((this, earlier)) = arms.split_last() else {
            return Runs::Maybe;
        };
        let mut unsure = false;
        for p in earlier.iter().flatten() {
            match self.pattern(p).and_then(|p| glob_match(&p, &text)) {
                Some(true) => return Runs::Never,
                Some(false) => {}
                None => unsure = true,
            }
        }
        let mut this_unsure = false;
        for p in this {
            match self.pattern(p).and_then(|p| glob_match(&p, &text)) {
                Some(true) if !unsure => return Runs::Sure,
                Some(true) => return Runs::Maybe,
                Some(false) => {}
                None => this_unsure = true,
            }
        }
        if this_unsure {
            Runs::Maybe
        } else {
            Runs::Never
        }
    }

    fn status(&mut self, c: &Cond, assume: bool) -> Status {
        match c {
            Cond::Test(i) => match self.test_once(*i) {
                Some(true) => Status::True,
                Some(false) => Status::False,
                None => Status::Unknown,
            },
            Cond::Other if assume => Status::Assumed,
            Cond::Other | Cond::Unknown => Status::Unknown,
            Cond::Not(c) => match self.status(c, assume) {
                Status::True => Status::False,
                Status::False => Status::True,
                _ => Status::Unknown,
            },
            Cond::And(a, b) => match (self.status(a, assume), self.status(b, assume)) {
                (Status::False, _) => Status::False,
                (Status::True, s) => s,
                (Status::Assumed, Status::True | Status::Assumed) => Status::Assumed,
                (Status::Assumed, s) => s,
                (Status::Unknown, Status::False) => Status::False,
                (Status::Unknown, _) => Status::Unknown,
            },
            Cond::Or(a, b) => match (self.status(a, assume), self.status(b, assume)) {
                (Status::True, _) => Status::True,
                (Status::False, s) => s,
                (Status::Assumed, Status::True) => Status::True,
                (Status::Assumed, _) => Status::Assumed,
                (Status::Unknown, Status::True) => Status::True,
                (Status::Unknown, _) => Status::Unknown,
            },
        }
    }

    fn test_once(&mut self, i: usize) -> Option<bool> {
        if let Some(Some(t)) = self.tests.get(i) {
            return *t;
        }
        let t = self.test(i);
        if let Some(slot) = self.tests.get_mut(i) {
            *slot = Some(t);
        }
        t
    }

    /// The outcome of test command `i` (`[ … ]`, `test …`, `[[ … ]]`, `true`, `false`, `:`).
    fn test(&self, i: usize) -> Option<bool> {
        let cmd = self.script.commands.get(i)?;
        if self.in_nested_script(cmd) {
            return None;
        }
        let program = cmd.words.first()?.text.as_str();
        let args = cmd.args();
        let (args, double) = match program {
            "true" | ":" => return Some(true),
            "false" => return Some(false),
            "test" => (args, false),
            "[" => (args.strip_suffix_word("]")?, false),
            "[[" if self.bash => (args.strip_suffix_word("]]")?, true),
            _ => return None,
        };
        if args.len() > MAX_TEST_ARGS || !cmd.redirects.is_empty() {
            return None;
        }
        let toks: Vec<Tok> = args.iter().map(|w| self.tok(w, double)).collect();
        let mut p = TestParser {
            toks: &toks,
            pos: 0,
            double,
            bash: self.bash,
        };
        let v = p.or()?;
        (p.pos == toks.len()).then_some(v)?
    }

    fn in_nested_script(&self, cmd: &Command) -> bool {
        let mut s = Some(cmd.shell);
        let mut steps = 0;
        while let Some(i) = s {
            let Some(sh) = self.script.shells.get(i) else {
                return true;
            };
            if sh.kind == shell::Nesting::ShellC || steps > self.script.shells.len() {
                return true;
            }
            steps += 1;
            s = sh.parent;
        }
        false
    }

    /// A test operand: its value as a string (as `[` would see it, or `[[`), its glob pattern
    /// (for the right side of `[[ == ]]`), and the operator it spells when it is bare.
    fn tok(&self, w: &Word, double: bool) -> Tok {
        let bare = (!w.quoted && !w.dynamic).then(|| w.text.clone());
        let Some(parts) = shell::word_parts(self.src, w) else {
            return Tok {
                bare,
                ..Tok::default()
            };
        };
        Tok {
            bare,
            text: self.expand(&parts, !double),
            pattern: double.then(|| self.pattern_of(&parts)).flatten(),
        }
    }

    /// The word's value; `split`: unquoted expansions are split and globbed (`[`), so only values
    /// that come through whole are known.
    fn expand(&self, parts: &[Part], split: bool) -> Option<String> {
        let mut out = String::new();
        for p in parts {
            match p {
                Part::Lit { text, quoted } => {
                    if split && !quoted && text.contains(['*', '?', '[']) {
                        return None;
                    }
                    out.push_str(text);
                }
                Part::Var { name, quoted } => {
                    let v = (self.var)(name)?;
                    if split && !quoted && (v.is_empty() || v.contains(unsplittable)) {
                        return None;
                    }
                    out.push_str(&v);
                }
                Part::Expr { expr, quoted } => out.push_str(&self.gh(expr, *quoted)?),
            }
        }
        if out.chars().count() > MAX_MATCH_LEN {
            return None;
        }
        Some(out)
    }

    /// A `${{ … }}` in a script: GitHub pastes its value into the text before the shell reads
    /// it, so a value with quotes, `$`, backslashes or (unquoted) blanks and globs changes the
    /// script itself: unknown.
    fn gh(&self, e: &str, quoted: bool) -> Option<String> {
        // As GitHub writes a value into the text. A plain matrix scalar that YAML reads as a
        // number may be rewritten (`3.10` → `3.1`): only integers and booleans are sure.
        let s = match expr::eval(e, self.cx) {
            Val::Str(s) => s,
            Val::Null => String::new(),
            Val::Bool(b) => b.to_string(),
            Val::Plain(p)
                if matches!(p.as_str(), "true" | "false")
                    || (p.bytes().all(|b| b.is_ascii_digit()) && !p.starts_with('0')) =>
            {
                p
            }
            _ => return None,
        };
        let special = |c: char| matches!(c, '"' | '\'' | '$' | '`' | '\\' | '\n');
        let unquoted_special = |c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '*' | '?' | '[' | ';' | '&' | '|' | '<' | '>' | '(' | ')' | '#'
                )
        };
        if s.contains(special) || (!quoted && (s.is_empty() || s.contains(unquoted_special))) {
            return None;
        }
        Some(s)
    }

    /// The word of a `case` (no splitting, no globbing).
    fn case_word(&self, w: &Word) -> Option<String> {
        let parts = shell::word_parts(self.src, w)?;
        self.expand(&parts, false)
    }

    /// A `case` pattern or the right side of `[[ == ]]`: unquoted `*` and `?` match; quoted
    /// text and expansions inside quotes are literal. Bracket expressions are not followed.
    fn pattern(&self, w: &Word) -> Option<Vec<Pat>> {
        self.pattern_of(&shell::word_parts(self.src, w)?)
    }

    fn pattern_of(&self, parts: &[Part]) -> Option<Vec<Pat>> {
        let mut out = Vec::new();
        let mut push = |text: &str, glob: bool| -> Option<()> {
            for c in text.chars() {
                out.push(match c {
                    '*' if glob => Pat::Star,
                    '?' if glob => Pat::Any,
                    '[' if glob => return None,
                    c => Pat::Char(c),
                });
            }
            Some(())
        };
        for p in parts {
            match p {
                Part::Lit { text, quoted } => push(text, !quoted)?,
                Part::Var { name, quoted } => push(&(self.var)(name)?, !quoted)?,
                Part::Expr { expr, quoted } => push(&self.gh(expr, *quoted)?, !quoted)?,
            }
        }
        (out.len() <= MAX_MATCH_LEN).then_some(out)
    }
}

fn unsplittable(c: char) -> bool {
    c.is_whitespace() || matches!(c, '*' | '?' | '[')
}

trait StripWord {
    fn strip_suffix_word(&self, w: &str) -> Option<&Self>;
}

impl StripWord for [Word] {
    fn strip_suffix_word(&self, w: &str) -> Option<&[Word]> {
        match self.split_last() {
            Some((last, rest)) if last.text == w && !last.quoted && !last.dynamic => Some(rest),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    True,
    False,
    /// Not a test: the walk assumes it succeeds (`cmd && …`).
    Assumed,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pat {
    Char(char),
    Star,
    Any,
}

/// Whether `text` matches the glob `pat` (`*`, `?`, literal characters). Linear-time two-pointer
/// match with one backtrack point (enough for `*` and `?`).
fn glob_match(pat: &[Pat], text: &str) -> Option<bool> {
    let t: Vec<char> = text.chars().collect();
    if t.len() > MAX_MATCH_LEN {
        return None;
    }
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < t.len() {
        match pat.get(p) {
            Some(Pat::Any) => {
                p += 1;
                i += 1;
            }
            Some(Pat::Char(c)) if *c == t[i] => {
                p += 1;
                i += 1;
            }
            Some(Pat::Star) => {
                star = Some((p, i));
                p += 1;
            }
            _ => match star {
                Some((sp, si)) => {
                    p = sp + 1;
                    i = si + 1;
                    star = Some((sp, si + 1));
                }
                None => return Some(false),
            },
        }
    }
    Some(pat[p.min(pat.len())..].iter().all(|x| *x == Pat::Star))
}

#[derive(Debug, Clone, Default)]
struct Tok {
    /// The word as written, when it is bare text (an operator is only ever bare).
    bare: Option<String>,
    text: Option<String>,
    pattern: Option<Vec<Pat>>,
}

/// `[ … ]` / `[[ … ]]` arguments: `!`, `-a`/`-o` (`&&`/`||` in `[[`), `-n`/`-z`, `=`/`==`/`!=`,
/// integer `-eq`…, and a lone operand. Parentheses, file tests and anything else are unknown.
struct TestParser<'t> {
    toks: &'t [Tok],
    pos: usize,
    double: bool,
    bash: bool,
}

impl TestParser<'_> {
    fn op(&self, at: usize) -> Option<&str> {
        self.toks.get(at)?.bare.as_deref()
    }

    fn is(&self, at: usize, op: &str) -> bool {
        self.op(at) == Some(op)
    }

    fn or(&mut self) -> Option<Option<bool>> {
        let or = if self.double { "||" } else { "-o" };
        let mut v = self.and()?;
        while self.is(self.pos, or) {
            self.pos += 1;
            let r = self.and()?;
            v = match (v, r) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        Some(v)
    }

    fn and(&mut self) -> Option<Option<bool>> {
        let and = if self.double { "&&" } else { "-a" };
        let mut v = self.not()?;
        while self.is(self.pos, and) {
            self.pos += 1;
            let r = self.not()?;
            v = match (v, r) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        Some(v)
    }

    /// `None`: not a form this parser reads (the whole test is unknown); `Some(None)`: read, but
    /// its value is unknown.
    fn not(&mut self) -> Option<Option<bool>> {
        // `!` is an operator only when something follows it.
        if self.is(self.pos, "!") && self.pos + 1 < self.toks.len() {
            self.pos += 1;
            return Some(self.not()?.map(|b| !b));
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Option<bool>> {
        let at = self.pos;
        let first = self.toks.get(at)?;
        if first.bare.as_deref() == Some("(") {
            return None;
        }
        // Binary: `X op Y`.
        if let Some(op) = self.op(at + 1).map(str::to_string) {
            let binary = matches!(
                op.as_str(),
                "=" | "==" | "!=" | "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge"
            );
            if binary && at + 2 < self.toks.len() {
                let (a, b) = (&self.toks[at], &self.toks[at + 2]);
                self.pos = at + 3;
                return Some(self.binary(&op, a, b));
            }
            if op.starts_with('-') || matches!(op.as_str(), "<" | ">" | "=~") {
                // Another binary operator (`-nt`, `=~`, `<`): not followed.
                if !matches!(op.as_str(), "-a" | "-o") {
                    return None;
                }
            }
        }
        // Unary: `-n X`, `-z X`.
        if let Some(op) = first.bare.as_deref() {
            if op.starts_with('-') && op.len() == 2 && at + 1 < self.toks.len() {
                self.pos = at + 2;
                let x = &self.toks[at + 1];
                return match op {
                    "-n" => Some(x.text.as_ref().map(|t| !t.is_empty())),
                    "-z" => Some(x.text.as_ref().map(|t| t.is_empty())),
                    _ => None,
                };
            }
        }
        // A lone operand: true when not empty.
        self.pos = at + 1;
        Some(first.text.as_ref().map(|t| !t.is_empty()))
    }

    fn binary(&self, op: &str, a: &Tok, b: &Tok) -> Option<bool> {
        match op {
            "=" | "==" | "!=" => {
                if op == "==" && !self.bash {
                    // dash's `[` has no `==`: it fails with "unexpected operator".
                    return None;
                }
                let left = a.text.as_ref()?;
                let eq = if self.double {
                    glob_match(b.pattern.as_ref()?, left)?
                } else {
                    left == b.text.as_ref()?
                };
                Some(eq == (op != "!="))
            }
            _ => {
                let x: i64 = a.text.as_ref()?.trim().parse().ok()?;
                let y: i64 = b.text.as_ref()?.trim().parse().ok()?;
                Some(match op {
                    "-eq" => x == y,
                    "-ne" => x != y,
                    "-lt" => x < y,
                    "-le" => x <= y,
                    "-gt" => x > y,
                    _ => x >= y,
                })
            }
        }
    }
}

/// Names a script sets itself (`NAME=…`, `export`/`read`/`unset NAME`, `for NAME in`): their
/// values from the files do not hold in it.
pub fn assigned_names(script: &Script, src: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for c in &script.commands {
        if c.words.is_empty() {
            names.extend(c.assignments.iter().map(|a| a.name.clone()));
        }
        if matches!(
            c.program(),
            Some("export" | "declare" | "typeset" | "local" | "readonly" | "unset" | "read")
        ) {
            for w in c.args() {
                let name = w.text.split('=').next().unwrap_or("");
                if !name.starts_with('-') && !name.is_empty() {
                    names.insert(name.to_string());
                }
            }
        }
    }
    // `for NAME in …`: the loop variable is not in the command model.
    for line in src.lines() {
        let mut words = line.split_whitespace();
        while let Some(w) = words.next() {
            if w == "for" || w.ends_with(";for") {
                if let Some(n) = words.next() {
                    names.insert(n.trim_end_matches(';').to_string());
                }
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(
        script: &str,
        os: Option<&'static str>,
        matrix: &[(&str, &str)],
    ) -> Vec<(String, Runs)> {
        let s = shell::parse(script);
        let leg = LegFacts {
            runner_os: os,
            matrix: Some(
                matrix
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
        };
        let assigned = assigned_names(&s, script);
        let var = |n: &str| -> Option<String> {
            if assigned.contains(n) {
                return None;
            }
            match n {
                "RUNNER_OS" => leg.runner_os.map(str::to_string),
                "METHOD" => Some("pip".into()),
                _ => None,
            }
        };
        let no_env = |_: &str| None;
        let cx = |p: &[String]| context_value(&leg, &no_env, p);
        let mut d = Decider::new(&s, script, &var, &cx, true);
        (0..s.commands.len())
            .filter(|&i| s.commands[i].program() == Some("pip"))
            .map(|i| (s.commands[i].args()[1].text.clone(), d.runs(i)))
            .collect()
    }

    use Runs::*;

    fn r(v: &[(&str, Runs)]) -> Vec<(String, Runs)> {
        v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    }

    #[test]
    fn if_else_on_runner_os() {
        let s = "if [ \"$RUNNER_OS\" = Linux ]; then\n  pip install a\nelif [[ $RUNNER_OS == mac* ]]; then\n  pip install b\nelse\n  pip install c\nfi\n";
        assert_eq!(
            decide(s, Some("Linux"), &[]),
            r(&[("a", Sure), ("b", Never), ("c", Never)])
        );
        assert_eq!(
            decide(s, Some("macOS"), &[]),
            r(&[("a", Never), ("b", Sure), ("c", Never)])
        );
        assert_eq!(
            decide(s, Some("Windows"), &[]),
            r(&[("a", Never), ("b", Never), ("c", Sure)])
        );
        assert_eq!(
            decide(s, None, &[]),
            r(&[("a", Maybe), ("b", Maybe), ("c", Maybe)])
        );
    }

    #[test]
    fn case_on_matrix() {
        let s = "case \"${{ matrix.os }}\" in\n  macos-*|darwin) pip install a ;;\n  ubuntu-2?.04) pip install b ;;\n  *) pip install c ;;\nesac\n";
        assert_eq!(
            decide(s, None, &[("os", "macos-15")]),
            r(&[("a", Sure), ("b", Never), ("c", Never)])
        );
        assert_eq!(
            decide(s, None, &[("os", "ubuntu-24.04")]),
            r(&[("a", Never), ("b", Sure), ("c", Never)])
        );
        assert_eq!(
            decide(s, None, &[("os", "windows-2022")]),
            r(&[("a", Never), ("b", Never), ("c", Sure)])
        );
        let unknown = "case \"${{ github.ref }}\" in\n  main) pip install a ;;\nesac\n";
        assert_eq!(decide(unknown, None, &[]), r(&[("a", Maybe)]));
        let fall = "case x in\n  x) true ;&\n  y) pip install a ;;\nesac\n";
        assert_eq!(decide(fall, None, &[]), r(&[("a", Maybe)]));
    }

    #[test]
    fn and_or_lists() {
        let s = "[ \"$RUNNER_OS\" = macOS ] && pip install a\ntest \"$RUNNER_OS\" != macOS || pip install b\napt-get update && pip install c\npip install d || pip install e\n[ \"$METHOD\" = pip ] && sudo apt-get install -y x && pip install f || pip install g\n";
        assert_eq!(
            decide(s, Some("macOS"), &[]),
            r(&[
                ("a", Sure),
                ("b", Sure),
                ("c", Sure),
                ("d", Sure),
                ("e", Sure),
                ("f", Sure),
                ("g", Sure)
            ])
        );
        assert_eq!(
            decide(s, Some("Linux"), &[]),
            r(&[
                ("a", Never),
                ("b", Never),
                ("c", Sure),
                ("d", Sure),
                ("e", Sure),
                ("f", Sure),
                ("g", Sure)
            ])
        );
        // Undecided: as the walk always took an and-or list (straight-line), never skipped.
        assert_eq!(
            decide(s, None, &[]),
            r(&[
                ("a", Sure),
                ("b", Sure),
                ("c", Sure),
                ("d", Sure),
                ("e", Sure),
                ("f", Sure),
                ("g", Sure)
            ])
        );
    }

    #[test]
    fn what_is_not_decided() {
        // The script sets the variable; a command's status; a loop; a function; a file test.
        let s = "RUNNER_OS=x\nif [ \"$RUNNER_OS\" = Linux ]; then pip install a; fi\nif command -v apt-get; then pip install b; fi\nfor x in 1; do pip install c; done\nf() { pip install d; }\nif [ -f x ]; then pip install e; fi\n{ pip install f; }\nif [ \"$(uname)\" = Linux ]; then pip install g; fi\n";
        assert_eq!(
            decide(s, Some("Linux"), &[]),
            r(&[
                ("a", Maybe),
                ("b", Maybe),
                ("c", Maybe),
                ("d", Maybe),
                ("e", Maybe),
                ("f", Sure),
                ("g", Maybe)
            ])
        );
        let nested = "sh -c 'if [ \"$RUNNER_OS\" = Linux ]; then pip install a; fi'\n";
        assert_eq!(decide(nested, Some("Linux"), &[]), r(&[("a", Maybe)]));
    }

    #[test]
    fn glob() {
        let p = |s: &str| -> Vec<Pat> {
            s.chars()
                .map(|c| match c {
                    '*' => Pat::Star,
                    '?' => Pat::Any,
                    c => Pat::Char(c),
                })
                .collect()
        };
        assert_eq!(glob_match(&p("macos-*"), "macos-15"), Some(true));
        assert_eq!(glob_match(&p("*-latest"), "ubuntu-latest"), Some(true));
        assert_eq!(glob_match(&p("a*b*c"), "aXbYc"), Some(true));
        assert_eq!(glob_match(&p("a*b*c"), "aXbY"), Some(false));
        assert_eq!(glob_match(&p("?"), ""), Some(false));
        assert_eq!(glob_match(&p("*"), ""), Some(true));
        let long = "a".repeat(2000);
        assert_eq!(glob_match(&p("*b"), &long), None);
    }
}
