//! GitHub Actions expressions (`if:` conditions, `${{ … }}`), parsed and evaluated with three
//! values: known, unknown, or unknown with a known truth. Only what a file can show is known:
//! literals, and the contexts the caller can name for one matrix leg (`runner.os`, `matrix.*`,
//! literal `env.*`). Everything else (`github.*`, `inputs.*`, `steps.*`, `hashFiles()` …) is
//! unknown, and an unknown operand makes the result unknown unless the operators decide anyway
//! (`false && x`, `true || x`).
//!
//! Semantics follow GitHub's documentation ("Expressions"): `==`/`!=`/`<`… compare strings
//! ignoring case and coerce mismatched types to numbers (null → 0, booleans → 1/0, strings
//! parsed, anything else NaN); `&&`/`||` return an operand; falsy values are `false`, `0`, `-0`,
//! `""`, `null` and NaN.
//!
//! Bounded: an expression longer than [`MAX_LEN`] or nested deeper than [`MAX_DEPTH`] is unknown.

/// Longest expression evaluated (characters); longer ones are unknown.
pub const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses, operators and calls evaluated.
pub const MAX_DEPTH: usize = 32;

/// A value as GitHub sees it, or what the file cannot show.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// An array of known values (`fromJSON('["a", "b"]')`).
    Arr(Vec<Val>),
    /// A matrix value written as a plain scalar that may be a number, a boolean or null
    /// (`3.10`, `true`): the model keeps only its text, so both readings are tried.
    Plain(String),
    /// Unknown value; `Some(truth)` when at least its truthiness is known.
    Unknown(Option<bool>),
}

impl Val {
    /// Whether the value is truthy; `None` when it cannot be told.
    pub fn truthy(&self) -> Option<bool> {
        match self {
            Val::Null => Some(false),
            Val::Bool(b) => Some(*b),
            Val::Num(n) => Some(*n != 0.0 && !n.is_nan()),
            Val::Str(s) => Some(!s.is_empty()),
            Val::Arr(_) => Some(true),
            Val::Plain(s) => agree(Val::Str(s.clone()).truthy(), typed(s).truthy()),
            Val::Unknown(t) => *t,
        }
    }

    /// The value as a string (for `startsWith`, `contains`…), when known.
    fn string(&self) -> Option<String> {
        match self {
            Val::Null => Some(String::new()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Num(n) => Some(num_to_string(*n)),
            Val::Str(s) => Some(s.clone()),
            Val::Plain(s) => {
                let a = s.clone();
                (typed(s).string()? == a).then_some(a)
            }
            Val::Arr(_) | Val::Unknown(_) => None,
        }
    }
}

fn agree<T: PartialEq>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => None,
    }
}

/// A plain YAML scalar read as YAML would type it.
fn typed(s: &str) -> Val {
    match s {
        "null" | "Null" | "NULL" | "~" | "" => Val::Null,
        "true" | "True" | "TRUE" => Val::Bool(true),
        "false" | "False" | "FALSE" => Val::Bool(false),
        _ => match parse_number(s) {
            Some(n) => Val::Num(n),
            None => Val::Str(s.to_string()),
        },
    }
}

/// Whether a plain scalar's text may be read as something other than a string.
pub fn plain(s: &str) -> Val {
    match typed(s) {
        Val::Str(s) => Val::Str(s),
        _ => Val::Plain(s.to_string()),
    }
}

fn num_to_string(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    let ok = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && t.bytes().any(|b| b.is_ascii_digit());
    if ok {
        t.parse::<f64>().ok()
    } else {
        None
    }
}

/// The number a value coerces to (GitHub's rules for mismatched comparisons).
fn to_number(v: &Val) -> Option<f64> {
    match v {
        Val::Null => Some(0.0),
        Val::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Val::Num(n) => Some(*n),
        Val::Str(s) => Some(if s.trim().is_empty() {
            0.0
        } else {
            parse_number(s).unwrap_or(f64::NAN)
        }),
        Val::Arr(_) => Some(f64::NAN),
        Val::Plain(_) | Val::Unknown(_) => None,
    }
}

/// `a == b` as GitHub evaluates it; `None` when unknown.
fn equal(a: &Val, b: &Val) -> Option<bool> {
    match (a, b) {
        (Val::Unknown(_), _) | (_, Val::Unknown(_)) => None,
        (Val::Plain(_), _) | (_, Val::Plain(_)) => None,
        (Val::Str(x), Val::Str(y)) => Some(x.eq_ignore_ascii_case(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x == y),
        (Val::Null, Val::Null) => Some(true),
        (Val::Num(x), Val::Num(y)) => Some(x == y),
        // Arrays are equal only when they are the same instance: two expressions never are.
        (Val::Arr(_), _) | (_, Val::Arr(_)) => Some(false),
        _ => {
            let (x, y) = (to_number(a)?, to_number(b)?);
            Some(x == y)
        }
    }
}

/// `a < b` (`less`) as GitHub evaluates it.
fn less(a: &Val, b: &Val) -> Option<bool> {
    match (a, b) {
        (Val::Unknown(_), _) | (_, Val::Unknown(_)) => None,
        (Val::Plain(_), _) | (_, Val::Plain(_)) => None,
        (Val::Str(x), Val::Str(y)) => Some(x.to_ascii_lowercase() < y.to_ascii_lowercase()),
        _ => {
            let (x, y) = (to_number(a)?, to_number(b)?);
            Some(x < y)
        }
    }
}

/// `a OP b` for `==`, `!=`, `<`, `<=`, `>`, `>=`. A plain matrix scalar is read both as text and
/// as YAML types it: the answer counts only when both readings agree.
fn compare(op: &str, a: &Val, b: &Val) -> Option<bool> {
    if let Val::Plain(s) = a {
        return agree(
            compare(op, &Val::Str(s.clone()), b),
            compare(op, &typed(s), b),
        );
    }
    if let Val::Plain(s) = b {
        return agree(
            compare(op, a, &Val::Str(s.clone())),
            compare(op, a, &typed(s)),
        );
    }
    // NaN is neither less, greater nor equal: `<=` is `<` or `==`, not `!(>)`.
    match op {
        "==" => equal(a, b),
        "!=" => equal(a, b).map(|e| !e),
        "<" => less(a, b),
        ">" => less(b, a),
        "<=" => less(a, b).zip(equal(a, b)).map(|(x, y)| x || y),
        _ => less(b, a).zip(equal(a, b)).map(|(x, y)| x || y),
    }
}

/// What the caller knows: the value of a context path (`["runner", "os"]`,
/// `["matrix", "config", "os"]`, `["env", "METHOD"]`). Return `Val::Unknown(None)` for anything
/// the file cannot show.
pub trait Contexts {
    fn lookup(&self, path: &[String]) -> Val;
}

impl<F: Fn(&[String]) -> Val> Contexts for F {
    fn lookup(&self, path: &[String]) -> Val {
        self(path)
    }
}

/// The truth of an `if:` condition (`${{ … }}` around it or not): `Some(true)` runs,
/// `Some(false)` is skipped, `None` cannot tell. A condition with text around `${{ … }}` is a
/// string, which is truthy when not empty, but its meaning is what the author got wrong: unknown.
pub fn eval_if(cond: &str, cx: &dyn Contexts) -> Option<bool> {
    let c = cond.trim();
    let inner = match c.strip_prefix("${{").and_then(|c| c.strip_suffix("}}")) {
        Some(inner) if !inner.contains("${{") && !inner.contains("}}") => inner,
        Some(_) => return None,
        None if c.contains("${{") => return None,
        None => c,
    };
    eval(inner, cx).truthy()
}

/// Evaluate an expression (without `${{ }}`).
pub fn eval(expr: &str, cx: &dyn Contexts) -> Val {
    if expr.chars().count() > MAX_LEN {
        return Val::Unknown(None);
    }
    let Some(tokens) = lex(expr) else {
        return Val::Unknown(None);
    };
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        cx,
    };
    let v = p.or();
    if p.pos != p.tokens.len() {
        return Val::Unknown(None);
    }
    v
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Op(&'static str),
}

fn lex(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'\'' {
            let mut text = String::new();
            let mut j = i + 1;
            loop {
                let start = j;
                while j < b.len() && b[j] != b'\'' {
                    j += 1;
                }
                text.push_str(s.get(start..j)?);
                if j >= b.len() {
                    return None;
                }
                if b.get(j + 1) == Some(&b'\'') {
                    text.push('\'');
                    j += 2;
                } else {
                    break;
                }
            }
            out.push(Tok::Str(text));
            i = j + 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Num(parse_number(s.get(start..i)?)?));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-')) {
                i += 1;
            }
            out.push(Tok::Ident(s.get(start..i)?.to_string()));
            continue;
        }
        let two = s.get(i..i + 2).unwrap_or("");
        let op = ["==", "!=", "<=", ">=", "&&", "||"]
            .into_iter()
            .find(|o| *o == two);
        if let Some(op) = op {
            out.push(Tok::Op(op));
            i += 2;
            continue;
        }
        let one = match c {
            b'!' => "!",
            b'<' => "<",
            b'>' => ">",
            b'(' => "(",
            b')' => ")",
            b'[' => "[",
            b']' => "]",
            b'.' => ".",
            b',' => ",",
            b'*' => "*",
            _ => return None,
        };
        out.push(Tok::Op(one));
        i += 1;
    }
    Some(out)
}

struct Parser<'c> {
    tokens: Vec<Tok>,
    pos: usize,
    depth: usize,
    cx: &'c dyn Contexts,
}

impl Parser<'_> {
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Tok::Op(o)) if *o == op)
    }

    fn eat(&mut self, op: &str) -> bool {
        let yes = self.peek_op(op);
        if yes {
            self.pos += 1;
        }
        yes
    }

    /// Give up: skip to the end (the result is unknown).
    fn fail(&mut self) -> Val {
        self.pos = self.tokens.len() + 1;
        Val::Unknown(None)
    }

    fn or(&mut self) -> Val {
        if self.depth >= MAX_DEPTH {
            return self.fail();
        }
        self.depth += 1;
        let mut v = self.and();
        while self.eat("||") {
            let r = self.and();
            v = match v.truthy() {
                Some(true) => v,
                Some(false) => r,
                None => match r.truthy() {
                    Some(true) => Val::Unknown(Some(true)),
                    _ => Val::Unknown(None),
                },
            };
        }
        self.depth -= 1;
        v
    }

    fn and(&mut self) -> Val {
        let mut v = self.cmp();
        while self.eat("&&") {
            let r = self.cmp();
            v = match v.truthy() {
                Some(false) => v,
                Some(true) => r,
                None => match r.truthy() {
                    Some(false) => Val::Unknown(Some(false)),
                    _ => Val::Unknown(None),
                },
            };
        }
        v
    }

    fn cmp(&mut self) -> Val {
        let mut v = self.rel();
        loop {
            let op = if self.eat("==") {
                "=="
            } else if self.eat("!=") {
                "!="
            } else {
                return v;
            };
            let r = self.rel();
            v = compare(op, &v, &r).map_or(Val::Unknown(None), Val::Bool);
        }
    }

    fn rel(&mut self) -> Val {
        let mut v = self.unary();
        loop {
            let op = ["<=", ">=", "<", ">"].into_iter().find(|o| self.peek_op(o));
            let Some(op) = op else { return v };
            self.pos += 1;
            let r = self.unary();
            v = compare(op, &v, &r).map_or(Val::Unknown(None), Val::Bool);
        }
    }

    fn unary(&mut self) -> Val {
        if self.eat("!") {
            if self.depth >= MAX_DEPTH {
                return self.fail();
            }
            self.depth += 1;
            let v = self.unary();
            self.depth -= 1;
            return match v.truthy() {
                Some(t) => Val::Bool(!t),
                None => Val::Unknown(None),
            };
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Val {
        let Some(tok) = self.tokens.get(self.pos).cloned() else {
            return self.fail();
        };
        self.pos += 1;
        match tok {
            Tok::Str(s) => Val::Str(s),
            Tok::Num(n) => Val::Num(n),
            Tok::Op("(") => {
                let v = self.or();
                if !self.eat(")") {
                    return self.fail();
                }
                v
            }
            Tok::Op(_) => self.fail(),
            Tok::Ident(name) => match name.as_str() {
                "true" => Val::Bool(true),
                "false" => Val::Bool(false),
                "null" => Val::Null,
                _ if self.peek_op("(") => self.call(&name),
                _ => self.path(name),
            },
        }
    }

    /// `matrix.config.os`, `env['X']`: the path as far as it is literal, looked up once.
    fn path(&mut self, first: String) -> Val {
        let mut path = vec![first];
        let mut literal = true;
        loop {
            if self.eat(".") {
                match self.tokens.get(self.pos).cloned() {
                    Some(Tok::Ident(n)) => {
                        self.pos += 1;
                        path.push(n);
                    }
                    Some(Tok::Op("*")) => {
                        self.pos += 1;
                        literal = false;
                    }
                    _ => return self.fail(),
                }
            } else if self.eat("[") {
                let key = self.or();
                if !self.eat("]") {
                    return self.fail();
                }
                match key {
                    Val::Str(k) => path.push(k),
                    _ => literal = false,
                }
            } else {
                break;
            }
        }
        if !literal {
            return Val::Unknown(None);
        }
        self.cx.lookup(&path)
    }

    fn call(&mut self, name: &str) -> Val {
        self.pos += 1; // `(`
        if self.depth >= MAX_DEPTH {
            return self.fail();
        }
        self.depth += 1;
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.or());
                if self.eat(",") {
                    continue;
                }
                if !self.eat(")") {
                    self.depth -= 1;
                    return self.fail();
                }
                break;
            }
        }
        self.depth -= 1;
        let lower = name.to_ascii_lowercase();
        let strings = |i: usize| args.get(i).and_then(Val::string);
        match (lower.as_str(), args.len()) {
            // The walk follows the run in which every earlier step passed.
            ("success" | "always", 0) => Val::Bool(true),
            ("cancelled", 0) => Val::Bool(false),
            ("startswith" | "endswith", 2) => {
                let (Some(a), Some(b)) = (strings(0), strings(1)) else {
                    return Val::Unknown(None);
                };
                let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
                Val::Bool(if lower == "startswith" {
                    a.starts_with(&b)
                } else {
                    a.ends_with(&b)
                })
            }
            ("contains", 2) => match &args[0] {
                Val::Arr(items) => {
                    let mut unknown = false;
                    for item in items {
                        match compare("==", item, &args[1]) {
                            Some(true) => return Val::Bool(true),
                            Some(false) => {}
                            None => unknown = true,
                        }
                    }
                    if unknown {
                        Val::Unknown(None)
                    } else {
                        Val::Bool(false)
                    }
                }
                _ => match (strings(0), strings(1)) {
                    (Some(a), Some(b)) => {
                        Val::Bool(a.to_ascii_lowercase().contains(&b.to_ascii_lowercase()))
                    }
                    _ => Val::Unknown(None),
                },
            },
            ("fromjson", 1) => match &args[0] {
                Val::Str(s) => from_json(s),
                _ => Val::Unknown(None),
            },
            _ => Val::Unknown(None),
        }
    }
}

/// `fromJSON` of a literal: a JSON scalar, or an array of scalars. Anything else is unknown.
fn from_json(s: &str) -> Val {
    let t = s.trim();
    let scalar = |t: &str| -> Val {
        let t = t.trim();
        if let Some(inner) = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            if inner.contains(['"', '\\']) {
                return Val::Unknown(None);
            }
            return Val::Str(inner.to_string());
        }
        match t {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            "null" => Val::Null,
            _ => parse_number(t).map_or(Val::Unknown(None), Val::Num),
        }
    };
    match t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(inner) if inner.trim().is_empty() => Val::Arr(Vec::new()),
        Some(inner) => {
            if inner.contains(['[', '{', '\\']) {
                return Val::Unknown(None);
            }
            let items: Vec<Val> = inner.split(',').map(scalar).collect();
            // A comma inside a string would have split it: such items are not whole strings.
            if items.iter().any(|v| matches!(v, Val::Unknown(_))) {
                Val::Unknown(None)
            } else {
                Val::Arr(items)
            }
        }
        None => scalar(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn cx(os: Option<&str>, matrix: &[(&str, &str)]) -> impl Fn(&[String]) -> Val {
        let os = os.map(str::to_string);
        let m: BTreeMap<String, String> = matrix
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |path: &[String]| match path.first().map(String::as_str) {
            Some("runner") if path.len() == 2 && path[1] == "os" => {
                os.clone().map_or(Val::Unknown(None), Val::Str)
            }
            Some("matrix") => m.get(&path[1..].join(".")).map_or(Val::Null, |v| plain(v)),
            _ => Val::Unknown(None),
        }
    }

    #[test]
    fn conditions_on_runner_and_matrix() {
        let c = cx(
            Some("macOS"),
            &[("config.method", "pip"), ("os", "macos-15")],
        );
        assert_eq!(eval_if("runner.os == 'Linux'", &c), Some(false));
        assert_eq!(eval_if("${{ runner.os == 'macos' }}", &c), Some(true));
        assert_eq!(eval_if("matrix.config.method == 'pip'", &c), Some(true));
        assert_eq!(eval_if("matrix['config'].method != 'pip'", &c), Some(false));
        assert_eq!(eval_if("startsWith(matrix.os, 'MACOS-')", &c), Some(true));
        assert_eq!(eval_if("contains(matrix.os, 'ubuntu')", &c), Some(false));
        assert_eq!(
            eval_if("contains(fromJSON('[\"macos-15\", \"x\"]'), matrix.os)", &c),
            Some(true)
        );
        assert_eq!(eval_if("!(runner.os == 'Linux')", &c), Some(true));
        assert_eq!(eval_if("matrix.missing", &c), Some(false));
    }

    #[test]
    fn unknown_operands_decide_only_when_the_operator_does() {
        let c = cx(Some("Linux"), &[]);
        assert_eq!(eval_if("github.event_name == 'push'", &c), None);
        assert_eq!(
            eval_if("runner.os == 'macOS' && github.event_name == 'push'", &c),
            Some(false)
        );
        assert_eq!(
            eval_if("github.event_name == 'push' && runner.os == 'macOS'", &c),
            Some(false)
        );
        assert_eq!(
            eval_if("github.event_name == 'push' || runner.os == 'Linux'", &c),
            Some(true)
        );
        assert_eq!(
            eval_if("github.event_name == 'push' && runner.os == 'Linux'", &c),
            None
        );
        assert_eq!(eval_if("failure()", &c), None);
        assert_eq!(eval_if("always() && runner.os != 'Linux'", &c), Some(false));
        let unknown_os = cx(None, &[]);
        assert_eq!(eval_if("runner.os == 'Linux'", &unknown_os), None);
    }

    #[test]
    fn plain_matrix_scalars_are_read_both_ways() {
        // `python: [3.10]` is the number 3.1 to GitHub, "3.10" as text: only agreeing readings count.
        let c = cx(None, &[("python", "3.10"), ("flag", "true")]);
        assert_eq!(eval_if("matrix.python == '3.10'", &c), Some(true));
        assert_eq!(eval_if("matrix.python == '3.1'", &c), None);
        assert_eq!(eval_if("matrix.flag", &c), Some(true));
        assert_eq!(eval_if("matrix.flag == 'true'", &c), None);
        assert_eq!(eval_if("matrix.python > 3.9", &c), Some(false));
        assert_eq!(eval_if("matrix.python >= '3.1'", &c), Some(true));
        assert_eq!(eval_if("1 < 2", &c), Some(true));
    }

    #[test]
    fn malformed_long_and_deep_expressions_are_unknown() {
        let c = cx(Some("Linux"), &[]);
        assert_eq!(eval_if("runner.os == ", &c), None);
        assert_eq!(eval_if("runner.os == 'Linux", &c), None);
        assert_eq!(eval_if("(runner.os == 'Linux'", &c), None);
        assert_eq!(eval_if("runner.os == 'Linux' ${{ x }}", &c), None);
        let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(eval_if(&deep, &c), None);
        let nots = format!("{}true", "!".repeat(3_000));
        assert_eq!(eval_if(&nots, &c), None);
        let long = vec!["runner.os == 'Linux'"; 1_000].join(" && ");
        assert_eq!(eval_if(&long, &c), None);
        let ok = ["runner.os == 'Linux'"; 10].join(" && ");
        assert_eq!(eval_if(&ok, &c), Some(true));
    }
}
