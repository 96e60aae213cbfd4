//! Test harness: a real Sharewell on a free port with its own temporary SQLite database.

#![allow(dead_code)] // each test binary uses its own part of the harness

use std::net::SocketAddr;

use server::{Application, Config};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    /// Keeps cookies between requests, like a browser.
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _data: TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Stops the server gracefully and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task panicked").expect("server failed");
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with a chance to change the configuration first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let data = tempfile::tempdir().expect("temporary folder");
    let database_url = format!("sqlite://{}/sharewell.db", data.path().display());
    let mut config = Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), database_url.clone());
    configure(&mut config);

    let application = Application::build(config).await.expect("application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    TestApp { address, database_url, client, stop: Some(stop), server: Some(server), _data: data }
}
