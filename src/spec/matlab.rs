//! MATLAB code import and export: the studio reads the layer array and `trainingOptions` of a
//! MATLAB script as users write them (Deep Learning Toolbox, `lstmLayer` workflow) and writes a
//! project back as a readable script that MATLAB runs and this module reads back unchanged.
//!
//! # What [`import_matlab`] reads
//!
//! - numeric and text variables: `numHiddenUnits = 100;`, `x = [1 2 1 1];`, `mode = 'last';`,
//!   with arithmetic (`+ - * / ^ .* ./ .^`, unary minus, transpose `'`, ranges `a:b`),
//!   the constants `Inf`, `NaN`, `pi`, `eps`, `true`, `false`, `newline` and the functions
//!   `zeros`, `ones`, `round`, `floor`, `ceil`, `fix`, `abs`, `sqrt`, `char`, `string`,
//!   `categorical`, `cellstr`, and indexing `x(i)` of a numeric vector or a layer array;
//! - layer arrays `anyName = [ … ]` (rows separated by newlines, `;` or `,`, `...`
//!   continuations, `%` comments and `%{ … %}` blocks, concatenation of arrays held in
//!   variables) built from `sequenceInputLayer`, `lstmLayer`, `bilstmLayer`, `gruLayer`,
//!   `fullyConnectedLayer`, `dropoutLayer`, `softmaxLayer`, `classificationLayer` and
//!   `regressionLayer`, with positional arguments and name-value pairs (`'Name',value` or
//!   `Name=value`; names case-insensitive; single or double quotes);
//! - `options = trainingOptions(solver, …)` with every option of the reference's §4 table, and
//!   `options.MaxEpochs = 50;` field assignments.
//!
//! Values are kept as given (a factor `[1 2]` stays `[1 2]`): the spec's validation
//! ([`crate::spec::analyze`], [`TrainingOptions::validate`]) reports them. An explicit `'Name'`
//! is kept; otherwise the name stays empty and the spec assigns MATLAB's automatic names.
//! Layer properties that are absent keep MATLAB's defaults; trainingOptions that are absent keep
//! MATLAB's defaults too (so no `'Plots'` means `'none'`). `ResetGateMode` is read on `gruLayer`
//! only; `CellState` is also accepted on `gruLayer` (which has none) so that the spec's
//! validation can report it.
//!
//! # The statement rule
//!
//! The code is split into statements (at newlines, `;` and `,` outside brackets). Then:
//!
//! 1. A statement is *network code* when it calls a layer constructor (any function whose name
//!    ends in `Layer`, so an unsupported layer such as `reluLayer` is an error, not a skip) or
//!    `trainingOptions`, or when it changes a variable that holds a layer array or training
//!    options in any way other than a plain assignment (`options.MaxEpochs = 50` is read;
//!    `layers(2) = …` is an error). Network code must be `name = …` (or `options.Option = …`)
//!    and must be fully understood: an unknown layer, an unknown property, a value of the wrong
//!    type, an undefined variable, … is an error with its line and column.
//! 2. Any other plain assignment `name = expression` is evaluated when it is made only of what
//!    the importer understands (see above). When it is not (`numFeatures = size(XTrain{1},1)`,
//!    `net = trainNetwork(…)`), it is ignored with a note and `name` has no value: network code
//!    that uses it is an error that names the ignored line.
//! 3. Every other statement (`[XTrain,YTrain] = japaneseVowelsTrainData;`, `figure`,
//!    `plot(…)`, `disp(…)`, command syntax such as `load data.mat` or `hold on`, and whole
//!    `for`/`if`/`while`/`switch`/`try`/`function` blocks) is ignored with a note
//!    "line N: ignored `…` (not network code)". Network code inside such a block is an error:
//!    the importer reads straight-line code only.
//!
//! Code with neither a layer array nor `trainingOptions` is an error (line 1, column 1).
//!
//! `'ValidationData'` (and trainingOptions that have no effect in the studio: `OutputFcn`,
//! `Metrics`, `DispatchInBackground`, `WorkerLoad`, `InputDataFormats`, `TargetDataFormats`)
//! become notes: the data is chosen in the studio.
//!
//! When several variables hold layer arrays, the network is the last one assigned; earlier
//! arrays that it does not use are noted. The same holds for training options.
//!
//! # Export
//!
//! [`export_matlab`] writes a `%` header, `layers = [ … ];` with one constructor per line and
//! only the non-default properties, and `options = trainingOptions(…)` with only the options
//! that differ from MATLAB's defaults. What MATLAB's `trainingOptions` would refuse — options of
//! another solver (e.g. `Momentum` with `'adam'`) and the studio's own options (`Seed`,
//! `SortByLength`, `ValidationFraction`) — goes into one comment line
//! `% LSTM Studio options: 'Seed',42, …` that MATLAB skips and the importer reads, so
//! `import_matlab(&export_matlab(&p))` gives back `p.layers` and `p.training` exactly.

use std::collections::HashMap;

use super::layers::{
    BiasInitializer, FullyConnectedSpec, GateActivation, GateFactor, LayerKind, LayerSpec,
    LayerType, OutputMode, RecurrentSpec, ResetGateMode, SequenceInputSpec, StateActivation,
    WeightsInitializer,
};
use super::project::Project;
use super::training::{
    ExecutionEnvironment, GradientThresholdMethod, LearnRateSchedule, OutputNetwork,
    PaddingDirection, SequenceLength, Shuffle, Solver, TrainingOptions,
};
use crate::data::Normalization;

/// What an import found: the layer array, the training options, and notes on what was ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The layer array (empty when the code has only trainingOptions).
    pub layers: Vec<LayerSpec>,
    /// The training options, when the code calls `trainingOptions`.
    pub training: Option<TrainingOptions>,
    /// What was ignored or not imported, one line each (`line N: …`).
    pub notes: Vec<String>,
}

/// Why MATLAB code could not be imported, with a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct MatlabError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The comment that carries what MATLAB's trainingOptions would refuse.
const STUDIO_PREFIX: &str = "LSTM Studio options:";
/// Deepest nesting of brackets and unary operators the parser follows.
const MAX_NESTING: usize = 64;
/// Deepest expression tree (keeps evaluation and dropping shallow).
const MAX_TREE_DEPTH: usize = 128;
/// Largest numeric or text value, in elements.
const MAX_ELEMENTS: usize = 1_000_000;
/// Largest layer array.
const MAX_LAYERS: usize = 10_000;
/// Largest integer that converts exactly from a MATLAB double.
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

type Result<T> = std::result::Result<T, MatlabError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos {
    line: usize,
    col: usize,
}

fn err(pos: Pos, message: impl Into<String>) -> MatlabError {
    MatlabError {
        line: pos.line,
        column: pos.col,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Num { value: f64, raw: String },
    Str { text: String, string: bool },
    Op(&'static str),
    Newline,
    Other(char),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    pos: Pos,
    /// The source text of the token.
    text: String,
    /// Whether whitespace (or a continuation, or a comment) precedes it.
    space: bool,
}

const OPS: [&str; 34] = [
    "==", "~=", "<=", ">=", "&&", "||", ".*", "./", ".\\", ".^", ".'", "(", ")", "[", "]", "{",
    "}", ",", ";", "=", "<", ">", "&", "|", "+", "-", "*", "/", "\\", "^", ".", ":", "@", "~",
];

struct Lexed {
    tokens: Vec<Token>,
    /// `% LSTM Studio options:` comments: the text after the prefix and where it starts.
    studio: Vec<(String, Pos)>,
}

fn transpose_follows(prev: Option<&Token>, space: bool) -> bool {
    !space
        && match prev.map(|t| &t.tok) {
            Some(Tok::Ident(_) | Tok::Num { .. }) => true,
            Some(Tok::Op(o)) => matches!(*o, ")" | "]" | "}" | "'" | ".'"),
            _ => false,
        }
}

fn lex(src: &str, origin: Pos) -> Result<Lexed> {
    let chars: Vec<char> = src.chars().collect();
    let at = |k: usize| chars.get(k).copied();
    let line_end = |from: usize| {
        (from..chars.len())
            .find(|&k| chars.get(k) == Some(&'\n'))
            .unwrap_or(chars.len())
    };
    let text_of = |a: usize, b: usize| {
        chars
            .get(a..b)
            .map(|s| s.iter().collect::<String>())
            .unwrap_or_default()
    };

    let mut tokens: Vec<Token> = Vec::new();
    let mut studio = Vec::new();
    let (mut i, mut line, mut col) = (0usize, origin.line, origin.col);
    let mut space = false;
    let mut line_start = true;
    while let Some(c) = at(i) {
        if line_start {
            line_start = false;
            let first_line = text_of(i, line_end(i));
            if first_line.trim() == "%{" {
                // A block comment: `%{` and `%}` alone on their lines, nested blocks allowed.
                let open = Pos {
                    line,
                    col: col + first_line.chars().take_while(|c| c.is_whitespace()).count(),
                };
                let mut depth = 0usize;
                let mut j = i;
                loop {
                    let e = line_end(j);
                    let t = text_of(j, e);
                    if t.trim() == "%{" {
                        depth += 1;
                    } else if t.trim() == "%}" {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            i = e;
                            col += e - j;
                            break;
                        }
                    }
                    if e >= chars.len() {
                        return Err(err(
                            open,
                            "unterminated block comment: `%{` has no matching `%}`",
                        ));
                    }
                    j = e + 1;
                    line += 1;
                    col = 1;
                }
                space = true;
                continue;
            }
        }
        let pos = Pos { line, col };
        let start = i;
        let tok = match c {
            '\n' => {
                i += 1;
                Tok::Newline
            }
            ' ' | '\t' | '\r' | '\u{feff}' | '\u{a0}' => {
                i += 1;
                col += 1;
                space = true;
                continue;
            }
            '%' => {
                let e = line_end(i);
                let comment = text_of(i + 1, e);
                if let Some(rest) = comment.trim_start().strip_prefix(STUDIO_PREFIX) {
                    let before = comment.chars().count() - rest.chars().count();
                    studio.push((
                        rest.to_string(),
                        Pos {
                            line,
                            col: col + 1 + before,
                        },
                    ));
                }
                col += e - i;
                i = e;
                space = true;
                continue;
            }
            '.' if at(i + 1) == Some('.') && at(i + 2) == Some('.') => {
                // Continuation: the rest of the line is a comment and the line break is not one.
                let e = line_end(i);
                i = e;
                if at(i) == Some('\n') {
                    i += 1;
                    line += 1;
                    col = 1;
                } else {
                    col += e - start;
                }
                space = true;
                continue;
            }
            c if c.is_ascii_alphabetic() => {
                while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    i += 1;
                }
                Tok::Ident(text_of(start, i))
            }
            c if c.is_ascii_digit()
                || (c == '.' && at(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                while at(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
                if at(i) == Some('.')
                    && !matches!(at(i + 1), Some('*' | '/' | '\\' | '^' | '\'' | '.'))
                {
                    i += 1;
                    while at(i).is_some_and(|c| c.is_ascii_digit()) {
                        i += 1;
                    }
                }
                if matches!(at(i), Some('e' | 'E' | 'd' | 'D')) {
                    let mut j = i + 1;
                    if matches!(at(j), Some('+' | '-')) {
                        j += 1;
                    }
                    if at(j).is_some_and(|c| c.is_ascii_digit()) {
                        i = j;
                        while at(i).is_some_and(|c| c.is_ascii_digit()) {
                            i += 1;
                        }
                    }
                }
                let raw = text_of(start, i);
                let value = raw
                    .replace(['d', 'D'], "e")
                    .parse::<f64>()
                    .map_err(|_| err(pos, format!("`{raw}` is not a number")))?;
                Tok::Num { value, raw }
            }
            '\'' if transpose_follows(tokens.last(), space) => {
                i += 1;
                Tok::Op("'")
            }
            '\'' | '"' => {
                let mut text = String::new();
                let mut j = i + 1;
                loop {
                    match at(j) {
                        None | Some('\n') => {
                            let kind = if c == '"' {
                                "string"
                            } else {
                                "character vector"
                            };
                            return Err(err(
                                pos,
                                format!("unterminated {kind}: the quote {c} is never closed"),
                            ));
                        }
                        Some(q) if q == c => {
                            if at(j + 1) == Some(c) {
                                text.push(c);
                                j += 2;
                            } else {
                                j += 1;
                                break;
                            }
                        }
                        Some(other) => {
                            text.push(other);
                            j += 1;
                        }
                    }
                }
                i = j;
                Tok::Str {
                    text,
                    string: c == '"',
                }
            }
            _ => {
                let op = OPS
                    .iter()
                    .find(|op| op.chars().enumerate().all(|(k, oc)| at(i + k) == Some(oc)));
                match op {
                    Some(op) => {
                        i += op.chars().count();
                        Tok::Op(op)
                    }
                    None => {
                        i += 1;
                        Tok::Other(c)
                    }
                }
            }
        };
        let text = text_of(start, i);
        if tok == Tok::Newline {
            line += 1;
            col = 1;
            line_start = true;
        } else {
            col += i - start;
        }
        tokens.push(Token {
            tok,
            pos,
            text,
            space,
        });
        space = false;
    }
    Ok(Lexed { tokens, studio })
}

/// Splits tokens into statements at top-level newlines, `;` and `,`, checking brackets.
fn split_statements(tokens: Vec<Token>) -> Result<Vec<Vec<Token>>> {
    let mut out = Vec::new();
    let mut cur: Vec<Token> = Vec::new();
    let mut stack: Vec<(&'static str, Pos)> = Vec::new();
    for t in tokens {
        match t.tok {
            Tok::Op(o @ ("(" | "[" | "{")) => stack.push((o, t.pos)),
            Tok::Op(c @ (")" | "]" | "}")) => {
                let want = match c {
                    ")" => "(",
                    "]" => "[",
                    _ => "{",
                };
                match stack.pop() {
                    Some((o, _)) if o == want => {}
                    Some((o, p)) => {
                        return Err(err(
                            t.pos,
                            format!(
                                "`{c}` does not close `{o}` (line {}, column {})",
                                p.line, p.col
                            ),
                        ));
                    }
                    None => return Err(err(t.pos, format!("unexpected `{c}`: nothing to close"))),
                }
            }
            _ => {}
        }
        if stack.is_empty() && matches!(t.tok, Tok::Newline | Tok::Op(";" | ",")) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(t);
        }
    }
    if let Some((o, p)) = stack.last() {
        let close = match *o {
            "(" => ")",
            "[" => "]",
            _ => "}",
        };
        return Err(err(
            *p,
            format!("unterminated `{o}`: no matching `{close}`"),
        ));
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// The statement's source, on one line, shortened for notes and messages.
fn statement_text(toks: &[Token]) -> String {
    let mut s = String::new();
    for (k, t) in toks.iter().enumerate() {
        if k > 0 && (t.space || t.tok == Tok::Newline) {
            s.push(' ');
        }
        if t.tok != Tok::Newline {
            s.push_str(&t.text);
        }
    }
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(59).collect::<String>())
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Parser

#[derive(Clone, Debug)]
struct Expr {
    pos: Pos,
    depth: usize,
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    Num {
        value: f64,
        raw: String,
    },
    Str {
        text: String,
        string: bool,
    },
    Ident(String),
    Call {
        name: String,
        args: Vec<Arg>,
    },
    Matrix(Vec<Vec<Expr>>),
    Cell(Vec<Vec<Expr>>),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Transpose(Box<Expr>),
    /// `base.field` (not evaluated; kept for the message).
    Field(String),
    /// `base{…}` (not evaluated): the base's name when it is a name.
    CellIndex(Option<String>),
    Colon,
    End,
}

#[derive(Clone, Debug)]
enum Arg {
    /// A positional argument (a value, or a property name followed by its value).
    Pos(Expr),
    /// `Name=value`.
    Named { name: String, pos: Pos, value: Expr },
}

impl Arg {
    fn depth(&self) -> usize {
        match self {
            Arg::Pos(e) | Arg::Named { value: e, .. } => e.depth,
        }
    }
}

fn node(pos: Pos, kind: Kind, child_depth: usize) -> Result<Expr> {
    let depth = child_depth + 1;
    if depth > MAX_TREE_DEPTH {
        return Err(err(pos, "the expression is too long or nested too deeply"));
    }
    Ok(Expr { pos, depth, kind })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Inside `( )` or a statement: whitespace and newlines are insignificant.
    Paren,
    /// Inside `[ ]` or `{ }`: whitespace separates elements, newlines separate rows.
    Matrix,
}

fn binary_precedence(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "&" => 4,
        "==" | "~=" | "<" | "<=" | ">" | ">=" => 5,
        ":" => 6,
        "+" | "-" => 7,
        "*" | "/" | "\\" | ".*" | "./" | ".\\" => 8,
        "^" | ".^" => 10,
        _ => return None,
    })
}

struct Parser<'t> {
    toks: &'t [Token],
    i: usize,
    modes: Vec<Mode>,
    nesting: usize,
    /// Where the tokens end, for "expected …" at the end.
    end: Pos,
}

impl<'t> Parser<'t> {
    fn new(toks: &'t [Token], end: Pos) -> Self {
        Self {
            toks,
            i: 0,
            modes: vec![Mode::Paren],
            nesting: 0,
            end,
        }
    }

    fn mode(&self) -> Mode {
        self.modes.last().copied().unwrap_or(Mode::Paren)
    }

    fn skip_newlines(&mut self) {
        if self.mode() == Mode::Paren {
            while self.toks.get(self.i).is_some_and(|t| t.tok == Tok::Newline) {
                self.i += 1;
            }
        }
    }

    fn peek(&mut self) -> Option<&'t Token> {
        self.skip_newlines();
        self.toks.get(self.i)
    }

    fn peek_op(&mut self) -> Option<&'static str> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Op(o)) => Some(o),
            _ => None,
        }
    }

    /// The token after the next one, skipping newlines in paren mode.
    fn peek_second(&mut self) -> Option<&'t Token> {
        self.skip_newlines();
        let mut j = self.i + 1;
        if self.mode() == Mode::Paren {
            while self.toks.get(j).is_some_and(|t| t.tok == Tok::Newline) {
                j += 1;
            }
        }
        self.toks.get(j)
    }

    fn here(&mut self) -> Pos {
        let end = self.end;
        self.peek().map_or(end, |t| t.pos)
    }

    fn unexpected(&mut self, what: &str) -> MatlabError {
        match self.peek() {
            Some(t) => err(t.pos, format!("expected {what}, found `{}`", t.text)),
            None => err(
                self.end,
                format!("expected {what}, found the end of the statement"),
            ),
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(err(self.here(), "the expression is nested too deeply"));
        }
        Ok(())
    }

    /// A whole statement's right-hand side: one expression and nothing after it.
    fn parse_all(&mut self) -> Result<Expr> {
        let e = self.parse_expr()?;
        match self.peek() {
            Some(t) => Err(err(t.pos, format!("unexpected `{}`", t.text))),
            None => Ok(e),
        }
    }

    fn parse_expr(&mut self) -> Result<Expr> {
        self.enter()?;
        let e = self.parse_binary(0)?;
        self.nesting -= 1;
        Ok(e)
    }

    fn parse_binary(&mut self, min: u8) -> Result<Expr> {
        let mut lhs = self.parse_unary()?;
        while let Some(t) = self.peek() {
            let Tok::Op(op) = t.tok else { break };
            let Some(p) = binary_precedence(op) else {
                break;
            };
            if p < min {
                break;
            }
            // `[a -b]` is two elements, `[a - b]` and `[a-b]` one.
            if self.mode() == Mode::Matrix
                && matches!(op, "+" | "-")
                && t.space
                && self.toks.get(self.i + 1).is_some_and(|n| !n.space)
            {
                break;
            }
            self.i += 1;
            let rhs = self.parse_binary(p + 1)?;
            let d = lhs.depth.max(rhs.depth);
            lhs = node(t.pos, Kind::Binary(op, Box::new(lhs), Box::new(rhs)), d)?;
        }
        Ok(lhs)
    }

    fn parse_unary(&mut self) -> Result<Expr> {
        if let Some(t) = self.peek()
            && let Tok::Op(op @ ("-" | "+" | "~")) = t.tok
        {
            self.i += 1;
            self.enter()?;
            let e = self.parse_binary(10)?;
            self.nesting -= 1;
            let d = e.depth;
            return node(t.pos, Kind::Unary(op, Box::new(e)), d);
        }
        self.parse_postfix()
    }

    fn parse_postfix(&mut self) -> Result<Expr> {
        let mut e = self.parse_primary()?;
        while let Some(t) = self.toks.get(self.i) {
            let adjacent = !(self.mode() == Mode::Matrix && t.space);
            match t.tok {
                Tok::Op("'" | ".'") => {
                    self.i += 1;
                    let d = e.depth;
                    e = node(e.pos, Kind::Transpose(Box::new(e)), d)?;
                }
                Tok::Op("(") if adjacent => {
                    let Kind::Ident(name) = &e.kind else {
                        return Err(err(
                            t.pos,
                            "indexing the result of an expression is not supported",
                        ));
                    };
                    let name = name.clone();
                    let args = self.parse_args(")")?;
                    let d = args.iter().map(Arg::depth).max().unwrap_or(0);
                    e = node(e.pos, Kind::Call { name, args }, d)?;
                }
                Tok::Op("{") if adjacent => {
                    let args = self.parse_args("}")?;
                    let d = args.iter().map(Arg::depth).max().unwrap_or(0).max(e.depth);
                    let base = match e.kind {
                        Kind::Ident(name) => Some(name),
                        _ => None,
                    };
                    e = node(e.pos, Kind::CellIndex(base), d)?;
                }
                Tok::Op(".") => match self.toks.get(self.i + 1) {
                    Some(Token {
                        tok: Tok::Ident(f), ..
                    }) => {
                        self.i += 2;
                        let d = e.depth;
                        e = node(e.pos, Kind::Field(f.clone()), d)?;
                    }
                    _ => return Err(err(t.pos, "expected a field name after `.`")),
                },
                _ => break,
            }
        }
        Ok(e)
    }

    fn parse_primary(&mut self) -> Result<Expr> {
        let Some(t) = self.peek() else {
            return Err(err(
                self.end,
                "expected a value, found the end of the statement",
            ));
        };
        match &t.tok {
            Tok::Num { value, raw } => {
                self.i += 1;
                node(
                    t.pos,
                    Kind::Num {
                        value: *value,
                        raw: raw.clone(),
                    },
                    0,
                )
            }
            Tok::Str { text, string } => {
                self.i += 1;
                node(
                    t.pos,
                    Kind::Str {
                        text: text.clone(),
                        string: *string,
                    },
                    0,
                )
            }
            Tok::Ident(name) if name == "end" => {
                self.i += 1;
                node(t.pos, Kind::End, 0)
            }
            Tok::Ident(name) => {
                self.i += 1;
                node(t.pos, Kind::Ident(name.clone()), 0)
            }
            Tok::Op("(") => {
                self.i += 1;
                self.modes.push(Mode::Paren);
                let e = self.parse_expr()?;
                if self.peek_op() != Some(")") {
                    return Err(self.unexpected("`)`"));
                }
                self.i += 1;
                self.modes.pop();
                Ok(e)
            }
            Tok::Op(open @ ("[" | "{")) => {
                let close = if *open == "[" { "]" } else { "}" };
                let rows = self.parse_matrix(t, close)?;
                let d = rows.iter().flatten().map(|e| e.depth).max().unwrap_or(0);
                let kind = if close == "]" {
                    Kind::Matrix(rows)
                } else {
                    Kind::Cell(rows)
                };
                node(t.pos, kind, d)
            }
            Tok::Op(":")
                if matches!(
                    self.peek_second().map(|n| &n.tok),
                    Some(Tok::Op("," | ")")) | None
                ) =>
            {
                self.i += 1;
                node(t.pos, Kind::Colon, 0)
            }
            Tok::Op("@") => Err(err(t.pos, "function handles (`@…`) are not supported")),
            _ => Err(err(t.pos, format!("expected a value, found `{}`", t.text))),
        }
    }

    fn parse_matrix(&mut self, open: &Token, close: &str) -> Result<Vec<Vec<Expr>>> {
        self.i += 1;
        self.modes.push(Mode::Matrix);
        let mut rows: Vec<Vec<Expr>> = vec![Vec::new()];
        loop {
            let Some(t) = self.toks.get(self.i) else {
                return Err(err(
                    open.pos,
                    format!("unterminated `{}`: no matching `{close}`", open.text),
                ));
            };
            match &t.tok {
                Tok::Op(c) if *c == close => {
                    self.i += 1;
                    break;
                }
                Tok::Op(",") => self.i += 1,
                Tok::Op(";") | Tok::Newline => {
                    self.i += 1;
                    if rows.last().is_some_and(|r| !r.is_empty()) {
                        rows.push(Vec::new());
                    }
                }
                _ => {
                    let e = self.parse_expr()?;
                    if let Some(r) = rows.last_mut() {
                        r.push(e);
                    }
                }
            }
        }
        if rows.last().is_some_and(Vec::is_empty) {
            rows.pop();
        }
        self.modes.pop();
        Ok(rows)
    }

    /// `( args )` or `{ args }`, the opener being the next token.
    fn parse_args(&mut self, close: &'static str) -> Result<Vec<Arg>> {
        self.i += 1;
        self.modes.push(Mode::Paren);
        let args = self.parse_arg_list(Some(close))?;
        self.modes.pop();
        Ok(args)
    }

    /// Comma-separated arguments up to `close` (consumed), or to the end of the tokens.
    fn parse_arg_list(&mut self, close: Option<&'static str>) -> Result<Vec<Arg>> {
        let mut args = Vec::new();
        if close.is_some() && self.peek_op() == close {
            self.i += 1;
            return Ok(args);
        }
        if close.is_none() && self.peek().is_none() {
            return Ok(args);
        }
        loop {
            let named = match (self.peek(), self.peek_second()) {
                (
                    Some(Token {
                        tok: Tok::Ident(name),
                        pos,
                        ..
                    }),
                    Some(Token {
                        tok: Tok::Op("="), ..
                    }),
                ) => Some((name.clone(), *pos)),
                _ => None,
            };
            if let Some((name, pos)) = named {
                self.skip_newlines();
                self.i += 1;
                self.skip_newlines();
                self.i += 1;
                let value = self.parse_expr()?;
                args.push(Arg::Named { name, pos, value });
            } else {
                args.push(Arg::Pos(self.parse_expr()?));
            }
            match (self.peek_op(), close) {
                (Some(","), _) => self.i += 1,
                (Some(c), Some(want)) if c == want => {
                    self.i += 1;
                    break;
                }
                (_, None) if self.peek().is_none() => break,
                (_, Some(want)) => return Err(self.unexpected(&format!("`,` or `{want}`"))),
                (_, None) => return Err(self.unexpected("`,`")),
            }
        }
        Ok(args)
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// A numeric array, row-major.
#[derive(Clone, Debug, PartialEq)]
struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Mat {
    fn scalar(v: f64) -> Self {
        Self {
            rows: 1,
            cols: 1,
            data: vec![v],
        }
    }

    fn empty() -> Self {
        Self {
            rows: 0,
            cols: 0,
            data: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn as_scalar(&self) -> Option<f64> {
        if self.data.len() == 1 {
            self.data.first().copied()
        } else {
            None
        }
    }

    fn row(&self, r: usize) -> &[f64] {
        self.data
            .get(r * self.cols..(r + 1) * self.cols)
            .unwrap_or(&[])
    }

    /// MATLAB's linear (column-major) order.
    fn column_major(&self) -> Vec<f64> {
        if self.data.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(self.data.len());
        for c in 0..self.cols {
            for r in 0..self.rows {
                if let Some(v) = self.data.get(r * self.cols + c) {
                    out.push(*v);
                }
            }
        }
        out
    }

    fn transposed(&self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            data: self.column_major(),
        }
    }

    fn map(&self, f: impl Fn(f64) -> f64) -> Self {
        Self {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(|v| f(*v)).collect(),
        }
    }
}

#[derive(Clone, Debug)]
enum Value {
    Num(Mat),
    /// A character vector (`'…'`) or a string scalar (`"…"`).
    Str {
        text: String,
        string: bool,
    },
    /// A string array or a cell array of text.
    StrList(Vec<String>),
    Layers(Vec<LayerSpec>),
    Options(Box<TrainingOptions>),
}

impl Value {
    fn num(v: f64) -> Self {
        Value::Num(Mat::scalar(v))
    }

    fn size(&self) -> usize {
        match self {
            Value::Num(m) => m.data.len(),
            Value::Str { text, .. } => text.chars().count(),
            Value::StrList(l) => l.len(),
            Value::Layers(l) => l.len(),
            Value::Options(_) => 1,
        }
    }

    fn describe(&self) -> String {
        match self {
            Value::Num(m) => match (m.as_scalar(), m.data.len()) {
                (Some(v), _) => num(v),
                (None, 0) => "[]".into(),
                (None, n) if n <= 8 && (m.rows == 1 || m.cols == 1) => {
                    let sep = if m.rows == 1 { " " } else { ";" };
                    format!(
                        "[{}]",
                        m.data.iter().map(|v| num(*v)).collect::<Vec<_>>().join(sep)
                    )
                }
                _ => format!("a {}×{} matrix", m.rows, m.cols),
            },
            Value::Str { text, .. } => {
                let short: String = text.chars().take(40).collect();
                format!("text '{short}'")
            }
            Value::StrList(_) => "a list of text".into(),
            Value::Layers(l) if l.len() == 1 => "a layer".into(),
            Value::Layers(_) => "a layer array".into(),
            Value::Options(_) => "training options".into(),
        }
    }
}

fn to_scalar(v: &Value, p: Pos, prop: &str) -> Result<f64> {
    match v {
        Value::Num(m) if m.as_scalar().is_some() => Ok(m.as_scalar().unwrap_or_default()),
        _ => Err(err(
            p,
            format!("`{prop}` must be a number, got {}", v.describe()),
        )),
    }
}

fn to_count(v: &Value, p: Pos, prop: &str) -> Result<usize> {
    let x = match v {
        Value::Num(m) => m.as_scalar(),
        _ => None,
    };
    match x {
        Some(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= MAX_EXACT_INT => {
            Ok(x as usize)
        }
        _ => Err(err(
            p,
            format!("`{prop}` must be a positive integer, got {}", v.describe()),
        )),
    }
}

fn to_vector(v: &Value, p: Pos, prop: &str) -> Result<Vec<f64>> {
    match v {
        Value::Num(m) => Ok(m.column_major()),
        _ => Err(err(
            p,
            format!(
                "`{prop}` must be a number or a vector of numbers, got {}",
                v.describe()
            ),
        )),
    }
}

fn to_text(v: &Value, p: Pos, prop: &str) -> Result<String> {
    match v {
        Value::Str { text, .. } => Ok(text.clone()),
        Value::StrList(l) if l.len() == 1 => Ok(l.first().cloned().unwrap_or_default()),
        _ => Err(err(
            p,
            format!("`{prop}` must be text in quotes, got {}", v.describe()),
        )),
    }
}

fn to_bool(v: &Value, p: Pos, prop: &str) -> Result<bool> {
    match v {
        Value::Num(m) if m.as_scalar() == Some(1.0) => Ok(true),
        Value::Num(m) if m.as_scalar() == Some(0.0) => Ok(false),
        _ => Err(err(
            p,
            format!(
                "`{prop}` must be true or false (1 or 0), got {}",
                v.describe()
            ),
        )),
    }
}

fn choices<T>(table: &[(&'static str, T)]) -> String {
    let mut names: Vec<String> = Vec::new();
    for (n, _) in table {
        let q = format!("'{n}'");
        if !names.contains(&q) {
            names.push(q);
        }
    }
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn pick<T: Copy>(v: &Value, p: Pos, prop: &str, table: &[(&'static str, T)]) -> Result<T> {
    let text = to_text(v, p, prop).map_err(|_| {
        err(
            p,
            format!("`{prop}` must be {}, got {}", choices(table), v.describe()),
        )
    })?;
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(text.trim()))
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            err(
                p,
                format!("`{prop}` must be {}, got '{text}'", choices(table)),
            )
        })
}

fn name_in<T: PartialEq>(table: &[(&'static str, T)], v: T) -> &'static str {
    table.iter().find(|(_, t)| *t == v).map_or("", |(n, _)| n)
}

fn table_of<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<(&'static str, T)> {
    all.iter().map(|v| (name(*v), *v)).collect()
}

const SOLVERS: &[(&str, Solver)] = &[
    ("sgdm", Solver::Sgdm),
    ("adam", Solver::Adam),
    ("rmsprop", Solver::Rmsprop),
];
const SHUFFLES: &[(&str, Shuffle)] = &[
    ("once", Shuffle::Once),
    ("never", Shuffle::Never),
    ("every-epoch", Shuffle::EveryEpoch),
];
const SCHEDULES: &[(&str, LearnRateSchedule)] = &[
    ("none", LearnRateSchedule::None),
    ("piecewise", LearnRateSchedule::Piecewise),
];
const THRESHOLD_METHODS: &[(&str, GradientThresholdMethod)] = &[
    ("l2norm", GradientThresholdMethod::L2norm),
    ("global-l2norm", GradientThresholdMethod::GlobalL2norm),
    ("absolute-value", GradientThresholdMethod::AbsoluteValue),
];
const SEQUENCE_LENGTHS: &[(&str, SequenceLength)] = &[
    ("longest", SequenceLength::Longest),
    ("shortest", SequenceLength::Shortest),
];
const DIRECTIONS: &[(&str, PaddingDirection)] = &[
    ("right", PaddingDirection::Right),
    ("left", PaddingDirection::Left),
];
const OUTPUT_NETWORKS: &[(&str, OutputNetwork)] = &[
    ("last-iteration", OutputNetwork::LastIteration),
    ("best-validation-loss", OutputNetwork::BestValidationLoss),
    ("best-validation", OutputNetwork::BestValidationLoss),
];
const ENVIRONMENTS: &[(&str, ExecutionEnvironment)] = &[
    ("auto", ExecutionEnvironment::Auto),
    ("cpu", ExecutionEnvironment::Cpu),
    ("gpu", ExecutionEnvironment::Gpu),
];
const PLOTS: &[(&str, bool)] = &[("training-progress", true), ("none", false)];

/// trainingOptions' options, as MATLAB spells them (reference §4).
const OPTION_NAMES: &[&str] = &[
    "InitialLearnRate",
    "Momentum",
    "GradientDecayFactor",
    "SquaredGradientDecayFactor",
    "Epsilon",
    "MaxEpochs",
    "MiniBatchSize",
    "Shuffle",
    "LearnRateSchedule",
    "LearnRateDropFactor",
    "LearnRateDropPeriod",
    "L2Regularization",
    "GradientThreshold",
    "GradientThresholdMethod",
    "SequenceLength",
    "SequencePaddingValue",
    "SequencePaddingDirection",
    "ValidationFrequency",
    "ValidationPatience",
    "OutputNetwork",
    "ExecutionEnvironment",
    "CheckpointPath",
    "Verbose",
    "VerboseFrequency",
    "Plots",
];
/// The studio's own options, read only from the `% LSTM Studio options:` comment.
const STUDIO_OPTION_NAMES: &[&str] = &["Seed", "SortByLength", "ValidationFraction"];
/// trainingOptions that are noted, not imported (their value is not evaluated).
const NOT_IMPORTED_OPTIONS: &[&str] = &[
    "ValidationData",
    "OutputFcn",
    "DispatchInBackground",
    "WorkerLoad",
    "Metrics",
    "InputDataFormats",
    "TargetDataFormats",
];

/// The property filled by a layer constructor's leading number, and whether it is required.
fn leading_property(ty: LayerType) -> Option<(&'static str, bool)> {
    match ty {
        LayerType::SequenceInput => Some(("InputSize", true)),
        LayerType::Lstm | LayerType::Bilstm | LayerType::Gru => Some(("NumHiddenUnits", true)),
        LayerType::FullyConnected => Some(("OutputSize", true)),
        LayerType::Dropout => Some(("Probability", false)),
        LayerType::Softmax | LayerType::Classification | LayerType::Regression => None,
    }
}

fn is_layer_like(name: &str) -> bool {
    name.len() > 5 && name.ends_with("Layer")
}

fn unknown_layer(name: &str, pos: Pos) -> MatlabError {
    let all: Vec<&str> = LayerType::ALL.iter().map(|t| t.constructor()).collect();
    let hint = all
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name))
        .map(|c| format!(" (did you mean `{c}`? MATLAB names are case-sensitive)"))
        .unwrap_or_default();
    let (last, rest) = all.split_last().map_or(("", &[][..]), |(l, r)| (*l, r));
    err(
        pos,
        format!(
            "unknown layer `{name}`{hint}: LSTM Studio supports {} and {last}",
            rest.join(", ")
        ),
    )
}

fn input_size(v: &Value, p: Pos) -> Result<Option<usize>> {
    match v {
        Value::Str { text, .. } if text.eq_ignore_ascii_case("auto") => Ok(None),
        Value::Num(_) => to_count(v, p, "InputSize").map(Some),
        _ => Err(err(
            p,
            format!(
                "`InputSize` must be a positive integer or 'auto', got {}",
                v.describe()
            ),
        )),
    }
}

fn set_recurrent(r: &mut RecurrentSpec, prop: &str, v: &Value, p: Pos) -> Result<()> {
    match prop {
        "InputSize" => r.input_size = input_size(v, p)?,
        "NumHiddenUnits" => r.num_hidden_units = to_count(v, p, prop)?,
        "OutputMode" => {
            r.output_mode = pick(
                v,
                p,
                prop,
                &table_of(OutputMode::ALL, OutputMode::matlab_name),
            )?
        }
        "StateActivationFunction" => {
            r.state_activation = pick(
                v,
                p,
                prop,
                &table_of(StateActivation::ALL, StateActivation::matlab_name),
            )?;
        }
        "GateActivationFunction" => {
            r.gate_activation = pick(
                v,
                p,
                prop,
                &table_of(GateActivation::ALL, GateActivation::matlab_name),
            )?;
        }
        "InputWeightsInitializer" => {
            r.input_weights_initializer = pick(
                v,
                p,
                prop,
                &table_of(WeightsInitializer::ALL, WeightsInitializer::matlab_name),
            )?;
        }
        "RecurrentWeightsInitializer" => {
            r.recurrent_weights_initializer = pick(
                v,
                p,
                prop,
                &table_of(WeightsInitializer::ALL, WeightsInitializer::matlab_name),
            )?;
        }
        "BiasInitializer" => {
            r.bias_initializer = pick(
                v,
                p,
                prop,
                &table_of(BiasInitializer::ALL, BiasInitializer::matlab_name),
            )?;
        }
        "HiddenState" => r.hidden_state = Some(to_vector(v, p, prop)?),
        "CellState" => r.cell_state = Some(to_vector(v, p, prop)?),
        "ResetGateMode" => {
            r.reset_gate_mode = pick(
                v,
                p,
                prop,
                &table_of(ResetGateMode::ALL, ResetGateMode::matlab_name),
            )?;
        }
        _ => {
            let values = to_vector(v, p, prop)?;
            for (name, factor) in r.factors_mut() {
                if name == prop {
                    *factor = GateFactor(values);
                    return Ok(());
                }
            }
            return Err(err(p, format!("unknown property `{prop}`")));
        }
    }
    Ok(())
}

fn set_layer_property(layer: &mut LayerSpec, prop: &str, v: &Value, p: Pos) -> Result<()> {
    if prop == "Name" {
        layer.name = to_text(v, p, prop)?;
        return Ok(());
    }
    match &mut layer.kind {
        LayerKind::SequenceInput(s) => match prop {
            "InputSize" => s.input_size = to_count(v, p, prop)?,
            "Normalization" => {
                s.normalization = pick(
                    v,
                    p,
                    prop,
                    &table_of(&Normalization::ALL, Normalization::matlab_name),
                )?
            }
            _ => s.min_length = to_count(v, p, prop)?,
        },
        LayerKind::Lstm(r) | LayerKind::Bilstm(r) | LayerKind::Gru(r) => {
            set_recurrent(r, prop, v, p)?
        }
        LayerKind::FullyConnected(f) => match prop {
            "InputSize" => f.input_size = input_size(v, p)?,
            "OutputSize" => f.output_size = to_count(v, p, prop)?,
            "WeightsLearnRateFactor" => f.weights_learn_rate_factor = to_scalar(v, p, prop)?,
            "BiasLearnRateFactor" => f.bias_learn_rate_factor = to_scalar(v, p, prop)?,
            "WeightsL2Factor" => f.weights_l2_factor = to_scalar(v, p, prop)?,
            "BiasL2Factor" => f.bias_l2_factor = to_scalar(v, p, prop)?,
            "WeightsInitializer" => {
                f.weights_initializer = pick(
                    v,
                    p,
                    prop,
                    &table_of(WeightsInitializer::ALL, WeightsInitializer::matlab_name),
                )?;
            }
            _ => {
                f.bias_initializer = pick(
                    v,
                    p,
                    prop,
                    &table_of(BiasInitializer::ALL, BiasInitializer::matlab_name),
                )?
            }
        },
        LayerKind::Dropout { probability } => *probability = to_scalar(v, p, prop)?,
        LayerKind::Classification { classes } => {
            *classes = match v {
                Value::Str { text, .. } if text.eq_ignore_ascii_case("auto") => None,
                Value::Str { text, .. } => Some(vec![text.clone()]),
                Value::StrList(l) => Some(l.clone()),
                _ => {
                    return Err(err(
                        p,
                        format!(
                            "`Classes` must be 'auto' or a list of class names, got {}",
                            v.describe()
                        ),
                    ));
                }
            };
        }
        LayerKind::Softmax | LayerKind::Regression => {
            return Err(err(p, format!("unknown property `{prop}`")));
        }
    }
    Ok(())
}

fn set_option(o: &mut TrainingOptions, prop: &str, v: &Value, p: Pos) -> Result<()> {
    match prop {
        "InitialLearnRate" => o.initial_learn_rate = Some(to_scalar(v, p, prop)?),
        "Momentum" => o.momentum = to_scalar(v, p, prop)?,
        "GradientDecayFactor" => o.gradient_decay_factor = to_scalar(v, p, prop)?,
        "SquaredGradientDecayFactor" => {
            o.squared_gradient_decay_factor = Some(to_scalar(v, p, prop)?)
        }
        "Epsilon" => o.epsilon = to_scalar(v, p, prop)?,
        "MaxEpochs" => o.max_epochs = to_count(v, p, prop)?,
        "MiniBatchSize" => o.mini_batch_size = to_count(v, p, prop)?,
        "Shuffle" => o.shuffle = pick(v, p, prop, SHUFFLES)?,
        "LearnRateSchedule" => o.learn_rate_schedule = pick(v, p, prop, SCHEDULES)?,
        "LearnRateDropFactor" => o.learn_rate_drop_factor = to_scalar(v, p, prop)?,
        "LearnRateDropPeriod" => o.learn_rate_drop_period = to_count(v, p, prop)?,
        "L2Regularization" => o.l2_regularization = to_scalar(v, p, prop)?,
        "GradientThreshold" => o.gradient_threshold = to_scalar(v, p, prop)?,
        "GradientThresholdMethod" => {
            o.gradient_threshold_method = pick(v, p, prop, THRESHOLD_METHODS)?
        }
        "SequenceLength" => {
            o.sequence_length = match v {
                Value::Num(_) => SequenceLength::Fixed(to_count(v, p, prop).map_err(|_| {
                    err(p, format!("`SequenceLength` must be 'longest', 'shortest' or a positive integer, got {}", v.describe()))
                })?),
                _ => pick(v, p, prop, SEQUENCE_LENGTHS).map_err(|_| {
                    err(p, format!("`SequenceLength` must be 'longest', 'shortest' or a positive integer, got {}", v.describe()))
                })?,
            };
        }
        "SequencePaddingValue" => o.sequence_padding_value = to_scalar(v, p, prop)?,
        "SequencePaddingDirection" => o.sequence_padding_direction = pick(v, p, prop, DIRECTIONS)?,
        "ValidationFrequency" => o.validation_frequency = to_count(v, p, prop)?,
        "ValidationPatience" => {
            o.validation_patience = match v {
                Value::Num(m) if m.as_scalar() == Some(f64::INFINITY) => None,
                _ => Some(to_count(v, p, prop).map_err(|_| {
                    err(
                        p,
                        format!(
                            "`ValidationPatience` must be a positive integer or Inf, got {}",
                            v.describe()
                        ),
                    )
                })?),
            };
        }
        "OutputNetwork" => o.output_network = pick(v, p, prop, OUTPUT_NETWORKS)?,
        "ExecutionEnvironment" => o.execution_environment = pick(v, p, prop, ENVIRONMENTS)?,
        "CheckpointPath" => o.checkpoint_path = to_text(v, p, prop)?,
        "Verbose" => o.verbose = to_bool(v, p, prop)?,
        "VerboseFrequency" => o.verbose_frequency = to_count(v, p, prop)?,
        "Plots" => o.plots_training_progress = pick(v, p, prop, PLOTS)?,
        "Seed" => o.seed = to_count(v, p, prop)? as u64,
        "SortByLength" => o.sort_by_length = to_bool(v, p, prop)?,
        "ValidationFraction" => o.validation_fraction = to_scalar(v, p, prop)?,
        _ => return Err(err(p, format!("unknown trainingOptions option `{prop}`"))),
    }
    Ok(())
}

/// MATLAB's trainingOptions defaults for a solver (the studio's defaults differ in `Plots`).
fn matlab_defaults(solver: Solver) -> TrainingOptions {
    TrainingOptions {
        plots_training_progress: false,
        ..TrainingOptions::for_solver(solver)
    }
}

// ---------------------------------------------------------------------------------------------
// Import

#[derive(Clone, Debug)]
enum Var {
    Value(Value),
    /// Assigned by a statement that was ignored.
    Unset {
        line: usize,
        text: String,
        why: String,
    },
}

#[derive(Clone, Debug)]
struct Candidate<T> {
    var: String,
    line: usize,
    value: T,
    consumed: bool,
}

#[derive(Default)]
struct Importer {
    vars: HashMap<String, Var>,
    notes: Vec<String>,
    /// Variables read while evaluating the current statement.
    reads: Vec<String>,
    layer_candidates: Vec<Candidate<Vec<LayerSpec>>>,
    option_candidates: Vec<Candidate<TrainingOptions>>,
    /// Open control blocks: keyword and line.
    blocks: Vec<(String, usize)>,
    /// The line of the statement being read.
    line: usize,
}

const BLOCK_OPENERS: &[&str] = &[
    "for", "parfor", "while", "if", "switch", "try", "function", "spmd", "classdef",
];
const OTHER_KEYWORDS: &[&str] = &[
    "end",
    "else",
    "elseif",
    "case",
    "otherwise",
    "catch",
    "return",
    "break",
    "continue",
    "global",
    "persistent",
];

/// One name-value pair: the property name as written, where it is, and the value expression.
struct Pair<'e> {
    name: String,
    pos: Pos,
    value: &'e Expr,
}

impl Importer {
    fn statement(&mut self, toks: &[Token]) -> Result<()> {
        let Some(first) = toks.first() else {
            return Ok(());
        };
        self.line = first.pos.line;
        self.reads.clear();
        let text = statement_text(toks);
        let eq = top_level_eq(toks);
        let network = self.network_mention(toks, eq);

        if let Tok::Ident(word) = &first.tok
            && (BLOCK_OPENERS.contains(&word.as_str()) || OTHER_KEYWORDS.contains(&word.as_str()))
        {
            if let Some(p) = network {
                return Err(err(
                    p,
                    format!("network code inside a `{word}` statement is not supported"),
                ));
            }
            if BLOCK_OPENERS.contains(&word.as_str()) {
                self.blocks.push((word.clone(), self.line));
            } else if word == "end" {
                self.blocks.pop();
                return Ok(());
            }
            self.ignore(&text);
            return Ok(());
        }
        if let Some((word, line)) = self.blocks.last() {
            if let Some(p) = network {
                return Err(err(
                    p,
                    format!(
                        "network code inside the `{word}` block of line {line} is not supported: \
                         write the layer array and the training options as straight-line code"
                    ),
                ));
            }
            let why = format!("assigned inside the `{word}` block of line {line}");
            self.unset_targets(toks, eq, &text, &why);
            self.ignore(&text);
            return Ok(());
        }

        let Some(k) = eq else {
            if let Some(p) = network {
                return Err(err(
                    p,
                    "network code must be assigned to a variable: `layers = [ … ];`",
                ));
            }
            self.ignore(&text);
            return Ok(());
        };
        let lhs = toks.get(..k).unwrap_or(&[]);
        let rhs = toks.get(k + 1..).unwrap_or(&[]);
        let eq_pos = toks.get(k).map_or(first.pos, |t| t.pos);
        let end = toks.last().map_or(first.pos, |t| Pos {
            line: t.pos.line,
            col: t.pos.col + t.text.chars().count(),
        });
        match lhs {
            [
                Token {
                    tok: Tok::Ident(name),
                    ..
                },
            ] => {
                if rhs.is_empty() {
                    if network.is_some() {
                        return Err(err(eq_pos, "expected a value after `=`"));
                    }
                    self.unset(name, &text, "no value after `=`");
                    self.ignore(&text);
                    return Ok(());
                }
                let parsed = Parser::new(rhs, end).parse_all();
                if network.is_some() {
                    let value = self.eval(&parsed?)?;
                    self.bind(name, value);
                } else {
                    match parsed.and_then(|e| self.eval(&e)) {
                        Ok(value) => self.bind(name, value),
                        Err(e) => {
                            self.unset(name, &text, &e.message);
                            self.ignore(&text);
                        }
                    }
                }
            }
            [
                Token {
                    tok: Tok::Ident(var),
                    ..
                },
                Token {
                    tok: Tok::Op("."), ..
                },
                Token {
                    tok: Tok::Ident(field),
                    pos: field_pos,
                    ..
                },
            ] if matches!(self.vars.get(var), Some(Var::Value(Value::Options(_)))) => {
                let Some(Var::Value(Value::Options(current))) = self.vars.get(var) else {
                    return Ok(());
                };
                let mut opts = (**current).clone();
                let rhs_expr = Parser::new(rhs, end).parse_all()?;
                let pair = Pair {
                    name: field.clone(),
                    pos: *field_pos,
                    value: &rhs_expr,
                };
                self.apply_option(&mut opts, &pair, false)?;
                self.reads.push(var.clone());
                self.bind(var, Value::Options(Box::new(opts)));
            }
            _ => {
                if let Some(p) = network {
                    return Err(err(
                        p,
                        "network code must be a plain assignment `name = …` (indexed and multiple \
                         assignments are not supported)",
                    ));
                }
                self.unset_targets(toks, eq, &text, "not network code");
                self.ignore(&text);
            }
        }
        Ok(())
    }

    fn ignore(&mut self, text: &str) {
        self.notes.push(format!(
            "line {}: ignored `{text}` (not network code)",
            self.line
        ));
    }

    fn unset(&mut self, name: &str, text: &str, why: &str) {
        self.vars.insert(
            name.to_string(),
            Var::Unset {
                line: self.line,
                text: text.to_string(),
                why: why.to_string(),
            },
        );
    }

    /// Marks the variables an ignored assignment would set as having no value.
    fn unset_targets(&mut self, toks: &[Token], eq: Option<usize>, text: &str, why: &str) {
        let Some(k) = eq else { return };
        let lhs = toks.get(..k).unwrap_or(&[]);
        let names: Vec<String> = match lhs.first().map(|t| &t.tok) {
            Some(Tok::Op("[")) => lhs
                .iter()
                .filter_map(|t| match &t.tok {
                    Tok::Ident(n) => Some(n.clone()),
                    _ => None,
                })
                .collect(),
            Some(Tok::Ident(n)) => vec![n.clone()],
            _ => Vec::new(),
        };
        for n in names {
            self.unset(&n, text, why);
        }
    }

    /// Where a statement shows it is network code (see the module doc), if it does.
    fn network_mention(&self, toks: &[Token], eq: Option<usize>) -> Option<Pos> {
        for (k, t) in toks.iter().enumerate() {
            let Tok::Ident(name) = &t.tok else { continue };
            let after_dot = k
                .checked_sub(1)
                .and_then(|j| toks.get(j))
                .is_some_and(|p| p.tok == Tok::Op("."));
            let before_eq = toks.get(k + 1).is_some_and(|n| n.tok == Tok::Op("="));
            if !after_dot
                && !before_eq
                && (is_layer_like(name) || name == "trainingOptions")
                && !self.vars.contains_key(name)
            {
                return Some(t.pos);
            }
        }
        if let Some(k) = eq
            && k != 1
            && let Some(Token {
                tok: Tok::Ident(var),
                pos,
                ..
            }) = toks.first()
            && matches!(
                self.vars.get(var),
                Some(Var::Value(Value::Layers(_) | Value::Options(_)))
            )
        {
            return Some(*pos);
        }
        None
    }

    fn bind(&mut self, name: &str, value: Value) {
        for r in std::mem::take(&mut self.reads) {
            if let Some(c) = self.layer_candidates.iter_mut().rev().find(|c| c.var == r) {
                c.consumed = true;
            }
            if let Some(c) = self.option_candidates.iter_mut().rev().find(|c| c.var == r) {
                c.consumed = true;
            }
        }
        match &value {
            Value::Layers(l) => self.layer_candidates.push(Candidate {
                var: name.to_string(),
                line: self.line,
                value: l.clone(),
                consumed: false,
            }),
            Value::Options(o) => self.option_candidates.push(Candidate {
                var: name.to_string(),
                line: self.line,
                value: (**o).clone(),
                consumed: false,
            }),
            _ => {}
        }
        self.vars.insert(name.to_string(), Var::Value(value));
    }

    fn eval(&mut self, e: &Expr) -> Result<Value> {
        match &e.kind {
            Kind::Num { value, .. } => Ok(Value::num(*value)),
            Kind::Str { text, string } => Ok(Value::Str {
                text: text.clone(),
                string: *string,
            }),
            Kind::Ident(name) => self.ident(name, e.pos),
            Kind::Call { name, args } => match self.vars.get(name) {
                Some(Var::Value(v)) => {
                    let v = v.clone();
                    self.reads.push(name.clone());
                    self.index(&v, args, e.pos)
                }
                Some(Var::Unset { .. }) => self.ident(name, e.pos),
                None => self.call(name, args, e.pos),
            },
            Kind::Matrix(rows) => self.concat(rows, e.pos),
            Kind::Cell(rows) => {
                let mut out = Vec::new();
                for el in rows.iter().flatten() {
                    match self.eval(el)? {
                        Value::Str { text, .. } => out.push(text),
                        Value::StrList(l) => out.extend(l),
                        other => {
                            return Err(err(
                                el.pos,
                                format!(
                                    "only text is supported inside `{{ }}`, got {}",
                                    other.describe()
                                ),
                            ));
                        }
                    }
                }
                Ok(Value::StrList(out))
            }
            Kind::Unary(op, x) => {
                let v = self.eval(x)?;
                match (*op, v) {
                    ("-", Value::Num(m)) => Ok(Value::Num(m.map(|x| -x))),
                    ("+", Value::Num(m)) => Ok(Value::Num(m)),
                    (op, v) => Err(err(
                        e.pos,
                        format!("cannot apply `{op}` to {}", v.describe()),
                    )),
                }
            }
            Kind::Binary(op, a, b) => self.binary(op, a, b, e.pos),
            Kind::Transpose(x) => match self.eval(x)? {
                Value::Num(m) => Ok(Value::Num(m.transposed())),
                v => Ok(v),
            },
            Kind::Field(field) => Err(err(
                e.pos,
                format!("field access (`….{field}`) is not supported here"),
            )),
            Kind::CellIndex(Some(name)) => Err(err(
                e.pos,
                format!("cell indexing (`{name}{{…}}`) is not supported here"),
            )),
            Kind::CellIndex(None) => Err(err(e.pos, "cell indexing (`{…}`) is not supported here")),
            Kind::Colon | Kind::End => Err(err(
                e.pos,
                "`:` and `end` are only meaningful in indexing, which is not supported here",
            )),
        }
    }

    fn ident(&mut self, name: &str, pos: Pos) -> Result<Value> {
        match self.vars.get(name) {
            Some(Var::Value(v)) => {
                let v = v.clone();
                self.reads.push(name.to_string());
                return Ok(v);
            }
            Some(Var::Unset { line, text, why }) => {
                return Err(err(
                    pos,
                    format!(
                        "`{name}` has no value here: line {line} (`{text}`) was not imported ({why}); \
                         write the value itself"
                    ),
                ));
            }
            None => {}
        }
        let constant = match name {
            "Inf" | "inf" => f64::INFINITY,
            "NaN" | "nan" => f64::NAN,
            "pi" => std::f64::consts::PI,
            "eps" => f64::EPSILON,
            "true" => 1.0,
            "false" => 0.0,
            "newline" => {
                return Ok(Value::Str {
                    text: "\n".into(),
                    string: false,
                });
            }
            _ => {
                if is_layer_like(name) || name == "trainingOptions" || is_math_function(name) {
                    return self.call(name, &[], pos);
                }
                return Err(err(pos, format!("undefined variable `{name}`")));
            }
        };
        Ok(Value::num(constant))
    }

    fn index(&mut self, v: &Value, args: &[Arg], pos: Pos) -> Result<Value> {
        let [Arg::Pos(ix)] = args else {
            return Err(err(
                pos,
                "only indexing with one list of positions, `x(i)`, is supported",
            ));
        };
        let ix_value = self.eval(ix)?;
        let Value::Num(m) = &ix_value else {
            return Err(err(
                ix.pos,
                format!(
                    "an index must be a positive integer, got {}",
                    ix_value.describe()
                ),
            ));
        };
        let mut picked = Vec::new();
        for x in &m.data {
            if !(x.is_finite() && *x >= 1.0 && x.fract() == 0.0 && *x <= MAX_EXACT_INT) {
                return Err(err(
                    ix.pos,
                    format!("an index must be a positive integer, got {}", num(*x)),
                ));
            }
            picked.push(*x as usize - 1);
        }
        let out_of_range = |n: usize| {
            err(
                ix.pos,
                format!("index out of range: the value has {n} elements"),
            )
        };
        match v {
            Value::Num(src) => {
                let all = src.column_major();
                let data = picked
                    .iter()
                    .map(|k| all.get(*k).copied().ok_or_else(|| out_of_range(all.len())))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Value::Num(Mat {
                    rows: 1,
                    cols: data.len(),
                    data,
                }))
            }
            Value::Layers(l) => {
                let out = picked
                    .iter()
                    .map(|k| l.get(*k).cloned().ok_or_else(|| out_of_range(l.len())))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Value::Layers(out))
            }
            other => Err(err(
                pos,
                format!("indexing {} is not supported", other.describe()),
            )),
        }
    }

    fn positional_numbers(&mut self, name: &str, args: &[Arg]) -> Result<Vec<(Value, Pos)>> {
        let mut out = Vec::new();
        for a in args {
            match a {
                Arg::Pos(e) => out.push((self.eval(e)?, e.pos)),
                Arg::Named { pos, .. } => {
                    return Err(err(*pos, format!("`{name}` takes no name-value arguments")));
                }
            }
        }
        Ok(out)
    }

    fn call(&mut self, name: &str, args: &[Arg], pos: Pos) -> Result<Value> {
        if let Some(ty) = LayerType::ALL.iter().find(|t| t.constructor() == name) {
            return self.layer(*ty, args, pos).map(|l| Value::Layers(vec![l]));
        }
        if name == "trainingOptions" {
            return self
                .training_options(args, pos)
                .map(|o| Value::Options(Box::new(o)));
        }
        if is_layer_like(name) {
            return Err(unknown_layer(name, pos));
        }
        if !is_math_function(name) {
            return Err(err(pos, format!("unknown function `{name}`")));
        }
        let vals = self.positional_numbers(name, args)?;
        match name {
            "zeros" | "ones" => {
                let fill = if name == "zeros" { 0.0 } else { 1.0 };
                let dims = vals
                    .iter()
                    .map(|(v, p)| to_count(v, *p, "size"))
                    .collect::<Result<Vec<_>>>()?;
                let (rows, cols) = match dims.as_slice() {
                    [] => (1, 1),
                    [n] => (*n, *n),
                    [r, c] => (*r, *c),
                    _ => {
                        return Err(err(
                            pos,
                            format!("`{name}` with more than two sizes is not supported"),
                        ));
                    }
                };
                match rows.checked_mul(cols) {
                    Some(0) => Ok(Value::Num(Mat::empty())),
                    Some(n) if n <= MAX_ELEMENTS => Ok(Value::Num(Mat {
                        rows,
                        cols,
                        data: vec![fill; n],
                    })),
                    _ => Err(err(pos, "the value is too large")),
                }
            }
            "char" => {
                let [(v, p)] = vals.as_slice() else {
                    return Err(err(pos, "`char` takes one argument"));
                };
                match v {
                    Value::Num(m) => {
                        let mut text = String::new();
                        for x in &m.data {
                            let c = (x.fract() == 0.0 && *x >= 0.0 && *x <= u32::MAX as f64)
                                .then(|| char::from_u32(*x as u32))
                                .flatten()
                                .ok_or_else(|| {
                                    err(*p, format!("{} is not a character code", num(*x)))
                                })?;
                            text.push(c);
                        }
                        Ok(Value::Str {
                            text,
                            string: false,
                        })
                    }
                    Value::Str { .. } => Ok(v.clone()),
                    _ => Err(err(
                        *p,
                        format!("`char` of {} is not supported", v.describe()),
                    )),
                }
            }
            "string" | "categorical" | "cellstr" => {
                let [(v, p)] = vals.as_slice() else {
                    return Err(err(pos, format!("`{name}` takes one argument")));
                };
                match v {
                    Value::Str { text, .. } => Ok(Value::StrList(vec![text.clone()])),
                    Value::StrList(_) => Ok(v.clone()),
                    _ => Err(err(
                        *p,
                        format!("`{name}` of {} is not supported", v.describe()),
                    )),
                }
            }
            _ => {
                let [(v, p)] = vals.as_slice() else {
                    return Err(err(pos, format!("`{name}` takes one argument")));
                };
                let Value::Num(m) = v else {
                    return Err(err(
                        *p,
                        format!("`{name}` needs numbers, got {}", v.describe()),
                    ));
                };
                let f: fn(f64) -> f64 = match name {
                    "round" => f64::round,
                    "floor" => f64::floor,
                    "ceil" => f64::ceil,
                    "fix" => f64::trunc,
                    "abs" => f64::abs,
                    _ => f64::sqrt,
                };
                Ok(Value::Num(m.map(f)))
            }
        }
    }

    /// Splits arguments from `start` into name-value pairs; names are evaluated, values not.
    fn pairs<'e>(&mut self, args: &'e [Arg], start: usize, what: &str) -> Result<Vec<Pair<'e>>> {
        let mut out = Vec::new();
        let mut k = start;
        while let Some(a) = args.get(k) {
            match a {
                Arg::Named { name, pos, value } => {
                    out.push(Pair {
                        name: name.clone(),
                        pos: *pos,
                        value,
                    });
                    k += 1;
                }
                Arg::Pos(e) => {
                    let name = match self.eval(e)? {
                        Value::Str { text, .. } => text,
                        Value::StrList(l) if l.len() == 1 => {
                            l.into_iter().next().unwrap_or_default()
                        }
                        other => {
                            return Err(err(
                                e.pos,
                                format!(
                                    "expected a property name of {what} in quotes, got {}",
                                    other.describe()
                                ),
                            ));
                        }
                    };
                    let Some(Arg::Pos(value)) = args.get(k + 1) else {
                        return Err(err(e.pos, format!("property `{name}` has no value")));
                    };
                    out.push(Pair {
                        name,
                        pos: e.pos,
                        value,
                    });
                    k += 2;
                }
            }
        }
        Ok(out)
    }

    fn layer(&mut self, ty: LayerType, args: &[Arg], pos: Pos) -> Result<LayerSpec> {
        let ctor = ty.constructor();
        let mut layer = ty.default_layer();
        let mut start = 0;
        if let Some((prop, required)) = leading_property(ty) {
            let first = match args.first() {
                Some(Arg::Pos(e)) => Some((self.eval(e)?, e.pos)),
                _ => None,
            };
            match first {
                Some((v @ Value::Num(_), p)) => {
                    set_layer_property(&mut layer, prop, &v, p)?;
                    start = 1;
                }
                Some((v, p)) if required => {
                    return Err(err(
                        p,
                        format!(
                            "the first argument of {ctor} is {prop}, a number; got {}",
                            v.describe()
                        ),
                    ));
                }
                None if required => {
                    return Err(err(
                        pos,
                        format!(
                            "{ctor} needs {prop}: write {ctor}({}, …)",
                            lower_first(prop)
                        ),
                    ));
                }
                _ => {}
            }
        }
        let known = ty.properties();
        for pair in self.pairs(args, start, ctor)? {
            let Some(prop) = known.iter().find(|k| k.eq_ignore_ascii_case(&pair.name)) else {
                return Err(err(
                    pair.pos,
                    format!(
                        "unknown property `{}` of {ctor} (its properties: {})",
                        pair.name,
                        known.join(", ")
                    ),
                ));
            };
            let v = self.eval(pair.value)?;
            set_layer_property(&mut layer, prop, &v, pair.value.pos)?;
        }
        Ok(layer)
    }

    fn training_options(&mut self, args: &[Arg], pos: Pos) -> Result<TrainingOptions> {
        let solver = match args.first() {
            Some(Arg::Pos(e)) => {
                let v = self.eval(e)?;
                pick(&v, e.pos, "solver", SOLVERS)?
            }
            _ => {
                return Err(err(
                    pos,
                    format!(
                        "trainingOptions needs the solver first: {}",
                        choices(SOLVERS)
                    ),
                ));
            }
        };
        let mut opts = matlab_defaults(solver);
        for pair in self.pairs(args, 1, "trainingOptions")? {
            self.apply_option(&mut opts, &pair, false)?;
        }
        Ok(opts)
    }

    /// Applies one option; `studio` also accepts the studio's own options.
    fn apply_option(
        &mut self,
        o: &mut TrainingOptions,
        pair: &Pair<'_>,
        studio: bool,
    ) -> Result<()> {
        if let Some(name) = NOT_IMPORTED_OPTIONS
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&pair.name))
        {
            let why = if *name == "ValidationData" {
                "the data is chosen in LSTM Studio"
            } else {
                "it has no effect in LSTM Studio"
            };
            self.notes.push(format!(
                "line {}: '{name}' not imported: {why}",
                pair.pos.line
            ));
            return Ok(());
        }
        let found = OPTION_NAMES
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&pair.name));
        let studio_found = STUDIO_OPTION_NAMES
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&pair.name));
        let prop = match (found, studio_found) {
            (Some(p), _) => *p,
            (None, Some(p)) if studio => *p,
            (None, Some(p)) => {
                return Err(err(
                    pair.pos,
                    format!(
                        "`{p}` is an LSTM Studio option, not MATLAB's: write it in a `% {STUDIO_PREFIX}` comment"
                    ),
                ));
            }
            (None, None) => {
                return Err(err(
                    pair.pos,
                    format!("unknown trainingOptions option `{}`", pair.name),
                ));
            }
        };
        if prop == "Seed"
            && let Kind::Num { raw, .. } = &pair.value.kind
            && let Ok(seed) = raw.parse::<u64>()
        {
            o.seed = seed;
            return Ok(());
        }
        let v = self.eval(pair.value)?;
        set_option(o, prop, &v, pair.value.pos)
    }

    fn binary(&mut self, op: &str, a: &Expr, b: &Expr, pos: Pos) -> Result<Value> {
        if op == ":" {
            let (start, step, stop) = match &a.kind {
                Kind::Binary(":", s, st) => {
                    (self.scalar_of(s)?, self.scalar_of(st)?, self.scalar_of(b)?)
                }
                _ => (self.scalar_of(a)?, 1.0, self.scalar_of(b)?),
            };
            return range(start, step, stop, pos);
        }
        let x = self.eval(a)?;
        let y = self.eval(b)?;
        let (Value::Num(x), Value::Num(y)) = (&x, &y) else {
            return Err(err(
                pos,
                format!(
                    "cannot apply `{op}` to {} and {}",
                    x.describe(),
                    y.describe()
                ),
            ));
        };
        let f: fn(f64, f64) -> f64 = match op {
            "+" => |a, b| a + b,
            "-" => |a, b| a - b,
            "*" | ".*" => |a, b| a * b,
            "/" | "./" => |a, b| a / b,
            "^" | ".^" => f64::powf,
            _ => {
                return Err(err(
                    pos,
                    format!("the operator `{op}` is not supported here"),
                ));
            }
        };
        let scalar_only =
            matches!(op, "*" | "^") && x.as_scalar().is_none() && y.as_scalar().is_none();
        let divisor_scalar = op != "/" || y.as_scalar().is_some();
        if scalar_only || !divisor_scalar {
            return Err(err(
                pos,
                format!("matrix `{op}` is not supported: use `.{op}` for element-wise"),
            ));
        }
        let out = if let Some(s) = x.as_scalar() {
            y.map(|v| f(s, v))
        } else if let Some(s) = y.as_scalar() {
            x.map(|v| f(v, s))
        } else if x.rows == y.rows && x.cols == y.cols {
            Mat {
                rows: x.rows,
                cols: x.cols,
                data: x.data.iter().zip(&y.data).map(|(a, b)| f(*a, *b)).collect(),
            }
        } else {
            return Err(err(
                pos,
                format!(
                    "sizes do not match for `{op}`: {}×{} and {}×{}",
                    x.rows, x.cols, y.rows, y.cols
                ),
            ));
        };
        Ok(Value::Num(out))
    }

    fn scalar_of(&mut self, e: &Expr) -> Result<f64> {
        let v = self.eval(e)?;
        match &v {
            Value::Num(m) if m.as_scalar().is_some() => Ok(m.as_scalar().unwrap_or_default()),
            _ => Err(err(
                e.pos,
                format!("a range needs numbers, got {}", v.describe()),
            )),
        }
    }

    fn concat(&mut self, rows: &[Vec<Expr>], pos: Pos) -> Result<Value> {
        let mut values: Vec<Vec<(Value, Pos)>> = Vec::new();
        let mut total = 0usize;
        for row in rows {
            let mut r = Vec::new();
            for el in row {
                let v = self.eval(el)?;
                total = total.saturating_add(v.size());
                if total > MAX_ELEMENTS {
                    return Err(err(el.pos, "the value is too large"));
                }
                r.push((v, el.pos));
            }
            values.push(r);
        }
        let all = || values.iter().flatten();
        if all().any(|(v, _)| matches!(v, Value::Layers(_))) {
            let mut layers = Vec::new();
            for (v, p) in all() {
                match v {
                    Value::Layers(l) => layers.extend(l.iter().cloned()),
                    Value::Num(m) if m.is_empty() => {}
                    other => {
                        return Err(err(
                            *p,
                            format!(
                                "a layer array can hold only layers, got {}",
                                other.describe()
                            ),
                        ));
                    }
                }
                if layers.len() > MAX_LAYERS {
                    return Err(err(*p, "the layer array is too large"));
                }
            }
            return Ok(Value::Layers(layers));
        }
        if let Some((_, p)) = all().find(|(v, _)| matches!(v, Value::Options(_))) {
            return Err(err(*p, "training options cannot be put in `[ ]`"));
        }
        if all().any(|(v, _)| matches!(v, Value::Str { .. } | Value::StrList(_))) {
            let strings = all()
                .any(|(v, _)| matches!(v, Value::Str { string: true, .. } | Value::StrList(_)));
            let mut list = Vec::new();
            let mut chars = String::new();
            for (v, p) in all() {
                match v {
                    Value::Str { text, .. } if strings => list.push(text.clone()),
                    Value::Str { text, .. } => chars.push_str(text),
                    Value::StrList(l) => list.extend(l.iter().cloned()),
                    Value::Num(m) if m.is_empty() => {}
                    other => {
                        return Err(err(
                            *p,
                            format!("cannot mix text and {} in `[ ]`", other.describe()),
                        ));
                    }
                }
            }
            if strings {
                return Ok(Value::StrList(list));
            }
            if values.len() > 1 {
                return Err(err(
                    pos,
                    "character arrays with several rows are not supported",
                ));
            }
            return Ok(Value::Str {
                text: chars,
                string: false,
            });
        }
        let mut stacked: Vec<Mat> = Vec::new();
        for row in &values {
            let parts: Vec<&Mat> = row
                .iter()
                .filter_map(|(v, _)| match v {
                    Value::Num(m) if !m.is_empty() => Some(m),
                    _ => None,
                })
                .collect();
            let Some(first) = parts.first() else { continue };
            let n = first.rows;
            if parts.iter().any(|m| m.rows != n) {
                return Err(err(
                    pos,
                    "the elements of a row of `[ ]` have different heights",
                ));
            }
            let cols = parts.iter().map(|m| m.cols).sum();
            let mut data = Vec::with_capacity(n * cols);
            for r in 0..n {
                for m in &parts {
                    data.extend_from_slice(m.row(r));
                }
            }
            stacked.push(Mat {
                rows: n,
                cols,
                data,
            });
        }
        let Some(first) = stacked.first() else {
            return Ok(Value::Num(Mat::empty()));
        };
        let cols = first.cols;
        if stacked.iter().any(|m| m.cols != cols) {
            return Err(err(pos, "the rows of `[ ]` have different lengths"));
        }
        let rows = stacked.iter().map(|m| m.rows).sum();
        let data = stacked.into_iter().flat_map(|m| m.data).collect();
        Ok(Value::Num(Mat { rows, cols, data }))
    }

    fn finish(mut self, studio: Vec<(String, Pos)>) -> Result<Imported> {
        if self.layer_candidates.is_empty() && self.option_candidates.is_empty() {
            return Err(err(
                Pos { line: 1, col: 1 },
                "no network found: the code assigns no layer array (`layers = [ … ];`) and no `trainingOptions`",
            ));
        }
        let mut notes = std::mem::take(&mut self.notes);
        let layers = self
            .layer_candidates
            .last()
            .map(|c| (c.value.clone(), c.var.clone(), c.line));
        if let Some((_, var, line)) = &layers {
            let n = self.layer_candidates.len();
            for c in self
                .layer_candidates
                .iter()
                .take(n.saturating_sub(1))
                .filter(|c| !c.consumed)
            {
                notes.push(format!(
                    "line {}: the layer array `{}` is not used by the imported network (`{var}`, line {line})",
                    c.line, c.var
                ));
            }
        }
        let mut training = self.option_candidates.last().map(|c| c.value.clone());
        if let Some(chosen) = self.option_candidates.last() {
            let n = self.option_candidates.len();
            for c in self
                .option_candidates
                .iter()
                .take(n.saturating_sub(1))
                .filter(|c| !c.consumed)
            {
                notes.push(format!(
                    "line {}: the training options `{}` are not used (imported: `{}`, line {})",
                    c.line, c.var, chosen.var, chosen.line
                ));
            }
        }
        for (text, pos) in studio {
            let lexed = lex(&text, pos)?;
            let end = Pos {
                line: pos.line,
                col: pos.col + text.chars().count(),
            };
            let toks: Vec<Token> = lexed
                .tokens
                .into_iter()
                .filter(|t| t.tok != Tok::Newline)
                .collect();
            let args = Parser::new(&toks, end).parse_arg_list(None)?;
            let Some(opts) = training.as_mut() else {
                notes.push(format!("line {}: the `{STUDIO_PREFIX}` comment is ignored: the code has no trainingOptions", pos.line));
                continue;
            };
            for pair in self.pairs(&args, 0, "the LSTM Studio options")? {
                self.apply_option(opts, &pair, true)?;
            }
        }
        notes.append(&mut self.notes);
        Ok(Imported {
            layers: layers.map(|l| l.0).unwrap_or_default(),
            training,
            notes,
        })
    }
}

fn is_math_function(name: &str) -> bool {
    matches!(
        name,
        "zeros"
            | "ones"
            | "round"
            | "floor"
            | "ceil"
            | "fix"
            | "abs"
            | "sqrt"
            | "char"
            | "string"
            | "categorical"
            | "cellstr"
    )
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn range(start: f64, step: f64, stop: f64, pos: Pos) -> Result<Value> {
    if !(start.is_finite() && step.is_finite() && stop.is_finite()) {
        return Err(err(pos, "a range needs finite numbers"));
    }
    let n = if step == 0.0 || (step > 0.0 && start > stop) || (step < 0.0 && start < stop) {
        0.0
    } else {
        ((stop - start) / step + 1e-10).floor() + 1.0
    };
    if n > MAX_ELEMENTS as f64 {
        return Err(err(pos, "the range is too large"));
    }
    let n = n as usize;
    let data: Vec<f64> = (0..n).map(|k| start + k as f64 * step).collect();
    Ok(Value::Num(Mat {
        rows: 1,
        cols: n,
        data,
    }))
}

/// The index of the statement's assignment `=` outside brackets.
fn top_level_eq(toks: &[Token]) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
            Tok::Op("=") if depth == 0 => return Some(k),
            _ => {}
        }
    }
    None
}

/// Whether a statement is command syntax (`hold on`, `load data.mat`, `close all`).
fn is_command(toks: &[Token], vars: &HashMap<String, Var>) -> bool {
    let (Some(a), Some(b)) = (toks.first(), toks.get(1)) else {
        return false;
    };
    let Tok::Ident(name) = &a.tok else {
        return false;
    };
    if vars.contains_key(name)
        || !b.space
        || BLOCK_OPENERS.contains(&name.as_str())
        || OTHER_KEYWORDS.contains(&name.as_str())
    {
        return false;
    }
    match &b.tok {
        Tok::Ident(_) | Tok::Num { .. } | Tok::Str { .. } | Tok::Other(_) => true,
        Tok::Op(o) => !matches!(*o, "=" | "(" | "[" | "{") && toks.get(2).is_some_and(|c| !c.space),
        Tok::Newline => false,
    }
}

/// Reads the layer array and training options of MATLAB code; see the module doc for what is
/// read, what is ignored (with a note) and what is an error.
pub fn import_matlab(source: &str) -> std::result::Result<Imported, MatlabError> {
    let lexed = lex(source, Pos { line: 1, col: 1 })?;
    let statements = split_statements(lexed.tokens)?;
    let mut importer = Importer::default();
    for s in &statements {
        // Command syntax (`hold on`, `load data.mat`, `help lstmLayer`): its arguments are text.
        if is_command(s, &importer.vars) && importer.blocks.is_empty() {
            importer.line = s.first().map_or(0, |t| t.pos.line);
            importer.ignore(&statement_text(s));
            continue;
        }
        importer.statement(s)?;
    }
    importer.finish(lexed.studio)
}

// ---------------------------------------------------------------------------------------------
// Export

/// A number as MATLAB code that reads back exactly: `100`, `0.001`, `1e-8`, `Inf`.
fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Inf".into() } else { "-Inf".into() }
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() < 1e-4 || v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Text as a MATLAB character vector; control characters become `char(n)`.
fn quote(s: &str) -> String {
    let lit = |t: &str| format!("'{}'", t.replace('\'', "''"));
    if !s.chars().any(char::is_control) {
        return lit(s);
    }
    let mut parts = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_control() {
            if !cur.is_empty() {
                parts.push(lit(&cur));
                cur.clear();
            }
            parts.push(format!("char({})", c as u32));
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        parts.push(lit(&cur));
    }
    format!("[{}]", parts.join(" "))
}

fn row_vector(v: &[f64]) -> String {
    if v.len() == 1 {
        return v.first().map(|x| num(*x)).unwrap_or_default();
    }
    format!(
        "[{}]",
        v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(" ")
    )
}

fn column_vector(v: &[f64]) -> String {
    format!(
        "[{}]",
        v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(";")
    )
}

fn recurrent_pairs(
    r: &RecurrentSpec,
    d: &RecurrentSpec,
    gru: bool,
    pairs: &mut Vec<(&'static str, String)>,
) {
    if r.input_size != d.input_size {
        pairs.push((
            "InputSize",
            r.input_size
                .map_or_else(|| "'auto'".into(), |n| n.to_string()),
        ));
    }
    if r.output_mode != d.output_mode {
        pairs.push(("OutputMode", quote(r.output_mode.matlab_name())));
    }
    if r.state_activation != d.state_activation {
        pairs.push((
            "StateActivationFunction",
            quote(r.state_activation.matlab_name()),
        ));
    }
    if r.gate_activation != d.gate_activation {
        pairs.push((
            "GateActivationFunction",
            quote(r.gate_activation.matlab_name()),
        ));
    }
    for ((name, f), (_, df)) in r.factors().into_iter().zip(d.factors()) {
        if f != df {
            pairs.push((name, row_vector(&f.0)));
        }
    }
    if r.input_weights_initializer != d.input_weights_initializer {
        pairs.push((
            "InputWeightsInitializer",
            quote(r.input_weights_initializer.matlab_name()),
        ));
    }
    if r.recurrent_weights_initializer != d.recurrent_weights_initializer {
        pairs.push((
            "RecurrentWeightsInitializer",
            quote(r.recurrent_weights_initializer.matlab_name()),
        ));
    }
    if r.bias_initializer != d.bias_initializer {
        pairs.push(("BiasInitializer", quote(r.bias_initializer.matlab_name())));
    }
    if let Some(h) = &r.hidden_state {
        pairs.push(("HiddenState", column_vector(h)));
    }
    if let Some(c) = &r.cell_state {
        pairs.push(("CellState", column_vector(c)));
    }
    if gru && r.reset_gate_mode != d.reset_gate_mode {
        pairs.push(("ResetGateMode", quote(r.reset_gate_mode.matlab_name())));
    }
}

/// One layer as its MATLAB constructor call, with only the non-default properties.
fn layer_code(l: &LayerSpec) -> String {
    let ty = l.layer_type();
    let mut lead: Option<String> = None;
    let mut pairs: Vec<(&'static str, String)> = Vec::new();
    if !l.name.is_empty() {
        pairs.push(("Name", quote(&l.name)));
    }
    match &l.kind {
        LayerKind::SequenceInput(s) => {
            let d = SequenceInputSpec::default();
            lead = Some(s.input_size.to_string());
            if s.normalization != d.normalization {
                pairs.push(("Normalization", quote(s.normalization.matlab_name())));
            }
            if s.min_length != d.min_length {
                pairs.push(("MinLength", s.min_length.to_string()));
            }
        }
        LayerKind::Lstm(r) | LayerKind::Bilstm(r) | LayerKind::Gru(r) => {
            let d = ty.default_layer().recurrent().cloned().unwrap_or_default();
            lead = Some(r.num_hidden_units.to_string());
            recurrent_pairs(r, &d, ty == LayerType::Gru, &mut pairs);
        }
        LayerKind::FullyConnected(f) => {
            let d = FullyConnectedSpec::default();
            lead = Some(f.output_size.to_string());
            if f.input_size != d.input_size {
                pairs.push((
                    "InputSize",
                    f.input_size
                        .map_or_else(|| "'auto'".into(), |n| n.to_string()),
                ));
            }
            for (name, v, dv) in [
                (
                    "WeightsLearnRateFactor",
                    f.weights_learn_rate_factor,
                    d.weights_learn_rate_factor,
                ),
                (
                    "BiasLearnRateFactor",
                    f.bias_learn_rate_factor,
                    d.bias_learn_rate_factor,
                ),
                ("WeightsL2Factor", f.weights_l2_factor, d.weights_l2_factor),
                ("BiasL2Factor", f.bias_l2_factor, d.bias_l2_factor),
            ] {
                if v != dv {
                    pairs.push((name, num(v)));
                }
            }
            if f.weights_initializer != d.weights_initializer {
                pairs.push((
                    "WeightsInitializer",
                    quote(f.weights_initializer.matlab_name()),
                ));
            }
            if f.bias_initializer != d.bias_initializer {
                pairs.push(("BiasInitializer", quote(f.bias_initializer.matlab_name())));
            }
        }
        LayerKind::Dropout { probability } => {
            let default = match LayerType::Dropout.default_layer().kind {
                LayerKind::Dropout { probability } => probability,
                _ => 0.5,
            };
            if *probability != default {
                lead = Some(num(*probability));
            }
        }
        LayerKind::Classification { classes: Some(c) } => {
            let items: Vec<String> = c.iter().map(|s| quote(s)).collect();
            pairs.push(("Classes", format!("{{{}}}", items.join(","))));
        }
        LayerKind::Classification { classes: None }
        | LayerKind::Softmax
        | LayerKind::Regression => {}
    }
    let mut args: Vec<String> = lead.into_iter().collect();
    args.extend(pairs.iter().map(|(n, v)| format!("'{n}',{v}")));
    if args.is_empty() {
        ty.constructor().to_string()
    } else {
        format!("{}({})", ty.constructor(), args.join(", "))
    }
}

/// A property or option name and its value as MATLAB code.
type NameValue = (&'static str, String);

/// The options that differ from MATLAB's defaults: those `trainingOptions` takes for the
/// solver, and those that go into the `% LSTM Studio options:` comment.
fn option_pairs(o: &TrainingOptions) -> (Vec<NameValue>, Vec<NameValue>) {
    let d = matlab_defaults(o.solver);
    let mut main = Vec::new();
    let mut studio = Vec::new();
    let (sgdm, adam) = (o.solver == Solver::Sgdm, o.solver == Solver::Adam);
    if let Some(lr) = o.initial_learn_rate {
        main.push(("InitialLearnRate", num(lr)));
    }
    if o.momentum != d.momentum {
        (if sgdm { &mut main } else { &mut studio }).push(("Momentum", num(o.momentum)));
    }
    if o.gradient_decay_factor != d.gradient_decay_factor {
        (if adam { &mut main } else { &mut studio })
            .push(("GradientDecayFactor", num(o.gradient_decay_factor)));
    }
    if let Some(v) = o.squared_gradient_decay_factor {
        (if sgdm { &mut studio } else { &mut main }).push(("SquaredGradientDecayFactor", num(v)));
    }
    if o.epsilon != d.epsilon {
        (if sgdm { &mut studio } else { &mut main }).push(("Epsilon", num(o.epsilon)));
    }
    if o.max_epochs != d.max_epochs {
        main.push(("MaxEpochs", o.max_epochs.to_string()));
    }
    if o.mini_batch_size != d.mini_batch_size {
        main.push(("MiniBatchSize", o.mini_batch_size.to_string()));
    }
    if o.shuffle != d.shuffle {
        main.push(("Shuffle", quote(name_in(SHUFFLES, o.shuffle))));
    }
    if o.learn_rate_schedule != d.learn_rate_schedule {
        main.push((
            "LearnRateSchedule",
            quote(name_in(SCHEDULES, o.learn_rate_schedule)),
        ));
    }
    if o.learn_rate_drop_factor != d.learn_rate_drop_factor {
        main.push(("LearnRateDropFactor", num(o.learn_rate_drop_factor)));
    }
    if o.learn_rate_drop_period != d.learn_rate_drop_period {
        main.push(("LearnRateDropPeriod", o.learn_rate_drop_period.to_string()));
    }
    if o.l2_regularization != d.l2_regularization {
        main.push(("L2Regularization", num(o.l2_regularization)));
    }
    if o.gradient_threshold != d.gradient_threshold {
        main.push(("GradientThreshold", num(o.gradient_threshold)));
    }
    if o.gradient_threshold_method != d.gradient_threshold_method {
        main.push((
            "GradientThresholdMethod",
            quote(name_in(THRESHOLD_METHODS, o.gradient_threshold_method)),
        ));
    }
    if o.sequence_length != d.sequence_length {
        let v = match o.sequence_length {
            SequenceLength::Fixed(n) => n.to_string(),
            other => quote(name_in(SEQUENCE_LENGTHS, other)),
        };
        main.push(("SequenceLength", v));
    }
    if o.sequence_padding_value != d.sequence_padding_value {
        main.push(("SequencePaddingValue", num(o.sequence_padding_value)));
    }
    if o.sequence_padding_direction != d.sequence_padding_direction {
        main.push((
            "SequencePaddingDirection",
            quote(name_in(DIRECTIONS, o.sequence_padding_direction)),
        ));
    }
    if o.validation_frequency != d.validation_frequency {
        main.push(("ValidationFrequency", o.validation_frequency.to_string()));
    }
    if let Some(p) = o.validation_patience {
        main.push(("ValidationPatience", p.to_string()));
    }
    if o.output_network != d.output_network {
        main.push((
            "OutputNetwork",
            quote(name_in(OUTPUT_NETWORKS, o.output_network)),
        ));
    }
    if o.execution_environment != d.execution_environment {
        main.push((
            "ExecutionEnvironment",
            quote(name_in(ENVIRONMENTS, o.execution_environment)),
        ));
    }
    if o.checkpoint_path != d.checkpoint_path {
        main.push(("CheckpointPath", quote(&o.checkpoint_path)));
    }
    if o.verbose != d.verbose {
        main.push(("Verbose", o.verbose.to_string()));
    }
    if o.verbose_frequency != d.verbose_frequency {
        main.push(("VerboseFrequency", o.verbose_frequency.to_string()));
    }
    if o.plots_training_progress != d.plots_training_progress {
        main.push(("Plots", quote(name_in(PLOTS, o.plots_training_progress))));
    }
    if o.seed != d.seed {
        studio.push(("Seed", o.seed.to_string()));
    }
    if o.sort_by_length != d.sort_by_length {
        studio.push(("SortByLength", o.sort_by_length.to_string()));
    }
    if o.validation_fraction != d.validation_fraction {
        studio.push(("ValidationFraction", num(o.validation_fraction)));
    }
    (main, studio)
}

/// Writes a project's layer array and training options as a MATLAB script (see the module doc).
pub fn export_matlab(project: &Project) -> String {
    let mut out = String::new();
    let title: String = project
        .name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let title = if title.trim().is_empty() {
        "LSTM Studio project".to_string()
    } else {
        title.trim().to_string()
    };
    out.push_str(&format!("% {title}\n"));
    out.push_str("% Exported by LSTM Studio: the layer array and the training options.\n");
    out.push_str("% The data is chosen in LSTM Studio; in MATLAB, load it and train with\n");
    out.push_str("%   net = trainNetwork(XTrain,YTrain,layers,options);\n\n");
    if project.layers.is_empty() {
        out.push_str("layers = [];\n");
    } else {
        out.push_str("layers = [ ...\n");
        let n = project.layers.len();
        for (k, l) in project.layers.iter().enumerate() {
            out.push_str("    ");
            out.push_str(&layer_code(l));
            out.push_str(if k + 1 == n { "];\n" } else { "\n" });
        }
    }
    out.push('\n');
    let o = &project.training;
    let (main, studio) = option_pairs(o);
    let solver = quote(name_in(SOLVERS, o.solver));
    if main.is_empty() {
        out.push_str(&format!("options = trainingOptions({solver});\n"));
    } else {
        out.push_str(&format!("options = trainingOptions({solver}, ...\n"));
        let lines: Vec<String> = main.iter().map(|(n, v)| format!("    '{n}',{v}")).collect();
        out.push_str(&lines.join(", ...\n"));
        out.push_str(");\n");
    }
    if !studio.is_empty() {
        let items: Vec<String> = studio.iter().map(|(n, v)| format!("'{n}',{v}")).collect();
        out.push_str(&format!("% {STUDIO_PREFIX} {}\n", items.join(", ")));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::spec::analysis::{Task, analyze};
    use crate::spec::layers::canonical_network;

    fn import(src: &str) -> Imported {
        match import_matlab(src) {
            Ok(i) => i,
            Err(e) => panic!("{e}\n{src}"),
        }
    }

    fn import_err(src: &str) -> MatlabError {
        match import_matlab(src) {
            Ok(i) => panic!("expected an error, got {i:?}"),
            Err(e) => e,
        }
    }

    fn rec(l: &LayerSpec) -> &RecurrentSpec {
        l.recurrent().unwrap()
    }

    fn task(layers: &[LayerSpec]) -> Option<Task> {
        let a = analyze(layers);
        assert!(a.errors.is_empty(), "{:?}", a.errors);
        a.task
    }

    /// MATLAB's "Sequence Classification Using Deep Learning" (Japanese Vowels) example.
    const JAPANESE_VOWELS: &str = r#"
% Classify sequence data using an LSTM network (Japanese Vowels)
[XTrain,YTrain] = japaneseVowelsTrainData;
figure
plot(XTrain{1}')
title("Training Observation 1")
numObservations = numel(XTrain);

inputSize = 12;
numHiddenUnits = 100;
numClasses = 9;

layers = [ ...
    sequenceInputLayer(inputSize)
    lstmLayer(numHiddenUnits,'OutputMode','last')
    fullyConnectedLayer(numClasses)
    softmaxLayer
    classificationLayer]

maxEpochs = 100;
miniBatchSize = 27;

options = trainingOptions('adam', ...
    'ExecutionEnvironment','cpu', ...
    'MaxEpochs',maxEpochs, ...
    'MiniBatchSize',miniBatchSize, ...
    'GradientThreshold',1, ...
    'Verbose',false, ...
    'Plots','training-progress');

net = trainNetwork(XTrain,YTrain,layers,options);

[XTest,YTest] = japaneseVowelsTestData;
YPred = classify(net,XTest,'MiniBatchSize',miniBatchSize,'SequenceLength','longest');
acc = sum(YPred == YTest)./numel(YTest)
"#;

    #[test]
    fn japanese_vowels_script_is_the_canonical_project() {
        let imp = import(JAPANESE_VOWELS);
        assert_eq!(imp.layers, canonical_network());
        let mut expected = Project::canonical().training;
        expected.verbose = false;
        assert_eq!(imp.training, Some(expected));
        assert_eq!(task(&imp.layers), Some(Task::SequenceToLabel));
        for note in [
            "line 3: ignored `[XTrain,YTrain] = japaneseVowelsTrainData` (not network code)",
            "line 4: ignored `figure` (not network code)",
            "line 5: ignored `plot(XTrain{1}')` (not network code)",
            "line 7: ignored `numObservations = numel(XTrain)` (not network code)",
            "line 31: ignored `net = trainNetwork(XTrain,YTrain,layers,options)` (not network code)",
            "line 35: ignored `acc = sum(YPred == YTest)./numel(YTest)` (not network code)",
        ] {
            assert!(
                imp.notes.contains(&note.to_string()),
                "{note}\n{:#?}",
                imp.notes
            );
        }
        assert_eq!(imp.notes.len(), 9, "{:#?}", imp.notes);
    }

    #[test]
    fn sequence_to_sequence_classification_example() {
        let src = r#"
load HumanActivityTrain
XTrain
numFeatures = 3;
numHiddenUnits = 200;
numClasses = 5;

layers = [ ...
    sequenceInputLayer(numFeatures)
    lstmLayer(numHiddenUnits,'OutputMode','sequence')
    fullyConnectedLayer(numClasses)
    softmaxLayer
    classificationLayer];

options = trainingOptions('adam', ...
    'MaxEpochs',60, ...
    'GradientThreshold',2, ...
    'Verbose',0, ...
    'Plots','training-progress');
help lstmLayer
"#;
        let imp = import(src);
        assert_eq!(imp.layers.len(), 5);
        assert_eq!(rec(&imp.layers[1]).num_hidden_units, 200);
        assert_eq!(rec(&imp.layers[1]).output_mode, OutputMode::Sequence);
        assert_eq!(
            task(&imp.layers),
            Some(Task::SequenceToSequenceClassification)
        );
        let o = imp.training.unwrap();
        assert_eq!(
            (o.solver, o.max_epochs, o.gradient_threshold),
            (Solver::Adam, 60, 2.0)
        );
        assert!(!o.verbose && o.plots_training_progress);
        assert_eq!(o.mini_batch_size, 128);
        assert_eq!(
            imp.notes[0],
            "line 2: ignored `load HumanActivityTrain` (not network code)"
        );
        assert_eq!(imp.notes[1], "line 3: ignored `XTrain` (not network code)");
        assert_eq!(
            imp.notes[2],
            "line 20: ignored `help lstmLayer` (not network code)"
        );
    }

    #[test]
    fn sequence_to_one_regression_with_name_value_syntax() {
        // As MATLAB's newer documentation writes it: Name=Value and double quotes.
        let src = r#"
numChannels = 3;
numHiddenUnits = 100;
numResponses = 1;
layers = [
    sequenceInputLayer(numChannels, Normalization="zscore")
    lstmLayer(numHiddenUnits, OutputMode="last")
    fullyConnectedLayer(numResponses)
    regressionLayer];
options = trainingOptions("adam", ...
    MaxEpochs=250, ...
    ValidationData={XValidation TValidation}, ...
    OutputNetwork="best-validation-loss", ...
    InitialLearnRate=0.005, ...
    SequenceLength="shortest", ...
    Plots="training-progress", ...
    Verbose= false);
"#;
        let imp = import(src);
        let LayerKind::SequenceInput(s) = &imp.layers[0].kind else {
            panic!()
        };
        assert_eq!((s.input_size, s.normalization), (3, Normalization::ZScore));
        assert_eq!(rec(&imp.layers[1]).output_mode, OutputMode::Last);
        assert_eq!(imp.layers[3].kind, LayerKind::Regression);
        assert_eq!(task(&imp.layers), Some(Task::SequenceToOneRegression));
        let o = imp.training.unwrap();
        assert_eq!(o.max_epochs, 250);
        assert_eq!(o.output_network, OutputNetwork::BestValidationLoss);
        assert_eq!(o.initial_learn_rate, Some(0.005));
        assert_eq!(o.sequence_length, SequenceLength::Shortest);
        assert!(!o.verbose && o.plots_training_progress);
        assert_eq!(
            imp.notes,
            ["line 12: 'ValidationData' not imported: the data is chosen in LSTM Studio"]
        );
    }

    #[test]
    fn sequence_to_sequence_regression_example() {
        // MATLAB's "Sequence-to-Sequence Regression Using Deep Learning" (turbofan RUL).
        let src = r#"
numResponses = 1; featureDimension = 17
numHiddenUnits = 200;
layers = [ ...
    sequenceInputLayer(featureDimension)
    lstmLayer(numHiddenUnits,'OutputMode','sequence')
    fullyConnectedLayer(50)
    dropoutLayer(0.5)
    fullyConnectedLayer(numResponses)
    regressionLayer];
maxEpochs = 60;
miniBatchSize = 20;
options = trainingOptions('adam', ...
    'MaxEpochs',maxEpochs, ...
    'MiniBatchSize',miniBatchSize, ...
    'InitialLearnRate',0.01, ...
    'GradientThreshold',1, ...
    'Shuffle','never', ...
    'Plots','training-progress',...
    'Verbose',0);
"#;
        let imp = import(src);
        assert_eq!(imp.layers.len(), 6);
        let LayerKind::FullyConnected(f) = &imp.layers[2].kind else {
            panic!()
        };
        assert_eq!(f.output_size, 50);
        assert_eq!(imp.layers[3].kind, LayerKind::Dropout { probability: 0.5 });
        assert_eq!(task(&imp.layers), Some(Task::SequenceToSequenceRegression));
        let o = imp.training.unwrap();
        assert_eq!(
            (o.max_epochs, o.mini_batch_size, o.shuffle),
            (60, 20, Shuffle::Never)
        );
        assert_eq!(
            (o.initial_learn_rate, o.gradient_threshold),
            (Some(0.01), 1.0)
        );
        assert!(imp.notes.is_empty(), "{:?}", imp.notes);
    }

    #[test]
    fn stacked_lstms_with_dropout_classify_sequences() {
        let src = "
numFeatures = 12; numHiddenUnits1 = 125; numHiddenUnits2 = 100; numClasses = 9;
layers = [ ...
    sequenceInputLayer(numFeatures)
    lstmLayer(numHiddenUnits1,'OutputMode','sequence')
    dropoutLayer(0.2)
    lstmLayer(numHiddenUnits2,'OutputMode','last')
    dropoutLayer(0.2)
    fullyConnectedLayer(numClasses)
    softmaxLayer
    classificationLayer];
";
        let imp = import(src);
        assert_eq!(imp.layers.len(), 8);
        assert_eq!(rec(&imp.layers[1]).num_hidden_units, 125);
        assert_eq!(rec(&imp.layers[3]).num_hidden_units, 100);
        assert_eq!(rec(&imp.layers[3]).output_mode, OutputMode::Last);
        assert_eq!(imp.layers[4].kind, LayerKind::Dropout { probability: 0.2 });
        assert_eq!(task(&imp.layers), Some(Task::SequenceToLabel));
        assert_eq!(imp.training, None);
    }

    #[test]
    fn bilstm_and_gru_stacks_with_arithmetic_and_names() {
        let src = r#"
numHiddenUnits = 100;
layers = [sequenceInputLayer(12) bilstmLayer(2*numHiddenUnits, "OutputMode", "last") ...
          fullyConnectedLayer(9) softmaxLayer classificationLayer];
deep = [sequenceInputLayer(3,'Name','in'); gruLayer(numHiddenUnits/2+14,'ResetGateMode','before-multiplication')
        bilstmLayer(32), fullyConnectedLayer(1); regressionLayer('Name','out')];
"#;
        let imp = import(src);
        assert_eq!(imp.layers.len(), 5);
        assert_eq!(imp.layers[0].name, "in");
        let g = rec(&imp.layers[1]);
        assert!(matches!(imp.layers[1].kind, LayerKind::Gru(_)));
        assert_eq!(g.num_hidden_units, 64);
        assert_eq!(g.reset_gate_mode, ResetGateMode::BeforeMultiplication);
        assert_eq!(
            g.bias_initializer,
            BiasInitializer::Zeros,
            "gruLayer's default"
        );
        assert!(matches!(imp.layers[2].kind, LayerKind::Bilstm(_)));
        assert_eq!(imp.layers[4].name, "out");
        assert_eq!(task(&imp.layers), Some(Task::SequenceToSequenceRegression));
        assert_eq!(
            imp.notes,
            [
                "line 3: the layer array `layers` is not used by the imported network (`deep`, line 5)"
            ]
        );

        let bi = import(src.split("deep =").next().unwrap());
        assert_eq!(rec(&bi.layers[1]).num_hidden_units, 200);
        assert!(matches!(bi.layers[1].kind, LayerKind::Bilstm(_)));
        assert_eq!(task(&bi.layers), Some(Task::SequenceToLabel));
    }

    #[test]
    fn every_property_and_value_form_is_read() {
        let src = r#"
%{
layers = [reluLayer];
%}
h = 4;
f = [1 0.5 1 1];
s = "softsign";
head = [softmaxLayer('Name', 'sm')
        classificationLayer('Classes', {'yes', 'no'})];
layers = [ ...
   sequenceInputLayer(3, "normalization", 'rescale-symmetric', 'MINLENGTH', 5) % a comment
   lstmLayer(h, 'InputSize', 'auto', 'StateActivationFunction', s, ...
       'GateActivationFunction', "hard-sigmoid", 'InputWeightsLearnRateFactor', f, ...
       'BiasL2Factor', 1e-3, 'RecurrentWeightsL2Factor', [2 2 2 2]', ...
       'RecurrentWeightsLearnRateFactor', -f(2), ...
       'HiddenState', [0.1; 0.2; -0.3; 4e-2], 'CellState', zeros(h,1), ...
       'InputWeightsInitializer','he', 'RecurrentWeightsInitializer','narrow-normal', 'BiasInitializer','ones')
   fullyConnectedLayer(2, 'InputSize', h, 'WeightsLearnRateFactor', .5, 'BiasL2Factor', -1, ...
       'WeightsInitializer', 'orthogonal', 'BiasInitializer', 'narrow-normal', 'WeightsL2Factor', 0)
   head];
options = trainingOptions('sgdm', 'GradientThreshold', Inf, 'ValidationPatience', 4, ...
    'SequenceLength', 20, 'Momentum', 0.95, 'L2Regularization', 0, 'SequencePaddingDirection', 'left', ...
    'LearnRateSchedule', 'piecewise', 'LearnRateDropFactor', 0.2, 'LearnRateDropPeriod', 5, ...
    'GradientThresholdMethod', 'absolute-value', 'SequencePaddingValue', -1, 'ValidationFrequency', 30, ...
    'ExecutionEnvironment', 'gpu', 'CheckpointPath', 'C:\checkpoints', 'Verbose', 1, 'VerboseFrequency', 10, ...
    'Shuffle', 'every-epoch', 'Epsilon', 1e-6, 'Plots', 'none');
options.MaxEpochs = 5;
options.ValidationPatience = Inf;
"#;
        let imp = import(src);
        assert_eq!(imp.layers.len(), 5);
        let LayerKind::SequenceInput(si) = &imp.layers[0].kind else {
            panic!()
        };
        assert_eq!(
            *si,
            SequenceInputSpec {
                input_size: 3,
                normalization: Normalization::RescaleSymmetric,
                min_length: 5
            }
        );
        let r = rec(&imp.layers[1]);
        assert_eq!(r.num_hidden_units, 4);
        assert_eq!(r.input_size, None);
        assert_eq!(r.state_activation, StateActivation::Softsign);
        assert_eq!(r.gate_activation, GateActivation::HardSigmoid);
        assert_eq!(
            r.input_weights_learn_rate_factor,
            GateFactor(vec![1.0, 0.5, 1.0, 1.0])
        );
        assert_eq!(
            r.recurrent_weights_learn_rate_factor,
            GateFactor(vec![-0.5])
        );
        assert_eq!(r.bias_l2_factor, GateFactor(vec![0.001]));
        assert_eq!(r.recurrent_weights_l2_factor, GateFactor(vec![2.0; 4]));
        assert_eq!(r.hidden_state, Some(vec![0.1, 0.2, -0.3, 0.04]));
        assert_eq!(r.cell_state, Some(vec![0.0; 4]));
        assert_eq!(r.input_weights_initializer, WeightsInitializer::He);
        assert_eq!(
            r.recurrent_weights_initializer,
            WeightsInitializer::NarrowNormal
        );
        assert_eq!(r.bias_initializer, BiasInitializer::Ones);
        let LayerKind::FullyConnected(fc) = &imp.layers[2].kind else {
            panic!()
        };
        assert_eq!(
            *fc,
            FullyConnectedSpec {
                output_size: 2,
                input_size: Some(4),
                weights_learn_rate_factor: 0.5,
                bias_learn_rate_factor: 1.0,
                weights_l2_factor: 0.0,
                bias_l2_factor: -1.0,
                weights_initializer: WeightsInitializer::Orthogonal,
                bias_initializer: BiasInitializer::NarrowNormal,
            }
        );
        assert_eq!(imp.layers[3].name, "sm");
        assert_eq!(
            imp.layers[4].kind,
            LayerKind::Classification {
                classes: Some(vec!["yes".into(), "no".into()])
            }
        );
        let o = imp.training.unwrap();
        assert_eq!(o.solver, Solver::Sgdm);
        assert_eq!(o.gradient_threshold, f64::INFINITY);
        assert_eq!(o.validation_patience, None);
        assert_eq!(o.sequence_length, SequenceLength::Fixed(20));
        assert_eq!(
            (o.momentum, o.l2_regularization, o.epsilon),
            (0.95, 0.0, 1e-6)
        );
        assert_eq!(o.sequence_padding_direction, PaddingDirection::Left);
        assert_eq!(o.learn_rate_schedule, LearnRateSchedule::Piecewise);
        assert_eq!(
            (o.learn_rate_drop_factor, o.learn_rate_drop_period),
            (0.2, 5)
        );
        assert_eq!(
            o.gradient_threshold_method,
            GradientThresholdMethod::AbsoluteValue
        );
        assert_eq!(
            (o.sequence_padding_value, o.validation_frequency),
            (-1.0, 30)
        );
        assert_eq!(o.execution_environment, ExecutionEnvironment::Gpu);
        assert_eq!(o.checkpoint_path, r"C:\checkpoints");
        assert!(o.verbose && !o.plots_training_progress);
        assert_eq!(
            (o.verbose_frequency, o.shuffle, o.max_epochs),
            (10, Shuffle::EveryEpoch, 5)
        );
        assert!(imp.notes.is_empty(), "{:?}", imp.notes);
        // The invalid values are kept for the spec's validation to report.
        let a = analyze(&imp.layers);
        assert!(
            a.errors
                .contains(&"fc: BiasL2Factor must be a nonnegative scalar, got -1".to_string()),
            "{:?}",
            a.errors
        );
    }

    #[test]
    fn a_factor_of_the_wrong_length_is_kept_and_reported_by_analysis() {
        let src = "layers = [sequenceInputLayer(12)
    lstmLayer(100,'OutputMode','last','BiasLearnRateFactor',[1 2])
    fullyConnectedLayer(9)
    softmaxLayer
    classificationLayer];";
        let imp = import(src);
        assert_eq!(
            rec(&imp.layers[1]).bias_learn_rate_factor,
            GateFactor(vec![1.0, 2.0])
        );
        let a = analyze(&imp.layers);
        assert!(
            a.errors.contains(&"lstm: BiasLearnRateFactor must be a nonnegative scalar or a 1×4 vector, got [1 2]".to_string()),
            "{:?}",
            a.errors
        );
    }

    #[test]
    fn unknown_layer_is_an_error_at_its_name() {
        let e = import_err("layers = [\n    sequenceInputLayer(12)\n    reluLayer\n];");
        assert_eq!((e.line, e.column), (3, 5));
        assert!(
            e.message
                .starts_with("unknown layer `reluLayer`: LSTM Studio supports sequenceInputLayer"),
            "{e}"
        );
        let e = import_err("layers = [LSTMLayer(10)];");
        assert_eq!((e.line, e.column), (1, 11));
        assert!(e.message.contains("did you mean `lstmLayer`?"), "{e}");
    }

    #[test]
    fn unknown_property_is_an_error_at_the_property_name() {
        let e =
            import_err("layers = [sequenceInputLayer(12) lstmLayer(100, 'OutputMod', 'last')];");
        assert_eq!((e.line, e.column), (1, 49));
        assert!(
            e.message.starts_with(
                "unknown property `OutputMod` of lstmLayer (its properties: Name, InputSize"
            ),
            "{e}"
        );
        let e = import_err("options = trainingOptions('adam',\n    'MaxEpoch', 3);");
        assert_eq!((e.line, e.column), (2, 5));
        assert_eq!(e.message, "unknown trainingOptions option `MaxEpoch`");
    }

    #[test]
    fn unterminated_bracket_is_an_error_at_the_bracket() {
        let src = "numHiddenUnits = 100;\nlayers = [ ...\n    sequenceInputLayer(12)\n    lstmLayer(numHiddenUnits)\noptions = trainingOptions('adam');\n";
        let e = import_err(src);
        assert_eq!((e.line, e.column), (2, 10));
        assert_eq!(
            e.to_string(),
            "line 2, column 10: unterminated `[`: no matching `]`"
        );
        let e = import_err("layers = [sequenceInputLayer(12) lstmLayer(100];");
        assert_eq!((e.line, e.column), (1, 47));
        assert!(
            e.message
                .contains("`]` does not close `(` (line 1, column 43)"),
            "{e}"
        );
    }

    #[test]
    fn unterminated_string_is_an_error_at_the_quote() {
        let e = import_err("x = 1;\nlayers = [sequenceInputLayer(12, 'Name', 'input)];");
        assert_eq!((e.line, e.column), (2, 42));
        assert!(
            e.message.starts_with("unterminated character vector"),
            "{e}"
        );
        let e = import_err("options = trainingOptions(\"adam);");
        assert_eq!((e.line, e.column), (1, 27));
        assert!(e.message.starts_with("unterminated string"), "{e}");
    }

    #[test]
    fn undefined_variable_is_an_error_at_its_use() {
        let e = import_err(
            "numFeature = 12;\nlayers = [sequenceInputLayer(numFeatures) lstmLayer(100)];",
        );
        assert_eq!((e.line, e.column), (2, 30));
        assert_eq!(e.message, "undefined variable `numFeatures`");
        // A variable computed from data is named with the line that was ignored.
        let e = import_err(
            "numFeatures = size(XTrain{1},1);\nlayers = [sequenceInputLayer(numFeatures)];",
        );
        assert_eq!((e.line, e.column), (2, 30));
        assert!(e.message.starts_with("`numFeatures` has no value here: line 1 (`numFeatures = size(XTrain{1},1)`) was not imported"), "{e}");
    }

    #[test]
    fn property_without_value_is_an_error_at_the_property() {
        let e = import_err("layers = [sequenceInputLayer(12)\n  lstmLayer(100,'OutputMode')];");
        assert_eq!((e.line, e.column), (2, 17));
        assert_eq!(e.message, "property `OutputMode` has no value");
    }

    #[test]
    fn wrong_value_types_and_unsupported_forms_are_errors() {
        let e = import_err("layers = [lstmLayer(100, 'OutputMode', 5)];");
        assert_eq!((e.line, e.column), (1, 40));
        assert_eq!(
            e.message,
            "`OutputMode` must be 'sequence' or 'last', got 5"
        );
        let e = import_err("layers = [lstmLayer('100')];");
        assert!(
            e.message
                .starts_with("the first argument of lstmLayer is NumHiddenUnits"),
            "{e}"
        );
        let e = import_err("layers = [fullyConnectedLayer];");
        assert_eq!(
            e.message,
            "fullyConnectedLayer needs OutputSize: write fullyConnectedLayer(outputSize, …)"
        );
        let e = import_err("layers = [lstmLayer(1.5)];");
        assert_eq!(
            e.message,
            "`NumHiddenUnits` must be a positive integer, got 1.5"
        );
        let e = import_err("options = trainingOptions('adam', 'Verbose', 'yes');");
        assert_eq!(
            e.message,
            "`Verbose` must be true or false (1 or 0), got text 'yes'"
        );
        let e = import_err("options = trainingOptions('lbfgs');");
        assert_eq!(
            e.message,
            "`solver` must be 'sgdm', 'adam' or 'rmsprop', got 'lbfgs'"
        );
        let e = import_err("layers = [lstmLayer(10)];\nlayers(2) = dropoutLayer;");
        assert_eq!((e.line, e.column), (2, 13));
        let e = import_err("for k = 1:3\n  layers = [lstmLayer(10)];\nend");
        assert_eq!((e.line, e.column), (2, 13));
        assert!(
            e.message.contains("inside the `for` block of line 1"),
            "{e}"
        );
        let e = import_err("lstmLayer(10)");
        assert_eq!(
            e.message,
            "network code must be assigned to a variable: `layers = [ … ];`"
        );
        let e = import_err("figure\nplot(1:10)");
        assert_eq!((e.line, e.column), (1, 1));
        let e = import_err("options = trainingOptions('adam', 'Seed', 3);");
        assert!(e.message.contains("LSTM Studio option"), "{e}");
    }

    #[test]
    fn canonical_project_exports_as_matlab_and_round_trips() {
        let p = Project::canonical();
        let code = export_matlab(&p);
        assert!(code.starts_with("% Japanese Vowels\n"), "{code}");
        assert!(code.contains(
            "layers = [ ...\n    sequenceInputLayer(12)\n    lstmLayer(100, 'OutputMode','last')\n    fullyConnectedLayer(9)\n    softmaxLayer\n    classificationLayer];\n"
        ), "{code}");
        assert!(code.contains(
            "options = trainingOptions('adam', ...\n    'MaxEpochs',100, ...\n    'MiniBatchSize',27, ...\n    'GradientThreshold',1, ...\n    'ExecutionEnvironment','cpu', ...\n    'Plots','training-progress');\n"
        ), "{code}");
        assert!(!code.contains("LSTM Studio options"), "{code}");
        let imp = import(&code);
        assert_eq!(imp.layers, p.layers);
        assert_eq!(imp.training, Some(p.training));
        assert!(imp.notes.is_empty(), "{:?}", imp.notes);
    }

    fn every_property_project(solver: Solver) -> Project {
        let gru_default = LayerType::Gru.default_layer().recurrent().cloned().unwrap();
        let mut p = Project::canonical();
        p.name = "Every property\nsecond line".into();
        p.layers = vec![
            LayerSpec::new(LayerKind::SequenceInput(SequenceInputSpec {
                input_size: 3,
                normalization: Normalization::RescaleZeroOne,
                min_length: 4,
            }))
            .named("in"),
            LayerSpec::new(LayerKind::Lstm(RecurrentSpec {
                input_size: Some(3),
                num_hidden_units: 4,
                output_mode: OutputMode::Sequence,
                state_activation: StateActivation::Softsign,
                gate_activation: GateActivation::HardSigmoid,
                input_weights_learn_rate_factor: GateFactor(vec![1.0, 0.0, 0.5, 2.0]),
                recurrent_weights_learn_rate_factor: GateFactor::scalar(0.25),
                bias_learn_rate_factor: GateFactor(vec![1.0, 2.0]),
                input_weights_l2_factor: GateFactor::scalar(1e-5),
                recurrent_weights_l2_factor: GateFactor(vec![0.0, 0.0, 0.0, 1e-3]),
                bias_l2_factor: GateFactor::scalar(0.1),
                input_weights_initializer: WeightsInitializer::He,
                recurrent_weights_initializer: WeightsInitializer::NarrowNormal,
                bias_initializer: BiasInitializer::Ones,
                hidden_state: Some(vec![0.1, -0.2, 0.3, 1e-7]),
                cell_state: Some(vec![1.0, 2.0, 3.0, 1.0 / 3.0]),
                reset_gate_mode: ResetGateMode::AfterMultiplication,
            }))
            .named("it's an lstm"),
            LayerSpec::new(LayerKind::Dropout { probability: 0.25 }),
            LayerSpec::new(LayerKind::Bilstm(RecurrentSpec {
                num_hidden_units: 5,
                hidden_state: Some(vec![0.0; 10]),
                cell_state: Some(Vec::new()),
                input_size: None,
                ..RecurrentSpec::default()
            })),
            LayerSpec::new(LayerKind::Gru(RecurrentSpec {
                num_hidden_units: 6,
                output_mode: OutputMode::Last,
                reset_gate_mode: ResetGateMode::BeforeMultiplication,
                bias_initializer: BiasInitializer::NarrowNormal,
                input_weights_learn_rate_factor: GateFactor(vec![1.0, 0.5, 2.0]),
                gate_activation: GateActivation::HardSigmoid,
                ..gru_default
            })),
            LayerSpec::new(LayerKind::FullyConnected(FullyConnectedSpec {
                output_size: 2,
                input_size: Some(6),
                weights_learn_rate_factor: 0.5,
                bias_learn_rate_factor: 2.0,
                weights_l2_factor: 0.0,
                bias_l2_factor: 1.5,
                weights_initializer: WeightsInitializer::Orthogonal,
                bias_initializer: BiasInitializer::Ones,
            }))
            .named("line1\nline2"),
            LayerSpec::new(LayerKind::Softmax),
            LayerSpec::new(LayerKind::Classification {
                classes: Some(vec!["a".into(), "it's b".into()]),
            }),
            LayerSpec::new(LayerKind::Regression).named("out"),
            LayerSpec::new(LayerKind::Classification {
                classes: Some(Vec::new()),
            }),
        ];
        p.training = TrainingOptions {
            solver,
            initial_learn_rate: Some(0.05),
            momentum: 0.8,
            gradient_decay_factor: 0.95,
            squared_gradient_decay_factor: Some(0.99),
            epsilon: 1e-6,
            max_epochs: 7,
            mini_batch_size: 16,
            shuffle: Shuffle::EveryEpoch,
            learn_rate_schedule: LearnRateSchedule::Piecewise,
            learn_rate_drop_factor: 0.5,
            learn_rate_drop_period: 3,
            l2_regularization: 0.0,
            gradient_threshold: 2.5,
            gradient_threshold_method: GradientThresholdMethod::GlobalL2norm,
            sequence_length: SequenceLength::Fixed(20),
            sequence_padding_value: -1.5,
            sequence_padding_direction: PaddingDirection::Left,
            validation_frequency: 10,
            validation_patience: Some(5),
            output_network: OutputNetwork::BestValidationLoss,
            execution_environment: ExecutionEnvironment::Gpu,
            checkpoint_path: "/tmp/it's here".into(),
            verbose: false,
            verbose_frequency: 5,
            plots_training_progress: false,
            seed: u64::MAX,
            sort_by_length: true,
            validation_fraction: 0.2,
        };
        p
    }

    #[test]
    fn every_property_round_trips_through_matlab_code() {
        for solver in [Solver::Sgdm, Solver::Adam, Solver::Rmsprop] {
            let p = every_property_project(solver);
            let code = export_matlab(&p);
            let imp = import(&code);
            assert_eq!(imp.layers, p.layers, "{code}");
            assert_eq!(imp.training.as_ref(), Some(&p.training), "{code}");
            assert!(imp.notes.is_empty(), "{:?}", imp.notes);
        }
        let code = export_matlab(&every_property_project(Solver::Sgdm));
        for line in [
            "    sequenceInputLayer(3, 'Name','in', 'Normalization','rescale-zero-one', 'MinLength',4)",
            "    lstmLayer(4, 'Name','it''s an lstm', 'InputSize',3, 'StateActivationFunction','softsign', 'GateActivationFunction','hard-sigmoid', 'InputWeightsLearnRateFactor',[1 0 0.5 2], 'RecurrentWeightsLearnRateFactor',0.25, 'BiasLearnRateFactor',[1 2], 'InputWeightsL2Factor',1e-5, 'RecurrentWeightsL2Factor',[0 0 0 0.001], 'BiasL2Factor',0.1, 'InputWeightsInitializer','he', 'RecurrentWeightsInitializer','narrow-normal', 'BiasInitializer','ones', 'HiddenState',[0.1;-0.2;0.3;1e-7], 'CellState',[1;2;3;0.3333333333333333])",
            "    dropoutLayer(0.25)",
            "    gruLayer(6, 'OutputMode','last', 'GateActivationFunction','hard-sigmoid', 'InputWeightsLearnRateFactor',[1 0.5 2], 'BiasInitializer','narrow-normal', 'ResetGateMode','before-multiplication')",
            "    fullyConnectedLayer(2, 'Name',['line1' char(10) 'line2'], 'InputSize',6, 'WeightsLearnRateFactor',0.5, 'BiasLearnRateFactor',2, 'WeightsL2Factor',0, 'BiasL2Factor',1.5, 'WeightsInitializer','orthogonal', 'BiasInitializer','ones')",
            "    classificationLayer('Classes',{'a','it''s b'})",
            "options = trainingOptions('sgdm', ...",
            "    'SequenceLength',20, ...",
            "    'SequencePaddingDirection','left', ...",
            "    'LearnRateSchedule','piecewise', ...",
            "% LSTM Studio options: 'GradientDecayFactor',0.95, 'SquaredGradientDecayFactor',0.99, 'Epsilon',1e-6, 'Seed',18446744073709551615, 'SortByLength',true, 'ValidationFraction',0.2",
        ] {
            assert!(code.lines().any(|l| l == line), "missing {line}\n{code}");
        }
        assert!(code.starts_with("% Every property second line\n"), "{code}");
    }

    #[test]
    fn studio_options_comment_needs_training_options() {
        let imp = import("layers = [sequenceInputLayer(2)];\n% LSTM Studio options: 'Seed',4");
        assert_eq!(
            imp.notes,
            [
                "line 2: the `LSTM Studio options:` comment is ignored: the code has no trainingOptions"
            ]
        );
        let e = import_err("options = trainingOptions('adam');\n% LSTM Studio options: 'Sed',4");
        assert_eq!((e.line, e.column), (2, 24));
    }

    #[test]
    fn empty_network_and_default_options_round_trip() {
        let p = Project {
            layers: Vec::new(),
            ..Project::default()
        };
        let code = export_matlab(&p);
        assert!(code.contains("layers = [];\noptions = trainingOptions('adam', ...\n    'Plots','training-progress');\n") || code.contains("layers = [];\n\noptions"), "{code}");
        let imp = import(&code);
        assert!(imp.layers.is_empty());
        assert_eq!(imp.training, Some(p.training));
    }

    #[test]
    fn any_input_gives_a_result_or_an_error_without_panicking() {
        let sources = [
            JAPANESE_VOWELS.to_string(),
            export_matlab(&every_property_project(Solver::Adam)),
            "x = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))".into(),
            format!("x = {}1;", "-".repeat(5000)),
            format!("layers = [lstmLayer({})];", vec!["1"; 5000].join("+")),
            format!("x = {}{};", "[".repeat(3000), "]".repeat(3000)),
            "x = 1:1e12;".into(),
            "x = zeros(1e6, 1e6); layers = [sequenceInputLayer(x)];".into(),
            "x = zeros(0, 1e15)'; y = [x x]; layers = [lstmLayer(3, HiddenState=x')];".into(),
            "a = [1 1]; a = [a a]; a = [a a]; a = [a a a a a a a a a a a a a a a a a a a a a a a];".into(),
            "layers = [lstmLayer(10)]; layers = [layers layers]; layers(1e300)".into(),
            "'\u{e9}\u{301}\"".into(),
            "%{\n".into(),
            "x = 1 ...".into(),
            "x = '".into(),
            ".'".into(),
            "x = 1.e".into(),
            "options.MaxEpochs = 3".into(),
            "options = trainingOptions('adam'); options.Foo = 3".into(),
            "layers = [lstmLayer(10, HiddenState=char(1e10))]".into(),
            "l = [x{:}]".into(),
            "\u{0}\u{1}\r\n\t".into(),
        ];
        for src in &sources {
            let _ = import_matlab(src);
            // Every prefix of the short sources, a sample of the long ones' (cut anywhere).
            let step = if src.len() < 3000 { 1 } else { 97 };
            for (k, _) in src.char_indices().step_by(step) {
                let _ = import_matlab(&src[..k]);
            }
        }
        let e = import_err(&sources[4]);
        assert!(e.message.contains("too long or nested too deeply"), "{e}");
        let e = import_err("layers = [sequenceInputLayer(1:1e12)];");
        assert_eq!(e.message, "the range is too large");
    }
}
