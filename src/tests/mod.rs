//! Unit tests of the top-level modules.

mod makefile;
