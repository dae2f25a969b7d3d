use homeflake_nix::*;

#[test]
fn scratch() {
    let Ok(path) = std::env::var("SRC") else { return };
    let src = std::fs::read_to_string(path).unwrap();
    let f = from_rnix(&src).unwrap();
    let out = print_file(&f);
    println!("{out}=====");
    println!("{}", nixfmt_rs::format(&src).unwrap());
}
