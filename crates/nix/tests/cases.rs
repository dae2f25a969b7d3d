//! Hand-written cases for every construct: each printed file is checked against nixfmt, parsed
//! by rnix, read back by `from_rnix` and printed again unchanged, then compared with its snapshot.

use homeflake_nix::make::*;
use homeflake_nix::*;

fn check(name: &str, file: File) {
    let printed = print_file(&file);
    let formatted =
        nixfmt_rs::format(&printed).unwrap_or_else(|e| panic!("{name}: nixfmt rejects it: {e:?}\n{printed}"));
    assert_eq!(formatted, printed, "{name}: nixfmt changes it");
    assert!(rnix::Root::parse(&printed).errors().is_empty(), "{name}: rnix rejects it");
    let back = from_rnix(&printed).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(print_file(&back), printed, "{name}: does not read back");
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, printed);
    });
}

fn expr(name: &str, e: Expr) {
    check(name, file(Vec::<String>::new(), e));
}

fn i(n: &str) -> Expr {
    ident(n)
}

fn b(l: impl Into<Expr>, op: BinaryOp, r: impl Into<Expr>) -> Expr {
    binary(l, op, r)
}

fn neg(e: impl Into<Expr>) -> Expr {
    Expr::Unary { op: UnaryOp::Negate, expr: Box::new(e.into()) }
}

fn long(n: usize) -> Expr {
    string(&"x".repeat(n))
}

#[test]
fn attribute_sets() {
    expr(
        "attrs",
        attrs([
            bind("boot.loader.grub.enable", false),
            bind_path(keys(["interfaces", "end0.1", "useDHCP"]), true),
            bind_path(keys(["/", "inherit", "with space", "a\"b"]), 1u16),
            bind_path(vec![Key::Dynamic(i("name")), Key::Name("x".into())], null()),
            bind_path(vec![Key::Dynamic(quoted([text("pre-"), interp(i("n"))]))], null()),
            bind("empty", attrs([])),
            bind("one", attrs([bind("a", 1u16)])),
            bind("inheritOnly", attrs([inherit(["a"])])),
            bind("recursive", rec_attrs([bind("a", 1u16), bind("b", i("a"))])),
        ]),
    );
    expr("attrs_empty", attrs([]));
    expr("attrs_single", list([attrs([bind("a", 1u16)])]));
}

fn null() -> Expr {
    Expr::Null
}

#[test]
fn inherits() {
    expr(
        "inherit",
        attrs([
            inherit(["a", "b", "c"]),
            inherit(["a", "b", "c", "d"]),
            inherit_from(i("lib"), ["mkIf", "mkOption"]),
            inherit_from(select(i("pkgs"), "lib"), ["a", "b", "c", "d", "e"]),
            inherit_from(apply(i("import"), [path("./x.nix")]), ["y"]),
        ]),
    );
}

#[test]
fn lists() {
    expr(
        "lists",
        attrs([
            bind("empty", list(Vec::<Expr>::new())),
            bind("one", list(["a"])),
            bind("many", list([1u16, 2, 3])),
            bind("nested", list([list([1u16]), list(Vec::<Expr>::new())])),
            bind(
                "needParens",
                list([Expr::Int(-1), apply(i("f"), [i("x")]), b(1i64, BinaryOp::Add, 2i64), select(i("a"), "b")]),
            ),
            bind(
                "commented",
                Expr::List(vec![
                    ListItem { comments: vec!["first".into()], value: string("a"), tag: 0 },
                    ListItem { comments: vec!["two".into(), "lines".into()], value: string("b"), tag: 0 },
                ]),
            ),
        ]),
    );
}

#[test]
fn strings() {
    expr(
        "strings",
        attrs([
            bind("plain", "hello"),
            bind("escapes", "quote \" backslash \\ dollar ${x} $ {} tab\t cr\r newline\n"),
            bind("dollarBeforeInterp", quoted([text("$"), interp(i("x")), text("$$")])),
            bind("interp", quoted([text("${"), interp(select(i("pkgs"), "hello")), text("/bin")])),
            bind("script", string("set -eu\necho \"${HOME}\" ''quoted''\n  indented line\n\tTabbed\n")),
            bind("allIndented", string("  a\n  b\n")),
            bind("trailingSpaces", string("a\n   ")),
            bind("onlyNewlines", string("\n\n")),
            bind(
                "withInterp",
                indented([text("ExecStart="), interp(select(i("pkgs"), "foo")), text("/bin/foo\nUser=root\n")]),
            ),
            bind("singleLineIndented", indented([text("no newline")])),
            bind("quoteInIndented", indented([text("say \"hi\"")])),
            bind("unicode", "日本語 é 😀"),
            bind("emptyString", ""),
        ]),
    );
}

#[test]
fn literals() {
    expr(
        "literals",
        list([
            Expr::Int(0),
            Expr::Int(42),
            Expr::Int(-7),
            Expr::Int(i64::MAX),
            Expr::Int(i64::MIN),
            Expr::Float(1.0),
            Expr::Float(0.25),
            Expr::Float(-2.5),
            Expr::Float(1e100),
            Expr::Float(1.5e-9),
            Expr::Bool(true),
            Expr::Bool(false),
            Expr::Null,
            path("./hosts/yomogi"),
            path("/etc/nixos"),
            path("<nixpkgs>"),
            path("~/.config"),
        ]),
    );
}

#[test]
fn selections() {
    expr(
        "select",
        attrs([
            bind("a", select(i("config"), "services.nginx.enable")),
            bind("b", select_or(i("cfg"), "port", 80u16)),
            bind("c", select_or(i("cfg"), "x", select(i("d"), "e"))),
            bind("d", select_or(i("cfg"), "x", apply(i("f"), [i("y")]))),
            bind("e", select(apply(i("import"), [path("./x.nix")]), "y")),
            bind("f", select(Expr::Int(1), "a")),
            bind("g", select(path("./a"), "b")),
            bind("h", select(select_or(i("a"), "b", 1u16), "c")),
            bind("i", select(select(i("a"), "b"), "c")),
            bind(
                "j",
                Expr::Select {
                    expr: Box::new(i("a")),
                    path: vec![Key::Name("or".into()), Key::Dynamic(i("k"))],
                    default: None,
                },
            ),
            bind("k", Expr::HasAttr { expr: Box::new(i("cfg")), path: dotted("a.b") }),
            bind("l", Expr::HasAttr { expr: Box::new(Expr::Int(-1)), path: dotted("a") }),
            bind("m", select(attrs([bind("a", 1u16)]), "a")),
        ]),
    );
}

#[test]
fn applications() {
    expr(
        "apply",
        attrs([
            bind("simple", apply(i("f"), [i("x")])),
            bind("two", apply(i("f"), [i("x"), string("y")])),
            bind("nested", apply(i("f"), [apply(i("g"), [i("x")]), lambda("x", i("x"))])),
            bind("setArg", apply(select(i("lib"), "mkIf"), [i("cond"), attrs([bind("a", 1u16), bind("b", 2u16)])])),
            bind("listPair", apply(i("f"), [list([1u16, 2]), list([3u16])])),
            bind("long", apply(i("someFunction"), [long(40), long(40), long(30)])),
            bind("parenLambdaLast", apply(i("map"), [lambda("x", attrs([bind("a", i("x"))])), i("xs")])),
            bind(
                "lambdaLast",
                apply(select(i("lib"), "mapAttrs"), [lambda("name", lambda("value", attrs([bind("n", i("name"))])))]),
            ),
            bind("callPackage", apply(select(i("pkgs"), "callPackage"), [path("./pkg.nix"), attrs([])])),
            bind("negArg", apply(i("f"), [Expr::Int(-1), neg(i("x"))])),
        ]),
    );
}

#[test]
fn lambdas() {
    expr(
        "lambda",
        attrs([
            bind("ident", lambda("x", i("x"))),
            bind("curried", lambda("a", lambda("b", lambda("c", b(i("a"), BinaryOp::Add, i("b")))))),
            bind("flat", lambda_pattern(&["a", "b"], false, i("a"))),
            bind("flatEllipsis", lambda_pattern(&["a", "b"], true, attrs([bind("x", i("a"))]))),
            bind("wide", lambda_pattern(&["config", "pkgs", "lib"], true, attrs([]))),
            bind("empty", lambda_pattern(&[], false, i("x"))),
            bind("onlyEllipsis", lambda_pattern(&[], true, i("x"))),
            bind(
                "defaults",
                Expr::Lambda {
                    param: Param::Pattern(Pattern {
                        entries: vec![
                            PatternEntry { name: "a".into(), default: Some(Expr::Int(1)) },
                            PatternEntry { name: "b".into(), default: None },
                        ],
                        ellipsis: false,
                        bind: Some("args".into()),
                    }),
                    body: Box::new(i("args")),
                },
            ),
        ]),
    );
    expr("module", lambda_pattern(&["config", "pkgs", "..."][..2], true, attrs([bind("a", 1u16)])));
}

#[test]
fn let_with_if() {
    expr(
        "let_with_if",
        let_in(
            [bind("x", 1u16), inherit_from(i("lib"), ["mkIf"])],
            attrs([
                bind("w", with(i("pkgs"), list([i("vim"), i("git")]))),
                bind("w2", with(i("lib"), apply(i("mkIf"), [i("x"), i("y")]))),
                bind("cond", if_then_else(i("a"), 1u16, 2u16)),
                bind("chain", if_then_else(i("a"), 1u16, if_then_else(i("b"), 2u16, 3u16))),
                bind("longCond", if_then_else(b(long(40), BinaryOp::Equal, long(40)), long(30), long(30))),
                bind("innerLet", let_in([bind("y", 2u16)], i("y"))),
            ]),
        ),
    );
}

#[test]
fn operators() {
    use BinaryOp::*;
    expr(
        "operators",
        attrs([
            bind("concat", b(list(["a"]), Concat, b(i("b"), Concat, list(["c"])))),
            bind("concatLeft", b(b(i("a"), Concat, i("b")), Concat, i("c"))),
            bind("update", b(i("defaults"), Update, attrs([bind("a", 1u16)]))),
            bind("arith", b(b(i("a"), Sub, i("b")), Sub, b(i("c"), Sub, i("d")))),
            bind("prec", b(b(i("a"), Add, i("b")), Mul, i("c"))),
            bind("cmp", b(b(i("a"), Equal, i("b")), Equal, i("c"))),
            bind("logic", b(b(i("a"), And, i("b")), Or, b(i("c"), Implies, b(i("d"), Implies, i("e"))))),
            bind("implLeft", b(b(i("a"), Implies, i("b")), Implies, i("c"))),
            bind("not", not(b(i("a"), Add, i("b")))),
            bind("notLhs", b(not(i("a")), Add, i("b"))),
            bind("notAnd", b(not(i("a")), And, not(not(i("b"))))),
            bind("negate", neg(neg(i("x")))),
            bind("negPath", neg(path("./x"))),
            bind("lambdaRhs", b(i("a"), Add, lambda("x", i("x")))),
            bind("letLhs", b(let_in([bind("a", 1u16)], i("a")), Add, i("b"))),
            bind(
                "all",
                b(
                    b(b(i("a"), Div, i("b")), Less, i("c")),
                    NotEqual,
                    b(b(i("d"), LessEq, i("e")), Or, b(i("f"), GreaterEq, i("g"))),
                ),
            ),
            bind("gt", b(i("a"), Greater, Expr::Int(-1))),
            bind("longChain", b(b(long(30), Add, long(30)), Add, long(30))),
            bind("longUpdate", b(b(long(40), Update, long(40)), Update, attrs([bind("x", 1u16)]))),
        ]),
    );
}

#[test]
fn comments() {
    check(
        "comments",
        file(
            ["Generated by homeflake; do not edit.", "", "  indented", "two\nlines"],
            attrs([
                bind("a", 1u16).commented("About a."),
                inherit(["b"]).commented("Inherited."),
                bind("c", attrs([bind("d", 2u16).commented("Nested.")])),
            ]),
        ),
    );
    check("comment_on_apply", file(["header"], apply(i("import"), [path("./x.nix"), attrs([])])));
}
