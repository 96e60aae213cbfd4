//! The Sharewell web app (Leptos) and the one domain layer under every face.
//!
//! Compiled twice: with `ssr` for the server (pages rendered to HTML, domain services and
//! the store available) and with `hydrate` for the browser (pages only).

pub mod auth;
pub mod components;
pub mod domain;
pub mod pages;
mod routes;
pub mod server_fns;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

use crate::components::layout::Layout;
use crate::pages::not_found::NotFound;
use crate::pages::{home::HomePage, login::LoginPage, set_password::SetPasswordPage};
use crate::routes::*;

/// Name shared by the wasm bundle, its JS glue and the stylesheet under `/pkg`.
pub const SITE_NAME: &str = "sharewell";

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en" class="h-full">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" href=stylesheet_href(&options) />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="h-full bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The stylesheet's address: its hashed name when the site build wrote one and the server
/// turned hashed names on (`options.hash_files`, with the hash file leptos reads for the
/// script and the wasm), else the plain name. In the shell rather than the app, so that the
/// browser bundle carries no stylesheet code.
fn stylesheet_href(options: &LeptosOptions) -> String {
    let pkg = &options.site_pkg_dir;
    #[cfg(feature = "ssr")]
    if options.hash_files {
        // Where leptos looks: beside the executable, unless the path is absolute.
        let path = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
            .unwrap_or_default()
            .join(options.hash_file.as_ref());
        let hashes = std::fs::read_to_string(path).unwrap_or_default();
        let css = hashes.lines().find_map(|line| {
            let (name, hash) = line.split_once(':')?;
            (name.trim() == "css" && !hash.trim().is_empty()).then(|| hash.trim().to_owned())
        });
        if let Some(hash) = css {
            return format!("/{pkg}/{SITE_NAME}.{hash}.css");
        }
    }
    format!("/{pkg}/{SITE_NAME}.css")
}

/// The page's Content-Security-Policy: scripts only from this site or inline with this
/// response's nonce (leptos puts it on the hydration and streaming scripts), wasm allowed to
/// compile, nothing framed, forms posted only here.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use axum::http::{header, HeaderValue};

    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title formatter=|page: String| format!("{page} · Sharewell") />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    // In-order streaming: each page's data is in the HTML the server sends (the
                    // shell goes out at once, then each part as its data is read), so a browser
                    // without JavaScript never keeps a "Loading…" placeholder.
                    <Route path=path!("/") view=HomePage ssr=SsrMode::InOrder />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::InOrder />
                    <Route path=path!("/overview") view={Lazy::<OverviewRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/tokens") view={Lazy::<TokensRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/partners") view={Lazy::<PartnersRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/partners/:partner_id") view={Lazy::<PartnerDetailRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/roles") view={Lazy::<RolesRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/shared") view={Lazy::<SharedRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/requests") view={Lazy::<RequestsRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/users") view={Lazy::<UsersRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/webhooks") view={Lazy::<WebhooksRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/webhooks/:id") view={Lazy::<WebhookDetailRoute>::new()} ssr=SsrMode::InOrder />
                    // Rendered whole before answering, so the grants show without JavaScript.
                    <Route path=path!("/access") view={Lazy::<AccessRoute>::new()} ssr=SsrMode::Async />
                    // Detail pages: rendered whole, so that another org's share or person is a 404.
                    <Route path=path!("/shared/accounts/:id") view={Lazy::<AccountShareDetailRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/users/:id") view={Lazy::<PersonDetailRoute>::new()} ssr=SsrMode::Async />
                    // Public: the one-time link is the credential.
                    <Route path=path!("/set-password/:token") view=SetPasswordPage ssr=SsrMode::InOrder />
                    // Rendered whole before answering, so that an unknown link answers 404 and a
                    // partner without JavaScript sees the offer, not a loading placeholder.
                    <Route path=path!("/offers/:token") view={Lazy::<OfferRoute>::new()} ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}
