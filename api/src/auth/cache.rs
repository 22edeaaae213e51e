//! Who a presented token belongs to, remembered in the process so that most requests
//! authenticate without a database round trip.
//!
//! Correctness rules:
//! - An entry keeps the token's `expires_at` and is never served past it (checked against this
//!   process's clock on every hit), nor older than [`TTL`].
//! - Every change that can take access away (token revoked, changed or deleted; user
//!   deactivated, role or customer changed, deleted; organisation deleted) makes Postgres
//!   `NOTIFY` [`CHANNEL`] with the user's id (triggers of migration
//!   `20261126000200_auth_changes_and_list_order.sql`), delivered at commit to every process of
//!   the deployment; this process's listener then drops that user's entries. Handlers that
//!   revoke in this process also drop them right away ([`AuthCache::forget_user`]), so the
//!   next request here is refused even before the notification arrives.
//! - Entries are only served while the listener is connected: when its connection drops (or
//!   before it has connected, or without a Tokio runtime) the cache is emptied and every
//!   request asks the database, as if there were no cache, until the listener is back.
//! - An entry read from the database while an invalidation happened is not stored (a
//!   generation counter guards the fill), so a revocation racing a lookup cannot be undone.
//!
//! Why by hand: the rules above (per-entry deadline from the token, generation-guarded fills,
//! serving only while a listener is connected) are the whole logic; a general cache crate
//! would add a dependency without removing any of it. A `Mutex<HashMap>` is plenty for the
//! few thousand live tokens of a deployment: the lock is held for a lookup or an insert only.

use crate::db::auth::TokenOwner;
use chrono::Utc;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The notification channel for changes that take access away (payload: the user id).
pub const CHANNEL: &str = "fieldpath_auth";
/// Longest time an entry is served without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);
/// Most entries kept; beyond it expired entries are dropped, then everything.
const CAPACITY: usize = 20_000;
/// Token kinds that authenticate requests.
pub const REQUEST_KINDS: &[&str] = &["session", "access", "api"];

struct Entry {
    owner: TokenOwner,
    fresh_until: Instant,
}

#[derive(Default)]
struct Inner {
    entries: Mutex<HashMap<Vec<u8>, Entry>>,
    /// Bumped (under the entries lock) by every invalidation.
    generation: AtomicU64,
    /// Whether the change listener is connected (entries are served only then).
    listening: AtomicBool,
    /// The listener's Postgres backend process id (0 while not connected).
    listener_pid: AtomicI32,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, HashMap<Vec<u8>, Entry>> {
        // A panic while holding the lock cannot leave the map half-updated (single calls).
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn invalidate(&self, user: Option<Uuid>) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        match user {
            Some(user) => entries.retain(|_, e| e.owner.user_id != user),
            None => entries.clear(),
        }
    }

    fn set_listening(&self, pid: Option<i32>) {
        let on = pid.is_some();
        self.listener_pid.store(pid.unwrap_or(0), Ordering::Release);
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
        self.listening.store(on, Ordering::Release);
    }

    fn apply(&self, payload: &str) {
        // An unreadable payload could concern anyone.
        self.invalidate(Uuid::parse_str(payload.trim()).ok());
    }
}

/// The token → owner cache of one process (shared by all clones of the `AppState`).
pub struct AuthCache {
    inner: Arc<Inner>,
    listener: Option<tokio::task::AbortHandle>,
}

impl AuthCache {
    /// A cache that follows changes through `LISTEN` on its own connection to the database of
    /// `pool`. Without a Tokio runtime it never serves entries (every lookup asks the database).
    pub fn new(pool: &PgPool) -> Self {
        let inner = Arc::new(Inner::default());
        let listener = tokio::runtime::Handle::try_current().ok().map(|rt| {
            let options = pool.connect_options();
            let own = PgPoolOptions::new()
                .max_connections(1)
                .min_connections(0)
                .acquire_timeout(Duration::from_secs(5))
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_lazy_with((*options).clone());
            rt.spawn(listen(Arc::downgrade(&inner), own)).abort_handle()
        });
        Self { inner, listener }
    }

    /// A cache that never serves entries (every lookup asks the database).
    pub fn disabled() -> Self {
        Self {
            inner: Arc::new(Inner::default()),
            listener: None,
        }
    }

    /// The live owner of a request token (session, access or API) by its SHA-256, from the
    /// cache or the database.
    pub async fn owner(
        &self,
        pool: &PgPool,
        hash: &[u8],
    ) -> Result<Option<TokenOwner>, sqlx::Error> {
        let inner = &self.inner;
        let listening = inner.listening.load(Ordering::Acquire);
        if listening {
            let mut entries = inner.lock();
            if let Some(entry) = entries.get(hash) {
                let unexpired = entry.owner.expires_at.is_none_or(|at| Utc::now() < at);
                if unexpired && Instant::now() < entry.fresh_until {
                    return Ok(Some(entry.owner.clone()));
                }
                entries.remove(hash);
            }
        }
        let generation = inner.generation.load(Ordering::Acquire);
        let owner = crate::db::auth::token_owner(pool, hash, REQUEST_KINDS).await?;
        if let Some(owner) = &owner {
            let mut entries = inner.lock();
            if inner.listening.load(Ordering::Acquire)
                && inner.generation.load(Ordering::Acquire) == generation
            {
                if entries.len() >= CAPACITY {
                    let now = Instant::now();
                    entries.retain(|_, e| now < e.fresh_until);
                    if entries.len() >= CAPACITY {
                        entries.clear();
                    }
                }
                entries.insert(
                    hash.to_vec(),
                    Entry {
                        owner: owner.clone(),
                        fresh_until: Instant::now() + TTL,
                    },
                );
            }
        }
        Ok(owner)
    }

    /// Drops the user's entries now (after a revocation committed in this process).
    pub fn forget_user(&self, user_id: Uuid) {
        self.inner.invalidate(Some(user_id));
    }

    /// Whether entries are being served (the change listener is connected).
    pub fn is_listening(&self) -> bool {
        self.inner.listening.load(Ordering::Acquire)
    }

    /// How many invalidations this cache has seen (a counter for tests and diagnostics).
    pub fn invalidations(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    /// Whether an entry for this token hash is held (served or not).
    pub fn holds(&self, hash: &[u8]) -> bool {
        self.inner.lock().contains_key(hash)
    }

    /// The Postgres backend process id of the connected change listener.
    pub fn listener_pid(&self) -> Option<i32> {
        Some(self.inner.listener_pid.load(Ordering::Acquire)).filter(|p| *p != 0)
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for AuthCache {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
    }
}

/// Follows [`CHANNEL`]: connects, listens, serves notifications; on any failure stops serving
/// entries, reconnects with a backoff and starts again from an empty cache.
async fn listen(cache: Weak<Inner>, pool: PgPool) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match cache.upgrade() {
            Some(inner) => inner.set_listening(None),
            None => return,
        }
        let connected = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.eager_reconnect(false);
            listener.listen(CHANNEL).await?;
            let (pid,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()")
                .fetch_one(&mut listener)
                .await?;
            Ok::<_, sqlx::Error>((listener, pid))
        }
        .await;
        let (mut listener, pid) = match connected {
            Ok(connected) => connected,
            Err(error) => {
                tracing::debug!(%error, "auth cache: change listener not connected");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        backoff = Duration::from_millis(100);
        match cache.upgrade() {
            Some(inner) => inner.set_listening(Some(pid)),
            None => return,
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => match cache.upgrade() {
                    Some(inner) => inner.apply(notification.payload()),
                    None => return,
                },
                Ok(None) => {
                    tracing::warn!("auth cache: change listener connection lost");
                    break;
                }
                Err(error) => {
                    tracing::warn!(%error, "auth cache: change listener failed");
                    break;
                }
            }
        }
    }
}
