//! Real mail servers on loopback for the e-mail channel tests: aiosmtpd (PyPI) as an SMTP sink
//! writing every message into a Maildir, and Dovecot (Debian `dovecot-imapd`) as an IMAP server
//! with a generated configuration. Each test starts its own on a free port and stops it on drop.
//! A missing server fails the test with instructions (`.ci/run` installs both).
#![allow(dead_code)]

pub mod desk;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port (bound and released; the server takes it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_for_port(port: u16, child: &mut Child, what: &str, log: &Path) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}) before listening on {port}: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within 20 s");
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

/// The Python that has aiosmtpd: `FIELDPATH_MAIL_PYTHON`, the venv `.ci/run` makes under
/// `.fieldpath/mail-venv`, or `python3`.
fn mail_python() -> PathBuf {
    if let Ok(p) = std::env::var("FIELDPATH_MAIL_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = workspace_root().join(".fieldpath/mail-venv/bin/python");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

/// aiosmtpd accepting any mail on loopback and keeping it in a Maildir.
pub struct SmtpSink {
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Starts the sink; panics with instructions when aiosmtpd is missing.
    pub fn start() -> Self {
        let python = mail_python();
        let check = Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .output();
        if !check.as_ref().is_ok_and(|o| o.status.success()) {
            panic!(
                "the SMTP test server aiosmtpd is not installed for {}: run `bash .ci/run`, or \
                 `python3 -m venv .fieldpath/mail-venv && .fieldpath/mail-venv/bin/pip install aiosmtpd`",
                python.display()
            );
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let maildir = dir.path().join("maildir");
        let log = dir.path().join("smtpd.log");
        let port = free_port();
        let mut child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("starting aiosmtpd");
        wait_for_port(port, &mut child, "aiosmtpd", &log);
        SmtpSink { port, child, dir }
    }

    /// Every message received so far (raw bytes), oldest first.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.dir.path().join("maildir").join(d)).ok())
            .flatten()
            .filter_map(Result::ok)
            .map(|e| {
                let modified = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                (modified, e.path())
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, p)| std::fs::read(p).ok())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn dovecot_binary() -> PathBuf {
    for p in ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!(
        "the IMAP test server Dovecot is not installed: run `bash .ci/run`, or \
         `apt-get install dovecot-imapd`"
    );
}

/// Dovecot serving one mailbox (`user` / `password`, Maildir) on loopback, plain IMAP.
pub struct ImapServer {
    pub port: u16,
    pub user: String,
    pub password: String,
    child: Child,
    dir: tempfile::TempDir,
}

impl ImapServer {
    /// Starts Dovecot with a generated configuration; panics with instructions when missing.
    pub fn start() -> Self {
        let binary = dovecot_binary();
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        let user = "support@desk.test".to_string();
        let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(root.join(sub)).expect("dirs");
        }
        std::fs::write(root.join("passwd"), format!("{user}:{{PLAIN}}{password}\n"))
            .expect("passwd");
        // Dovecot refuses to run its login processes as root: as root it uses the accounts the
        // Debian package creates; otherwise everything runs as the current user.
        let (internal, login, mail_user) = if running_as_root() {
            (
                "dovecot".to_string(),
                "dovenull".to_string(),
                "dovecot".to_string(),
            )
        } else {
            let me = String::from_utf8_lossy(
                &Command::new("id").arg("-un").output().expect("id").stdout,
            )
            .trim()
            .to_string();
            (me.clone(), me.clone(), me)
        };
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        if running_as_root() {
            let status = Command::new("chown")
                .args(["-R", &format!("{mail_user}:")])
                .arg(root.join("home"))
                .status()
                .expect("chown");
            assert!(status.success(), "chown of the mail home failed");
        }
        let port = free_port();
        let r = root.display();
        let config = format!(
            "base_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\n\
             default_internal_user = {internal}\ndefault_internal_group = {internal}\n\
             default_login_user = {login}\nfirst_valid_uid = 1\nfirst_valid_gid = 1\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={mail_user} gid={mail_user} home={r}/home/%u\n}}\n\
             mail_location = maildir:~/Maildir\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        std::fs::write(root.join("dovecot.conf"), config).expect("config");
        let log = root.join("dovecot.log");
        let mut child = Command::new(binary)
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(root.join("stderr.log")).expect("log"))
            .spawn()
            .expect("starting dovecot");
        wait_for_port(port, &mut child, "dovecot", &log);
        ImapServer {
            port,
            user,
            password,
            child,
            dir,
        }
    }

    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect");
        let mut client = async_imap::Client::new(tcp);
        client
            .read_response()
            .await
            .expect("greeting")
            .expect("greeting");
        client
            .login(&self.user, &self.password)
            .await
            .map_err(|(e, _)| e)
            .expect("login")
    }

    /// Adds a message to INBOX with IMAP APPEND (unseen).
    pub async fn append(&self, raw: &[u8]) {
        let mut s = self.session().await;
        s.append("INBOX", None, None, raw).await.expect("append");
        let _ = s.logout().await;
    }

    /// How many messages of INBOX are unseen, and how many there are.
    pub async fn counts(&self) -> (usize, usize) {
        let mut s = self.session().await;
        let mailbox = s.select("INBOX").await.expect("select");
        let unseen = s.uid_search("UNSEEN").await.expect("search").len();
        let _ = s.logout().await;
        (unseen, mailbox.exists as usize)
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its login and auth processes too.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
