//! `hunt demo --serve`: the simulated hunt played live against the service, so that a
//! newcomer opens the printed board URL and watches it move.
//!
//! The service runs in this process on the demo's engine, at a simulated clock that starts at
//! the hunt's start and runs `--speed` times faster than the wall clock; the simulation waits
//! for each simulated minute on that clock before its teams act, so the board, the freeze and
//! every time-driven push happen when they would in the real hunt, only sooner. One more team,
//! "You", is registered with a join link, to play alongside the simulated ones.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use hunt_core::engine::Engine;
use hunt_core::store::Store;
use hunt_core::{Span, Timestamp};
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::failure::Failure;
use crate::serve::tokens::Token;
use crate::serve::{self, Listener};

/// The name of the team the person watching may play as.
const YOU: &str = "You";

/// The service, running while the simulation plays.
pub(super) struct Live {
    clock: Clock,
    served: JoinHandle<Result<(), Failure>>,
}

impl Live {
    /// Registers the "You" team, binds `listen`, prints where to look, and starts serving
    /// `engine` at a clock reading `start` now and running `speed` times faster.
    pub(super) async fn start(
        engine: &Arc<Engine>,
        store: &Arc<dyn Store>,
        files: PathBuf,
        listen: SocketAddr,
        speed: u32,
        out: &mut dyn Write,
    ) -> Result<Self, Failure> {
        serve::init_logs("warn");
        let state = engine.snapshot();
        let hunt = state.hunt();
        let start = hunt.start;
        // A declared division, or the one the simulated teams mostly play in.
        let division = hunt
            .divisions
            .first()
            .map_or_else(|| "Open".to_owned(), |d| d.name.clone());
        let token = Token::random().map_err(Failure::Store)?;
        let registered = start.saturating_add(Span::from_secs(-60));
        engine
            .register_with_key(YOU, Some(&division), token.key(), registered)
            .await?;
        let listener = Listener::bind(listen).await?;
        let bound = listener.bound;
        let length = hunt.end.since(start).as_millis() / 1_000 / i64::from(speed.max(1));
        writeln!(
            out,
            "Live: the board is at http://{bound}/board, and you can play as team \"{YOU}\" \
             at http://{bound}/join/{}",
            token.to_hex()
        )?;
        writeln!(
            out,
            "The hunt plays {speed}× faster than real time: its {} in about {}; Ctrl-C \
             stops the service",
            crate::render::wait(hunt.end.since(start)),
            crate::render::wait(Span::from_secs(length.max(1))),
        )?;
        out.flush()?;
        let clock = Clock::simulated(start, speed);
        let args = serve::Args {
            listen,
            rate: 10,
            board_interval: 250,
            keep_alive: 15,
        };
        let (engine, store) = (engine.clone(), store.clone());
        let served = tokio::spawn(async move {
            let admin = serve::tokens::AdminToken::File(files);
            serve::serve(vec![engine], store, admin, listener, &args, clock).await
        });
        Ok(Self { clock, served })
    }

    /// Waits until the simulated clock reads `at`; false if the service stopped meanwhile
    /// (Ctrl-C), so the simulation stops too.
    pub(super) async fn wait_until(&self, at: Timestamp) -> bool {
        if self.served.is_finished() {
            return false;
        }
        tokio::time::sleep(self.clock.until(at)).await;
        !self.served.is_finished()
    }

    /// Keeps serving the final board until Ctrl-C or SIGTERM.
    pub(super) async fn keep_serving(self, out: &mut dyn Write) -> Result<(), Failure> {
        if !self.served.is_finished() {
            writeln!(
                out,
                "\nThe simulation is over; the service keeps showing the board until Ctrl-C"
            )?;
            out.flush()?;
        }
        match self.served.await {
            Ok(served) => served?,
            Err(e) => return Err(Failure::user(format!("the service failed: {e}"))),
        }
        writeln!(out, "Stopped: every request in flight was answered")?;
        Ok(())
    }
}
