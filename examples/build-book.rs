//! Builds the book into a folder, with the same mdBook the tests use
//! (no `cargo install mdbook` needed): `cargo run --example build-book --
//! target/book`. `scripts/book-screenshots` uses it.

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/book".to_owned());
    let mut book = mdbook_driver::MDBook::load("book").expect("the book loads");
    book.config
        .set("build.build-dir", &out)
        .expect("the build folder is a string");
    book.build().expect("the book builds");
    println!("{out}");
}
