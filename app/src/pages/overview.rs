use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::ui::{ErrorNotice, PageHeader, CARD_CLASSES};
use crate::domain::overview::{NeedsMe, EXPIRY_WINDOW_HOURS};
use crate::server_fns::{get_current_actor, list_tokens, AppError};

/// What needs the signed-in person, each count with the page that handles it.
#[server(endpoint = "what_needs_me", output = crate::server_fns::codec::TextJson)]
pub async fn what_needs_me() -> Result<NeedsMe, AppError> {
    use crate::domain::overview::service as overview;
    let (store, actor) = crate::server_fns::ssr::actor_and_store().await?;
    Ok(overview::needs_me(&store, &actor).await?)
}

/// One line of "what needs you": a count, what it counts, and where to act on it.
struct Need {
    test_id: &'static str,
    count: i64,
    one: &'static str,
    many: &'static str,
    href: &'static str,
    action: &'static str,
}

fn needs(counts: &NeedsMe) -> Vec<Need> {
    let mut all = vec![
        Need {
            test_id: "need-requests",
            count: counts.pending_requests,
            one: "access request waits for your answer",
            many: "access requests wait for your answer",
            href: "/requests",
            action: "Answer",
        },
        Need {
            test_id: "need-expiring-sent",
            count: counts.expiring_sent,
            one: "share you sent expires within 48 h",
            many: "shares you sent expire within 48 h",
            href: "/shared?kind=resource",
            action: "Extend or let go",
        },
        Need {
            test_id: "need-expiring-received",
            count: counts.expiring_received,
            one: "share you receive expires within 48 h",
            many: "shares you receive expire within 48 h",
            href: "/shared?tab=received&kind=resource",
            action: "Review",
        },
        Need {
            test_id: "need-offers",
            count: counts.open_offers,
            one: "offer to a partner is still open",
            many: "offers to partners are still open",
            href: "/partners",
            action: "Follow up",
        },
    ];
    if let Some(failed) = counts.failed_deliveries {
        all.push(Need {
            test_id: "need-deliveries",
            count: failed,
            one: "webhook delivery failed",
            many: "webhook deliveries failed",
            href: "/webhooks",
            action: "Check endpoints",
        });
    }
    all.push(Need {
        test_id: "need-notifications",
        count: counts.unread_notifications,
        one: "unread notification",
        many: "unread notifications",
        href: "/notifications",
        action: "Read",
    });
    all.retain(|need| need.count > 0);
    all
}

/// The signed-in user's start page: what needs them, who they are, and where to go next.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let actor = Resource::new(|| (), |_| get_current_actor());
    let tokens = Resource::new(|| (), |_| list_tokens());
    let counts = Resource::new(|| (), |_| what_needs_me());

    view! {
        <Title text="Overview" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let actor = match actor.await {
                    Ok(Some(actor)) => actor,
                    Ok(None) => {
                        return view! { <ErrorNotice error=AppError::SignedOut /> }
                            .into_any();
                    }
                    Err(error) => return view! { <ErrorNotice error /> }.into_any(),
                };
                let live_tokens = tokens
                    .await
                    .map(|tokens| tokens.iter().filter(|token| token.revoked_at.is_none()).count())
                    .unwrap_or_default();
                let needs_you = match counts.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(counts) => view! { <NeedsYou counts /> }.into_any(),
                };
                view! {
                    <PageHeader
                        title="Overview"
                        summary=format!("Signed in as {} ({}) of {}.", actor.username, actor.role, actor.org_name)
                    />
                    {needs_you}
                    <div class="mt-6 grid gap-4 sm:grid-cols-2" data-testid="overview">
                        <div class=CARD_CLASSES>
                            <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">
                                "Your organisation"
                            </h2>
                            <p class="mt-2 text-lg font-medium" title=actor.org_id.to_string()>{actor.org_name.clone()}</p>
                        </div>
                        <div class=CARD_CLASSES>
                            <h2 class="text-sm font-semibold uppercase tracking-wide text-slate-500">
                                "API tokens"
                            </h2>
                            <p class="mt-2 text-lg font-medium">{live_tokens} " active"</p>
                            <a href="/tokens" class="mt-1 inline-block text-sm text-indigo-700 hover:underline">
                                "Manage tokens"
                            </a>
                        </div>
                    </div>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn NeedsYou(counts: NeedsMe) -> impl IntoView {
    let items = needs(&counts);
    let body = if items.is_empty() {
        view! {
            <p class="mt-2 text-slate-600" data-testid="nothing-needs-you">
                "Nothing needs you. Requests, shares expiring within "
                {EXPIRY_WINDOW_HOURS}
                " h, open offers and unread notifications will show here."
            </p>
        }
        .into_any()
    } else {
        view! {
            <ul class="mt-2 divide-y divide-slate-100">
                {items
                    .into_iter()
                    .map(|need| {
                        let what = if need.count == 1 { need.one } else { need.many };
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-testid=need.test_id>
                                <span>
                                    <span class="mr-1 text-lg font-semibold" data-testid="need-count">{need.count}</span>
                                    {what}
                                </span>
                                <a href=need.href class="text-sm font-medium text-indigo-700 hover:underline">
                                    {need.action}
                                    <span class="sr-only">": " {what}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class=CARD_CLASSES aria-labelledby="needs-you-title" data-testid="needs-you">
            <h2 id="needs-you-title" class="text-base font-semibold">"What needs you"</h2>
            {body}
        </section>
    }
}
