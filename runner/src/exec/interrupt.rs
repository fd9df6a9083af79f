//! Ctrl-C and SIGTERM: the runner's children live in their own process groups, so the terminal's
//! SIGINT reaches only the runner. This module turns those signals into a flag (checked between
//! runs) and a wake-up pipe (polled during a run, so the current child is killed at once).
//! A second Ctrl-C exits immediately.

use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared interrupt state.
#[derive(Debug, Clone)]
pub struct Interrupt {
    flag: Arc<AtomicBool>,
    wake: Option<Arc<UnixStream>>,
}

impl Interrupt {
    /// Installs handlers for SIGINT and SIGTERM (call once per process).
    pub fn install() -> std::io::Result<Self> {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // The second signal, with the flag already set, terminates the runner at once.
            signal_hook::flag::register_conditional_shutdown(sig, 130, flag.clone())?;
            signal_hook::flag::register(sig, flag.clone())?;
        }
        let (read, write) = UnixStream::pair()?;
        read.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        let write = Arc::new(write);
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::low_level::pipe::register(sig, write.try_clone()?)?;
        }
        Ok(Interrupt {
            flag,
            wake: Some(Arc::new(read)),
        })
    }

    /// A flag that is never set (tests, fake backend).
    pub fn none() -> Self {
        Interrupt {
            flag: Arc::new(AtomicBool::new(false)),
            wake: None,
        }
    }

    /// True once Ctrl-C or SIGTERM arrived.
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// The flag itself, for code that polls it from other threads (the load generator).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }

    /// Sets the flag by hand (tests).
    pub fn set(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    /// The file descriptor that becomes readable on a signal, if installed.
    pub fn wake_fd(&self) -> Option<i32> {
        use std::os::fd::AsRawFd;
        self.wake.as_ref().map(|s| s.as_raw_fd())
    }
}
