//! `no-cli`: a tiny `no_std` component plugged into sockfile's import of `wasi:cli/*` and
//! `wasi:random/insecure-seed` (`scripts/component.sh`), so the composed component imports
//! only `wasi:sockets`, `wasi:io`, `wasi:clocks` and `wasi:random/random`.
//!
//! Rust std and wasi-libc reference these interfaces from code sockfile never runs (the
//! panic message on stderr, `getenv`, `exit`, the stdio descriptor table); a panic is a trap
//! either way. `no_std` so that this component itself imports nothing of them.
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

wit_bindgen::generate!({
    path: "wit",
    world: "no-cli",
    with: {
        "wasi:io/error@0.2.12": wasip2::io::error,
        "wasi:io/streams@0.2.12": wasip2::io::streams,
        "wasi:io/poll@0.2.12": wasip2::io::poll,
        "wasi:random/random@0.2.12": wasip2::random::random,
    },
    generate_all,
});

use exports::wasi::cli;
use exports::wasi::random::insecure_seed;
use wasip2::io::streams::{InputStream, OutputStream};

struct NoCli;

/// Never returns: the caller is on a path that ends in a trap (a panic's message).
fn deny() -> ! {
    core::arch::wasm32::unreachable()
}

impl cli::environment::Guest for NoCli {
    fn get_environment() -> Vec<(String, String)> {
        Vec::new()
    }
    fn get_arguments() -> Vec<String> {
        Vec::new()
    }
    fn initial_cwd() -> Option<String> {
        None
    }
}

impl cli::exit::Guest for NoCli {
    fn exit(_status: Result<(), ()>) {
        deny()
    }
    fn exit_with_code(_status_code: u8) {
        deny()
    }
}

impl cli::stdin::Guest for NoCli {
    fn get_stdin() -> InputStream {
        deny()
    }
}

impl cli::stdout::Guest for NoCli {
    fn get_stdout() -> OutputStream {
        deny()
    }
}

impl cli::stderr::Guest for NoCli {
    fn get_stderr() -> OutputStream {
        deny()
    }
}

/// No terminal: the resources exist only as types.
pub struct Terminal;

impl cli::terminal_input::Guest for NoCli {
    type TerminalInput = Terminal;
}

impl cli::terminal_input::GuestTerminalInput for Terminal {}

impl cli::terminal_output::Guest for NoCli {
    type TerminalOutput = Terminal;
}

impl cli::terminal_output::GuestTerminalOutput for Terminal {}

impl cli::terminal_stdin::Guest for NoCli {
    fn get_terminal_stdin() -> Option<cli::terminal_input::TerminalInput> {
        None
    }
}

impl cli::terminal_stdout::Guest for NoCli {
    fn get_terminal_stdout() -> Option<cli::terminal_output::TerminalOutput> {
        None
    }
}

impl cli::terminal_stderr::Guest for NoCli {
    fn get_terminal_stderr() -> Option<cli::terminal_output::TerminalOutput> {
        None
    }
}

impl insecure_seed::Guest for NoCli {
    /// Hash-map seeds, from the secure source (the only randomness sockfile imports).
    fn insecure_seed() -> (u64, u64) {
        (
            wasip2::random::random::get_random_u64(),
            wasip2::random::random::get_random_u64(),
        )
    }
}

export!(NoCli);

/// A bump allocator: this component allocates a few bytes per call at most (empty lists),
/// and what it frees is not reused.
mod heap {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    const SIZE: usize = 64 * 1024;

    struct Bump {
        arena: UnsafeCell<[u8; SIZE]>,
        next: UnsafeCell<usize>,
    }

    // SAFETY: a component instance runs on one thread.
    unsafe impl Sync for Bump {}

    unsafe impl GlobalAlloc for Bump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let next = &mut *self.next.get();
            let start = (*next + layout.align() - 1) & !(layout.align() - 1);
            if start + layout.size() > SIZE {
                return core::ptr::null_mut();
            }
            *next = start + layout.size();
            (*self.arena.get()).as_mut_ptr().add(start)
        }

        unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
    }

    #[global_allocator]
    static HEAP: Bump = Bump {
        arena: UnsafeCell::new([0; SIZE]),
        next: UnsafeCell::new(0),
    };
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
