//! Login throttling: at most N failed attempts per (client IP, e-mail) within a sliding window.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed-login bookkeeping, in memory (one service process).
#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<(IpAddr, String), VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// At most `max_failures` failures per key within `window`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: max_failures as usize,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when the key has used up its failures.
    pub fn check(&self, ip: IpAddr, email: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let Some(times) = map.get_mut(&(ip, email.to_lowercase())) else {
            return Ok(());
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > self.window)
        {
            times.pop_front();
        }
        match times.front() {
            Some(oldest) if times.len() >= self.max_failures => {
                let wait = self.window.saturating_sub(now.duration_since(*oldest));
                Err(wait.as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub fn failed(&self, ip: IpAddr, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            // Bound memory under a spray of distinct keys: forget entries outside the window.
            let window = self.window;
            map.retain(|_, t| t.back().is_some_and(|last| last.elapsed() <= window));
        }
        map.entry((ip, email.to_lowercase()))
            .or_default()
            .push_back(Instant::now());
    }

    /// Forgets failures after a successful login.
    pub fn succeeded(&self, ip: IpAddr, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&(ip, email.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures() {
        let limiter = LoginLimiter::new(2, Duration::from_secs(60));
        let ip = IpAddr::from([10, 0, 0, 1]);
        assert!(limiter.check(ip, "a@x").is_ok());
        limiter.failed(ip, "a@x");
        limiter.failed(ip, "A@x");
        assert!(limiter.check(ip, "a@x").is_err());
        assert!(limiter.check(ip, "b@x").is_ok());
        limiter.succeeded(ip, "a@x");
        assert!(limiter.check(ip, "a@x").is_ok());
    }
}
