//! `echo-server-async PORT [CLIENTS]`: a line echo server on sockfile's WASI 0.3 world.
//!
//! Listens on 127.0.0.1:PORT (0 picks a free port) and prints `listening on PORT`; every
//! client is served in its own task (`readline`, `write`, `flush`, until EOF), so one
//! instance serves them all at once and a client that stalls delays nobody else. After
//! CLIENTS clients (default: forever) have connected and finished, prints
//! `served N clients, L lines` and exits.
//!
//! ```text
//! wac plug echo_server_async.wasm --plug sockfile-p3.wasm -o echo.wasm
//! wasmtime run -S inherit-network echo.wasm 7000
//! ```

wit_bindgen::generate!({
    path: "../../wit",
    world: "async-client",
    with: {
        "wasi:sockets/types@0.3.0": wasip3::sockets::types,
        "wasi:clocks/types@0.3.0": wasip3::clocks::types,
    },
});

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::{Poll, Waker};

use sockfile::socket::async_socket as sf;

wasip3::cli::command::export!(Server);

struct Server;

/// Clients still being served, and the waker of the task waiting for none.
#[derive(Default)]
struct Active {
    count: Cell<usize>,
    lines: Cell<u64>,
    idle: RefCell<Option<Waker>>,
}

impl Active {
    fn done(&self) {
        self.count.set(self.count.get() - 1);
        if let Some(w) = self.idle.borrow_mut().take() {
            w.wake();
        }
    }

    async fn all_done(&self) {
        std::future::poll_fn(|cx| {
            if self.count.get() == 0 {
                Poll::Ready(())
            } else {
                *self.idle.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// Echo every line until the client closes; errors end this client only.
async fn serve(sock: sf::Socket, active: Rc<Active>) {
    if let Ok(sf::File::Binary(f)) = sock.makefile("rwb", None, None, None, None) {
        while let Ok(line) = f.readline(None).await {
            if line.is_empty() || f.write(line).await.is_err() || f.flush().await.is_err() {
                break;
            }
            active.lines.set(active.lines.get() + 1);
        }
        let _ = f.close().await;
    }
    sock.close();
    active.done();
}

impl wasip3::exports::cli::run::Guest for Server {
    async fn run() -> Result<(), ()> {
        let args = wasip3::cli::environment::get_arguments();
        let port: u16 = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        let clients: Option<usize> = args.get(2).and_then(|c| c.parse().ok());
        let listener = sf::create_server("127.0.0.1", port, Some(1024)).map_err(|e| {
            eprintln!("create-server: {e:?}");
        })?;
        let (_, port) = listener.getsockname().map_err(|_| ())?;
        println!("listening on {port}");
        let active = Rc::new(Active::default());
        let mut served = 0usize;
        while clients.is_none_or(|n| served < n) {
            match listener.accept().await {
                Ok(sock) => {
                    served += 1;
                    active.count.set(active.count.get() + 1);
                    wit_bindgen::spawn_local(serve(sock, active.clone()));
                }
                Err(e) => {
                    eprintln!("accept: {e:?}");
                    break;
                }
            }
        }
        active.all_done().await;
        listener.close();
        println!("served {served} clients, {} lines", active.lines.get());
        Ok(())
    }
}
