use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::domain::authz::Operation;
use crate::domain::identity::Actor;
use crate::server_fns::files::{navigation, NavigationCounts};
use crate::server_fns::AppError;

/// What the page frame read for this navigation: the signed-in actor (if any) and the counts.
/// Pages ask it through [`Can`] instead of reading the actor again.
#[derive(Clone, Copy)]
pub struct Frame(Resource<Result<Option<(Actor, NavigationCounts)>, AppError>>);

impl Frame {
    /// Whether the signed-in actor may do `op`. For rows of a list that already waits on its
    /// own data: a [`Can`] there is a suspense inside that suspense, which failed to hydrate.
    pub async fn allows(self, op: Operation) -> bool {
        matches!(self.0.await, Ok(Some((actor, _))) if actor.may(op))
    }
}

/// Shows its children only to an actor who may do `op` (others see `fallback`, if any): each
/// person sees only the forms they may use. The services still refuse whatever is not allowed.
#[component]
pub fn Can(
    op: Operation,
    children: ChildrenFn,
    #[prop(optional, into)] fallback: ViewFn,
) -> impl IntoView {
    let frame = use_context::<Frame>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (children, fallback) = (children.clone(), fallback.clone());
                Suspend::new(async move {
                    let allowed = match frame {
                        Some(Frame(frame)) => {
                            matches!(frame.await, Ok(Some((actor, _))) if actor.may(op))
                        }
                        None => false,
                    };
                    if allowed {
                        children()
                    } else {
                        fallback.run()
                    }
                })
            }}
        </Suspense>
    }
}

/// Where a signed-in user can go.
const NAVIGATION: [(&str, &str); 9] = [
    ("/overview", "Overview"),
    ("/partners", "Partners"),
    ("/roles", "Roles"),
    ("/shared", "Shared"),
    ("/access", "Who has access"),
    ("/requests", "Requests"),
    ("/notifications", "Notifications"),
    ("/tokens", "Tokens"),
    ("/audit", "Audit log"),
];

/// Only for admins: managing the org's people.
const ADMIN_NAVIGATION: (&str, &str) = ("/users", "Users");

/// For admins and readonly users: the org's webhook endpoints and their delivery logs.
const WEBHOOKS_NAVIGATION: (&str, &str) = ("/webhooks", "Webhooks");

/// Everyone's own account (their password).
const ACCOUNT_NAVIGATION: (&str, &str) = ("/account", "Account");

const COUNT_CLASSES: &str =
    "ml-1 inline-flex min-w-5 justify-center rounded-full bg-indigo-600 px-1.5 text-xs font-semibold text-white";

const NAV_LINK_CLASSES: &str = "block rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700";

/// Hidden until focused: the first Tab on any page offers to jump past the navigation.
const SKIP_LINK_CLASSES: &str = "sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:text-indigo-700 focus:shadow";

/// Page frame: header with navigation for signed-in users, then the routed page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    // One resource for the whole frame (awaiting one resource behind another inside a
    // `Suspend` left server rendering waiting forever now and then); refreshed on every
    // navigation so that the counts stay current.
    let location = use_location();
    let frame = Resource::new(move || location.pathname.get(), |_| navigation());
    provide_context(Frame(frame));
    // Counts read again after an action belong to the page they were read on.
    let toasts = crate::components::feedback::Toasts::provide();
    Effect::new(move |_| {
        location.pathname.track();
        toasts.forget_counts();
    });
    // Signing in from any page comes back to it.
    let pathname = location.pathname;
    let sign_in_href = move || match pathname.get().as_str() {
        "/" | "/login" => "/login".to_owned(),
        path => format!("/login?next={}", crate::components::ui::encode_component(path)),
    };

    view! {
        <div class="min-h-full flex flex-col">
            // `rel="external"`: the browser, not the router, follows it, and so moves focus.
            <a href="#main" rel="external" class=SKIP_LINK_CLASSES>
                "Skip to content"
            </a>
            <header class="border-b border-slate-200 bg-white">
                <div class="relative mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-2 px-4 py-3">
                    <a href="/" class="text-lg font-semibold tracking-tight text-indigo-700">
                        "Sharewell"
                    </a>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match frame.await {
                                Ok(Some((actor, counts))) => {
                                    view! { <SignedInNavigation actor counts /> }.into_any()
                                }
                                _ => {
                                    view! {
                                        <a href=sign_in_href class=NAV_LINK_CLASSES>
                                            "Sign in"
                                        </a>
                                    }
                                        .into_any()
                                }
                            }
                        })}
                    </Suspense>
                </div>
            </header>
            <main id="main" tabindex="-1" class="mx-auto w-full min-w-0 max-w-5xl flex-1 break-words px-4 py-8 focus:outline-none">
                <crate::components::feedback::LiveRegion />
                {children()}
            </main>
            <footer class="border-t border-slate-200 py-4 text-center text-sm text-slate-500">
                "Sharewell — one true record of who may see what."
            </footer>
        </div>
    }
}

#[component]
fn SignedInNavigation(actor: Actor, counts: NavigationCounts) -> impl IntoView {
    let location = use_location();
    // The frame's counts, or those read again after an action on this page.
    let toasts = use_context::<crate::components::feedback::Toasts>();
    let current = move || toasts.and_then(|toasts| toasts.counts()).unwrap_or(counts);
    let count_for = move |href: &'static str| {
        move || {
            let counts = current();
            let count = match href {
                "/requests" => counts.pending_requests as i64,
                "/notifications" => counts.unread_notifications,
                _ => 0,
            };
            (count > 0).then(|| {
                let test_id = format!("count-{}", href.trim_start_matches('/'));
                view! { <span class=COUNT_CLASSES data-testid=test_id>{count}</span> }
            })
        }
    };
    let total = move || {
        let counts = current();
        counts.pending_requests as i64 + counts.unread_notifications
    };
    // On a phone the navigation folds into a menu that opens without JavaScript (a
    // `<details>`); from the `md` width on, style/input.css keeps it open and hides the summary.
    view! {
        <details data-nav-menu class="w-full md:w-auto md:flex-1">
            <summary class="absolute right-4 top-2.5 inline-flex min-h-9 cursor-pointer list-none items-center gap-1 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 md:hidden">
                "Menu"
                {move || {
                    let total = total();
                    (total > 0).then(|| view! { <span class=COUNT_CLASSES>{total}<span class="sr-only">" new"</span></span> })
                }}
            </summary>
            <div class="mt-2 flex flex-col gap-2 md:mt-0 md:flex-row md:items-center md:justify-between">
                <nav aria-label="Main" class="flex flex-col gap-1 md:flex-row md:flex-wrap md:items-center">
                    {NAVIGATION
                        .into_iter()
                        .filter(|(href, _)| *href != "/audit" || actor.may(Operation::AuditRead))
                        .chain(actor.may(Operation::UsersRead).then_some(ADMIN_NAVIGATION))
                        .chain(actor.may(Operation::WebhooksRead).then_some(WEBHOOKS_NAVIGATION))
                        .chain([ACCOUNT_NAVIGATION])
                        .map(|(href, label)| {
                            let current = move || (location.pathname.get() == href).then_some("page");
                            view! {
                                <a href=href class=NAV_LINK_CLASSES aria-current=current>
                                    {label}
                                    {count_for(href)}
                                </a>
                            }
                        })
                        .collect_view()}
                </nav>
                <div class="flex flex-wrap items-center gap-x-3 border-t border-slate-200 pt-2 text-sm md:shrink-0 md:flex-nowrap md:border-0 md:pt-0">
                    <span class="px-3 text-slate-600 md:px-0" data-testid="signed-in-as">
                        {actor.username.clone()}
                        " · "
                        {actor.org_name.clone()}
                        {(actor.role != crate::domain::identity::Role::Member)
                            .then(|| format!(" · {}", actor.role))}
                    </span>
                    <form method="post" action="/logout">
                        <button
                            type="submit"
                            class="rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900"
                        >
                            "Sign out"
                        </button>
                    </form>
                </div>
            </div>
        </details>
    }
}

/// Tabs that are links (so they work without JavaScript); `current` names the active one.
#[component]
pub fn Tabs(
    current: Signal<String>,
    tabs: &'static [(&'static str, &'static str, &'static str)],
) -> impl IntoView {
    view! {
        <nav aria-label="Tabs" class="flex flex-wrap gap-x-2 border-b border-slate-200">
            {tabs
                .iter()
                .map(|(name, label, href)| {
                    let selected = move || (current.get() == *name).then_some("page");
                    view! {
                        <a
                            href=*href
                            aria-current=selected
                            class="-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900 aria-[current=page]:border-indigo-600 aria-[current=page]:text-indigo-700"
                        >
                            {*label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}
