//! One end-to-end session: display + bus + driver + the app on its own
//! temporary database and data directories.

use crate::artifacts::{app_binary, e2e_output_dir, idesk_binary};
use crate::bus::SessionBus;
use crate::display::Display;
use crate::driver::Driver;
use crate::notifications::NotificationDaemon;
use crate::process::{group_is_alive, pid_is_alive};
use crate::{HarnessError, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::future::Future;
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;
use tempfile::TempDir;

/// End-to-end sessions run one at a time: each starts a whole desktop stack,
/// and two cores are not enough to run several without flaky timings.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Default)]
pub struct SessionOptions {
    /// Use this database instead of a fresh one.
    pub db: Option<PathBuf>,
    /// Extra environment for the app.
    pub env: Vec<(String, String)>,
    /// Start a notification daemon (dunst) on the session's bus.
    pub notifications: bool,
    /// Run this copy of the app instead of the built one (the updater
    /// replaces the binary it runs from).
    pub binary: Option<PathBuf>,
}

pub struct Session {
    pub client: Client,
    pub name: String,
    pub db_path: PathBuf,
    pub log_dir: PathBuf,
    pub display: String,
    pub bus_address: String,
    /// The notification daemon, when asked for.
    pub notifications: Option<NotificationDaemon>,
    /// The app binary this session runs, and the environment it runs in.
    pub binary: PathBuf,
    pub env: Vec<(String, String)>,
    // Dropped in this order: the app's process group first, then the bus and display.
    driver: Driver,
    bus: SessionBus,
    xserver: Display,
    _home: TempDir,
    _turn: Option<tokio::sync::MutexGuard<'static, ()>>,
}

/// Process ids a test can check after the session is gone.
#[derive(Debug, Clone, Copy)]
pub struct SessionPids {
    pub driver_group: u32,
    pub bus: u32,
    pub xvfb: Option<u32>,
}

impl SessionPids {
    pub fn any_alive(&self) -> bool {
        group_is_alive(self.driver_group)
            || pid_is_alive(self.bus)
            || self.xvfb.is_some_and(pid_is_alive)
    }
}

/// Awaits `fut` for at most `limit`: no WebDriver call may hang a test.
pub async fn within<T>(what: &str, limit: Duration, fut: impl Future<Output = T>) -> Result<T> {
    tokio::time::timeout(limit, fut)
        .await
        .map_err(|_| HarnessError::Timeout {
            what: what.to_owned(),
            seconds: limit.as_secs_f64(),
        })
}

/// Opens a WebDriver session that launches the app.
/// `idesk`'s stdout when it succeeded, else an error with its stderr.
pub(crate) fn idesk_succeeded(args: &[&str], output: Output) -> Result<String> {
    if !output.status.success() {
        return Err(HarnessError::CommandFailed {
            what: "idesk",
            detail: format!("{args:?}: {}", String::from_utf8_lossy(&output.stderr)),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The D-Bus name a running app holds so that a second launch finds it.
fn single_instance_name() -> String {
    format!("{}.SingleInstance", incident_core::APP_IDENTIFIER)
}

async fn connect(binary: &std::path::Path, port: u16) -> Result<Client> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": binary.display().to_string() }),
    );
    Ok(within(
        "a WebDriver session with the app",
        Duration::from_secs(30),
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}")),
    )
    .await??)
}

impl Session {
    pub async fn start(name: &str) -> Result<Session> {
        Session::start_with(name, SessionOptions::default()).await
    }

    pub async fn start_with(name: &str, options: SessionOptions) -> Result<Session> {
        let turn = ONE_AT_A_TIME.lock().await;
        Session::start_inner(name, options, Some(turn)).await
    }

    /// A second app beside `_first` (its own database, bus and driver): for
    /// two laptops in one test. It shares `_first`'s turn, so it can only be
    /// started while `_first` is alive.
    pub async fn start_alongside(
        _first: &Session,
        name: &str,
        options: SessionOptions,
    ) -> Result<Session> {
        Session::start_inner(name, options, None).await
    }

    async fn start_inner(
        name: &str,
        options: SessionOptions,
        turn: Option<tokio::sync::MutexGuard<'static, ()>>,
    ) -> Result<Session> {
        let binary = match options.binary {
            Some(binary) => binary,
            None => app_binary()?,
        };
        let home = tempfile::Builder::new().prefix("idesk-e2e-").tempdir()?;
        let db_path = options.db.unwrap_or_else(|| home.path().join("desk.db"));
        let log_dir = home.path().join("logs");
        let xserver = Display::acquire()?;
        let bus = SessionBus::start(home.path())?;
        let display = xserver.name.clone();
        let bus_address = bus.address.clone();

        let dir = |sub: &str| home.path().join(sub).display().to_string();
        let mut env: Vec<(String, String)> = vec![
            ("DISPLAY".into(), display.clone()),
            ("DBUS_SESSION_BUS_ADDRESS".into(), bus_address.clone()),
            ("INCIDENT_DESK_DB".into(), db_path.display().to_string()),
            (
                "INCIDENT_DESK_LOG_DIR".into(),
                log_dir.display().to_string(),
            ),
            // Keep WebKit's caches and storage out of the user's home.
            ("XDG_DATA_HOME".into(), dir("data")),
            ("XDG_CACHE_HOME".into(), dir("cache")),
            ("XDG_CONFIG_HOME".into(), dir("config")),
            // Without these, WebKit starts an accessibility bus that outlives the test.
            ("NO_AT_BRIDGE".into(), "1".into()),
            (
                "AT_SPI_BUS_ADDRESS".into(),
                "unix:path=/nonexistent/at-spi".into(),
            ),
            ("WEBKIT_A11Y_BUS_ADDRESS".into(), String::new()),
            ("GTK_A11Y".into(), "none".into()),
        ];
        env.extend(options.env);

        let notifications = if options.notifications {
            Some(NotificationDaemon::start(home.path(), &display, &bus)?)
        } else {
            None
        };
        let out = e2e_output_dir();
        std::fs::create_dir_all(&out)?;
        let log = std::fs::File::create(out.join(format!("{name}.driver.log")))?;
        let driver = Driver::start(&env, log)?;

        let client = connect(&binary, driver.port).await?;

        Ok(Session {
            client,
            name: name.to_owned(),
            db_path,
            log_dir,
            display,
            bus_address,
            notifications,
            binary,
            env,
            driver,
            bus,
            xserver,
            _home: home,
            _turn: turn,
        })
    }

    /// Quits the app and starts it again on the same database, display and
    /// bus (and notification daemon): what a user's restart looks like.
    pub async fn restart_app(&mut self) -> Result<()> {
        within(
            "the WebDriver session to close",
            Duration::from_secs(10),
            self.client.clone().close(),
        )
        .await??;
        // Closing the session ends the app, but not synchronously: a new app
        // started while the old one still holds the single-instance name would
        // hand its launch to the dying one and never open a window.
        self.bus
            .wait_until_released(&single_instance_name(), Duration::from_secs(15))?;
        self.client = match connect(&self.binary, self.driver.port).await {
            Ok(client) => client,
            Err(error) => {
                // The app's own log says why it did not come up.
                eprintln!("the app's log:\n{}", self.app_log_tail(40));
                return Err(error);
            }
        };
        Ok(())
    }

    /// The last `lines` lines of the app's log files, for failure reports.
    pub fn app_log_tail(&self, lines: usize) -> String {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.log_dir)
            .map(|dir| dir.flatten().map(|entry| entry.path()).collect())
            .unwrap_or_default();
        files.sort();
        let text: String = files
            .iter()
            .filter_map(|file| std::fs::read_to_string(file).ok())
            .collect();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    pub fn pids(&self) -> SessionPids {
        SessionPids {
            driver_group: self.driver.process.pid(),
            bus: self.bus.daemon.pid(),
            xvfb: self.xserver.server.as_ref().map(|s| s.pid()),
        }
    }

    /// Waits (up to `limit`) for an element matching `css`.
    pub async fn wait_for(&self, css: &str, limit: Duration) -> Result<Element> {
        // fantoccini's wait checks its limit between requests only: a window
        // that stops answering would hang it, so the whole wait is bounded too.
        within(
            &format!("element `{css}` (the window stopped answering)"),
            limit + Duration::from_secs(10),
            self.client
                .wait()
                .at_most(limit)
                .every(Duration::from_millis(50))
                .for_element(Locator::Css(css)),
        )
        .await?
        .map_err(|error| match error {
            fantoccini::error::CmdError::WaitTimeout => HarnessError::Timeout {
                what: format!("element `{css}`"),
                seconds: limit.as_secs_f64(),
            },
            other => other.into(),
        })
    }

    /// The visible text of the first element matching `css` (waits up to 10 s).
    pub async fn text(&self, css: &str) -> Result<String> {
        let element = self.wait_for(css, Duration::from_secs(10)).await?;
        Ok(within("element text", Duration::from_secs(10), element.text()).await??)
    }

    /// The DOM text of the first element matching `css` (waits up to 10 s).
    /// Unlike [`Session::text`] it does not depend on WebDriver's visibility
    /// heuristics, which miss text in some overflow-clipped elements. It looks
    /// the element up in the page each time: a re-rendered element never
    /// leaves a stale reference behind.
    pub async fn text_content(&self, css: &str) -> Result<String> {
        let limit = Duration::from_secs(10);
        let deadline = std::time::Instant::now() + limit;
        loop {
            let value = within(
                "element textContent",
                limit,
                self.client.execute(
                    "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                    vec![serde_json::json!(css)],
                ),
            )
            .await??;
            if let Some(text) = value.as_str() {
                return Ok(text.to_owned());
            }
            if std::time::Instant::now() > deadline {
                return Err(HarnessError::Timeout {
                    what: format!("element `{css}`"),
                    seconds: limit.as_secs_f64(),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page has painted its current state (two animation
    /// frames), so a screenshot shows what the DOM says.
    pub async fn settle(&self) -> Result<()> {
        within(
            "the page to paint",
            Duration::from_secs(10),
            self.client.execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            ),
        )
        .await??;
        Ok(())
    }

    /// Presses keys as a user would (WebDriver actions): `text` is typed
    /// character by character; use [`fantoccini::key::Key`] chars for Enter,
    /// Escape, Tab and the like.
    pub async fn keys(&self, text: &str) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for ch in text.chars() {
            actions = actions
                .then(KeyAction::Down { value: ch })
                .then(KeyAction::Up { value: ch });
        }
        within(
            "key presses",
            Duration::from_secs(15),
            self.client.perform_actions(actions),
        )
        .await??;
        Ok(())
    }

    /// Presses `key` while holding `modifier` (e.g. Ctrl+K).
    pub async fn chord(&self, modifier: fantoccini::key::Key, key: char) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let modifier: char = modifier.into();
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: modifier })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: modifier });
        within(
            "a key chord",
            Duration::from_secs(15),
            self.client.perform_actions(actions),
        )
        .await??;
        Ok(())
    }

    /// Runs `js` in the page (bounded) and returns its value. Return
    /// numbers and booleans rather than user text (see `wait_for_text`).
    pub async fn script(&self, js: &str) -> Result<serde_json::Value> {
        Ok(within(
            "a script in the page",
            Duration::from_secs(10),
            self.client.execute(js, vec![]),
        )
        .await??)
    }

    /// Runs a command palette command: Ctrl+K, the words, Enter.
    pub async fn palette(&self, words: &str) -> Result<()> {
        self.chord(fantoccini::key::Key::Control, 'k').await?;
        self.wait_for("[data-testid=palette-input]", Duration::from_secs(10))
            .await?;
        self.keys(words).await?;
        self.keys(&char::from(fantoccini::key::Key::Enter).to_string())
            .await
    }

    /// Waits until the room's stage `stage` shows `state`.
    pub async fn wait_stage(&self, stage: &str, state: &str, limit: Duration) -> Result<()> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let now = self
                .attr(&format!("[data-testid=stage-{stage}]"), "data-state")
                .await?
                .unwrap_or_default();
            if now == state {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                return Err(HarnessError::Timeout {
                    what: format!("stage {stage} to be {state} (it is {now})"),
                    seconds: limit.as_secs_f64(),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether the element `css` is inside the window's visible area.
    pub async fn in_view(&self, css: &str) -> Result<bool> {
        let js = format!(
            "const e = document.querySelector({css:?}); if (!e) return false;              const r = e.getBoundingClientRect();              return r.bottom > 0 && r.top < window.innerHeight && r.height > 0;"
        );
        Ok(self.script(&js).await?.as_bool().unwrap_or(false))
    }

    /// The `data-testid` of the focused element (empty when it has none).
    pub async fn focused_testid(&self) -> Result<String> {
        let value = within(
            "the focused element",
            Duration::from_secs(10),
            self.client.execute(
                "return document.activeElement ? (document.activeElement.dataset.testid || '') : '';",
                vec![],
            ),
        )
        .await??;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until `css` matches an element whose text contains `text`.
    /// (The check runs in the page and returns a boolean: WebKitWebDriver
    /// drops the connection when a script returns a string holding
    /// `</script>`, which is exactly what an injection test looks for.)
    pub async fn wait_for_text(&self, css: &str, text: &str, limit: Duration) -> Result<()> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let found = within(
                "matching text",
                Duration::from_secs(10),
                self.client.execute(
                    "return [...document.querySelectorAll(arguments[0])].some(e => e.textContent.includes(arguments[1]));",
                    vec![serde_json::json!(css), serde_json::json!(text)],
                ),
            )
            .await??;
            if found.as_bool() == Some(true) {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                let all = self.all_text(css).await.unwrap_or_default();
                return Err(HarnessError::Timeout {
                    what: format!("`{css}` to contain {text:?} (it has {all:?})"),
                    seconds: limit.as_secs_f64(),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the first form field matching `css` has a value containing `text`.
    pub async fn wait_for_value(&self, css: &str, text: &str, limit: Duration) -> Result<String> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let value = within(
                "a field's value",
                Duration::from_secs(10),
                self.client.execute(
                    "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
                    vec![serde_json::json!(css)],
                ),
            )
            .await??;
            let current = value.as_str().unwrap_or_default().to_owned();
            if current.contains(text) {
                return Ok(current);
            }
            if std::time::Instant::now() > deadline {
                return Err(HarnessError::Timeout {
                    what: format!("`{css}` to hold {text:?} (it holds {current:?})"),
                    seconds: limit.as_secs_f64(),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The text of every element matching `css`, one per line.
    pub async fn all_text(&self, css: &str) -> Result<String> {
        let value = within(
            "element texts",
            Duration::from_secs(10),
            self.client.execute(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent).join('\\n');",
                vec![serde_json::json!(css)],
            ),
        )
        .await??;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The window's title.
    pub async fn title(&self) -> Result<String> {
        within(
            "the window title",
            Duration::from_secs(10),
            self.client.title(),
        )
        .await?
        .map_err(Into::into)
    }

    /// Clicks the first element matching `css` (waits up to 15 s for it, 10 s for the click).
    pub async fn click(&self, css: &str) -> Result<()> {
        let element = self.wait_for(css, Duration::from_secs(15)).await?;
        within("a click", Duration::from_secs(10), element.click()).await??;
        Ok(())
    }

    /// The value of attribute `name` on the first element matching `css`.
    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        let element = self.wait_for(css, Duration::from_secs(10)).await?;
        Ok(within("an attribute", Duration::from_secs(10), element.attr(name)).await??)
    }

    /// Saves a WebDriver screenshot as `target/e2e/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        self.settle().await?;
        let png = within(
            "a screenshot",
            Duration::from_secs(15),
            self.client.screenshot(),
        )
        .await??;
        let path = e2e_output_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Runs the real `idesk` on this session's database.
    pub fn idesk(&self, args: &[&str]) -> Result<Output> {
        let output = std::process::Command::new(idesk_binary())
            .args(args)
            .env("INCIDENT_DESK_DB", &self.db_path)
            .output()?;
        Ok(output)
    }

    /// Runs the real `idesk` on this session's database; its stdout, or an
    /// error carrying its stderr when it fails.
    pub fn idesk_ok(&self, args: &[&str]) -> Result<String> {
        idesk_succeeded(args, self.idesk(args)?)
    }

    /// Launches the app a second time, as a user would from a terminal or a
    /// link, in this session's environment; waits (at most 20 s) for that
    /// second process to hand over to the running one and exit.
    pub fn launch_again(&self, args: &[&str]) -> Result<std::process::ExitStatus> {
        let mut child = std::process::Command::new(&self.binary)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|source| HarnessError::Spawn {
                what: "a second launch of the app",
                source,
            })?;
        let limit = Duration::from_secs(20);
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(HarnessError::Timeout {
                    what: "the second launch to hand over and exit".into(),
                    seconds: limit.as_secs_f64(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `dunstctl` against this session's notification daemon.
    pub fn dunstctl(&self, args: &[&str]) -> Result<Output> {
        Ok(std::process::Command::new("dunstctl")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("DISPLAY", &self.display)
            .output()?)
    }

    /// Closes the WebDriver session (which ends the app), then everything else.
    pub async fn close(self) -> Result<()> {
        let closed = within(
            "the WebDriver session to close",
            Duration::from_secs(10),
            self.client.clone().close(),
        )
        .await;
        drop(self);
        closed??;
        Ok(())
    }
}
