//! Reads the explorer's thread language into a checked syntax tree, with errors that say where
//! and what was expected.
//!
//! Implementation note: names are resolved while parsing. A shared variable, lock or semaphore
//! must be declared before the threads; any other name inside a thread is one of that thread's
//! registers. So the tree that comes out refers to everything by index, and every later stage
//! (the machine, the explorer) can trust it. Recursion is capped ([`MAX_DEPTH`] levels of
//! nesting, [`MAX_EXPR_NODES`] nodes per expression) so no input can overflow the stack.
//!
//! The size of a program is capped too, because what the explorer costs grows with it: a state
//! holds a word per thread, register and variable, and a state has a successor per thread. At
//! most [`MAX_THREADS`] threads, [`MAX_STATEMENTS`] statements and [`MAX_SOURCE_CHARS`]
//! characters; and an `atomic` block with a `while` in it, which may loop
//! [`ATOMIC_FUEL`](super::ATOMIC_FUEL) times within its one step, holds at most
//! [`MAX_LOOPING_ATOMIC_SIZE`] values, operators and statements. So one step costs at most a few
//! million operations, and the explorer's limits (states and memory) bound the whole run.

use std::fmt;
use std::ops::RangeInclusive;

/// Deepest nesting of blocks, parentheses and unary operators that a program may use.
pub const MAX_DEPTH: usize = 64;
/// Most nodes (numbers, names, operators) that one expression may have.
pub const MAX_EXPR_NODES: usize = 256;
/// Most threads a program may have.
pub const MAX_THREADS: usize = 16;
/// Most statements a program may have, counting those inside blocks, declarations and checks.
pub const MAX_STATEMENTS: usize = 256;
/// Longest program, in characters.
pub const MAX_SOURCE_CHARS: usize = 20_000;
/// Most values, operators and statements in an `atomic` block that has a `while` in it.
pub const MAX_LOOPING_ATOMIC_SIZE: usize = 64;

/// Where and why a program failed to parse (line and column are 1-based; columns count characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Line of the offending token.
    pub line: usize,
    /// Column of the offending token.
    pub column: usize,
    /// What was wrong, and what was expected.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Which memory model a program runs under (its optional first line, `memory sc` or `memory tso`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemoryModel {
    /// Sequential consistency: every write reaches memory in the step that makes it.
    #[default]
    Sc,
    /// x86-TSO: each thread's writes wait in its own FIFO store buffer until flushed.
    Tso,
}

impl MemoryModel {
    /// The word a program uses for it (`sc` or `tso`).
    pub fn word(self) -> &'static str {
        match self {
            MemoryModel::Sc => "sc",
            MemoryModel::Tso => "tso",
        }
    }
}

/// A checked program: declarations, threads and checks, with every name resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub(crate) memory: MemoryModel,
    pub(crate) shared: Vec<(String, i64)>,
    pub(crate) locks: Vec<String>,
    pub(crate) sems: Vec<(String, i64)>,
    pub(crate) conds: Vec<String>,
    pub(crate) barriers: Vec<(String, i64)>,
    pub(crate) threads: Vec<ThreadDef>,
    pub(crate) checks: Vec<Expr>,
}

impl Program {
    /// Names of the shared variables, in declaration order.
    pub fn shared_names(&self) -> Vec<&str> {
        self.shared.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The memory model it runs under.
    pub fn memory(&self) -> MemoryModel {
        self.memory
    }

    /// The same program under another memory model (to compare what each allows).
    pub fn with_memory(&self, memory: MemoryModel) -> Program {
        Program { memory, ..self.clone() }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ThreadDef {
    pub(crate) name: String,
    /// From the `thread` keyword's line to the closing `}`'s.
    pub(crate) lines: RangeInclusive<usize>,
    pub(crate) registers: Vec<String>,
    pub(crate) body: Vec<Stmt>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stmt {
    pub(crate) line: usize,
    pub(crate) kind: StmtKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StmtKind {
    Assign(Place, Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    While(Expr, Vec<Stmt>),
    Atomic(Vec<Stmt>),
    Lock(usize),
    Unlock(usize),
    Wait(usize),
    Signal(usize),
    Fence,
    /// `wait C M`: the condition variable, then the lock.
    CondWait(usize, usize),
    Notify(usize),
    NotifyAll(usize),
    Arrive(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Shared(usize),
    Reg(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Int(i64),
    Shared(usize),
    Reg(usize),
    Un(UnOp, Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    pub(crate) fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne => 3,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
        }
    }
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
    fn from_symbol(s: &str) -> Option<BinOp> {
        Some(match s {
            "||" => BinOp::Or,
            "&&" => BinOp::And,
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "%" => BinOp::Rem,
            _ => return None,
        })
    }
}

const KEYWORDS: &[&str] = &[
    "shared", "lock", "sem", "thread", "if", "else", "while", "atomic", "unlock", "wait", "signal", "check", "memory",
    "cond", "barrier", "fence", "notify", "notify_all", "arrive",
];

/// The statements that synchronize, none of them allowed inside `atomic`.
const SYNC_WORDS: &[&str] = &["lock", "unlock", "wait", "signal", "fence", "notify", "notify_all", "arrive"];

const SYMBOLS: &[&str] =
    &["==", "!=", "<=", ">=", "&&", "||", "{", "}", "(", ")", "=", "<", ">", "+", "-", "*", "/", "%", "!"];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// A literal's magnitude; `None` when it does not fit in a `u64`.
    Int(Option<u64>),
    Sym(&'static str),
    Eof,
    /// Where the source passes [`MAX_SOURCE_CHARS`]: the lexer reads no further.
    TooLong,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    column: usize,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Int(Some(n)) => format!("the number {n}"),
            Tok::Int(None) => "a number".to_string(),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::Eof => "end of input".to_string(),
            Tok::TooLong => "more than the program may hold".to_string(),
        }
    }
    fn is_keyword(&self, k: &str) -> bool {
        matches!(self, Tok::Ident(s) if s == k)
    }
}

/// The tokens of `source`, up to [`MAX_SOURCE_CHARS`] characters (then [`Tok::TooLong`]).
fn lex(source: &str) -> Result<Vec<Token>, ParseError> {
    let mut chars: Vec<char> = source.chars().take(MAX_SOURCE_CHARS + 1).collect();
    let too_long = chars.len() > MAX_SOURCE_CHARS;
    chars.truncate(MAX_SOURCE_CHARS);
    let mut out = Vec::new();
    let (mut i, mut line, mut column) = (0, 1, 1);
    let err = |line, column, message: String| Err(ParseError { line, column, message });
    while i < chars.len() {
        let c = chars[i];
        let (tl, tc) = (line, column);
        if c == '\n' {
            i += 1;
            line += 1;
            column = 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            column += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            column += i - start;
            out.push(Token { tok: Tok::Ident(chars[start..i].iter().collect()), line: tl, column: tc });
            continue;
        }
        if c.is_ascii_digit() {
            let mut value: Option<u64> = Some(0);
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                let d = chars[i] as u64 - '0' as u64;
                value = value.and_then(|v| v.checked_mul(10)).and_then(|v| v.checked_add(d));
                i += 1;
            }
            if i < chars.len() && (chars[i].is_ascii_alphabetic() || chars[i] == '_') {
                return err(line, column + (i - start), "a name cannot start with a digit".into());
            }
            column += i - start;
            out.push(Token { tok: Tok::Int(value), line: tl, column: tc });
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if let Some(sym) = SYMBOLS.iter().find(|s| two.starts_with(**s)) {
            i += sym.len();
            column += sym.len();
            out.push(Token { tok: Tok::Sym(sym), line: tl, column: tc });
            continue;
        }
        let message = match c {
            '&' => "expected `&&` (there is no single `&`)".to_string(),
            '|' => "expected `||` (there is no single `|`)".to_string(),
            ';' => "unexpected `;`: put each statement on its own line instead".to_string(),
            _ => format!("unexpected character `{}`", c.escape_debug()),
        };
        return err(tl, tc, message);
    }
    out.push(Token { tok: if too_long { Tok::TooLong } else { Tok::Eof }, line, column });
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Thread,
    Check,
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    expr_nodes: usize,
    /// Nodes of every expression so far, and statements (declarations and checks included).
    total_nodes: usize,
    statements: usize,
    /// Nesting of `atomic` blocks, and whether the outermost one has a `while` so far.
    atomic: usize,
    atomic_loops: bool,
    shared: Vec<(String, i64)>,
    locks: Vec<String>,
    sems: Vec<(String, i64)>,
    conds: Vec<String>,
    barriers: Vec<(String, i64)>,
    memory: Option<MemoryModel>,
    decl_lines: Vec<(String, usize)>,
    registers: Vec<String>,
}

type PResult<T> = Result<T, ParseError>;

/// Parses a whole program. Never panics; every problem is a [`ParseError`].
pub fn parse(source: &str) -> Result<Program, ParseError> {
    let mut p = Parser::new(lex(source)?);
    p.program()
}

/// Parses a condition over the shared variables `shared` (a `check`-style expression).
pub(crate) fn parse_condition(source: &str, shared: &[(String, i64)]) -> Result<Expr, ParseError> {
    let mut p = Parser::new(lex(source)?);
    p.shared = shared.to_vec();
    let e = p.expr(Scope::Check)?;
    p.expect_eof("after the condition")?;
    Ok(e)
}

impl Parser {
    fn new(toks: Vec<Token>) -> Self {
        Parser {
            toks,
            pos: 0,
            depth: 0,
            expr_nodes: 0,
            total_nodes: 0,
            statements: 0,
            atomic: 0,
            atomic_loops: false,
            shared: Vec::new(),
            locks: Vec::new(),
            sems: Vec::new(),
            conds: Vec::new(),
            barriers: Vec::new(),
            memory: None,
            decl_lines: Vec::new(),
            registers: Vec::new(),
        }
    }

    fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn error_at<T>(&self, tok: &Token, message: String) -> PResult<T> {
        Err(ParseError { line: tok.line, column: tok.column, message })
    }

    fn expected<T>(&self, what: &str) -> PResult<T> {
        let t = self.peek();
        if t.tok == Tok::TooLong {
            let most = crate::numbers::group_digits(MAX_SOURCE_CHARS as u64);
            return self.error_at(t, format!("the program is too long: it may have at most {most} characters"));
        }
        self.error_at(t, format!("expected {what}, found {}", t.tok.describe()))
    }

    fn expect_sym(&mut self, sym: &str, what: &str) -> PResult<Token> {
        if matches!(self.peek().tok, Tok::Sym(s) if s == sym) {
            Ok(self.bump())
        } else {
            self.expected(what)
        }
    }

    fn expect_eof(&mut self, context: &str) -> PResult<()> {
        if self.peek().tok == Tok::Eof {
            Ok(())
        } else {
            self.expected(&format!("end of input {context}"))
        }
    }

    /// An error at the cursor saying `message`, once `count` is past `most`.
    fn within(&self, count: usize, most: usize, message: impl FnOnce() -> String) -> PResult<()> {
        if count > most {
            return self.error_at(self.peek(), message());
        }
        Ok(())
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        self.within(self.depth, MAX_DEPTH, || format!("nesting is too deep (the limit is {MAX_DEPTH} levels)"))
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Counts one more statement (or declaration, or check), starting at the cursor.
    fn count_statement(&mut self) -> PResult<()> {
        self.statements += 1;
        self.within(self.statements, MAX_STATEMENTS, || {
            let most = MAX_STATEMENTS;
            format!("too many statements: a program may have at most {most} (declarations and checks count too)")
        })
    }

    /// A name that is not a keyword, for declarations and statements.
    fn name(&mut self, what: &str) -> PResult<(String, Token)> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Ident(s) if KEYWORDS.contains(&s.as_str()) => {
                self.error_at(&t, format!("expected {what}, found the keyword `{s}`"))
            }
            Tok::Ident(s) => {
                let s = s.clone();
                self.bump();
                Ok((s, t))
            }
            _ => self.expected(what),
        }
    }

    fn declared_kind(&self, name: &str) -> Option<&'static str> {
        if self.shared.iter().any(|(n, _)| n == name) {
            Some("a shared variable")
        } else if self.locks.iter().any(|n| n == name) {
            Some("a lock")
        } else if self.sems.iter().any(|(n, _)| n == name) {
            Some("a semaphore")
        } else if self.conds.iter().any(|n| n == name) {
            Some("a condition variable")
        } else if self.barriers.iter().any(|(n, _)| n == name) {
            Some("a barrier")
        } else {
            None
        }
    }

    fn program(&mut self) -> PResult<Program> {
        let mut threads: Vec<ThreadDef> = Vec::new();
        let mut thread_lines: Vec<usize> = Vec::new();
        let mut checks = Vec::new();
        loop {
            let t = self.peek().clone();
            match &t.tok {
                Tok::Eof => break,
                Tok::Ident(k) if k == "memory" => {
                    if self.memory.is_some() {
                        return self.error_at(&t, "the program already says its memory model".into());
                    }
                    if !self.decl_lines.is_empty() || !threads.is_empty() {
                        return self.error_at(&t, "`memory` must come first, before the declarations".into());
                    }
                    self.count_statement()?;
                    self.bump();
                    let mt = self.peek().clone();
                    self.memory = Some(match &mt.tok {
                        Tok::Ident(w) if w == "sc" => MemoryModel::Sc,
                        Tok::Ident(w) if w == "tso" => MemoryModel::Tso,
                        _ => return self.expected("`sc` or `tso` after `memory`"),
                    });
                    self.bump();
                }
                Tok::Ident(k) if ["shared", "lock", "sem", "cond", "barrier"].contains(&k.as_str()) => {
                    if !threads.is_empty() {
                        return self.error_at(&t, format!("`{k}` declarations must come before the threads"));
                    }
                    self.declaration()?;
                }
                Tok::Ident(k) if k == "thread" => {
                    if !checks.is_empty() {
                        return self.error_at(&t, "threads must come before `check`".into());
                    }
                    if threads.len() == MAX_THREADS {
                        return self.error_at(
                            &t,
                            format!("too many threads: a program may have at most {MAX_THREADS}"),
                        );
                    }
                    self.bump();
                    let (name, nt) = self.name("a thread name after `thread`")?;
                    if let Some(i) = threads.iter().position(|th| th.name == name) {
                        return self.error_at(
                            &nt,
                            format!("thread `{name}` is already defined on line {}", thread_lines[i]),
                        );
                    }
                    self.registers.clear();
                    let body = self.block(&format!("thread {name}"))?;
                    // The block ends with the `}` just consumed.
                    let lines = t.line..=self.toks[self.pos - 1].line;
                    let registers = std::mem::take(&mut self.registers);
                    threads.push(ThreadDef { name, lines, registers, body });
                    thread_lines.push(t.line);
                }
                Tok::Ident(k) if k == "check" => {
                    if threads.is_empty() {
                        return self.error_at(&t, "`check` must come after the threads".into());
                    }
                    self.count_statement()?;
                    self.bump();
                    self.expr_nodes = 0;
                    checks.push(self.expr(Scope::Check)?);
                }
                _ => {
                    let what = if threads.is_empty() {
                        "a declaration (`shared`, `lock`, `sem`, `cond`, `barrier`) or `thread`"
                    } else {
                        "`thread`, `check` or end of input"
                    };
                    return self.expected(what);
                }
            }
        }
        if threads.is_empty() {
            return self.expected("at least one `thread`");
        }
        Ok(Program {
            memory: self.memory.unwrap_or_default(),
            shared: std::mem::take(&mut self.shared),
            locks: std::mem::take(&mut self.locks),
            sems: std::mem::take(&mut self.sems),
            conds: std::mem::take(&mut self.conds),
            barriers: std::mem::take(&mut self.barriers),
            threads,
            checks,
        })
    }

    fn declaration(&mut self) -> PResult<()> {
        self.count_statement()?;
        let kw = self.bump();
        let kind = match &kw.tok {
            Tok::Ident(k) => k.clone(),
            _ => return self.expected("a declaration"),
        };
        let (name, nt) = self.name(&format!("a name after `{kind}`"))?;
        if self.declared_kind(&name).is_some() {
            let line = self.decl_lines.iter().find(|(n, _)| *n == name).map_or(0, |(_, l)| *l);
            return self.error_at(&nt, format!("`{name}` is already declared on line {line}"));
        }
        self.decl_lines.push((name.clone(), kw.line));
        match kind.as_str() {
            "lock" => self.locks.push(name),
            "cond" => self.conds.push(name),
            _ => {
                self.expect_sym("=", &format!("`=` and a starting value after `{kind} {name}`"))?;
                let vt = self.peek().clone();
                let value = self.signed_int(&format!("an integer starting value for `{name}`"))?;
                if kind == "sem" {
                    if value < 0 {
                        return self.error_at(&vt, format!("semaphore `{name}` cannot start below 0"));
                    }
                    self.sems.push((name, value));
                } else if kind == "barrier" {
                    if !(1..=MAX_THREADS as i64).contains(&value) {
                        return self.error_at(
                            &vt,
                            format!("barrier `{name}` must wait for 1 to {MAX_THREADS} threads (a program has at most {MAX_THREADS})"),
                        );
                    }
                    self.barriers.push((name, value));
                } else {
                    self.shared.push((name, value));
                }
            }
        }
        Ok(())
    }

    fn signed_int(&mut self, what: &str) -> PResult<i64> {
        let negative = if self.peek().tok == Tok::Sym("-") {
            self.bump();
            true
        } else {
            false
        };
        let t = self.peek().clone();
        match t.tok {
            Tok::Int(m) => {
                self.bump();
                int_value(m, negative).map_or_else(|| self.error_at(&t, too_large()), Ok)
            }
            _ => self.expected(what),
        }
    }

    fn block(&mut self, context: &str) -> PResult<Vec<Stmt>> {
        self.expect_sym("{", &format!("`{{` to open {context}"))?;
        self.enter()?;
        let mut body = Vec::new();
        loop {
            let t = self.peek().clone();
            match &t.tok {
                Tok::Sym("}") => {
                    self.bump();
                    break;
                }
                Tok::Eof => return self.expected(&format!("`}}` to close {context}")),
                _ => body.push(self.statement(context)?),
            }
        }
        self.leave();
        Ok(body)
    }

    fn statement(&mut self, context: &str) -> PResult<Stmt> {
        let t = self.peek().clone();
        let line = t.line;
        let Tok::Ident(word) = &t.tok else {
            return self.expected(&format!(
                "a statement (an assignment, `if`, `while`, `atomic`, `lock`, `unlock`, `wait`, \
                 `signal`, `fence`, `notify`, `notify_all` or `arrive`) or `}}` to close {context}"
            ));
        };
        self.count_statement()?;
        let kind = match word.as_str() {
            "if" => {
                self.bump();
                return self.if_rest(line);
            }
            "while" => {
                self.bump();
                self.atomic_loops |= self.atomic > 0;
                self.expr_nodes = 0;
                let cond = self.expr(Scope::Thread)?;
                let body = self.block(&format!("the `while` on line {line}"))?;
                StmtKind::While(cond, body)
            }
            "atomic" => {
                self.bump();
                let size_before = self.total_nodes + self.statements;
                if self.atomic == 0 {
                    self.atomic_loops = false;
                }
                self.atomic += 1;
                let body = self.block(&format!("the `atomic` block on line {line}"))?;
                self.atomic -= 1;
                // The whole block runs in one step, up to ATOMIC_FUEL times round its loops.
                let size = self.total_nodes + self.statements - size_before;
                if self.atomic == 0 && self.atomic_loops && size > MAX_LOOPING_ATOMIC_SIZE {
                    return self.error_at(
                        &t,
                        format!(
                            "this `atomic` block is too large for a loop: with a `while` in it, it may \
                             hold at most {MAX_LOOPING_ATOMIC_SIZE} values, operators and statements \
                             (it has {size}), since it may loop {} times within its one step",
                            super::ATOMIC_FUEL
                        ),
                    );
                }
                StmtKind::Atomic(body)
            }
            w if SYNC_WORDS.contains(&w) => {
                let word = word.clone();
                if self.atomic > 0 {
                    return self.error_at(&t, format!("`{word}` is not allowed inside `atomic`"));
                }
                self.bump();
                self.sync_statement(&word)?
            }
            w if KEYWORDS.contains(&w) => {
                return self.error_at(&t, format!("`{w}` cannot start a statement inside {context}"));
            }
            _ => {
                let (name, nt) = self.name("a statement")?;
                let place = match self.declared_kind(&name) {
                    Some("a shared variable") => {
                        Place::Shared(self.shared.iter().position(|(n, _)| *n == name).unwrap_or(0))
                    }
                    Some(k) => return self.error_at(&nt, format!("cannot assign to `{name}`: it is {k}")),
                    None => Place::Reg(self.register(&name)),
                };
                self.expect_sym("=", &format!("`=` after `{name}` (a statement here is an assignment)"))?;
                self.expr_nodes = 0;
                StmtKind::Assign(place, self.expr(Scope::Thread)?)
            }
        };
        Ok(Stmt { line, kind })
    }

    /// A synchronizing statement after its keyword `word` (already read).
    fn sync_statement(&mut self, word: &str) -> PResult<StmtKind> {
        if word == "fence" {
            return Ok(StmtKind::Fence);
        }
        let (what, declare) = match word {
            "lock" | "unlock" => ("lock", "lock NAME"),
            "signal" => ("semaphore", "sem NAME = 1"),
            "wait" => ("semaphore or condition variable", "sem NAME = 1` or `cond NAME"),
            "notify" | "notify_all" => ("condition variable", "cond NAME"),
            _ => ("barrier", "barrier NAME = 2"),
        };
        let declare = |name: &str| declare.replace("NAME", name);
        let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        let (name, nt) = self.name(&format!("{article} {what} name after `{word}`"))?;
        let find = |names: Vec<&String>| names.iter().position(|n| **n == name);
        let lock = find(self.locks.iter().collect());
        let sem = find(self.sems.iter().map(|(n, _)| n).collect());
        let cond = find(self.conds.iter().collect());
        let barrier = find(self.barriers.iter().map(|(n, _)| n).collect());
        let kind = match (word, lock, sem, cond, barrier) {
            ("lock", Some(i), ..) => StmtKind::Lock(i),
            ("unlock", Some(i), ..) => StmtKind::Unlock(i),
            ("signal", _, Some(i), ..) => StmtKind::Signal(i),
            ("wait", _, Some(i), ..) => StmtKind::Wait(i),
            ("wait", _, _, Some(c), _) => {
                let (lname, lt) = self.name(&format!("a lock name after `wait {name}` (the lock the waiter holds)"))?;
                let Some(m) = self.locks.iter().position(|n| *n == lname) else {
                    let message = match self.declared_kind(&lname) {
                        Some(k) => format!("`wait {name}` needs a lock after it, but `{lname}` is {k}"),
                        None => format!("unknown lock `{lname}` (declare it with `lock {lname}`)"),
                    };
                    return self.error_at(&lt, message);
                };
                StmtKind::CondWait(c, m)
            }
            ("notify", _, _, Some(c), _) => StmtKind::Notify(c),
            ("notify_all", _, _, Some(c), _) => StmtKind::NotifyAll(c),
            ("arrive", .., Some(b)) => StmtKind::Arrive(b),
            _ => {
                let message = match self.declared_kind(&name) {
                    Some(k) => format!("`{word}` needs {article} {what}, but `{name}` is {k}"),
                    None => format!("unknown {what} `{name}` (declare it with `{}`)", declare(&name)),
                };
                return self.error_at(&nt, message);
            }
        };
        Ok(kind)
    }

    /// The rest of an `if` after its keyword: condition, block and optional `else`.
    fn if_rest(&mut self, line: usize) -> PResult<Stmt> {
        self.expr_nodes = 0;
        let cond = self.expr(Scope::Thread)?;
        let then = self.block(&format!("the `if` on line {line}"))?;
        let mut otherwise = Vec::new();
        if self.peek().tok.is_keyword("else") {
            let et = self.bump();
            if self.peek().tok.is_keyword("if") {
                self.count_statement()?;
                let it = self.bump();
                self.enter()?;
                otherwise.push(self.if_rest(it.line)?);
                self.leave();
            } else {
                otherwise = self.block(&format!("the `else` on line {}", et.line))?;
            }
        }
        Ok(Stmt { line, kind: StmtKind::If(cond, then, otherwise) })
    }

    fn register(&mut self, name: &str) -> usize {
        match self.registers.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.registers.push(name.to_string());
                self.registers.len() - 1
            }
        }
    }

    fn node(&mut self) -> PResult<()> {
        self.expr_nodes += 1;
        self.total_nodes += 1;
        self.within(self.expr_nodes, MAX_EXPR_NODES, || {
            format!("expression is too long (the limit is {MAX_EXPR_NODES} numbers, names and operators)")
        })
    }

    fn expr(&mut self, scope: Scope) -> PResult<Expr> {
        self.binary(scope, 1)
    }

    fn binary(&mut self, scope: Scope, min_prec: u8) -> PResult<Expr> {
        let mut lhs = self.unary(scope)?;
        while let Some(op) = self.operator_at_least(min_prec) {
            self.bump();
            self.node()?;
            let rhs = self.binary(scope, op.precedence() + 1)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    /// The binary operator at the cursor, if it binds at least as tightly as `min_prec`.
    fn operator_at_least(&self, min_prec: u8) -> Option<BinOp> {
        match &self.peek().tok {
            Tok::Sym(s) => BinOp::from_symbol(s).filter(|op| op.precedence() >= min_prec),
            _ => None,
        }
    }

    fn unary(&mut self, scope: Scope) -> PResult<Expr> {
        let t = self.peek().clone();
        self.node()?;
        match &t.tok {
            Tok::Sym(op @ ("-" | "!")) => {
                self.bump();
                if *op == "-" {
                    if let Tok::Int(m) = self.peek().tok {
                        let it = self.bump();
                        return int_value(m, true)
                            .map(Expr::Int)
                            .map_or_else(|| self.error_at(&it, too_large()), Ok);
                    }
                }
                self.enter()?;
                let inner = self.unary(scope)?;
                self.leave();
                let op = if *op == "-" { UnOp::Neg } else { UnOp::Not };
                Ok(Expr::Un(op, Box::new(inner)))
            }
            Tok::Sym("(") => {
                self.bump();
                self.enter()?;
                let inner = self.expr(scope)?;
                self.leave();
                self.expect_sym(
                    ")",
                    &format!("`)` to close the `(` at line {}, column {}", t.line, t.column),
                )?;
                Ok(inner)
            }
            Tok::Int(m) => {
                self.bump();
                int_value(*m, false).map(Expr::Int).map_or_else(|| self.error_at(&t, too_large()), Ok)
            }
            Tok::Ident(name) if KEYWORDS.contains(&name.as_str()) => {
                self.error_at(&t, format!("expected a value, found the keyword `{name}`"))
            }
            Tok::Ident(name) => {
                let name = name.clone();
                self.bump();
                match self.declared_kind(&name) {
                    Some("a shared variable") => {
                        Ok(Expr::Shared(self.shared.iter().position(|(n, _)| *n == name).unwrap_or(0)))
                    }
                    Some(k) => self.error_at(&t, format!("`{name}` is {k}, not a value")),
                    None if scope == Scope::Check => self.error_at(
                        &t,
                        format!("`check` can only use shared variables, and `{name}` is not one"),
                    ),
                    None => Ok(Expr::Reg(self.register(&name))),
                }
            }
            _ => self.expected("a value (a number, a name, `-`, `!` or `(`)"),
        }
    }
}

fn too_large() -> String {
    format!("integer literal is too large (the limit is {})", i64::MAX)
}

/// The value of a literal of magnitude `m`, negated when `negative`, if it fits in an `i64`.
fn int_value(m: Option<u64>, negative: bool) -> Option<i64> {
    let m = m?;
    if negative {
        if m == 1u64 << 63 {
            Some(i64::MIN)
        } else {
            i64::try_from(m).ok().map(|v| -v)
        }
    } else {
        i64::try_from(m).ok()
    }
}
